// Webhook subscriptions: create (the signing secret is shown once), rotate, delete, recover what
// a failing or switched-off one missed, and each one's deliveries with their attempts, retrying
// the ones that failed.

import { api, all } from "../api.js";
import { announce, announceOnNextPage, busy, field, h, replace, showErrors, when } from "../dom.js";
import { go } from "../router.js";
import { fromZonedInput, toZonedInput, viewerZone } from "../time.js";

const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;

function secretBox(subscription, what) {
  return h("div", { class: "card stack", role: "alert" },
    h("p", {}, `${what} Copy it now — it will not be shown again. Verify each delivery's `,
      h("code", {}, "webhook-signature"), " with it (Standard Webhooks)."),
    h("p", { class: "secret", id: "new-secret" }, subscription.secret),
  );
}

function subscriptionRow(subscription, onChange) {
  const id = encodeURIComponent(subscription.id);
  const rotate = h("button", { type: "button", class: "secondary" }, "Rotate secret");
  rotate.addEventListener("click", () => busy(rotate, async () => {
    const rotated = await api("POST", `/v1/subscriptions/${id}:rotateSecret`, { body: {} });
    onChange(secretBox(rotated, "A new secret is in use; the old one stays valid for a while."));
  }));
  const test = h("button", { type: "button", class: "secondary" }, "Send a test");
  test.addEventListener("click", () => busy(test, async () => {
    await api("POST", `/v1/subscriptions/${id}:test`, { body: {} });
    announce("A test event is on its way: see Deliveries for how it went.");
  }));
  const remove = h("button", { type: "button", class: "danger" }, "Delete");
  remove.addEventListener("click", () => {
    if (!window.confirm(`Stop sending events to ${subscription.url}?`)) return;
    busy(remove, async () => {
      await api("DELETE", `/v1/subscriptions/${id}`);
      announceOnNextPage("Subscription deleted.");
      go("/webhooks");
    });
  });
  const state = subscription.state === "DISABLED"
    ? h("span", { class: "pill danger" }, "Switched off")
    : subscription.failingSince
      ? h("span", { class: "pill warn" }, `Failing since ${when(subscription.failingSince)}`)
      : h("span", { class: "pill ok" }, "Active");
  return h("li", { class: "card stack" },
    h("div", { class: "row" }, h("strong", {}, subscription.url), state,
      subscription.format && subscription.format !== "CLOUDEVENTS" ? h("span", { class: "pill" }, subscription.format.toLowerCase()) : null),
    subscription.description ? h("div", { class: "muted" }, subscription.description) : null,
    h("div", { class: "muted" }, subscription.eventTypes.join(", ")),
    h("div", { class: "row" }, h("a", { class: "button secondary", href: `#/webhooks/${id}` }, "Deliveries"), test, rotate, remove),
    recoverForm(subscription),
  );
}

// Everything the endpoint missed since a moment, sent again oldest first; the stream keeps events
// seven days. By default from an hour before it began failing (the first failed delivery's event
// came a little earlier; what was received is never sent twice), else the last day.
function recoverForm(subscription) {
  const zone = viewerZone();
  const failing = subscription.failingSince && Date.parse(subscription.failingSince);
  const from = new Date(failing ? failing - HOUR : Date.now() - DAY).toISOString();
  const input = h("input", { name: "since", type: "datetime-local", required: true, value: toZonedInput(from, zone) });
  const form = h("form", { class: "form", novalidate: true },
    field("Deliver again everything since", input, `Your clock (${zone}); events are kept 7 days.`),
    h("div", {}, h("button", { type: "submit", class: "secondary" }, "Recover")));
  form.addEventListener("submit", (submitted) => {
    submitted.preventDefault();
    busy(form.querySelector("button"), async () => {
      let answer;
      try {
        answer = await api("POST", `/v1/subscriptions/${encodeURIComponent(subscription.id)}:recover`,
          { body: { since: fromZonedInput(input.value, zone) } });
      } catch (error) { showErrors(form, error); return; }
      const count = answer.deliveryCount || 0;
      announceOnNextPage(count ? `${count} missed ${count === 1 ? "event is" : "events are"} on their way, oldest first.`
        : "Nothing was missed since then.");
      go("/webhooks");
    });
  });
  return h("details", { open: subscription.state === "DISABLED" || Boolean(subscription.failingSince) },
    h("summary", {}, "Recover missed events"), form);
}

export async function renderWebhooks(main, _params, current) {
  const [subscriptions, catalog] = await Promise.all([
    all("/v1/subscriptions", "subscriptions"), api("GET", "/v1/event-types")]);
  if (!current()) return;
  const notice = h("div");
  const form = h("form", { class: "form card", novalidate: true },
    h("h2", {}, "New subscription"),
    field("Endpoint URL", h("input", { name: "url", type: "url", required: true, placeholder: "https://example.com/hooks/evently" }),
      "HTTPS, reachable from the internet; we POST signed CloudEvents to it."),
    h("fieldset", { class: "checks" }, h("legend", {}, "Events to send"),
      (catalog.eventTypes || []).map(({ type, description }) =>
        h("label", { title: description }, h("input", { type: "checkbox", name: "eventTypes", value: type }), type))),
    field("Send as", h("select", { name: "format" },
      h("option", { value: "CLOUDEVENTS" }, "Signed CloudEvents, for your own code"),
      h("option", { value: "SLACK" }, "Slack message (incoming webhook URL)"),
      h("option", { value: "DISCORD" }, "Discord message (channel webhook URL)"),
      h("option", { value: "TEAMS" }, "Microsoft Teams card (Workflows webhook URL)")),
      "Chat tools get a readable message with a link; code gets the signed event."),
    field("Deliveries a second, at most", h("input", { name: "rateLimit", type: "number", min: 1, max: 10000, placeholder: "1000" }),
      "More wait their turn; none is dropped."),
    h("label", {}, "Description", h("input", { name: "description", placeholder: "optional, e.g. Slack #events" })),
    h("div", {}, h("button", { type: "submit" }, "Create subscription")),
  );
  form.addEventListener("submit", (submitted) => {
    submitted.preventDefault();
    const data = new FormData(form);
    const body = {
      url: data.get("url").trim(),
      eventTypes: data.getAll("eventTypes"),
      description: data.get("description").trim(),
      format: data.get("format"),
      rateLimit: Number(data.get("rateLimit")) || 0,
    };
    busy(form.querySelector("button"), async () => {
      let created;
      try {
        created = await api("POST", "/v1/subscriptions", { body });
      } catch (error) { showErrors(form, error); return; }
      form.reset();
      main.querySelector("#no-subscriptions")?.remove();
      list.prepend(subscriptionRow(created, (box) => replace(notice, box)));
      replace(notice, created.format === "CLOUDEVENTS" || !created.format
        ? secretBox(created, "Your subscription is active. Its signing secret:")
        : h("p", { class: "notice" }, "Your subscription is active: the channel gets a message for each event."));
      announce("Subscription created.");
    });
  });
  const list = h("ul", { class: "events", "aria-label": "Your subscriptions" },
    subscriptions.map((s) => subscriptionRow(s, (box) => replace(notice, box))));
  replace(main,
    h("h1", {}, "Webhooks"),
    h("p", { class: "muted" }, "Send Evently's events to Slack, Jira or your own services."),
    notice,
    subscriptions.length ? null : h("p", { class: "muted", id: "no-subscriptions" }, "No subscriptions yet."),
    list,
    form,
  );
}

function attemptsText(delivery) {
  return (delivery.attemptLog || []).map((a) =>
    `#${a.number} ${when(a.attemptTime)}: ${a.statusCode ? `HTTP ${a.statusCode}` : a.error || "no answer"}`);
}

// What was sent and what each attempt got back, folded away until asked for.
function exchange(delivery) {
  const answers = (delivery.attemptLog || []).filter((a) => a.responseBody);
  return h("details", { class: "exchange" },
    h("summary", {}, "Request and responses"),
    h("pre", { class: "secret" }, delivery.requestBody || ""),
    ...answers.map((a) => [h("div", { class: "muted" }, `Answer to #${a.number}:`), h("pre", { class: "secret" }, a.responseBody)]));
}

export async function renderDeliveries(main, { id }, current) {
  const deliveries = await all(`/v1/subscriptions/${encodeURIComponent(id)}/deliveries`, "deliveries", { maxPages: 3 });
  if (!current()) return;
  const pill = (status) => h("span", { class: `pill ${status === "SUCCEEDED" ? "ok" : status === "FAILED" ? "danger" : "warn"}` },
    status.toLowerCase());
  const row = (d) => {
    const cells = [
      h("td", {}, d.eventType), h("td", {}, pill(d.status)), h("td", {}, String(d.attempts || 0)),
      h("td", {}, attemptsText(d).map((line) => h("div", {}, line)), exchange(d)),
      h("td", {}, d.status === "PENDING" && d.nextAttemptTime ? `next ${when(d.nextAttemptTime)}` : when(d.updateTime)),
    ];
    const retry = h("button", { type: "button", class: "secondary" }, "Retry");
    retry.addEventListener("click", () => busy(retry, async () => {
      await api("POST", `/v1/deliveries/${encodeURIComponent(d.id)}:retry`, { body: {} });
      announceOnNextPage("Retry scheduled.");
      go(`/webhooks/${id}`);
    }));
    cells.push(h("td", {}, d.status === "FAILED" ? retry : null));
    return h("tr", {}, cells);
  };
  replace(main,
    h("h1", {}, "Deliveries"),
    h("p", {}, h("a", { href: "#/webhooks" }, "← All subscriptions")),
    deliveries.length
      ? h("table", {},
          h("thead", {}, h("tr", {}, ["Event", "Status", "Attempts", "Log", "When", ""].map((t) => h("th", { scope: "col" }, t)))),
          h("tbody", {}, deliveries.map(row)))
      : h("p", { class: "muted" }, "Nothing delivered yet."),
  );
}
