// Your registrations: upcoming first, each with your place and the event's state.

import { all, api } from "../api.js";
import { h, replace } from "../dom.js";
import { eventWhen } from "../time.js";

export async function renderRegistrations(main, _params, current) {
  const mine = (await all("/v1/events/-/registrations", "registrations")).filter((r) => r.status !== "CANCELLED");
  const events = await Promise.all(
    mine.map((r) => api("GET", `/v1/events/${encodeURIComponent(r.eventId)}`).catch(() => null)),
  );
  if (!current()) return;
  const rows = mine
    .map((registration, i) => ({ registration, event: events[i] }))
    .filter((row) => row.event)
    .sort((a, b) => Date.parse(a.event.startTime) - Date.parse(b.event.startTime));
  const now = Date.now();
  const item = ({ registration, event }) => h("li", { class: "card" },
    h("a", { href: `#/events/${encodeURIComponent(event.id)}` }, h("h3", {}, event.title)),
    h("div", { class: "row muted" },
      h("time", { datetime: event.startTime }, eventWhen(event.startTime, event.endTime, event.timeZone)),
      event.state === "CANCELLED" ? h("span", { class: "pill danger" }, "Cancelled")
        : registration.status === "CONFIRMED" ? h("span", { class: "pill ok" }, "Seat confirmed")
          : h("span", { class: "pill warn" }, `Waitlist #${registration.waitlistPosition}`),
    ),
  );
  const upcoming = rows.filter((r) => Date.parse(r.event.endTime) >= now);
  const past = rows.filter((r) => Date.parse(r.event.endTime) < now).reverse();
  replace(main,
    h("h1", {}, "My registrations"),
    upcoming.length ? h("ul", { class: "events", "aria-label": "Upcoming" }, upcoming.map(item))
      : h("p", { class: "muted" }, "You are not registered for any upcoming event. ", h("a", { href: "#/" }, "Find one")),
    past.length ? [h("h2", {}, "Past"), h("ul", { class: "events", "aria-label": "Past" }, past.map(item))] : null,
  );
}
