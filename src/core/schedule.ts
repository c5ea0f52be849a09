// Session and check-in time computation. Pure: every instant is passed in, nothing reads a clock.
//
// DST rules (what a local wall-clock time means on a day the offset changes):
// - Session start in a spring-forward gap (the local time does not exist, e.g. 02:30 in
//   America/New_York on 2026-03-08): it moves forward by the gap length, so 02:30 becomes 03:30
//   local. That is the instant the pre-gap offset names.
// - Session start in a fall-back repeat (the local time occurs twice, e.g. 01:30 in
//   America/New_York on 2026-11-01): the FIRST occurrence, still on the summer offset.
//   `new TZDate(...)` is not consistent here (it picks the second occurrence in zones east of
//   UTC, such as Europe/Bucharest), which is why the offsets are resolved by hand below.
// - Session end = start + sessionMinutes of real elapsed time, so a session across a change
//   still lasts exactly its length (its local end time moves by the change).
// - Quiet hours are judged on the local wall clock: the deferred instant is the first real
//   instant at or after `at` whose local time is outside the window. A window ending inside a
//   gap therefore ends at the gap's transition (02:30 end → 03:00 local), and inside the
//   repeated hour a wall-clock reading inside the window is quiet on both passes.

import { TZDate, tzOffset } from "@date-fns/tz";
import type { CheckInTiming, Locale, QuietHours, WeeklySchedule } from "./model.ts";
import { translate } from "../i18n/index.ts";
import type { MessageKey } from "../i18n/index.ts";

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** How far ahead `nextSessionEnd` looks before giving up. */
const SEARCH_DAYS = 366;
const MIN_SESSION_MINUTES = 10;
const MAX_SESSION_MINUTES = 6 * 60;

const LOCAL_TIME_RE = /^([01]\d|2[0-3]):([0-5]\d)$/;
const LOCAL_DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

// ---------------------------------------------------------------------------------------------
// Validation

/** True for IANA zone names (and their aliases) the runtime knows; UTC offsets are refused. */
/** Zone names already checked; building an Intl.DateTimeFormat per check-in is costly in a burst. */
const checkedTimeZones = new Map<string, boolean>();

export function isValidTimeZone(tz: string): boolean {
  const known = checkedTimeZones.get(tz);
  if (known !== undefined) return known;
  // Newer V8 accepts "+02:00" as a zone; we store names only, so refuse offsets everywhere.
  let valid = /^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(tz);
  if (valid) {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: tz });
    } catch {
      valid = false;
    }
  }
  if (checkedTimeZones.size < 1000) checkedTimeZones.set(tz, valid);
  return valid;
}

/** The runtime's canonical spelling of a valid zone ("america/new_york" → "America/New_York"), or null. */
export function canonicalTimeZone(tz: string): string | null {
  if (!isValidTimeZone(tz)) return null;
  return new Intl.DateTimeFormat("en-US", { timeZone: tz }).resolvedOptions().timeZone;
}

export function isValidLocalTime(hhmm: string): boolean {
  return LOCAL_TIME_RE.test(hhmm);
}

export function isValidLocalDate(ymd: string): boolean {
  return parseLocalDate(ymd) !== null;
}

// ---------------------------------------------------------------------------------------------
// Local calendar arithmetic. A local date-time is handled as "wall milliseconds": the UTC epoch
// value that would have the same fields, so day stepping never meets a DST change.

interface CalendarDate {
  year: number;
  month: number; // 1..12
  day: number;
}

function parseLocalDate(ymd: string): CalendarDate | null {
  const m = LOCAL_DATE_RE.exec(ymd);
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1) return null;
  const probe = new Date(Date.UTC(year, month - 1, day));
  // Date.UTC maps years 0..99 to 1900..1999; setUTCFullYear keeps the year as written.
  probe.setUTCFullYear(year);
  if (probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) return null;
  return { year, month, day };
}

function parseLocalTime(hhmm: string): number | null {
  const m = LOCAL_TIME_RE.exec(hhmm);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

function wallMs(date: CalendarDate, minuteOfDay: number): number {
  const d = new Date(Date.UTC(2000, date.month - 1, date.day, 0, minuteOfDay));
  d.setUTCFullYear(date.year);
  return d.getTime();
}

function formatWallDate(ms: number): string {
  const d = new Date(ms);
  const y = String(d.getUTCFullYear()).padStart(4, "0");
  const m = String(d.getUTCMonth() + 1).padStart(2, "0");
  const day = String(d.getUTCDate()).padStart(2, "0");
  return `${y}-${m}-${day}`;
}

/** ISO weekday (1 = Monday … 7 = Sunday) of a wall-ms date. */
function isoWeekday(ms: number): number {
  const js = new Date(ms).getUTCDay();
  return js === 0 ? 7 : js;
}

/** Offsets are looked up through Intl, which is slow; they are kept per zone and quarter hour. */
const OFFSET_BUCKET_MS = 15 * MINUTE_MS;
const offsetBuckets = new Map<string, Map<number, number>>();

function rawOffsetMs(timeZone: string, utcMs: number): number {
  return tzOffset(timeZone, new Date(utcMs)) * MINUTE_MS;
}

/**
 * The zone's UTC offset at an instant. A quarter hour whose first and last millisecond share an
 * offset has no change inside it (no zone changes twice within minutes), so that offset is kept
 * for it; one with a change inside is always computed exactly.
 */
function offsetMs(timeZone: string, utcMs: number): number {
  let buckets = offsetBuckets.get(timeZone);
  if (!buckets) {
    if (offsetBuckets.size > 1000) offsetBuckets.clear();
    offsetBuckets.set(timeZone, (buckets = new Map()));
  }
  const bucket = Math.floor(utcMs / OFFSET_BUCKET_MS);
  let offset = buckets.get(bucket);
  if (offset === undefined) {
    const first = rawOffsetMs(timeZone, bucket * OFFSET_BUCKET_MS);
    const last = rawOffsetMs(timeZone, (bucket + 1) * OFFSET_BUCKET_MS - 1);
    offset = first === last ? first : Number.NaN;
    if (buckets.size > 200_000) buckets.clear();
    buckets.set(bucket, offset);
  }
  return Number.isNaN(offset) ? rawOffsetMs(timeZone, utcMs) : offset;
}

/** Wall-clock reading of an instant in a zone, as wall ms (seconds dropped). */
function toWallMs(at: Date, timeZone: string): number {
  const local = new TZDate(at.getTime(), timeZone);
  return Date.UTC(local.getFullYear(), local.getMonth(), local.getDate(), local.getHours(), local.getMinutes());
}

interface WallResolution {
  /** Real instants showing exactly this wall time, ascending: one normally, two in a repeat, none in a gap. */
  occurrences: number[];
  /** Set when the wall time falls in a gap. */
  gap?: { shifted: number; transition: number };
}

/**
 * All real instants with a given wall time. Offsets are sampled a day either side, which is
 * safe because no zone changes its offset twice within two days.
 */
function resolveWall(wall: number, timeZone: string): WallResolution {
  const before = offsetMs(timeZone, wall - DAY_MS);
  const after = offsetMs(timeZone, wall + DAY_MS);
  const occurrences = [...new Set([before, after])]
    .map((offset) => wall - offset)
    .filter((utc) => offsetMs(timeZone, utc) === wall - utc)
    .sort((a, b) => a - b);
  if (occurrences.length > 0) return { occurrences };
  // In a gap: the pre-gap offset names an instant just past the transition, later by the gap length.
  const shifted = wall - before;
  return { occurrences, gap: { shifted, transition: findTransition(timeZone, wall - after, shifted) } };
}

/** First instant in (lo, hi] carrying the offset of `hi`, by bisection on minutes. */
function findTransition(timeZone: string, lo: number, hi: number): number {
  const target = offsetMs(timeZone, hi);
  let low = lo;
  let high = hi;
  while (high - low > MINUTE_MS) {
    const mid = low + Math.floor((high - low) / 2 / MINUTE_MS) * MINUTE_MS;
    if (offsetMs(timeZone, mid) === target) high = mid;
    else low = mid;
  }
  return high;
}

// ---------------------------------------------------------------------------------------------
// Sessions and check-ins

/** Local calendar date "yyyy-MM-dd" of an instant in a zone. */
export function localDate(at: Date, timeZone: string): string {
  return formatWallDate(toWallMs(at, timeZone));
}

/**
 * Start (UTC instant) of the local session on a given local date; DST rules at the top of this
 * file. Throws RangeError on an invalid date, time or zone (callers validate user input first).
 */
export function localSessionStart(localDateText: string, startTime: string, timeZone: string): Date {
  const date = parseLocalDate(localDateText);
  const minute = parseLocalTime(startTime);
  if (!date) throw new RangeError(`invalid local date: ${localDateText}`);
  if (minute === null) throw new RangeError(`invalid local time: ${startTime}`);
  if (!isValidTimeZone(timeZone)) throw new RangeError(`invalid time zone: ${timeZone}`);
  return new Date(sessionStartMs(wallMs(date, minute), timeZone));
}

/**
 * The instant a local wall-clock reading names in a zone, with the session-start DST rules at the
 * top of this file (a time in a gap moves forward by the gap; a repeated time is its first
 * occurrence), which are also RFC 5545's rules for calendar times. Fields as on a calendar
 * (month 1..12); the zone must be valid (see isValidTimeZone).
 */
export function wallTimeToInstant(year: number, month: number, day: number, hour: number, minute: number, second: number, timeZone: string): Date {
  const wall = Date.UTC(2000, month - 1, day, hour, minute, second);
  const d = new Date(wall);
  d.setUTCFullYear(year);
  return new Date(sessionStartMs(d.getTime(), timeZone));
}

/** The session-start rule applied to a wall time already known to be valid. */
function sessionStartMs(wall: number, timeZone: string): number {
  const resolved = resolveWall(wall, timeZone);
  return resolved.occurrences[0] ?? resolved.gap?.shifted ?? wall;
}

/**
 * The end instant of the first session whose END is strictly after `after`, skipping local dates in
 * `skipDates` ("yyyy-MM-dd", in the schedule's zone) and sessions whose end is before `pausedUntil`
 * (a session ending exactly at `pausedUntil` counts). The search covers 366 days from the later
 * of `after` and `pausedUntil`; null only if no session exists in that span (e.g. every date
 * skipped, or no weekdays).
 */
export function nextSessionEnd(
  schedule: WeeklySchedule,
  timeZone: string,
  after: Date,
  opts: { skipDates?: string[]; pausedUntil?: Date | null } = {},
): Date | null {
  const startMinute = parseLocalTime(schedule.startTime);
  if (startMinute === null) throw new RangeError(`invalid local time: ${schedule.startTime}`);
  if (!isValidTimeZone(timeZone)) throw new RangeError(`invalid time zone: ${timeZone}`);
  const weekdays = new Set(schedule.weekdays);
  const skip = new Set(opts.skipDates ?? []);
  const pausedUntil = opts.pausedUntil ?? null;
  const lengthMs = schedule.sessionMinutes * MINUTE_MS;
  const from = pausedUntil && pausedUntil.getTime() > after.getTime() ? pausedUntil : after;

  // Begin far enough back to catch a session that started before `from` and ends after it.
  const firstDay = startOfWallDay(toWallMs(new Date(from.getTime() - lengthMs), timeZone)) - DAY_MS;
  const lastDay = startOfWallDay(toWallMs(from, timeZone)) + SEARCH_DAYS * DAY_MS;
  for (let day = firstDay; day <= lastDay; day += DAY_MS) {
    if (!weekdays.has(isoWeekday(day))) continue;
    if (skip.has(formatWallDate(day))) continue;
    const end = sessionStartMs(day + startMinute * MINUTE_MS, timeZone) + lengthMs;
    if (end <= after.getTime()) continue;
    if (pausedUntil && end < pausedUntil.getTime()) continue;
    return new Date(end);
  }
  return null;
}

function startOfWallDay(ms: number): number {
  return ms - (((ms % DAY_MS) + DAY_MS) % DAY_MS);
}

/** dueAt = sessionEnd + delay, remindAt = dueAt + reminder, closesAt = sessionEnd + window. */
export function checkInTimes(
  sessionEndAt: Date,
  timing: CheckInTiming,
): { dueAt: Date; remindAt: Date; closesAt: Date } {
  const end = sessionEndAt.getTime();
  const due = end + timing.delayMinutes * MINUTE_MS;
  return {
    dueAt: new Date(due),
    remindAt: new Date(due + timing.reminderMinutes * MINUTE_MS),
    closesAt: new Date(end + timing.windowMinutes * MINUTE_MS),
  };
}

/**
 * If `at` falls in quiet hours (local to timeZone; a window like 22:00-08:00 spans midnight),
 * return the instant quiet hours end; else `at` unchanged. start===end means no quiet hours.
 * The window is [start, end): a prompt at exactly `end` is not deferred.
 */
export function deferForQuietHours(at: Date, quiet: QuietHours | null, timeZone: string): Date {
  if (!quiet) return at;
  const start = parseLocalTime(quiet.start);
  const end = parseLocalTime(quiet.end);
  if (start === null || end === null || start === end) return at;

  const wall = toWallMs(at, timeZone);
  const day = startOfWallDay(wall);
  const minute = (wall - day) / MINUTE_MS;
  let endDay: number;
  if (start < end) {
    if (minute < start || minute >= end) return at;
    endDay = day;
  } else if (minute >= start) {
    endDay = day + DAY_MS;
  } else if (minute < end) {
    endDay = day;
  } else {
    return at;
  }

  const resolved = resolveWall(endDay + end * MINUTE_MS, timeZone);
  const candidates = resolved.gap ? [resolved.gap.transition] : resolved.occurrences;
  const next = candidates.find((utc) => utc > at.getTime());
  return next === undefined ? at : new Date(next);
}

// ---------------------------------------------------------------------------------------------
// Parsing and formatting of the schedule grammar: "<weekday>[,<weekday>…] <H:mm> <length>"

const WEEKDAY_NAMES: Record<string, number> = {};
const WEEKDAY_SPELLINGS: readonly (readonly string[])[] = [
  ["mon", "monday", "lun", "luni"],
  ["tue", "tuesday", "mar", "marti"],
  ["wed", "wednesday", "mie", "miercuri"],
  ["thu", "thursday", "joi"],
  ["fri", "friday", "vin", "vineri"],
  ["sat", "saturday", "sam", "sambata"],
  ["sun", "sunday", "dum", "duminica"],
];
WEEKDAY_SPELLINGS.forEach((names, i) => {
  for (const name of names) WEEKDAY_NAMES[name] = i + 1;
});

/** Lower case without diacritics, so "Sâm", "marți" and "Marţi" (cedilla) all match. */
function foldWeekday(word: string): string {
  return word.normalize("NFD").replace(/\p{Mn}/gu, "").toLowerCase();
}

export type ScheduleParseError = "bad_weekday" | "bad_time" | "bad_length" | "bad_shape";

/**
 * Parses "tue 17:00 50m", "mon,thu 09:30 45m", "mon, thu 9:30 1h", "wed 18:15 1h30m". Weekdays in
 * English or Romanian, short or full, any case, with or without diacritics; duplicates removed
 * and sorted. Session length 10m..6h. `detail` is the offending part of the input.
 */
export function parseSchedule(
  text: string,
): { ok: true; schedule: WeeklySchedule } | { ok: false; code: ScheduleParseError; detail: string } {
  const tokens = text.trim().replace(/\s*,\s*/g, ",").split(/\s+/).filter((t) => t.length > 0);
  if (tokens.length !== 3) return { ok: false, code: "bad_shape", detail: text.trim() };
  const [daysText, timeText, lengthText] = tokens as [string, string, string];

  const weekdays: number[] = [];
  for (const word of daysText.split(",")) {
    const day = WEEKDAY_NAMES[foldWeekday(word)];
    if (day === undefined) return { ok: false, code: "bad_weekday", detail: word || daysText };
    if (!weekdays.includes(day)) weekdays.push(day);
  }
  weekdays.sort((a, b) => a - b);

  const time = /^(\d{1,2}):(\d{2})$/.exec(timeText);
  const hours = Number(time?.[1]);
  const minutes = Number(time?.[2]);
  if (!time || hours > 23 || minutes > 59) return { ok: false, code: "bad_time", detail: timeText };
  const startTime = `${String(hours).padStart(2, "0")}:${String(minutes).padStart(2, "0")}`;

  const sessionMinutes = parseDurationMinutes(lengthText);
  if (sessionMinutes === null || sessionMinutes < MIN_SESSION_MINUTES || sessionMinutes > MAX_SESSION_MINUTES) {
    return { ok: false, code: "bad_length", detail: lengthText };
  }
  return { ok: true, schedule: { weekdays, startTime, sessionMinutes } };
}

/**
 * Parses a duration like "10m", "2h", "1h30m", "90" (bare minutes), "48h", "2d", "1d12h" into
 * minutes; null if invalid. Units appear at most once, largest first. "0" is valid (zero minutes);
 * range checks belong to the caller.
 */
export function parseDurationMinutes(text: string): number | null {
  const t = text.trim().toLowerCase();
  if (/^\d{1,6}$/.test(t)) return Number(t);
  const m = /^(?:(\d{1,4})d)?(?:(\d{1,5})h)?(?:(\d{1,6})m)?$/.exec(t);
  if (!m || t.length === 0) return null;
  return Number(m[1] ?? 0) * 1440 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

/** "Tue, Thu 17:00 (50 min)" style short description in the reader's language (used in replies and lists). */
export function formatSchedule(schedule: WeeklySchedule, locale: Locale = "en"): string {
  const days = schedule.weekdays.map((d) => translate(locale, `weekday.short.${d}` as MessageKey)).join(", ");
  return translate(locale, "schedule.summary", { days, time: schedule.startTime, minutes: schedule.sessionMinutes });
}
