// One event: its details, seats, your place (register, unregister, waitlist position), a calendar
// file, its polls, the comments — and for its organizer, the way to edit, cancel, ask people and
// see who is coming. The page is live: the event's room (an SSE stream the browser resumes by
// itself after a drop) brings new comments, seat counts, poll tallies and changes of time.

import { all, api, displayName, session } from "../api.js";
import { announceOnNextPage, busy, h, replace, showErrors, when } from "../dom.js";
import { go } from "../router.js";
import { seatsText } from "./common.js";
import { commentsSection } from "./comments.js";
import { pollsSection } from "./polls.js";
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

function whenText(event) {
  if (event.state === "PROPOSED") return "To be decided: vote on the date below.";
  return eventWhen(event.startTime, event.endTime, event.timeZone);
}

function attendeeRow(registration) {
  const name = h("td", {}, "…");
  displayName(registration.userId).then((n) => { name.textContent = n; });
  const status = registration.status === "WAITLISTED" ? `Waitlist #${registration.waitlistPosition}` : "Confirmed";
  return h("tr", {}, name, h("td", {}, status), h("td", {}, when(registration.createTime)));
}

export async function renderEvent(main, { id }, current) {
  const signedIn = session.get();
  const [event, registration, comments, polls] = await Promise.all([
    api("GET", `/v1/events/${encodeURIComponent(id)}`),
    signedIn ? myRegistration(id) : Promise.resolve(null),
    all(`/v1/events/${encodeURIComponent(id)}/comments`, "comments", { maxPages: 5 }),
    api("GET", `/v1/events/${encodeURIComponent(id)}/polls`),
  ]);
  if (!current()) return;
  const isOrganizer = signedIn && event.organizerId === signedIn.user.id;
  const cancelled = event.state === "CANCELLED";
  const past = Date.parse(event.endTime) < Date.now();

  const seats = h("span", { id: "seats" }, cancelled ? "" : seatsText(event));
  const place = h("p", { id: "my-place", "aria-live": "polite" }, signedIn ? placeText(registration) : "");
  const actions = h("div", { class: "row" });

  const proposed = event.state === "PROPOSED";
  function showPlace(current) {
    place.textContent = proposed && signedIn
      ? "Registration opens when the date is decided: say yes to a date below to be registered."
      : placeText(current);
    const buttons = [];
    if (proposed) {
      // Nothing to register for or to put in a calendar yet.
    } else if (!signedIn) {
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
    if (!proposed) {
      buttons.push(h("a", { class: "button secondary", href: `/v1/events/${encodeURIComponent(id)}/calendar.ics`, download: `${event.title}.ics` }, "Add to calendar"));
    }
    replace(actions, buttons);
  }
  showPlace(registration);

  const sections = [
    h("h1", {}, event.title),
    cancelled ? h("p", { class: "pill danger" }, `Cancelled${event.cancelReason ? `: ${event.cancelReason}` : ""}`) : null,
    h("dl", { class: "card" },
      h("dt", {}, "When"), h("dd", { id: "when" }, whenText(event)),
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
  const pollBoard = pollsSection(event, polls.polls || [], { isOrganizer, signedIn: Boolean(signedIn) });
  const talk = commentsSection(event, comments, isOrganizer || Boolean(registration));
  sections.push(pollBoard.section, talk.section);
  if (!current()) return;
  replace(main, h("article", { class: "stack" }, sections));
  watchRoom(event, current, {
    event: (now) => {
      // A proposed event whose date was just decided opens registration: read the page afresh.
      if (proposed && now.state !== "PROPOSED") { go(`/events/${id}`); return; }
      seats.textContent = now.state === "CANCELLED" ? "" : seatsText(now);
      main.querySelector("#when").textContent = whenText(now);
    },
    comment: talk.add,
    poll: pollBoard.update,
  });
}

// The event's live room: changes as they happen, until the page is left.
function watchRoom(event, current, show) {
  const room = new EventSource(`/v1/events/${encodeURIComponent(event.id)}:watch`);
  const leave = () => room.close();
  window.addEventListener("hashchange", leave, { once: true });
  room.addEventListener("message", (message) => {
    if (!current()) { leave(); return; }
    const change = JSON.parse(message.data);
    if (change.type === "evently.watch.reset") { leave(); go(`/events/${event.id}`); return; }
    if (change.type === "evently.event.deleted") { leave(); announceOnNextPage("This event was deleted."); go("/"); return; }
    if (change.event) show.event(change.event);
    if (change.comment) show.comment(change.comment);
    if (change.poll) show.poll(change.poll);
  });
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
