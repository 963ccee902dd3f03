// Create an event, or edit one of yours (only the fields you changed are sent, as an update mask).

import { api } from "../api.js";
import { announce, announceOnNextPage, busy, field, h, replace, showErrors } from "../dom.js";
import { go } from "../router.js";
import { fromZonedInput, knownZones, toZonedInput, viewerZone } from "../time.js";

const FIELDS = ["title", "description", "location", "startTime", "endTime", "capacity", "timeZone"];

function fromForm(form) {
  const data = new FormData(form);
  const timeZone = data.get("timeZone").trim();
  return {
    title: data.get("title").trim(),
    description: data.get("description").trim(),
    location: data.get("location").trim(),
    // Wall-clock times on the event's clocks, wherever the organizer's browser is.
    startTime: fromZonedInput(data.get("startTime"), timeZone),
    endTime: fromZonedInput(data.get("endTime"), timeZone),
    capacity: Number(data.get("capacity") || 0),
    timeZone,
  };
}

// An event without times, and a poll of its candidate dates (each as long as asked).
function proposal(form, values) {
  const data = new FormData(form);
  const length = Number(data.get("hours") || 0) * 3600 * 1000;
  const options = String(data.get("candidates")).split("\n").map((line) => line.trim()).filter(Boolean)
    .map((line) => {
      const start = fromZonedInput(line.replace(" ", "T"), values.timeZone);
      return start ? { startTime: start, endTime: new Date(Date.parse(start) + length).toISOString() } : {};
    });
  const { startTime, endTime, ...event } = values;
  return { event, datePoll: { kind: "DATE", options } };
}

// The proto field names of what changed, for `updateMask`.
function changedFields(before, after) {
  const snake = (name) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  return FIELDS.filter((f) => {
    if (f.endsWith("Time")) return Date.parse(before[f]) !== Date.parse(after[f]);
    return (before[f] ?? (f === "capacity" ? 0 : "")) !== after[f];
  }).map(snake);
}

export async function renderEventForm(main, { id }, current) {
  const editing = Boolean(id);
  const event = editing ? await api("GET", `/v1/events/${encodeURIComponent(id)}`) : {};
  if (!current()) return;
  const zone = event.timeZone || viewerZone();
  const zones = h("datalist", { id: "time-zones" }, ...knownZones().map((name) => h("option", { value: name })));
  const form = h("form", { class: "form card", novalidate: true },
    h("label", {}, "Title", h("input", { name: "title", required: true, maxlength: 200, value: event.title || "" })),
    h("label", {}, "Description", h("textarea", { name: "description", rows: 5 }, event.description || "")),
    field("Location", h("input", { name: "location", required: true, value: event.location || "" }),
      "An address, or a link for an online event."),
    field("Time zone", h("input", { name: "timeZone", list: "time-zones", required: true, value: zone }),
      "Where the event happens, e.g. Europe/Paris: the times below are on its clocks."),
    zones,
    editing ? null : h("label", { class: "check" }, h("input", { type: "checkbox", name: "proposed" }), "The date is to be decided: let people vote on it"),
    h("div", { class: "stack", id: "fixed-times" },
      h("label", {}, "Starts", h("input", { name: "startTime", type: "datetime-local", required: true, value: toZonedInput(event.startTime, zone) })),
      h("label", {}, "Ends", h("input", { name: "endTime", type: "datetime-local", required: true, value: toZonedInput(event.endTime, zone) }))),
    editing ? null : h("div", { class: "stack", id: "candidate-dates", hidden: true },
      field("Candidate dates, one per line", h("textarea", { name: "candidates", rows: 3, placeholder: "2031-06-01 19:00" }),
        "Start times on the event's clocks; registration opens when the poll closes, for those who said yes."),
      field("Length in hours", h("input", { name: "hours", type: "number", min: 0.25, step: 0.25, value: 2 }))),
    field("Capacity", h("input", { name: "capacity", type: "number", min: 0, step: 1, value: event.capacity ?? 0 }),
      "0 for no limit; when seats run out, people join a waitlist."),
    h("div", { class: "row" },
      h("button", { type: "submit" }, editing ? "Save changes" : "Create event"),
      h("a", { href: editing ? `#/events/${encodeURIComponent(id)}` : "#/" }, "Back"),
    ),
  );
  const proposed = form.querySelector("[name=proposed]");
  proposed?.addEventListener("change", () => {
    form.querySelector("#fixed-times").hidden = proposed.checked;
    form.querySelector("#candidate-dates").hidden = !proposed.checked;
  });
  form.addEventListener("submit", (submitted) => {
    submitted.preventDefault();
    const values = fromForm(form);
    busy(form.querySelector("button"), async () => {
      let saved;
      try {
        if (editing) {
          const mask = changedFields(event, values);
          if (!mask.length) { announce("Nothing changed."); return; }
          saved = await api("PATCH", `/v1/events/${encodeURIComponent(id)}`, {
            body: values, query: { updateMask: mask.join(",") },
          });
        } else if (proposed?.checked) {
          saved = await api("POST", "/v1/events:propose", { body: proposal(form, values) });
        } else {
          saved = await api("POST", "/v1/events", { body: values });
        }
      } catch (error) {
        showErrors(form, error);
        return;
      }
      announceOnNextPage(editing ? "Your changes are saved; attendees are told what changed." : "Your event is published.");
      go(`/events/${saved.id}`);
    });
  });
  replace(main, h("h1", {}, editing ? `Edit “${event.title}”` : "New event"), form);
}
