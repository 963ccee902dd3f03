// An event's polls: each option with its tally, your answers (yes / if need be / no) while it is
// open, its winner once closed; for the organizer, a form to open one and a button to close it.
// `update(poll)` redraws one poll when the event's live room says it changed.

import { api } from "../api.js";
import { announce, busy, field, h, replace, showErrors } from "../dom.js";
import { eventWhen, fromZonedInput } from "../time.js";

const ASKS = { DATE: "When should it be?", PLACE: "Where should it be?", QUESTION: "A question" };
const ANSWERS = [["YES", "Yes"], ["IF_NEED_BE", "If need be"], ["NO", "No"]];

function optionText(poll, option, event) {
  if (poll.kind === "DATE") return eventWhen(option.startTime, option.endTime, event.timeZone);
  return poll.kind === "PLACE" ? option.location : option.text;
}

function tallyText(option) {
  return `${option.yes || 0} yes · ${option.ifNeedBe || 0} if need be · ${option.no || 0} no`;
}

function pollCard(poll, event, { isOrganizer, signedIn, onChange }) {
  const open = poll.state === "OPEN";
  const mine = Object.fromEntries((poll.myAnswers || []).map((a) => [a.optionId, a.answer]));
  const form = h("form", { class: "stack", novalidate: true });
  const rows = poll.options.map((option, i) => {
    const won = poll.winnerOptionId === option.id;
    const choices = open && signedIn
      ? h("fieldset", { class: "answers" }, h("legend", { class: "visually-hidden" }, optionText(poll, option, event)),
          ANSWERS.map(([value, label]) => h("label", {},
            h("input", { type: "radio", name: `option-${i}`, value, "data-option": option.id, checked: mine[option.id] === value }),
            label)))
      : null;
    return h("li", { class: won ? "option won" : "option" },
      h("div", { class: "row" }, h("strong", {}, optionText(poll, option, event)), won ? h("span", { class: "pill ok" }, "Chosen") : null),
      h("div", { class: "muted tally", "data-tally": option.id }, tallyText(option)),
      choices);
  });
  form.append(h("ol", { class: "options" }, rows));
  if (open && signedIn) {
    form.append(h("div", {}, h("button", { type: "submit" }, "Send my answers")));
    form.addEventListener("submit", (submitted) => {
      submitted.preventDefault();
      const answers = [...form.querySelectorAll("input[type=radio]:checked")]
        .map((input) => ({ optionId: input.dataset.option, answer: input.value }));
      busy(form.querySelector("button[type=submit]"), async () => {
        let voted;
        try {
          voted = await api("POST", `/v1/polls/${encodeURIComponent(poll.id)}:vote`, { body: { answers } });
        } catch (error) { showErrors(form, error); return; }
        onChange(voted);
        announce("Your answers are in.");
      });
    });
  }
  const card = h("section", { class: "card stack poll", id: `poll-${poll.id}`, "aria-label": ASKS[poll.kind] },
    h("div", { class: "row" }, h("h3", {}, ASKS[poll.kind]),
      h("span", { class: open ? "pill warn" : "pill" }, open ? "Open" : "Closed")),
    form);
  if (open && isOrganizer) {
    const close = h("button", { type: "button", class: "secondary" }, "Close poll");
    close.addEventListener("click", () => busy(close, async () => {
      const closed = await api("POST", `/v1/polls/${encodeURIComponent(poll.id)}:close`, { body: {} });
      onChange(closed);
      announce(poll.kind === "QUESTION" ? "The poll is closed." : "The poll is closed and the event follows its winner.");
    }));
    card.append(h("div", {}, close));
  }
  return card;
}

function newPollForm(event, onOpened) {
  const form = h("form", { class: "form card", novalidate: true, "aria-labelledby": "new-poll-heading" },
    h("h3", { id: "new-poll-heading" }, "Ask people"),
    field("Kind", h("select", { name: "kind" },
      h("option", { value: "DATE" }, "When: candidate dates"),
      h("option", { value: "PLACE" }, "Where: candidate places"),
      h("option", { value: "QUESTION" }, "A question"))),
    field("Options, one per line", h("textarea", { name: "options", rows: 3, required: true }),
      `Dates as 2031-05-20 18:00, on the event's clocks (${event.timeZone}), as long as it is now; places or answers as text.`),
    h("div", {}, h("button", { type: "submit" }, "Open poll")));
  form.addEventListener("submit", (submitted) => {
    submitted.preventDefault();
    const data = new FormData(form);
    const kind = data.get("kind");
    const lines = String(data.get("options")).split("\n").map((line) => line.trim()).filter(Boolean);
    const length = Date.parse(event.endTime) - Date.parse(event.startTime);
    const options = lines.map((line) => {
      if (kind === "PLACE") return { location: line };
      if (kind === "QUESTION") return { text: line };
      const start = fromZonedInput(line.replace(" ", "T"), event.timeZone);
      return start ? { startTime: start, endTime: new Date(Date.parse(start) + length).toISOString() } : {};
    });
    busy(form.querySelector("button"), async () => {
      let opened;
      try {
        opened = await api("POST", `/v1/events/${encodeURIComponent(event.id)}/polls`, { body: { kind, options } });
      } catch (error) { showErrors(form, error); return; }
      form.reset();
      onOpened(opened);
      announce("The poll is open.");
    });
  });
  return form;
}

export function pollsSection(event, polls, { isOrganizer, signedIn }) {
  const list = h("div", { class: "stack" });
  const cards = new Map();
  // Hidden while there is nothing to show or do; the first poll to open (live) shows it.
  const section = h("section", { class: "stack", "aria-labelledby": "polls-heading", hidden: !polls.length && !isOrganizer },
    h("h2", { id: "polls-heading" }, "Polls"), list);
  function update(poll) {
    const known = polls.findIndex((p) => p.id === poll.id);
    // A live tally carries no caller's answers: keep the ones this page already knows.
    const merged = known >= 0 && !poll.myAnswers ? { ...poll, myAnswers: polls[known].myAnswers } : poll;
    if (known >= 0) polls[known] = merged; else polls.unshift(merged);
    const card = pollCard(merged, event, { isOrganizer, signedIn, onChange: update });
    if (cards.has(poll.id)) cards.get(poll.id).replaceWith(card); else list.prepend(card);
    cards.set(poll.id, card);
    section.hidden = false;
  }
  for (const poll of [...polls].reverse()) update(poll);
  if (isOrganizer && event.state !== "CANCELLED") section.append(newPollForm(event, update));
  return { section, update };
}
