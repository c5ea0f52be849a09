// The `/checkin` commands as data: the typed Command each subcommand parses to, the grammar's
// error shape, and each subcommand's usage line and example. The parser is in grammar.ts; the
// handlers, the in-chat help and the README follow these. Also the nearest subcommand to a typo.

import type { Delivery, Locale, ScheduleSource } from "../model.ts";

/** The platform user id named by a mention or handle. Never a display name. */
export interface PersonRef {
  userId: string;
}

export type Command =
  | { name: "enroll"; client: PersonRef; therapist: PersonRef; schedule: string; timeZone?: string; delay?: string; locale?: Locale; source?: ScheduleSource; delivery?: Delivery }
  | { name: "schedule"; client: PersonRef; schedule: string; source?: ScheduleSource }
  | { name: "pause"; client?: PersonRef; until?: string }
  | { name: "resume"; client?: PersonRef }
  | { name: "end"; client: PersonRef }
  | { name: "skip"; client: PersonRef; date: string }
  | { name: "list" }
  | { name: "settings"; key?: string; value?: string }
  | { name: "now"; client: PersonRef }
  | { name: "trend"; client: PersonRef }
  | { name: "alerts" }
  | { name: "export"; client: PersonRef }
  /** Without `confirm`: what would be erased and a code; with the code (within minutes): the erasure. */
  | { name: "erase"; client: PersonRef; confirm?: string }
  | { name: "audit"; client: PersonRef }
  | { name: "stop" }
  | { name: "mydata" }
  | { name: "erase-me"; confirm?: string }
  | { name: "privacy" }
  | { name: "digest"; weekday?: number; time?: string; off?: true }
  | { name: "dashboard" }
  | { name: "signout" }
  | { name: "calendar"; action: CalendarAction; url?: string; therapist?: PersonRef }
  | { name: "help"; topic?: string };

export const CALENDAR_ACTIONS = ["connect", "status", "disconnect"] as const;
export type CalendarAction = (typeof CALENDAR_ACTIONS)[number];

export type CommandName = Command["name"];

/** Why a command could not be read. `usage` is always a non-empty usage line to show. */
export interface GrammarError {
  code:
    | "empty"
    | "unknown_subcommand"
    | "missing_argument"
    | "unexpected_argument"
    | "bad_mention"
    | "bad_schedule_shape"
    | "bad_date"
    | "bad_locale"
    | "bad_option"
    | "too_long";
  /** The subcommand whose grammar failed (absent for empty, unknown and too long input). */
  subcommand?: CommandName;
  /** The slot at fault: client, therapist, schedule, date, until, tz, delay, locale, key. */
  argument?: string;
  /** The offending text, safe to echo: control characters replaced, bidi overrides dropped, ≤ 80 characters. */
  got?: string;
  usage: string;
}

export type ParseResult = { ok: true; command: Command } | { ok: false; error: GrammarError };

/** Longest accepted input, in UTF-16 code units. */
export const MAX_COMMAND_LENGTH = 2000;

export const USAGE: Record<CommandName, string> = {
  enroll: "/checkin enroll @client @therapist tue 17:00 50m [tz=Europe/Bucharest] [delay=10m] [locale=ro] [schedule=both] [delivery=link]",
  schedule: "/checkin schedule @client mon,thu 09:30 45m [schedule=both]",
  pause: "/checkin pause [@client] [yyyy-MM-dd]",
  resume: "/checkin resume [@client]",
  end: "/checkin end @client",
  skip: "/checkin skip @client yyyy-MM-dd",
  list: "/checkin list",
  settings: "/checkin settings [key [value]]",
  now: "/checkin now @client",
  trend: "/checkin trend @client",
  alerts: "/checkin alerts",
  export: "/checkin export @client",
  erase: "/checkin erase @client [confirm <code>]",
  audit: "/checkin audit @client",
  stop: "/checkin stop",
  mydata: "/checkin mydata",
  "erase-me": "/checkin erase-me [confirm <code>]",
  privacy: "/checkin privacy",
  digest: "/checkin digest [<weekday> <HH:mm> | off]",
  dashboard: "/checkin dashboard",
  signout: "/checkin signout",
  calendar: "/checkin calendar connect <ics-address> [@therapist] | status [@therapist] | disconnect [@therapist]",
  help: "/checkin help [subcommand]",
};

export const EXAMPLES: Record<CommandName, string> = {
  enroll: "/checkin enroll @alice @dr.popescu mon,thu 09:30 45m tz=Europe/Bucharest delay=10m locale=ro",
  schedule: "/checkin schedule @alice tue 17:00 50m",
  pause: "/checkin pause @alice 2030-01-31",
  resume: "/checkin resume @alice",
  end: "/checkin end @alice",
  skip: "/checkin skip @alice 2030-12-24",
  list: "/checkin list",
  settings: "/checkin settings quiet_hours 22:00-08:00",
  now: "/checkin now @alice",
  trend: "/checkin trend @alice",
  alerts: "/checkin alerts",
  export: "/checkin export @alice",
  erase: "/checkin erase @alice",
  audit: "/checkin audit @alice",
  stop: "/checkin stop",
  mydata: "/checkin mydata",
  "erase-me": "/checkin erase-me",
  privacy: "/checkin privacy",
  digest: "/checkin digest mon 08:00",
  dashboard: "/checkin dashboard",
  signout: "/checkin signout",
  calendar: "/checkin calendar connect https://calendar.example.com/feeds/secret.ics",
  help: "/checkin help enroll",
};

const COMMAND_NAMES = Object.keys(USAGE) as CommandName[];

/** The subcommand nearest to `word` (edit distance ≤ 2, adjacent swaps count 1), for "did you mean". */
export function suggestSubcommand(word: string): CommandName | null {
  if (typeof word !== "string") return null;
  const wanted = word.trim().toLowerCase();
  if (wanted.length === 0) return null;
  let best: CommandName | null = null;
  let bestDistance = 3;
  for (const name of COMMAND_NAMES) {
    if (Math.abs(name.length - wanted.length) >= bestDistance) continue;
    const distance = editDistance(wanted, name);
    if (distance < bestDistance) {
      best = name;
      bestDistance = distance;
    }
  }
  return best;
}

/** Optimal string alignment distance: insertions, deletions, substitutions, adjacent swaps. */
function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = best;
    }
  }
  return rows[a.length]![b.length]!;
}
