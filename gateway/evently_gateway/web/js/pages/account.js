// Your account: name and time zone, what you are told and how, your password, and leaving.

import { api, session } from "../api.js";
import { announce, announceOnNextPage, busy, field, h, replace, showErrors } from "../dom.js";
import { go } from "../router.js";
import { knownZones } from "../time.js";

// What the notifier tells people (Notification.kind), in words.
const KINDS = [
  ["registration.confirmed", "Your registration is confirmed"],
  ["registration.waitlisted", "You are on a waitlist"],
  ["registration.promoted", "A seat opened up for you"],
  ["reminder.due", "Reminders before your events"],
  ["event.updated", "An event you attend moved"],
  ["event.cancelled", "An event you attend is cancelled"],
  ["comment.added", "New comments on your events"],
  ["comment.reply", "Replies to your comments"],
  ["comment.mention", "Someone mentions you"],
  ["poll.opened", "A poll opens on an event you attend"],
  ["poll.closed", "A poll on an event you attend is decided"],
  ["registration.new", "Someone registered for your event"],
  ["registration.cancelled", "Someone cancelled for your event"],
  ["subscription.failing", "A webhook of yours started failing"],
  ["subscription.exhausted", "A webhook delivery gave up"],
  ["subscription.disabled", "A webhook of yours was switched off"],
  ["subscription.recovered", "A webhook of yours works again"],
];

function detailsForm(user) {
  const form = h("form", { class: "form card", novalidate: true, "aria-labelledby": "details-heading" },
    h("h2", { id: "details-heading" }, "Your details"),
    h("label", {}, "Your name", h("input", { name: "displayName", required: true, maxlength: 100, value: user.displayName || "" })),
    h("p", {}, "Email: ", h("strong", { id: "account-email" }, user.email)),
    field("Time zone", h("input", { name: "timeZone", list: "account-zones", required: true, value: user.timeZone || "UTC" }),
      "E-mails and notifications also state event times on your clock, e.g. Europe/Paris."),
    h("datalist", { id: "account-zones" }, ...knownZones().map((name) => h("option", { value: name }))),
    h("div", { class: "row" }, h("button", { type: "submit" }, "Save details")),
  );
  form.addEventListener("submit", (submitted) => {
    submitted.preventDefault();
    const data = new FormData(form);
    const changed = { displayName: data.get("displayName").trim(), timeZone: data.get("timeZone").trim() };
    busy(form.querySelector("button"), async () => {
      try {
        const saved = await api("PATCH", "/v1/users/me", {
          body: { user: changed, updateMask: "displayName,timeZone" },
        });
        session.updateUser(saved);
      } catch (error) {
        showErrors(form, error);
        return;
      }
      announce("Your details are saved.");
    });
  });
  return form;
}

function notificationsForm(preferences) {
  const muted = new Set(preferences.mutedKinds || []);
  const form = h("form", { class: "form card", "aria-labelledby": "notifications-heading" },
    h("h2", { id: "notifications-heading" }, "What you are told"),
    h("fieldset", { class: "checks" }, h("legend", {}, "Channels"),
      h("label", {}, h("input", { type: "checkbox", name: "email", checked: Boolean(preferences.email) }), "By e-mail"),
      h("label", {}, h("input", { type: "checkbox", name: "inApp", checked: Boolean(preferences.inApp) }), "In the app (the bell)"),
    ),
    h("fieldset", { class: "checks" }, h("legend", {}, "About"),
      ...KINDS.map(([kind, label]) =>
        h("label", {}, h("input", { type: "checkbox", name: "kind", value: kind, checked: !muted.has(kind) }), label)),
    ),
    h("div", { class: "row" }, h("button", { type: "submit" }, "Save notifications")),
  );
  form.addEventListener("submit", (submitted) => {
    submitted.preventDefault();
    const data = new FormData(form);
    const wanted = new Set(data.getAll("kind"));
    const changed = {
      email: data.get("email") === "on",
      inApp: data.get("inApp") === "on",
      // Kinds this page does not list (from a newer server) stay as they were.
      mutedKinds: [
        ...[...muted].filter((kind) => !KINDS.some(([listed]) => listed === kind)),
        ...KINDS.map(([kind]) => kind).filter((kind) => !wanted.has(kind)),
      ],
    };
    busy(form.querySelector("button"), async () => {
      try {
        await api("PATCH", "/v1/preferences", { body: changed, query: { updateMask: "email,inApp,mutedKinds" } });
      } catch (error) {
        showErrors(form, error);
        return;
      }
      announce("Your notification settings are saved.");
    });
  });
  return form;
}

function passwordForm() {
  const form = h("form", { class: "form card", novalidate: true, "aria-labelledby": "password-heading" },
    h("h2", { id: "password-heading" }, "Password"),
    h("label", {}, "Current password", h("input", { name: "currentPassword", type: "password", autocomplete: "current-password", required: true })),
    field("New password", h("input", { name: "newPassword", type: "password", autocomplete: "new-password", required: true }),
      "At least 10 characters. Your other sessions end when it changes."),
    h("div", { class: "row" }, h("button", { type: "submit" }, "Change password")),
  );
  form.addEventListener("submit", (submitted) => {
    submitted.preventDefault();
    const data = new FormData(form);
    const body = { currentPassword: data.get("currentPassword"), newPassword: data.get("newPassword") };
    busy(form.querySelector("button"), async () => {
      try {
        session.save(await api("POST", "/v1/users/me:changePassword", { body }));
      } catch (error) {
        showErrors(form, error);
        return;
      }
      form.reset();
      announce("Your password is changed; your other sessions have ended.");
    });
  });
  return form;
}

function leaveForm() {
  const button = h("button", { type: "button", class: "danger" }, "Delete my account");
  button.addEventListener("click", () => {
    if (!window.confirm("Delete your account? Your registrations end and the events you organize are cancelled. This cannot be undone.")) return;
    busy(button, async () => {
      await api("DELETE", "/v1/users/me");
      session.clear();
      announceOnNextPage("Your account is deleted.");
      go("/");
    });
  });
  return h("section", { class: "card", "aria-labelledby": "leave-heading" },
    h("h2", { id: "leave-heading" }, "Delete account"),
    h("p", {}, "Your registrations end, the events you organize are cancelled, and what you were told is deleted."),
    button,
  );
}

export async function renderAccount(main, _params, current) {
  const [user, preferences] = await Promise.all([api("GET", "/v1/users/me"), api("GET", "/v1/preferences")]);
  if (!current()) return;
  replace(main, h("h1", {}, "Your account"),
    h("div", { class: "stack" }, detailsForm(user), notificationsForm(preferences), passwordForm(), leaveForm()));
}
