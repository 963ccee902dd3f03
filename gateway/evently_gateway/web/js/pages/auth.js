// Sign up and log in.

import { api, session } from "../api.js";
import { announceOnNextPage, busy, field, h, replace, showErrors } from "../dom.js";
import { go } from "../router.js";
import { browserZone } from "../time.js";

function afterLogin() {
  const next = sessionStorage.getItem("evently.after-login") || "/";
  sessionStorage.removeItem("evently.after-login");
  go(next);
}

async function logIn(email, password) {
  session.save(await api("POST", "/v1/users:login", { body: { email, password } }));
}

export async function renderLogin(main) {
  const form = h("form", { class: "form card", novalidate: true },
    h("label", {}, "Email", h("input", { name: "email", type: "email", autocomplete: "username", required: true })),
    h("label", {}, "Password", h("input", { name: "password", type: "password", autocomplete: "current-password", required: true })),
    h("div", { class: "row" }, h("button", { type: "submit" }, "Log in"),
      h("span", { class: "muted" }, "New here? ", h("a", { href: "#/signup" }, "Create an account")),
      h("a", { href: "#/forgot-password" }, "Forgot your password?")),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(form);
    busy(form.querySelector("button"), async () => {
      try {
        await logIn(data.get("email"), data.get("password"));
      } catch (error) {
        showErrors(form, error);
        return;
      }
      announceOnNextPage(`Welcome back, ${session.get().user.displayName}.`);
      afterLogin();
    });
  });
  const ended = session.takeEndedReason();
  replace(main, h("h1", {}, "Log in"), ended ? h("p", { class: "notice", role: "status" }, ended) : null, form);
  form.querySelector("input").focus();
}

export async function renderSignup(main) {
  const form = h("form", { class: "form card", novalidate: true },
    h("label", {}, "Your name", h("input", { name: "displayName", autocomplete: "name", required: true })),
    h("label", {}, "Email", h("input", { name: "email", type: "email", autocomplete: "email", required: true })),
    field("Password", h("input", { name: "password", type: "password", autocomplete: "new-password", required: true }),
      "At least 10 characters; a passphrase is best."),
    h("div", { class: "row" }, h("button", { type: "submit" }, "Create account"),
      h("span", { class: "muted" }, "Have an account? ", h("a", { href: "#/login" }, "Log in"))),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const user = {
      displayName: data.get("displayName"),
      email: data.get("email"),
      password: data.get("password"),
      timeZone: browserZone(),  // changeable on the account page
    };
    busy(form.querySelector("button"), async () => {
      try {
        await api("POST", "/v1/users", { body: user });
        await logIn(user.email, user.password);
      } catch (error) {
        showErrors(form, error);
        return;
      }
      announceOnNextPage(`Welcome to Evently, ${user.displayName}.`);
      afterLogin();
    });
  });
  replace(main, h("h1", {}, "Create your account"), form);
  form.querySelector("input").focus();
}
