// One event: its details, seats, your place (register, unregister, waitlist position), a calendar
// file, the comments — and for its organizer, the way to edit, cancel and see who is coming.

import { all, api, displayName, session } from "../api.js";
import { announce, announceOnNextPage, busy, h, replace, showErrors, when } from "../dom.js";
import { go } from "../router.js";
import { seatsText } from "./common.js";
import { eventWhen } from "../time.js";

async function myRegistration(eventId) {
  const mine = await all("/v1/events/-/registrations", "registrations");
  return mine.find((r) => r.eventId === eventId && r.status !== "CANCELLED") || null;
}

function placeText(registration) {
  if (!registration) return "You are not registered.";
  if (registration.status === "CONFIRMED") return "You have a seat.";
  return `You are number ${registration.waitlistPosition} on the waitlist.`;
}

function comment(entry, organizerId) {
  const author = h("strong", {}, "…");
  displayName(entry.authorId).then((name) => {
    author.textContent = entry.authorId === organizerId ? `${name} (organizer)` : name;
  });
  return h("li", {},
    h("div", { class: "row muted" }, author, h("time", { datetime: entry.createTime }, when(entry.createTime))),
    h("div", {}, entry.text),
  );
}

function attendeeRow(registration) {
  const name = h("td", {}, "…");
  displayName(registration.userId).then((n) => { name.textContent = n; });
  const status = registration.status === "WAITLISTED" ? `Waitlist #${registration.waitlistPosition}` : "Confirmed";
  return h("tr", {}, name, h("td", {}, status), h("td", {}, when(registration.createTime)));
}

export async function renderEvent(main, { id }, current) {
  const signedIn = session.get();
  const [event, registration, comments] = await Promise.all([
    api("GET", `/v1/events/${encodeURIComponent(id)}`),
    signedIn ? myRegistration(id) : Promise.resolve(null),
    all(`/v1/events/${encodeURIComponent(id)}/comments`, "comments", { maxPages: 5 }),
  ]);
  if (!current()) return;
  const isOrganizer = signedIn && event.organizerId === signedIn.user.id;
  const cancelled = event.state === "CANCELLED";
  const past = Date.parse(event.endTime) < Date.now();

  const seats = h("span", { id: "seats" }, cancelled ? "" : seatsText(event));
  const place = h("p", { id: "my-place", "aria-live": "polite" }, signedIn ? placeText(registration) : "");
  const actions = h("div", { class: "row" });

  function showPlace(current) {
    place.textContent = placeText(current);
    const buttons = [];
    if (!signedIn) {
      buttons.push(h("a", { class: "button", href: "#/login", onclick: () => sessionStorage.setItem("evently.after-login", `/events/${id}`) }, "Log in to register"));
    } else if (!cancelled && !past) {
      if (current) {
        const leave = h("button", { type: "button", class: "secondary" }, "Unregister");
        leave.addEventListener("click", () => busy(leave, async () => {
          await api("POST", `/v1/events/${encodeURIComponent(id)}:unregister`, { body: {} });
          announceOnNextPage("You are no longer registered.");
          go(`/events/${id}`);
        }));
        buttons.push(leave);
      } else {
        const full = event.capacity && event.confirmedCount >= event.capacity;
        const join = h("button", { type: "button" }, full ? "Join the waitlist" : "Register");
        join.addEventListener("click", () => busy(join, async () => {
          const answer = await api("POST", `/v1/events/${encodeURIComponent(id)}:register`, { body: {} });
          announceOnNextPage(answer.status === "CONFIRMED" ? "You are registered." : `You are on the waitlist (number ${answer.waitlistPosition}).`);
          go(`/events/${id}`);
        }));
        buttons.push(join);
      }
    }
    buttons.push(h("a", { class: "button secondary", href: `/v1/events/${encodeURIComponent(id)}/calendar.ics`, download: `${event.title}.ics` }, "Add to calendar"));
    replace(actions, buttons);
  }
  showPlace(registration);

  const sections = [
    h("h1", {}, event.title),
    cancelled ? h("p", { class: "pill danger" }, `Cancelled${event.cancelReason ? `: ${event.cancelReason}` : ""}`) : null,
    h("dl", { class: "card" },
      h("dt", {}, "When"), h("dd", { id: "when" }, eventWhen(event.startTime, event.endTime, event.timeZone)),
      h("dt", {}, "Where"), h("dd", {}, event.location),
      signedIn ? h("dt", {}, "Organizer") : null,
      signedIn ? h("dd", { id: "organizer" }, isOrganizer ? "You" : await displayName(event.organizerId)) : null,
      h("dt", {}, "Seats"), h("dd", {}, seats),
    ),
    event.description ? h("p", { class: "description" }, event.description) : null,
    place,
    actions,
  ];
  if (isOrganizer) sections.push(await organizerTools(event, current));
  sections.push(commentsSection(event, comments, isOrganizer || Boolean(registration)));
  if (!current()) return;
  replace(main, h("article", { class: "stack" }, sections));
}

async function organizerTools(event, current) {
  const id = encodeURIComponent(event.id);
  const registrations = await all(`/v1/events/${id}/registrations`, "registrations", { maxPages: 5 });
  const coming = registrations.filter((r) => r.status !== "CANCELLED");
  const section = h("section", { class: "card stack", "aria-labelledby": "organizer-heading" },
    h("h2", { id: "organizer-heading" }, "Organizer"),
    h("div", { class: "row" },
      event.state !== "CANCELLED" ? h("a", { class: "button secondary", href: `#/events/${id}/edit` }, "Edit event") : null,
    ),
  );
  if (event.state !== "CANCELLED") {
    const form = h("form", { class: "row", novalidate: true },
      h("label", {}, "Reason for cancelling", h("input", { name: "reason", placeholder: "optional" })),
      h("button", { type: "submit", class: "danger" }, "Cancel event"),
    );
    form.addEventListener("submit", (submitted) => {
      submitted.preventDefault();
      if (!window.confirm(`Cancel “${event.title}”? Everyone registered is told.`)) return;
      busy(form.querySelector("button"), async () => {
        try {
          await api("POST", `/v1/events/${id}:cancel`, { body: { reason: new FormData(form).get("reason") } });
        } catch (error) { showErrors(form, error); return; }
        announceOnNextPage("The event is cancelled; attendees are being told.");
        go(`/events/${event.id}`);
      });
    });
    section.append(form);
  }
  section.append(
    h("h3", {}, `Attendees (${coming.length})`),
    coming.length
      ? h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, "Name"), h("th", {}, "Status"), h("th", {}, "Since"))),
          h("tbody", {}, coming.map(attendeeRow)))
      : h("p", { class: "muted" }, "Nobody yet."),
  );
  return current() ? section : null;
}

function commentsSection(event, comments, mayComment) {
  const list = h("ol", { class: "comments", "aria-live": "polite" }, comments.map((c) => comment(c, event.organizerId)));
  const section = h("section", { "aria-labelledby": "comments-heading", class: "stack" },
    h("h2", { id: "comments-heading" }, `Comments (${comments.length})`),
    comments.length ? list : h("p", { class: "muted", id: "no-comments" }, "No comments yet."),
  );
  if (!session.get()) {
    section.append(h("p", { class: "muted" }, h("a", { href: "#/login" }, "Log in"), " and register to comment."));
    return section;
  }
  if (!mayComment) {
    section.append(h("p", { class: "muted" }, "Register for this event to join the conversation."));
    return section;
  }
  const form = h("form", { class: "form", novalidate: true },
    h("label", {}, "Add a comment", h("textarea", { name: "text", rows: 3, required: true })),
    h("div", {}, h("button", { type: "submit" }, "Post comment")),
  );
  form.addEventListener("submit", (submitted) => {
    submitted.preventDefault();
    busy(form.querySelector("button"), async () => {
      let added;
      try {
        added = await api("POST", `/v1/events/${encodeURIComponent(event.id)}/comments`, { body: { text: new FormData(form).get("text") } });
      } catch (error) { showErrors(form, error); return; }
      section.querySelector("#no-comments")?.replaceWith(list);
      list.append(comment(added, event.organizerId));
      comments.push(added);
      section.querySelector("#comments-heading").textContent = `Comments (${comments.length})`;
      form.reset();
      announce("Comment posted.");
    });
  });
  section.append(form);
  return section;
}
