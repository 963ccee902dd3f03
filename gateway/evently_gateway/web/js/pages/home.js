// The home page: upcoming events, searchable, a page at a time.

import { api } from "../api.js";
import { busy, h, replace } from "../dom.js";
import { eventCard } from "./common.js";

const PAGE_SIZE = 20;

export async function renderHome(main, _params, current) {
  const query = new URLSearchParams(window.location.hash.split("?")[1] || "").get("q") || "";
  const list = h("ul", { class: "events", "aria-label": "Upcoming events" });
  const more = h("button", { type: "button", class: "secondary", hidden: true }, "More events");
  const summary = h("p", { class: "muted", "aria-live": "polite" });
  const search = h("form", { class: "search", role: "search" },
    h("label", { class: "visually-hidden", for: "search-q" }, "Search events"),
    h("input", { id: "search-q", name: "q", type: "search", value: query, placeholder: "Search by title, place or description" }),
    h("button", { type: "submit" }, "Search"),
  );
  search.addEventListener("submit", (event) => {
    event.preventDefault();
    const q = new FormData(search).get("q").trim();
    window.location.hash = q ? `#/?q=${encodeURIComponent(q)}` : "#/";
  });

  let pageToken = "";
  let shown = 0;
  async function load() {
    const answer = await api("GET", "/v1/events", {
      query: { timing: "UPCOMING", query, pageSize: PAGE_SIZE, pageToken },
    });
    if (!current()) return;
    const events = answer.events || [];
    list.append(...events.map(eventCard));
    shown += events.length;
    pageToken = answer.nextPageToken || "";
    more.hidden = !pageToken;
    summary.textContent = shown
      ? `${shown} upcoming event${shown === 1 ? "" : "s"}${query ? ` matching “${query}”` : ""}${pageToken ? " so far" : ""}.`
      : query ? `No upcoming event matches “${query}”.` : "No upcoming events yet. Why not create one?";
  }
  more.addEventListener("click", () => busy(more, load));

  await load();
  if (!current()) return;
  replace(main, h("h1", {}, query ? "Search results" : "Upcoming events"), search, summary, list, more);
}
