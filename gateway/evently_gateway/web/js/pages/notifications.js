// Everything you have been told in the app, newest first.

import { api } from "../api.js";
import { busy, h, replace, when } from "../dom.js";
import { markAllRead } from "../bell.js";

export async function renderNotifications(main, _params, current) {
  const list = h("ol", { class: "bell-list card" });
  const more = h("button", { type: "button", class: "secondary", hidden: true }, "Older notifications");
  let pageToken = "";
  async function load() {
    const answer = await api("GET", "/v1/notifications", { query: { pageSize: 30, pageToken } });
    for (const n of answer.notifications || []) {
      list.append(h("li", { class: n.readTime ? "" : "unread" },
        h("strong", {}, n.title), h("div", {}, n.body),
        h("div", { class: "row muted" }, h("time", { datetime: n.createTime }, when(n.createTime)),
          n.eventId ? h("a", { href: `#/events/${encodeURIComponent(n.eventId)}` }, "Open the event") : null),
      ));
    }
    pageToken = answer.nextPageToken || "";
    more.hidden = !pageToken;
  }
  await load();
  if (!current()) return;
  more.addEventListener("click", () => busy(more, load));
  const readAll = h("button", { type: "button", class: "secondary" }, "Mark all read");
  readAll.addEventListener("click", () => busy(readAll, async () => {
    await markAllRead();
    for (const li of list.querySelectorAll(".unread")) li.classList.remove("unread");
  }));
  replace(main, h("h1", {}, "Notifications"), h("div", { class: "row" }, readAll),
    list.childElementCount ? list : h("p", { class: "muted" }, "Nothing yet."), more);
}
