// A forgotten password: ask for a link by e-mail, then set a new password with it.

import { api } from "../api.js";
import { announceOnNextPage, busy, field, h, replace, showErrors } from "../dom.js";
import { go } from "../router.js";

export async function renderForgotPassword(main) {
  const sent = h("p", { id: "reset-sent", role: "status" });
  const form = h("form", { class: "form card", novalidate: true },
    h("label", {}, "Email", h("input", { name: "email", type: "email", autocomplete: "username", required: true })),
    h("div", { class: "row" }, h("button", { type: "submit" }, "Send me a link")),
  );
  form.addEventListener("submit", (submitted) => {
    submitted.preventDefault();
    const email = new FormData(form).get("email");
    busy(form.querySelector("button"), async () => {
      try {
        await api("POST", "/v1/users:requestPasswordReset", { body: { email } });
      } catch (error) {
        showErrors(form, error);
        return;
      }
      // The same words whether or not an account uses the address: nobody learns who has one.
      sent.textContent = `If an account uses ${email}, a link to set a new password is on its way. It works once, within the hour.`;
    });
  });
  replace(main, h("h1", {}, "Forgot your password?"),
    h("p", {}, "We will e-mail you a link to set a new one."), form, sent);
  form.querySelector("input").focus();
}

export async function renderResetPassword(main, { token }) {
  const form = h("form", { class: "form card", novalidate: true },
    field("New password", h("input", { name: "newPassword", type: "password", autocomplete: "new-password", required: true }),
      "At least 10 characters; a passphrase is best. Every other session ends."),
    h("div", { class: "row" }, h("button", { type: "submit" }, "Set new password")),
  );
  form.addEventListener("submit", (submitted) => {
    submitted.preventDefault();
    const newPassword = new FormData(form).get("newPassword");
    busy(form.querySelector("button"), async () => {
      try {
        await api("POST", "/v1/users:resetPassword", { body: { token, newPassword } });
      } catch (error) {
        showErrors(form, error);
        return;
      }
      announceOnNextPage("Your password is set. Log in with it.");
      go("/login");
    });
  });
  replace(main, h("h1", {}, "Set a new password"), form);
  form.querySelector("input").focus();
}
