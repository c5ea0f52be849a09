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
  const scanner = new CodeScanner(text, codes);
  while (lines.next()) {
    if (lines.empty()) continue;
    // A line is read where it stands in the text; only a folded one is copied out, unfolded.
    const folded = lines.isFolded();
    const src = folded ? lines.line() : text;
    const s = folded ? 0 : lines.start;
    const e = folded ? src.length : lines.end;
    if (s === e) continue;
    const first = src.charCodeAt(s) | 0x20;
    if (first === 98 /* b */ && keywordAt(src, s, e, "BEGIN:")) {
      depth++;
      if (depth === 1) {
        component = src.slice(s + 6, e).trim().toUpperCase();
        componentStart = lines.start;
        if (component === "VEVENT") {
          events++;
          event = { uid: "", from: lines.start, to: lines.end, hasCode: false, recurring: false, start: null, recurrenceId: false };
        }
      }
      continue;
    }
    if (first === 101 /* e */ && keywordAt(src, s, e, "END:")) {
      if (depth === 0) {
        if (src.slice(s + 4, e).trim().toUpperCase() !== "VCALENDAR") return null;
        closed = true;
        break;
      }
      if (depth === 1) {
        if (src.slice(s + 4, e).trim().toUpperCase() !== component) return null;
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
      head.push(src.slice(s, e));
      continue;
    }
    if (!event) continue;
    if (!event.hasCode) event.hasCode = folded ? hasKnownCode(src, codes) : scanner.within(s, e);
    // Properties of the event itself, not of a VALARM inside it.
    if (depth === 1 && (first === 117 /* u */ || first === 114 /* r */ || first === 100 /* d */)) scanProperty(event, src, s, e);
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

  isFolded(): boolean {
    return this.folded;
  }

  /** The current line, unfolded. */
  line(): string {
    const raw = this.text.slice(this.start, this.end);
    return this.folded ? raw.replace(/\r?\n[ \t]/g, "") : raw;
  }
}

/**
 * Whether `src` from `s` (before `e`) begins with `word` (upper case), in any case. ASCII is
 * compared by character code; any other character is compared as toUpperCase() sees it.
 */
function keywordAt(src: string, s: number, e: number, word: string): boolean {
  if (e - s < word.length) return false;
  for (let k = 0; k < word.length; k++) {
    const ch = src.charCodeAt(s + k);
    if (ch > 127) return src.slice(s, s + word.length).toUpperCase() === word;
    const want = word.charCodeAt(k);
    if (ch !== want && !(want >= 65 && want <= 90 && ch === want + 32)) return false;
  }
  return true;
}

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

const RAW_CODE = /CI-[2-9A-HJ-NP-Z]{4}/gi;

/** Whether a line (unfolded, as a string of its own) holds a known code. */
function hasKnownCode(line: string, codes: ReadonlyMap<string, string>): boolean {
  for (const match of line.matchAll(RAW_CODE)) if (codes.has(match[0].toUpperCase())) return true;
  return false;
}

/**
 * Finds codes in a text's unfolded lines, asked in order of position: one pass of the pattern
 * over the whole text, remembering the next match. A match never holds a line break, so the
 * matches inside a line are the ones a search of that line alone finds.
 */
class CodeScanner {
  private readonly pattern = new RegExp(RAW_CODE.source, RAW_CODE.flags);
  /** Start of the next match at or after the last position asked (-1 before the first search). */
  private at = -1;
  private code = "";
  constructor(
    private readonly text: string,
    private readonly codes: ReadonlyMap<string, string>,
  ) {}

  /** Whether text[s, e) holds a known code; `s` never goes back between calls. */
  within(s: number, e: number): boolean {
    if (this.at < s) this.search(s);
    while (this.at >= 0 && this.at + 7 <= e) {
      if (this.codes.has(this.code)) return true;
      this.search(this.at + 7);
    }
    return false;
  }

  private search(from: number): void {
    this.pattern.lastIndex = from;
    const match = this.pattern.exec(this.text);
    this.at = match ? match.index : Number.POSITIVE_INFINITY;
    this.code = match ? match[0].toUpperCase() : "";
  }
}

/** Reads UID, RRULE, RDATE, DTSTART and RECURRENCE-ID from one of an event's own lines, src[s, e). */
function scanProperty(event: ScannedEvent, src: string, s: number, e: number): void {
  const colon = valueStart(src, s, e);
  if (colon < 0) return;
  let nameEnd = s;
  while (nameEnd < colon && src.charCodeAt(nameEnd) !== 59 /* ; */) nameEnd++;
  // The name as toUpperCase() sees it: compared in place when it is ASCII, as a copy otherwise.
  let ascii = true;
  for (let k = s; k < nameEnd && ascii; k++) ascii = src.charCodeAt(k) <= 127;
  const upper = ascii ? null : src.slice(s, nameEnd).toUpperCase();
  const is = (word: string): boolean => (upper === null ? nameEnd - s === word.length && keywordAt(src, s, nameEnd, word) : upper === word);
  if (is("UID")) event.uid = src.slice(colon + 1, e).trim().replace(/\\([\\;,nN])/g, "$1");
  else if (is("RRULE") || is("RDATE")) event.recurring = true;
  else if (is("DTSTART")) event.start = wallValue(src.slice(colon + 1, e).trim(), src, s, colon);
  else if (is("RECURRENCE-ID")) event.recurrenceId = wallValue(src.slice(colon + 1, e).trim(), src, s, colon);
}

/** Index of the ':' that ends a content line's name and parameters (quoted parameter values may hold ':'); -1 if none. */
function valueStart(src: string, s: number, e: number): number {
  let quoted = false;
  for (let k = s; k < e; k++) {
    const ch = src.charCodeAt(k);
    if (ch === 34) quoted = !quoted;
    else if (ch === 58 && !quoted) return k;
  }
  return -1;
}

/** The digits value[from, from + count) as a number; -1 unless all are ASCII digits. */
function digits(value: string, from: number, count: number): number {
  let n = 0;
  for (let k = from; k < from + count; k++) {
    const d = value.charCodeAt(k) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/** yyyyMMdd or yyyyMMddTHHmmss with an optional Z; the line's name and parameters, src[s, colon), are read only for a date-time. */
function wallValue(value: string, src: string, s: number, colon: number): WallValue | null {
  const n = value.length;
  if (n !== 8 && n !== 15 && !(n === 16 && value.charCodeAt(15) === 90 /* Z */)) return null;
  const year = digits(value, 0, 4);
  const month = digits(value, 4, 2);
  const day = digits(value, 6, 2);
  if (year < 0 || month < 0 || day < 0) return null;
  if (n === 8) return { ms: Date.UTC(year, month - 1, day, 0, 0, 0), isDate: true };
  const hour = digits(value, 9, 2);
  const minute = digits(value, 11, 2);
  const second = digits(value, 13, 2);
  if (value.charCodeAt(8) !== 84 /* T */ || hour < 0 || minute < 0 || second < 0) return null;
  return { ms: Date.UTC(year, month - 1, day, hour, minute, second), isDate: /;VALUE=DATE(?:;|$)/i.test(src.slice(s, colon)) };
}
