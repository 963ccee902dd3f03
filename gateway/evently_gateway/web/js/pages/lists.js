// Lists of events beyond the home page's upcoming ones: past events, and the events you organize.

import { all } from "../api.js";
import { h, replace } from "../dom.js";
import { eventCard } from "./common.js";

function section(title, events, empty) {
  const id = title.toLowerCase().replace(/\W+/g, "-");
  return h("section", { "aria-labelledby": id },
    h("h2", { id }, title),
    events.length ? h("ul", { class: "events" }, events.map(eventCard)) : h("p", { class: "muted" }, empty));
}

export async function renderPastEvents(main, _params, current) {
  const past = await all("/v1/events", "events", { query: { timing: "PAST" }, maxPages: 3 });
  if (!current()) return;
  replace(main, h("h1", {}, "Past events"),
    past.length ? h("ul", { class: "events" }, past.map(eventCard)) : h("p", { class: "muted" }, "None yet."));
}

export async function renderMyEvents(main, _params, current) {
  const mine = { organizerId: "me", includeCancelled: true };
  const [upcoming, past] = await Promise.all([
    all("/v1/events", "events", { query: { ...mine, timing: "UPCOMING" } }),
    all("/v1/events", "events", { query: { ...mine, timing: "PAST" }, maxPages: 3 }),
  ]);
  if (!current()) return;
  replace(main, h("h1", {}, "My events"),
    h("p", {}, h("a", { class: "button", href: "#/events/new" }, "New event")),
    section("Upcoming", upcoming, "Nothing planned."),
    section("Past", past, "None yet."));
}
