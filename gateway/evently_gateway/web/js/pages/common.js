// Pieces several pages share: how an event reads in a list, and what is left of its seats.

import { h } from "../dom.js";
import { eventWhen } from "../time.js";

export function seatsLeft(event) {
  if (!event.capacity) return null;  // 0: unlimited
  return Math.max(0, event.capacity - (event.confirmedCount || 0));
}

export function seatsText(event) {
  const left = seatsLeft(event);
  if (left === null) return "Open to all";
  if (left === 0) return event.waitlistCount ? `Full · ${event.waitlistCount} on the waitlist` : "Full · waitlist open";
  return `${left} of ${event.capacity} seats left`;
}

export function eventCard(event) {
  const cancelled = event.state === "CANCELLED";
  return h("li", { class: "card" },
    h("a", { href: `#/events/${encodeURIComponent(event.id)}` }, h("h3", {}, event.title)),
    h("div", { class: "row muted" },
      event.state === "PROPOSED"
        ? h("span", {}, "Date to be decided")
        : h("time", { datetime: event.startTime }, eventWhen(event.startTime, event.endTime, event.timeZone)),
      event.location ? h("span", {}, "· ", event.location) : null,
      cancelled
        ? h("span", { class: "pill danger" }, "Cancelled")
        : event.state === "PROPOSED" ? h("span", { class: "pill warn" }, "Vote on the date")
        : h("span", { class: seatsLeft(event) === 0 ? "pill warn" : "pill ok" }, seatsText(event)),
    ),
  );
}
