// Over 400 lines: one job (reading a feed into sessions); the length is the recurrence and time-zone cases, each commented where it is handled.
// Reads an iCalendar (ICS) feed into the sessions that carry an enrollment's code. Pure: text in,
// sessions out. ical.js parses the text and expands recurrence rules; the instants are computed
// here from each time's wall-clock fields and its TZID, so every calendar is read the same way
// whatever zones other feeds defined.
//
// What counts (RFC 5545 where it has a rule):
// - A VEVENT whose SUMMARY, DESCRIPTION or LOCATION contains a known code (CI-XXXX, any case) is
//   a session of that code's client; every other event is ignored. An override (RECURRENCE-ID) is
//   judged on its own text.
// - All-day events (DTSTART;VALUE=DATE) are ignored: they are not sessions.
// - Times: UTC ("…Z"); a TZID that names an IANA zone; a TZID defined only by the feed's own
//   VTIMEZONE (Outlook style names), converted with that definition; floating times (no zone)
//   and unknown TZIDs are read in the client's zone. A time in a DST gap moves forward by the
//   gap; a repeated time is its first occurrence.
// - Recurrence: RRULE and RDATE expanded, RECURRENCE-ID overrides replace their occurrence (a
//   moved session keeps its identity). STATUS:CANCELLED on the series or on one override, and
//   EXDATE on an occurrence, cancel those sessions (they are returned with `cancelled`).
// - Identity: a session is known by a SHA-256 of the calendar id, its UID and its original
//   start (the recurrence id); titles, descriptions, locations and attendees are never kept.

import { createHash } from "node:crypto";
import ICAL from "ical.js";
import { isValidTimeZone, wallTimeToInstant } from "../schedule.ts";
import { relevantEvents } from "./feed-prefilter.ts";

/** Codes look like CI-7K2P: "CI-" and four characters without 0/O/1/I. */
export const CALENDAR_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
const CODE_IN_TEXT = /\bCI-[2-9A-HJ-NP-Z]{4}\b/gi;

/** One session of one client, as the calendar says now. */
export interface CalendarSession {
  /** Hash of calendar id, UID and recurrence id: stable across moves. */
  eventHash: string;
  /** The enrollment code the event carries (upper case). */
  code: string;
  startAt: Date;
  endAt: Date;
  cancelled: boolean;
}

export interface FeedWindow {
  /** Sessions ending at or before this instant are not returned. */
  from: Date;
  /** Sessions starting after this instant are not returned. */
  to: Date;
}

export type FeedReadResult = { ok: true; sessions: CalendarSession[]; events: number } | { ok: false; code: "not_ics" | "too_many_events" };

export interface FeedReadOptions {
  calendarId: string;
  /** Upper-case codes of the enrollments this calendar serves, with each client's zone (for floating times). */
  codes: ReadonlyMap<string, string>;
  window: FeedWindow;
  /** Zone for floating times of events that carry no known code's zone (default UTC). */
  fallbackTimeZone?: string;
  /** Refuse feeds with more VEVENTs than this (default 200,000). */
  maxEvents?: number;
}

/** Expansion stops after this many occurrences of one series (a rule without an end). */
const MAX_OCCURRENCES_PER_SERIES = 5000;
const DAY_MS = 86_400_000;

type IcalTime = InstanceType<typeof ICAL.Time>;

/** A calendar time as written: wall-clock fields, and whether it is a date or a UTC time. */
interface CalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  isDate: boolean;
  utc: boolean;
}

const DATE_TIME_TEXT = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(Z?))?$/;

/**
 * The values of a date or date-time property, read from the parsed text. ical.js would decode
 * them into ICAL.Time, looking the TZID up among the feed's VTIMEZONEs on every value; here the
 * zone is resolved once per TZID instead (see instant()).
 */
function timeValues(property: IcalProperty | null | undefined): CalTime[] {
  if (!property) return [];
  const out: CalTime[] = [];
  for (const raw of property.jCal.slice(3)) {
    const m = typeof raw === "string" ? DATE_TIME_TEXT.exec(raw) : null;
    if (!m) continue;
    const isDate = m[4] === undefined;
    out.push({ year: Number(m[1]), month: Number(m[2]), day: Number(m[3]), hour: Number(m[4] ?? 0), minute: Number(m[5] ?? 0), second: Number(m[6] ?? 0), isDate, utc: m[7] === "Z" });
  }
  return out;
}

const firstTime = (property: IcalProperty | null | undefined): CalTime | undefined => timeValues(property)[0];

function fromIcal(time: IcalTime): CalTime {
  return { year: time.year, month: time.month, day: time.day, hour: time.hour, minute: time.minute, second: time.second, isDate: time.isDate, utc: time.zone?.tzid === "UTC" };
}
type IcalComponent = InstanceType<typeof ICAL.Component>;
type IcalProperty = InstanceType<typeof ICAL.Property>;
type IcalTimezone = InstanceType<typeof ICAL.Timezone>;

/** Parses and expands a feed. Never throws: text that is not an iCalendar gives `not_ics`. */
export function readCalendarFeed(text: string, options: FeedReadOptions): FeedReadResult {
  let root: IcalComponent;
  let eventCount: number | null = null;
  try {
    if (!/^\s*BEGIN:VCALENDAR/i.test(text.slice(0, 1024).replace(/^\uFEFF/, ""))) return { ok: false, code: "not_ics" };
    const relevant = relevantEvents(text, options.codes, options.window);
    if (relevant && relevant.events > (options.maxEvents ?? 200_000)) return { ok: false, code: "too_many_events" };
    const parsed: unknown = ICAL.parse(relevant ? relevant.text : text);
    if (relevant) eventCount = relevant.events;
    // A file with several VCALENDAR blocks parses to a list; the first one is read.
    const first = Array.isArray(parsed) && Array.isArray(parsed[0]) ? parsed[0] : parsed;
    root = new ICAL.Component(first as ConstructorParameters<typeof ICAL.Component>[0]);
  } catch {
    return { ok: false, code: "not_ics" };
  }
  if (root.name !== "vcalendar") return { ok: false, code: "not_ics" };
  const result = readComponents(root, options);
  return result.ok && eventCount !== null ? { ...result, events: eventCount } : result;
}

/** The same, from an already parsed calendar (the benchmark times parsing apart from this). */
export function readComponents(root: IcalComponent, options: FeedReadOptions): FeedReadResult {
  const events = root.getAllSubcomponents("vevent");
  if (events.length > (options.maxEvents ?? 200_000)) return { ok: false, code: "too_many_events" };
  const zones = new LocalZones(root);
  const reader = new SessionReader(options, zones);

  // Series by UID: the master (no RECURRENCE-ID) and its overrides.
  const masters = new Map<string, IcalComponent>();
  const overrides = new Map<string, IcalComponent[]>();
  for (const event of events) {
    const uid = String(event.getFirstPropertyValue("uid") ?? "");
    if (uid === "") continue;
    if (event.hasProperty("recurrence-id")) {
      const list = overrides.get(uid);
      if (list) list.push(event);
      else overrides.set(uid, [event]);
    } else if (!masters.has(uid)) {
      masters.set(uid, event);
    }
  }
  for (const [uid, master] of masters) reader.readSeries(uid, master, overrides.get(uid) ?? []);
  for (const [uid, list] of overrides) if (!masters.has(uid)) for (const event of list) reader.readOverride(uid, event, null);
  return { ok: true, sessions: reader.sessions, events: events.length };
}

/** The codes (upper case) an event's text carries, among the known ones. */
function codesOf(event: IcalComponent, known: ReadonlyMap<string, string>): string[] {
  const found: string[] = [];
  for (const name of ["summary", "description", "location"]) {
    const value = event.getFirstPropertyValue(name);
    if (typeof value !== "string" || value.length === 0) continue;
    for (const match of value.matchAll(CODE_IN_TEXT)) {
      const code = match[0].toUpperCase();
      if (known.has(code) && !found.includes(code)) found.push(code);
    }
  }
  return found;
}

function isCancelled(event: IcalComponent): boolean {
  return String(event.getFirstPropertyValue("status") ?? "").toUpperCase() === "CANCELLED";
}

/** The feed's own VTIMEZONE definitions, kept per feed (never registered globally). */
class LocalZones {
  private readonly byId = new Map<string, IcalTimezone>();
  constructor(private readonly root: IcalComponent) {}
  get(tzid: string): IcalTimezone | null {
    if (this.byId.has(tzid)) return this.byId.get(tzid) ?? null;
    const component = this.root.getAllSubcomponents("vtimezone").find((c) => c.getFirstPropertyValue("tzid") === tzid);
    let zone: IcalTimezone | null = null;
    if (component) {
      try {
        zone = new ICAL.Timezone(component);
      } catch {
        zone = null;
      }
    }
    this.byId.set(tzid, zone as IcalTimezone);
    return zone;
  }
}

class SessionReader {
  readonly sessions: CalendarSession[] = [];
  private readonly fromMs: number;
  private readonly toMs: number;

  constructor(
    private readonly options: FeedReadOptions,
    private readonly zones: LocalZones,
  ) {
    this.fromMs = options.window.from.getTime();
    this.toMs = options.window.to.getTime();
  }

  /** A master event and its overrides. */
  readSeries(uid: string, master: IcalComponent, overrides: IcalComponent[]): void {
    const startProp = master.getFirstProperty("dtstart");
    const start = firstTime(startProp);
    if (!startProp || !start || start.isDate) return;
    const recurring = master.hasProperty("rrule") || master.hasProperty("rdate");
    // A single event far outside the window (by its wall clock, before any zone arithmetic) is skipped.
    if (!recurring && overrides.length === 0 && !this.nearWindow(wallMs(start))) return;
    const codes = codesOf(master, this.options.codes);
    if (codes.length === 0 && overrides.length === 0) return;
    const tzid = tzidOf(startProp);
    const zoneFor = (code: string | undefined) => this.zoneName(code);
    const startMs = this.instant(start, tzid, zoneFor(codes[0])).getTime();
    const durationMs = Math.max(0, this.endOf(master, start, startMs, zoneFor(codes[0])) - startMs);
    const cancelled = isCancelled(master);

    // Overrides first: their recurrence ids are the occurrences they replace.
    const replaced = new Set<number>();
    for (const override of overrides) {
      const recurrence = this.readOverride(uid, override, tzid);
      if (recurrence !== null) replaced.add(recurrence);
    }
    if (!recurring) {
      if (replaced.has(startMs)) return;
      for (const code of codes) this.push(uid, "", code, startMs, startMs + durationMs, cancelled);
      return;
    }
    if (codes.length === 0) return;

    const excluded = new Set<number>();
    for (const property of master.getAllProperties("exdate")) {
      const exTzid = tzidOf(property) ?? tzid;
      for (const value of timeValues(property)) {
        if (!value.isDate) excluded.add(this.instant(value, exTzid, zoneFor(codes[0])).getTime());
      }
    }
    const emit = (occurrence: CalTime) => {
      for (const code of codes) {
        const at = this.instant(occurrence, tzid, zoneFor(code)).getTime();
        if (replaced.has(at)) continue;
        // An excluded occurrence is a cancelled session: with schedule=both it also stops the weekly rule's prompt.
        this.push(uid, String(at), code, at, at + durationMs, cancelled || excluded.has(at));
      }
    };
    // RDATE occurrences (date-times; periods and dates are not sessions we can place).
    for (const property of master.getAllProperties("rdate")) {
      for (const value of timeValues(property)) if (!value.isDate && this.nearWindow(wallMs(value))) emit(value);
    }
    if (!master.hasProperty("rrule")) return;
    // The rules alone are expanded: EXDATE and RDATE are read above, so ical.js never decodes
    // their values (which looks each TZID up among the feed's components, once per value).
    // Wall-clock bounds a day wider than the window: cheap to compare before any zone arithmetic.
    const wallFrom = this.fromMs - durationMs - 2 * DAY_MS;
    const wallTo = this.toMs + 2 * DAY_MS;
    let expansion: InstanceType<typeof ICAL.RecurExpansion>;
    try {
      const recurs = master.getAllProperties("rrule").map((rule) => rule.getFirstValue() as InstanceType<typeof ICAL.Recur>);
      const skip = skipAhead(recurs, start, wallFrom);
      if (skip === "none_left") return;
      const first = skip ? skip.start : start;
      const rules = new ICAL.Component("vevent");
      for (const recur of skip ? [skip.recur] : recurs) rules.addPropertyWithValue("rrule", recur);
      const dtstart = ICAL.Time.fromData({ year: first.year, month: first.month, day: first.day, hour: first.hour, minute: first.minute, second: first.second, isDate: false }, first.utc ? ICAL.Timezone.utcTimezone : undefined);
      rules.addPropertyWithValue("dtstart", dtstart);
      expansion = new ICAL.RecurExpansion({ component: rules, dtstart });
    } catch {
      return;
    }
    for (let n = 0; n < MAX_OCCURRENCES_PER_SERIES; n++) {
      let next: IcalTime | undefined;
      try {
        next = expansion.next() as IcalTime | undefined;
      } catch {
        return;
      }
      if (!next) return;
      const occurrence = fromIcal(next);
      const wall = wallMs(occurrence);
      if (wall > wallTo) return;
      if (wall < wallFrom) continue;
      emit(occurrence);
    }
  }

  /** One override; returns the instant of the occurrence it replaces (null if unreadable). */
  readOverride(uid: string, override: IcalComponent, masterTzid: string | null): number | null {
    const recurrenceProp = override.getFirstProperty("recurrence-id");
    const recurrence = firstTime(recurrenceProp);
    if (!recurrenceProp || !recurrence) return null;
    const startProp = override.getFirstProperty("dtstart");
    const start = firstTime(startProp);
    const startNear = Boolean(startProp && start && !start.isDate && this.nearWindow(wallMs(start)));
    // Replacing an occurrence outside the window with a session outside it changes nothing read.
    if (!startNear && !this.nearWindow(wallMs(recurrence))) return null;
    const codes = codesOf(override, this.options.codes);
    const recurrenceMs = this.instant(recurrence, tzidOf(recurrenceProp) ?? masterTzid, this.zoneName(codes[0])).getTime();
    if (!startNear || !start) return recurrenceMs;
    for (const code of codes) {
      const zone = this.zoneName(code);
      const startMs = this.instant(start, tzidOf(startProp), zone).getTime();
      this.push(uid, String(recurrenceMs), code, startMs, this.endOf(override, start, startMs, zone), isCancelled(override));
    }
    return recurrenceMs;
  }

  /** Whether a wall-clock time (as UTC fields) may fall in the window: two days of slack cover every offset and a long session. */
  private nearWindow(wall: number): boolean {
    return wall >= this.fromMs - 2 * DAY_MS && wall <= this.toMs + 2 * DAY_MS;
  }

  private push(uid: string, recurrence: string, code: string, startMs: number, endMs: number, cancelled: boolean): void {
    const end = Math.max(startMs, endMs);
    if (end <= this.fromMs || startMs > this.toMs) return;
    this.sessions.push({ eventHash: eventHash(this.options.calendarId, uid, recurrence), code, startAt: new Date(startMs), endAt: new Date(end), cancelled });
  }

  /** End instant from DTEND (its own zone) or DURATION; a time with neither ends when it starts. */
  private endOf(event: IcalComponent, start: CalTime, startMs: number, zone: string): number {
    const endProp = event.getFirstProperty("dtend");
    const end = firstTime(endProp);
    if (endProp && end && !end.isDate) return this.instant(end, tzidOf(endProp) ?? tzidOf(event.getFirstProperty("dtstart")), zone).getTime();
    const duration = event.getFirstPropertyValue("duration") as InstanceType<typeof ICAL.Duration> | null;
    if (duration && typeof duration.toSeconds === "function") return startMs + duration.toSeconds() * 1000;
    void start;
    return startMs;
  }

  private zoneName(code: string | undefined): string {
    return (code ? this.options.codes.get(code) : undefined) ?? this.options.fallbackTimeZone ?? "UTC";
  }

  /** The instant of a calendar time: UTC, an IANA TZID, the feed's own VTIMEZONE, or floating in `floatingZone`. */
  private instant(time: CalTime, tzid: string | null, floatingZone: string): Date {
    if (time.utc) {
      return new Date(Date.UTC(time.year, time.month - 1, time.day, time.hour, time.minute, time.second));
    }
    if (tzid) {
      const iana = ianaZone(tzid);
      if (iana) return wallTimeToInstant(time.year, time.month, time.day, time.hour, time.minute, time.second, iana);
      const own = this.zones.get(tzid);
      if (own) {
        const local = ICAL.Time.fromData({ year: time.year, month: time.month, day: time.day, hour: time.hour, minute: time.minute, second: time.second, isDate: false });
        const offsetSeconds = own.utcOffset(local);
        return new Date(wallMs(time) - offsetSeconds * 1000);
      }
    }
    return wallTimeToInstant(time.year, time.month, time.day, time.hour, time.minute, time.second, floatingZone);
  }
}

const WEEKDAY_CODES = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"];
const ONLY_BYDAY = new Set(["BYDAY"]);

/**
 * For a long-running daily or weekly series, a later start with the same occurrences from there
 * on, so expansion does not walk every past week. Only for one rule of FREQ=DAILY or WEEKLY
 * whose sole BY-part is a BYDAY holding just the start's weekday: each period then has exactly
 * one occurrence, the start's time, so moving the start by whole periods (and COUNT by as many)
 * keeps every later occurrence and its recurrence id. UNTIL is an absolute end and stays.
 * Returns null when not applicable, "none_left" when COUNT ends before the window.
 */
function skipAhead(recurs: InstanceType<typeof ICAL.Recur>[], start: CalTime, wallFrom: number): { start: CalTime; recur: InstanceType<typeof ICAL.Recur> } | "none_left" | null {
  if (recurs.length !== 1) return null;
  const recur = recurs[0]!;
  const periodDays = recur.freq === "WEEKLY" ? 7 : recur.freq === "DAILY" ? 1 : 0;
  if (periodDays === 0) return null;
  const parts = Object.keys(recur.parts ?? {}).filter((k) => (recur.parts as Record<string, unknown[]>)[k]?.length);
  if (parts.some((k) => !ONLY_BYDAY.has(k))) return null;
  const startWall = wallMs(start);
  const weekday = WEEKDAY_CODES[new Date(startWall).getUTCDay()];
  const byDay = (recur.parts as Record<string, string[] | undefined>).BYDAY ?? [];
  if (byDay.length > 0 && (periodDays !== 7 || byDay.length !== 1 || byDay[0]?.toUpperCase() !== weekday)) return null;
  const stepMs = periodDays * Math.max(1, recur.interval || 1) * DAY_MS;
  // Stop a period short of the window; wall-clock arithmetic keeps the local time of day.
  const steps = Math.floor((wallFrom - startWall) / stepMs) - 1;
  if (steps <= 0) return null;
  const copy = recur.clone();
  if (recur.count) {
    if (steps >= recur.count) return "none_left";
    copy.count = recur.count - steps;
  }
  const moved = new Date(startWall + steps * stepMs);
  return {
    start: { ...start, year: moved.getUTCFullYear(), month: moved.getUTCMonth() + 1, day: moved.getUTCDate() },
    recur: copy,
  };
}

function tzidOf(property: IcalProperty | null | undefined): string | null {
  const value = property?.getParameter("tzid");
  return typeof value === "string" && value.length > 0 ? value : null;
}

const ianaCache = new Map<string, string | null>();

/** A TZID as an IANA zone name, if it is one (some producers prefix "/"). */
function ianaZone(tzid: string): string | null {
  const cached = ianaCache.get(tzid);
  if (cached !== undefined) return cached;
  const name = tzid.replace(/^\/+/, "");
  const zone = name.toUpperCase() === "UTC" || name.toUpperCase() === "GMT" ? "UTC" : isValidTimeZone(name) && name.includes("/") ? name : null;
  if (ianaCache.size < 1000) ianaCache.set(tzid, zone);
  return zone;
}

function wallMs(time: CalTime): number {
  return Date.UTC(time.year, time.month - 1, time.day, time.hour, time.minute, time.second);
}

/** SHA-256 of calendar id, UID and recurrence id (the replaced occurrence's start, epoch ms). */
export function eventHash(calendarId: string, uid: string, recurrence: string): string {
  return createHash("sha256").update(`${calendarId}\n${uid}\n${recurrence}`).digest("hex");
}
