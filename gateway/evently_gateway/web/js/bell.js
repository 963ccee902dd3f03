// The notification bell: unread count and latest notifications, kept live by the gateway's
// Server-Sent Events stream. EventSource cannot send an Authorization header, so the stream is
// read with fetch() and parsed here; it reconnects with backoff when it drops.

import { accessToken, api } from "./api.js";
import { h, replace, when } from "./dom.js";

const SHOWN = 10;
let controller = null;
// Ids of the unread ones: the stream starts with every unread notification (up to 100) and then
// sends new ones, so a set of ids counts each once however the stream and lists interleave.
let unreadIds = new Set();
let recent = [];  // newest first

const el = (id) => document.getElementById(id);

function render() {
  const count = unreadIds.size;
  el("bell-count").hidden = count === 0;
  el("bell-count").textContent = count >= 100 ? "99+" : String(count);
  el("bell").setAttribute("aria-label", count ? `Notifications, ${count} unread` : "Notifications");
  el("bell-empty").hidden = recent.length > 0;
  replace(el("bell-list"), recent.slice(0, SHOWN).map((n) =>
    h("li", { class: n.readTime ? "" : "unread" },
      h("strong", {}, n.title),
      h("div", {}, n.body),
      h("div", { class: "row muted" },
        h("time", { datetime: n.createTime }, when(n.createTime)),
        n.eventId ? h("a", { href: `#/events/${encodeURIComponent(n.eventId)}` }, "Open") : null),
    )),
    h("li", {}, h("a", { href: "#/notifications" }, "All notifications")),
  );
}

function arrived(notification) {
  if (!notification.readTime) unreadIds.add(notification.id);
  if (!recent.some((n) => n.id === notification.id)) {
    recent.push(notification);
    recent.sort((a, b) => Date.parse(b.createTime) - Date.parse(a.createTime));
  }
  render();
}

// One SSE stream: "data: <json>" lines separated by blank lines; ":" lines are keep-alives.
async function listen(signal) {
  const token = await accessToken();  // fresh at every (re)connect
  if (!token) throw new Error("watch refused: 401");
  const response = await fetch("/v1/notifications:watch?includeUnread=true", {
    headers: { authorization: `Bearer ${token}`, accept: "text/event-stream" },
    signal,
  });
  if (!response.ok) throw new Error(`watch refused: ${response.status}`);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const name = (/^event: (.*)$/m.exec(block) || [])[1] || "message";
      const data = block.split("\n").filter((l) => l.startsWith("data: ")).map((l) => l.slice(6)).join("\n");
      if (!data) continue;
      if (name === "error") throw new Error(JSON.parse(data).message);
      arrived(JSON.parse(data));
    }
  }
}

async function keepListening(signal) {
  let backoff = 1000;
  while (!signal.aborted) {
    const opened = Date.now();
    try {
      await listen(signal);
    } catch (error) {
      if (signal.aborted) return;
      if (/403/.test(error.message)) return;
      // The token expired while the stream was open, or the session ended: try one exchange.
      if (/401/.test(error.message) && !(await accessToken({ force: true }))) return;
    }
    if (Date.now() - opened > 30000) backoff = 1000;  // it had been healthy: start over gently
    await new Promise((resolve) => setTimeout(resolve, backoff));
    backoff = Math.min(backoff * 2, 30000);
    await refresh().catch(() => {});  // catch up on anything missed while disconnected
  }
}

async function refresh() {
  const answer = await api("GET", "/v1/notifications", { query: { pageSize: SHOWN } });
  const byId = new Map(recent.map((n) => [n.id, n]));
  for (const n of answer.notifications || []) byId.set(n.id, n);
  recent = [...byId.values()].sort((a, b) => Date.parse(b.createTime) - Date.parse(a.createTime));
  for (const n of answer.notifications || []) if (!n.readTime) unreadIds.add(n.id);
  render();
}

export async function markAllRead() {
  await api("POST", "/v1/notifications:markRead", { body: { ids: [] } });  // none named: all
  const now = new Date().toISOString();
  for (const n of recent) n.readTime = n.readTime || now;
  unreadIds.clear();
  render();
}

// For the signed-in user; a refreshed access token for the same user keeps the stream open.
export function startBell(userId) {
  if (controller && controller.userId === userId) return;
  stopBell();
  controller = new AbortController();
  controller.userId = userId;
  refresh().catch(() => {});
  keepListening(controller.signal);
}

export function stopBell() {
  controller?.abort();
  controller = null;
  unreadIds = new Set();
  recent = [];
}

function setUp() {
  const button = el("bell");
  const panel = el("bell-panel");
  button.addEventListener("click", () => {
    panel.hidden = !panel.hidden;
    button.setAttribute("aria-expanded", String(!panel.hidden));
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !panel.hidden) { panel.hidden = true; button.setAttribute("aria-expanded", "false"); button.focus(); }
  });
  el("bell-read").addEventListener("click", () => markAllRead().catch(() => {}));
}
setUp();
