// The part of a calendar feed worth parsing, found by a line scan before ical.js reads it (see
// relevantEvents). Used by feed.ts only.

const DAY_MS = 86_400_000;

/**
 * The feed's text with only the events that can give a session in the window, before ical.js
 * parses it: a practice system's export holds every past appointment of every client, and most
 * of them can change nothing. Read line by line (unfolded), without decoding values:
 * - every event of a UID none of whose events mentions a known code is dropped (the reader
 *   would ignore them);
 * - a UID's only event, without RRULE, RDATE or RECURRENCE-ID, is dropped when it starts (wall
 *   clock) two days or more outside the window, or is all-day;
 * - an override (RECURRENCE-ID) is dropped when both its start and the occurrence it replaces
 *   are that far outside the window;
 * - VTIMEZONE blocks and the calendar's own properties are kept; other components are dropped.
 * The code test here is looser than the reader's (raw text, no word boundary), so it keeps a
 * superset. Returns null when the text is not a well-nested calendar: it is then parsed whole.
 */
export function relevantEvents(text: string, codes: ReadonlyMap<string, string>, window: { from: Date; to: Date }): { text: string; events: number } | null {
  const lines = new ContentLines(text, text.charCodeAt(0) === 0xfeff ? 1 : 0);
  const fromMs = window.from.getTime() - 2 * DAY_MS;
  const toMs = window.to.getTime() + 2 * DAY_MS;
  // As the reader: a start counts only as a date-time; the occurrence an override replaces counts either way.
  const near = (value: WallValue | null, dateCounts = false): boolean => value === null || ((dateCounts || !value.isDate) && value.ms >= fromMs && value.ms <= toMs);
  let opening: string | null = null;
  while (lines.next()) {
    opening = lines.line();
    if (opening.trim() !== "") break;
  }
  if (opening === null || !/^BEGIN:VCALENDAR\s*$/i.test(opening)) return null;
  const head: string[] = [opening.trim()];
  /** Start and end offsets in `text` of each VTIMEZONE block. */
  const zones: number[] = [];
  const byUid = new Map<string, ScannedEvent[]>();
  let events = 0;
  let depth = 0;
  let component = "";
  let componentStart = 0;
  let event: ScannedEvent | null = null;
  let closed = false;
  while (lines.next()) {
    if (lines.empty()) continue;
    const line = lines.line();
    if (line.length === 0) continue;
    const first = line.charCodeAt(0) | 0x20;
    if (first === 98 /* b */ && keyword(line, "BEGIN:")) {
      depth++;
      if (depth === 1) {
        component = line.slice(6).trim().toUpperCase();
        componentStart = lines.start;
        if (component === "VEVENT") {
          events++;
          event = { uid: "", from: lines.start, to: lines.end, hasCode: false, recurring: false, start: null, recurrenceId: false };
        }
      }
      continue;
    }
    if (first === 101 /* e */ && keyword(line, "END:")) {
      const name = line.slice(4).trim().toUpperCase();
      if (depth === 0) {
        if (name !== "VCALENDAR") return null;
        closed = true;
        break;
      }
      if (depth === 1) {
        if (name !== component) return null;
        if (component === "VTIMEZONE") zones.push(componentStart, lines.end);
        else if (event) {
          event.to = lines.end;
          if (event.uid !== "") {
            const list = byUid.get(event.uid);
            if (list) list.push(event);
            else byUid.set(event.uid, [event]);
          }
          event = null;
        }
      }
      depth--;
      continue;
    }
    if (depth === 0) {
      head.push(line);
      continue;
    }
    if (!event) continue;
    if (!event.hasCode && RAW_CODE_START.test(line)) {
      for (const match of line.matchAll(RAW_CODE)) if (codes.has(match[0].toUpperCase())) event.hasCode = true;
    }
    // Properties of the event itself, not of a VALARM inside it.
    if (depth === 1 && (first === 117 /* u */ || first === 114 /* r */ || first === 100 /* d */)) scanProperty(event, line);
  }
  if (!closed) return null;
  // Kept blocks are copied as written (folded lines included): ical.js unfolds them itself.
  const kept: string[] = head;
  for (let k = 0; k < zones.length; k += 2) kept.push(text.slice(zones[k], zones[k + 1]));
  for (const list of byUid.values()) {
    if (!list.some((e) => e.hasCode)) continue;
    if (list.length === 1 && !list[0]!.recurring && list[0]!.recurrenceId === false && !near(list[0]!.start)) continue;
    for (const e of list) {
      if (e.recurrenceId !== false && !near(e.start) && !near(e.recurrenceId, true)) continue;
      kept.push(text.slice(e.from, e.to));
    }
  }
  kept.push("END:VCALENDAR", "");
  return { text: kept.join("\r\n"), events };
}

/**
 * The content lines of a text, one at a time, without splitting it: a line ends at LF or CRLF
 * and takes in the lines after it that begin with a space or a tab (RFC 5545 folding). `start`
 * and `end` are the current line's offsets in the text (end before its line break).
 */
class ContentLines {
  start = 0;
  end = 0;
  private folded = false;
  constructor(
    private readonly text: string,
    private pos: number,
  ) {}

  /** Moves to the next line; false after the last one. */
  next(): boolean {
    const text = this.text;
    if (this.pos > text.length) return false;
    this.start = this.pos;
    this.folded = false;
    let lf = text.indexOf("\n", this.pos);
    while (lf >= 0) {
      const after = text.charCodeAt(lf + 1);
      if (after !== 32 && after !== 9) break;
      this.folded = true;
      lf = text.indexOf("\n", lf + 1);
    }
    if (lf < 0) {
      this.end = text.length;
      this.pos = text.length + 1;
    } else {
      this.end = lf > this.start && text.charCodeAt(lf - 1) === 13 ? lf - 1 : lf;
      this.pos = lf + 1;
    }
    return true;
  }

  empty(): boolean {
    return this.start === this.end && !this.folded;
  }

  /** The current line, unfolded. */
  line(): string {
    const raw = this.text.slice(this.start, this.end);
    return this.folded ? raw.replace(/\r?\n[ \t]/g, "") : raw;
  }
}

const keyword = (line: string, word: string): boolean => line.length >= word.length && line.slice(0, word.length).toUpperCase() === word;

interface WallValue {
  /** Wall-clock fields as if UTC (as wallMs). */
  ms: number;
  isDate: boolean;
}

interface ScannedEvent {
  uid: string;
  /** Offsets in the text: the start of its BEGIN line and the end of its END line. */
  from: number;
  to: number;
  hasCode: boolean;
  recurring: boolean;
  /** null when absent or unreadable (then it counts as near the window). */
  start: WallValue | null;
  /** false when absent. */
  recurrenceId: WallValue | null | false;
}

const RAW_CODE_START = /CI-/i;
const RAW_CODE = /CI-[2-9A-HJ-NP-Z]{4}/gi;

/** Reads UID, RRULE, RDATE, DTSTART and RECURRENCE-ID from one of an event's own lines. */
function scanProperty(event: ScannedEvent, line: string): void {
  const colon = valueStart(line);
  if (colon < 0) return;
  const head = line.slice(0, colon);
  const semicolon = head.indexOf(";");
  const name = (semicolon < 0 ? head : head.slice(0, semicolon)).toUpperCase();
  if (name === "UID") event.uid = line.slice(colon + 1).trim().replace(/\\([\\;,nN])/g, "$1");
  else if (name === "RRULE" || name === "RDATE") event.recurring = true;
  else if (name === "DTSTART") event.start = wallValue(line.slice(colon + 1).trim(), head);
  else if (name === "RECURRENCE-ID") event.recurrenceId = wallValue(line.slice(colon + 1).trim(), head);
}

/** Index of the ':' that ends a content line's name and parameters (quoted parameter values may hold ':'). */
function valueStart(line: string): number {
  let quoted = false;
  for (let k = 0; k < line.length; k++) {
    const ch = line.charCodeAt(k);
    if (ch === 34) quoted = !quoted;
    else if (ch === 58 && !quoted) return k;
  }
  return -1;
}

function wallValue(value: string, head: string): WallValue | null {
  const m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})Z?)?$/.exec(value);
  if (!m) return null;
  const isDate = m[4] === undefined || /;VALUE=DATE(?:;|$)/i.test(head);
  return { ms: Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)), isDate };
}
