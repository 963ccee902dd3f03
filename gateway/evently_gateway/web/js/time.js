// Times as people read them, the way the e-mails state them too: an event's times in its own
// zone with the zone named ("Sat 13 Mar 2027, 18:30–21:00 CET"), and the viewer's own time
// beside them when their clock shows another. The event form takes wall-clock time in the
// event's zone, whatever zone the browser is in.

import { session } from "./api.js";

const DASH = "\u2013";

export function browserZone() {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

// The signed-in person's zone (their setting), else the browser's.
export function viewerZone() {
  return session.get()?.user?.timeZone || browserZone();
}

export function isZone(zone) {
  try {
    new Intl.DateTimeFormat("en-GB", { timeZone: zone });
    return Boolean(zone);
  } catch {
    return false;
  }
}

const safe = (zone) => (isZone(zone) ? zone : "UTC");

const formats = new Map();
function formatter(key, zone, options) {
  const id = `${key}/${zone}`;
  if (!formats.has(id)) formats.set(id, new Intl.DateTimeFormat(key === "words" ? "en-GB" : "en-US", { timeZone: zone, ...options }));
  return formats.get(id);
}

function fields(format, date) {
  const found = {};
  for (const { type, value } of format.formatToParts(date)) found[type] = value;
  return found;
}

// Weekday, day, month, year, hour, minute and the zone's short name, in words.
function words(date, zone) {
  return fields(formatter("words", zone, {
    weekday: "short", day: "numeric", month: "short", year: "numeric",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZoneName: "short",
  }), date);
}

// The same as numbers.
function numbers(date, zone) {
  const found = fields(formatter("numbers", zone, {
    year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric", hourCycle: "h23",
  }), date);
  return Object.fromEntries(Object.entries(found).filter(([type]) => type !== "literal").map(([type, value]) => [type, Number(value)]));
}

// Minutes east of UTC that the zone's clocks show at that instant.
function offsetMinutes(date, zone) {
  const n = numbers(date, zone);
  const asUtc = Date.UTC(n.year, n.month - 1, n.day, n.hour % 24, n.minute, n.second);
  return Math.round((asUtc - Math.floor(date.getTime() / 1000) * 1000) / 60000);
}

const day = (w) => `${w.weekday} ${w.day} ${w.month} ${w.year}`;
const clock = (w) => `${w.hour}:${w.minute}`;

function span(s, e) {
  if (!e) return `${day(s)}, ${clock(s)}`;
  if (day(e) === day(s)) return `${day(s)}, ${clock(s)}${DASH}${clock(e)}`;
  return `${day(s)}, ${clock(s)} ${DASH} ${day(e)}, ${clock(e)}`;
}

// An event's start (to its end) in its zone, named; the viewer's own time beside it if it differs.
export function eventWhen(startIso, endIso, eventZone, viewer = viewerZone()) {
  if (!startIso) return "";
  const zone = safe(eventZone || "UTC");
  const start = new Date(startIso);
  const end = endIso && new Date(endIso) > start ? new Date(endIso) : null;
  const s = words(start, zone);
  const e = end && words(end, zone);
  let text = `${span(s, e)} ${s.timeZoneName}`;
  const mine = safe(viewer);
  if (offsetMinutes(start, mine) !== offsetMinutes(start, zone)) {
    const ms = words(start, mine);
    const me = end && words(end, mine);
    const otherDay = day(ms) !== day(s) || (me && day(me) !== day(e));
    const theirs = otherDay ? span(ms, me) : me ? `${clock(ms)}${DASH}${clock(me)}` : clock(ms);
    text += ` (${theirs} ${ms.timeZoneName} your time)`;
  }
  return text;
}

// A moment (a comment posted, a delivery tried) in the viewer's zone, named.
export function moment(iso) {
  if (!iso) return "";
  const w = words(new Date(iso), safe(viewerZone()));
  return `${span(w, null)} ${w.timeZoneName}`;
}

// The value of an <input type="datetime-local"> showing that instant on the zone's clocks.
export function toZonedInput(iso, zone) {
  if (!iso) return "";
  const n = numbers(new Date(iso), safe(zone));
  const pad = (value) => String(value).padStart(2, "0");
  return `${n.year}-${pad(n.month)}-${pad(n.day)}T${pad(n.hour % 24)}:${pad(n.minute)}`;
}

// The instant a wall-clock time on the zone's clocks names, as ISO 8601 UTC.
export function fromZonedInput(value, zone) {
  if (!value) return undefined;
  const [date, time] = value.split("T");
  const [year, month, dayOfMonth] = date.split("-").map(Number);
  const [hour, minute] = time.split(":").map(Number);
  const wall = Date.UTC(year, month - 1, dayOfMonth, hour, minute);
  const z = safe(zone);
  // The offset at the wall time read as UTC is right but near a change of the clocks; a second
  // pass takes the offset at the instant found.
  let instant = wall - offsetMinutes(new Date(wall), z) * 60000;
  instant = wall - offsetMinutes(new Date(instant), z) * 60000;
  return new Date(instant).toISOString();
}

// Every IANA zone the browser knows, for a <datalist>.
export function knownZones() {
  return typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [browserZone()];
}
