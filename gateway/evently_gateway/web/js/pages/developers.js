// For developers receiving Evently's webhooks: how deliveries are made and signed, code that
// verifies them (the very files the test suite runs against real deliveries), and the event
// catalog with an example and the schema of each type. Public: no sign-in needed.

import { api } from "../api.js";
import { h, replace } from "../dom.js";

async function snippet(name) {
  const answer = await fetch(`/ui/snippets/${name}`);
  return answer.ok ? answer.text() : `// ${name} could not be loaded`;
}

function eventType({ type, description, example, dataSchema }) {
  let schema = dataSchema;
  try { schema = JSON.stringify(JSON.parse(dataSchema), null, 2); } catch { /* shown as sent */ }
  return h("section", { class: "card stack", id: `type-${type}` },
    h("h3", {}, h("code", {}, type)),
    h("p", {}, description),
    example ? h("details", { open: true }, h("summary", {}, "Example delivery"), h("pre", { class: "code" }, example)) : null,
    h("details", {}, h("summary", {}, "JSON Schema of data"), h("pre", { class: "code" }, schema)),
  );
}

export async function renderDevelopers(main, _params, current) {
  const [catalog, python, node] = await Promise.all([
    api("GET", "/v1/event-types"), snippet("verify_webhook.py"), snippet("verify_webhook.js")]);
  if (!current()) return;
  const types = catalog.eventTypes || [];
  replace(main,
    h("h1", {}, "Webhooks for developers"),
    h("section", { class: "stack" },
      h("p", {}, "A subscription (", h("a", { href: "#/webhooks" }, "Webhooks"), ") receives each event it names as an HTTP POST: ",
        "a CloudEvents 1.0 JSON body, signed per Standard Webhooks with the headers ",
        h("code", {}, "webhook-id"), " (the event's id: the same on every attempt, so you can drop repeats), ",
        h("code", {}, "webhook-timestamp"), " and ", h("code", {}, "webhook-signature"), "."),
      h("p", {}, "Answer 2xx within 15 seconds. Anything else is retried after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h; ",
        "a Retry-After header is honoured (up to an hour); 410 Gone switches the subscription off at once. ",
        "A subscription failing for 5 days is switched off; you are told when it starts failing, when it is switched off and when it recovers. ",
        "Events are kept 7 days: Recover on the Webhooks page delivers again, in order, everything it missed since a time you choose."),
      h("p", {}, "Slack, Discord and Teams subscriptions get a readable message instead, without signature headers."),
    ),
    h("h2", {}, "Verify a delivery"),
    h("p", {}, "Check the signature over the raw body, before parsing it. With the standard library alone:"),
    h("h3", {}, "Python"), h("pre", { class: "code full", id: "snippet-python" }, python),
    h("h3", {}, "Node.js"), h("pre", { class: "code full", id: "snippet-node" }, node),
    h("h2", {}, `Event types (${types.length})`),
    h("ul", { class: "chips" }, types.map(({ type }) => h("li", {}, h("a", { href: `#/developers`, "data-target": `type-${type}` }, type)))),
    ...types.map(eventType),
  );
  for (const link of main.querySelectorAll("[data-target]")) {
    link.addEventListener("click", (clicked) => {
      clicked.preventDefault();  // the hash is the router's: scroll instead
      document.getElementById(link.dataset.target)?.scrollIntoView();
    });
  }
}
