// Wires the pages to their routes and keeps the header (account, bell) in step with the session.

import { session } from "./api.js";
import { startBell, stopBell } from "./bell.js";
import { announce, announceOnNextPage, h, pageChanged, replace } from "./dom.js";
import { renderAccount } from "./pages/account.js";
import { renderDevelopers } from "./pages/developers.js";
import { renderLogin, renderSignup } from "./pages/auth.js";
import { renderEvent } from "./pages/event.js";
import { renderEventForm } from "./pages/event_form.js";
import { renderHome } from "./pages/home.js";
import { renderMyEvents, renderPastEvents } from "./pages/lists.js";
import { renderNotifications } from "./pages/notifications.js";
import { renderRegistrations } from "./pages/registrations.js";
import { renderForgotPassword, renderResetPassword } from "./pages/password_reset.js";
import { renderUnsubscribe } from "./pages/unsubscribe.js";
import { renderDeliveries, renderWebhooks } from "./pages/webhooks.js";
import { go, match, route } from "./router.js";

route("/", renderHome);
route("/login", renderLogin);
route("/signup", renderSignup);
route("/events/new", renderEventForm, { signedIn: true });
route("/events/:id", renderEvent);
route("/events/:id/edit", renderEventForm, { signedIn: true });
route("/registrations", renderRegistrations, { signedIn: true });
route("/notifications", renderNotifications, { signedIn: true });
route("/webhooks", renderWebhooks, { signedIn: true });
route("/webhooks/:id", renderDeliveries, { signedIn: true });
route("/account", renderAccount, { signedIn: true });
route("/past", renderPastEvents);
route("/developers", renderDevelopers);
route("/my-events", renderMyEvents, { signedIn: true });
route("/unsubscribe/:token", renderUnsubscribe);
route("/forgot-password", renderForgotPassword);
route("/reset-password/:token", renderResetPassword);

const main = () => document.getElementById("main");
let rendered = 0;

async function show() {
  const found = match(window.location.hash);
  const view = main();
  const ticket = ++rendered;
  if (!found) {
    replace(view, h("h1", {}, "Not found"), h("p", {}, h("a", { href: "#/" }, "Back to the events")));
    return;
  }
  if (found.signedIn && !session.get()) {
    sessionStorage.setItem("evently.after-login", found.path);
    go("/login");
    return;
  }
  for (const link of document.querySelectorAll("nav a")) {
    if (link.getAttribute("href") === `#${found.path}`) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  replace(view, h("p", { class: "muted" }, "Loading…"));
  try {
    await found.render(view, found.params, () => ticket === rendered);
  } catch (error) {
    if (ticket !== rendered) return;
    if (error.status === 401 && found.signedIn) {
      sessionStorage.setItem("evently.after-login", found.path);
      go("/login");  // the sign-in form says why
      return;
    }
    if (error.status === 404) {
      replace(view, h("h1", {}, "Not found"),
        h("p", {}, "There is nothing here: it may have been deleted, or the link is incomplete."),
        h("p", {}, h("a", { href: "#/" }, "Back to the events")));
      return;
    }
    replace(view, h("h1", {}, "Something went wrong"), h("p", {}, error.message));
    announce(error.message, { error: true });
  }
  if (ticket === rendered) {
    const heading = view.querySelector("h1");
    if (heading) document.title = `${heading.textContent} · Evently`;
    view.focus({ preventScroll: true });
  }
}

function showAccount() {
  const current = session.get();
  for (const node of document.querySelectorAll("[data-when]")) {
    node.hidden = (node.dataset.when === "signed-in") !== Boolean(current);
  }
  document.getElementById("whoami").textContent = current ? current.user.displayName || current.user.email : "";
  if (current) startBell(current.user.id);
  else stopBell();
}

document.getElementById("sign-out").addEventListener("click", async () => {
  await session.signOut();
  announceOnNextPage("You are signed out.");
  go("/");
});

const menu = document.getElementById("menu");
menu.addEventListener("click", () => {
  const open = menu.getAttribute("aria-expanded") !== "true";
  menu.setAttribute("aria-expanded", String(open));
  document.querySelector(".top").classList.toggle("open", open);
});
function closeMenu() {
  menu.setAttribute("aria-expanded", "false");
  document.querySelector(".top").classList.remove("open");
}

window.addEventListener("hashchange", () => { closeMenu(); pageChanged(); show(); });
window.addEventListener("evently:session", showAccount);
showAccount();
show();
