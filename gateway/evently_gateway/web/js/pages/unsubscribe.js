// The page an e-mail's "Stop this kind of message" link opens: one button, no sign-in needed
// (the link itself is the proof), as mail clients' own unsubscribe button does.

import { api } from "../api.js";
import { busy, h, replace } from "../dom.js";

export async function renderUnsubscribe(main, { token }) {
  const done = h("p", { id: "unsubscribed", role: "status" });
  const button = h("button", { type: "button" }, "Stop these messages");
  button.addEventListener("click", () => busy(button, async () => {
    try {
      await api("POST", `/v1/unsubscribe/${encodeURIComponent(token)}`);
    } catch (error) {
      done.textContent = error.status === 400
        ? "This link is not one of ours, or it was cut short: copy the whole link from the e-mail."
        : error.message;
      return;
    }
    button.hidden = true;
    done.replaceChildren("Done: you will not be told about this any more. ",
      h("a", { href: "#/account" }, "Choose what you are told"), " on your account page.");
  }));
  replace(main, h("h1", {}, "Stop these messages?"),
    h("p", {}, "You will no longer be told, by e-mail or in the app, about the kind of thing this e-mail was about."),
    button, done);
}
