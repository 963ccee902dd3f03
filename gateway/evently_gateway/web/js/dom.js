// Small helpers to build pages from plain DOM nodes. Text always goes in as text nodes, never
// as HTML, so what users typed is shown, not run.

import { eventWhen, moment } from "./time.js";

export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (value === true) node.setAttribute(key, "");
    else node.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// A labelled form control with a hint that assistive technology reads as its description (a
// hint inside the <label> would become part of the control's name instead).
let fieldCount = 0;
export function field(labelText, control, hint) {
  const id = control.id || `field-${++fieldCount}`;
  control.id = id;
  const parts = [h("label", { for: id }, labelText)];
  if (hint) {
    control.setAttribute("aria-describedby", `${id}-hint`);
    parts.push(h("span", { class: "hint", id: `${id}-hint` }, hint));
  }
  return h("div", { class: "field" }, parts, control);
}

export function replace(target, ...children) {
  target.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
}

const statusBox = () => document.getElementById("status");

export function announce(message, { error = false } = {}) {
  const box = statusBox();
  box.classList.toggle("error", error);
  box.textContent = message;
}

// A message for the page about to be shown (after a form sends you elsewhere): navigation clears
// the status line, then shows this.
let carried = null;
export function announceOnNextPage(message) {
  carried = message;
}

export function pageChanged() {
  announce(carried || "");
  carried = null;
}

// A time in words (see time.js): an event's in its zone when one is given, else the viewer's.
export function when(iso, timeZone) {
  return timeZone ? eventWhen(iso, null, timeZone) : moment(iso);
}

// Shows an API error on a form: each field violation beside its input (matched by the last
// part of the field path, e.g. "event.title" → name="title"), the rest in the status line.
export function showErrors(form, error) {
  for (const old of form.querySelectorAll(".field-error")) old.remove();
  for (const input of form.querySelectorAll("[aria-invalid]")) {
    input.removeAttribute("aria-invalid");
    input.setAttribute("aria-describedby", (input.getAttribute("aria-describedby") || "").replace(/\s*error-\S+/, "").trim());
  }
  const violations = error.fieldViolations || {};
  let first = null;
  const unplaced = [];
  for (const [field, descriptions] of Object.entries(violations)) {
    const description = descriptions.join("; ");
    const name = field.split(".").pop().replace(/\[\d+\]$/, "").replace(/_([a-z])/g, (_, c) => c.toUpperCase());
    const input = form.querySelector(`[name="${name}"]`);
    if (!input) { unplaced.push(`${humanField(name)}: ${descriptions.join("; ")}`); continue; }
    const id = `error-${name}`;
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", `${input.getAttribute("aria-describedby") || ""} ${id}`.trim());
    const message = h("span", { class: "field-error", id }, description);
    const holder = input.closest(".field, fieldset");
    if (holder) holder.append(message);
    else input.closest("label").after(message);  // outside the label: not part of the input's name
    first = first || input;
  }
  let summary = error.message;
  if (unplaced.length) summary = unplaced.join("; ");
  else if (first) summary = "Please correct the marked fields.";  // each says why beside it
  announce(summary, { error: true });
  (first || form.querySelector("input, textarea"))?.focus();
}

// "startTime" → "start time": a field's name in words, for messages with no input to sit by.
function humanField(name) {
  return name.replace(/([A-Z])/g, " $1").toLowerCase();
}

// Runs an action from a button or form, disabling it meanwhile and reporting failures.
export async function busy(control, action) {
  control.disabled = true;
  try {
    return await action();
  } catch (error) {
    announce(error.message, { error: true });
    return undefined;
  } finally {
    control.disabled = false;
  }
}
