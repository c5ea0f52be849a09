// The `/checkin` grammar, shared by every adapter. Pure: text in, a typed Command or a
// GrammarError out. It checks shapes only; schedules, time zones, people and permissions are
// the engine's job. It never throws, whatever the input.
//
// Decisions worth knowing:
// - The "/checkin" prefix is optional. Tokens are split on any whitespace; the subcommand,
//   option keys, locales and settings keys are case-insensitive.
// - A person is a Slack mention `<@U123|name>`, a Discord mention `<@123>` / `<@!123>`, or a
//   terminal handle `alice` / `@alice`. Every form is accepted on every platform: the engine
//   looks the id up in its own workspace, so an id from another platform just finds no one.
// - enroll: the schedule is kept raw (tokens joined by one space). It runs from the token after
//   the two people until it has the shape `<days…> <H:mm> <length>` or a `key=value` option
//   starts. After it come options in any order: `tz=…`, `delay=…`, `locale=…`, or positionally
//   a time zone (contains "/" or is UTC), a locale (en|ro) or a delay (`\d+m`). So write a
//   length as one token (`1h15m`): in `tue 17:00 1h 15m` the `15m` is the delay.
// - pause / skip: a date is strict yyyy-MM-dd and real. In `pause X`, X is the until date when
//   it looks like a date (digits and - . /) and a person otherwise; `until=` is also accepted.
// - settings: `settings key value…` or `settings key=value…`; the value keeps its inner words.

import { z } from "zod";
import { DELIVERIES, LOCALES, SCHEDULE_SOURCES } from "../model.ts";
import type { ScheduleSource } from "../model.ts";
import { CALENDAR_ACTIONS, MAX_COMMAND_LENGTH, USAGE } from "./catalogue.ts";
import type { CalendarAction, Command, CommandName, GrammarError, ParseResult, PersonRef } from "./catalogue.ts";

export { CALENDAR_ACTIONS, EXAMPLES, MAX_COMMAND_LENGTH, suggestSubcommand, USAGE } from "./catalogue.ts";
export type { CalendarAction, Command, CommandName, GrammarError, ParseResult, PersonRef } from "./catalogue.ts";

const COMMAND_NAMES = Object.keys(USAGE) as CommandName[];

const inputSchema = z.string().max(MAX_COMMAND_LENGTH);
const localeSchema = z.enum(LOCALES);
const optionKeySchema = z.enum(["tz", "delay", "locale", "schedule", "delivery"]);
type OptionKey = z.infer<typeof optionKeySchema>;

// A `<@…>` group stays one token even if a Slack label holds spaces.
const TOKEN = /<@[^<>\s][^<>]*>|\S+/gu;
const SLACK_MENTION = /^<@([UW][A-Z0-9]+)(?:\|[^<>|]+)?>$/;
const DISCORD_MENTION = /^<@!?(\d{1,20})>$/;
const TERMINAL_HANDLE = /^@?([a-z0-9][a-z0-9._-]{0,63})$/i;
const DAY_LIST = /^(?=.*\p{L})[\p{L},-]+$/u;
const TIME = /^\d{1,2}:\d{2}$/;
const LENGTH = /^\d+(?:h\d+m|h|m)$/i;
const DELAY = /^\d+(?:h\d+m|h|m)?$/i;
const POSITIONAL_DELAY = /^\d+m$/i;
const TIME_ZONE = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+){0,3}$/;
const DATE_LIKE = /^\d{1,4}[-./]\d{1,2}[-./]\d{1,4}$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const SETTINGS_KEY = /^[a-z][a-z0-9._-]{0,63}$/;

type Failure = Omit<GrammarError, "usage" | "subcommand">;

/** Reads the text of a `/checkin` command (everything after the command name, or all of it). */
export function parseCommand(text: string): ParseResult {
  const input = inputSchema.safeParse(text);
  if (!input.success) {
    const tooLong = typeof text === "string";
    return { ok: false, error: { code: tooLong ? "too_long" : "empty", usage: USAGE.help } };
  }
  const tokens = input.data.match(TOKEN) ?? [];
  if (tokens[0]?.toLowerCase() === "/checkin") tokens.shift();
  const [word, ...args] = tokens;
  if (word === undefined) return { ok: false, error: { code: "empty", usage: USAGE.help } };

  const name = COMMAND_NAMES.find((candidate) => candidate === word.toLowerCase());
  if (name === undefined) {
    return { ok: false, error: { code: "unknown_subcommand", got: shown(word), usage: USAGE.help } };
  }
  const result = SUBCOMMANDS[name](args);
  if ("name" in result) return { ok: true, command: result };
  return { ok: false, error: { ...result, subcommand: name, usage: USAGE[name] } };
}

type Outcome = Command | Failure;

const clientOnly =
  <N extends "end" | "now" | "trend" | "export" | "audit">(name: N) =>
  (args: string[]): Outcome => {
    const client = person(args[0], "client");
    if ("code" in client) return client;
    return extra(args, 1) ?? { name, client };
  };

const bare =
  <N extends "list" | "alerts" | "stop" | "mydata" | "privacy" | "dashboard" | "signout">(name: N) =>
  (args: string[]): Outcome =>
    extra(args, 0) ?? { name };

/** A confirmation code as the erasure request shows it: 6 letters and digits. */
const CONFIRM_CODE = /^[A-Za-z0-9]{6}$/;

/** `confirm <code>` after the erase commands' other arguments, or nothing. */
function confirmation(args: string[], from: number): { confirm?: string } | Failure {
  if (args.length <= from) return {};
  if (args[from]?.toLowerCase() !== "confirm") return { code: "unexpected_argument", got: shown(args[from] ?? "") };
  const code = args[from + 1];
  if (code === undefined) return { code: "missing_argument", argument: "code" };
  if (!CONFIRM_CODE.test(code)) return { code: "bad_option", argument: "code", got: shown(code) };
  return extra(args, from + 2) ?? { confirm: code.toUpperCase() };
}

const SUBCOMMANDS: Record<CommandName, (args: string[]) => Outcome> = {
  enroll: parseEnroll,
  schedule: parseScheduleChange,
  pause: parsePause,
  resume: (args) => {
    if (args.length === 0) return { name: "resume" };
    const client = person(args[0], "client");
    if ("code" in client) return client;
    return extra(args, 1) ?? { name: "resume", client };
  },
  end: clientOnly("end"),
  skip: (args) => {
    const client = person(args[0], "client");
    if ("code" in client) return client;
    const date = localDate(args[1], "date");
    if (typeof date !== "string") return date;
    return extra(args, 2) ?? { name: "skip", client, date };
  },
  list: bare("list"),
  settings: parseSettings,
  now: clientOnly("now"),
  trend: clientOnly("trend"),
  alerts: bare("alerts"),
  export: clientOnly("export"),
  erase: (args) => {
    const client = person(args[0], "client");
    if ("code" in client) return client;
    const confirm = confirmation(args, 1);
    return "code" in confirm ? confirm : { name: "erase", client, ...confirm };
  },
  audit: clientOnly("audit"),
  stop: bare("stop"),
  mydata: bare("mydata"),
  "erase-me": (args) => {
    const confirm = confirmation(args, 0);
    return "code" in confirm ? confirm : { name: "erase-me", ...confirm };
  },
  privacy: bare("privacy"),
  digest: parseDigest,
  dashboard: bare("dashboard"),
  signout: bare("signout"),
  calendar: parseCalendar,
  help: (args) => (args[0] === undefined ? { name: "help" } : (extra(args, 1) ?? { name: "help", topic: args[0].toLowerCase() })),
};

/** `calendar` alone, or `schedule=calendar`, in place of a weekly rule. */
function isCalendarOnly(token: string | undefined): boolean {
  const t = token?.toLowerCase();
  return t === "calendar" || t === "schedule=calendar";
}

/**
 * The weekly rule (or none, for the calendar alone) and the schedule source. `schedule=both`
 * needs a rule; `calendar` cannot have one.
 */
function takeScheduleAndSource(tokens: string[]): { text: string; source: ScheduleSource | undefined; rest: string[] } | Failure {
  if (isCalendarOnly(tokens[0])) return { text: "", source: "calendar", rest: tokens.slice(1) };
  const schedule = takeSchedule(tokens);
  if ("code" in schedule) return schedule;
  return { text: schedule.text, source: undefined, rest: schedule.rest };
}

function sourceFor(text: string, given: string | undefined, token: string): ScheduleSource | undefined | Failure {
  if (given === undefined) return text === "" ? "calendar" : undefined;
  const source = SCHEDULE_SOURCES.find((candidate) => candidate === given);
  if (!source || (source === "calendar") !== (text === "")) return { code: "bad_option", argument: "schedule", got: shown(token) };
  return source;
}

function parseScheduleChange(args: string[]): Outcome {
  const client = person(args[0], "client");
  if ("code" in client) return client;
  const schedule = takeScheduleAndSource(args.slice(1));
  if ("code" in schedule) return schedule;
  let sourceToken: string | undefined;
  for (const token of schedule.rest) {
    const option = readOption(token);
    if ("code" in option) return option;
    if (option.key !== "schedule" || sourceToken !== undefined) return { code: "unexpected_argument", got: shown(token) };
    sourceToken = token;
  }
  const source = sourceFor(schedule.text, sourceToken === undefined ? schedule.source : sourceToken.slice(sourceToken.indexOf("=") + 1).toLowerCase(), sourceToken ?? "");
  if (source !== undefined && typeof source !== "string") return source;
  const command: Command = { name: "schedule", client, schedule: schedule.text };
  if (source !== undefined) command.source = source;
  return command;
}

/** calendar connect <url> [@therapist] | status [@therapist] | disconnect [@therapist]. The address is never echoed. */
function parseCalendar(args: string[]): Outcome {
  const [first, ...rest] = args;
  if (first === undefined) return { code: "missing_argument", argument: "action" };
  const action = CALENDAR_ACTIONS.find((candidate) => candidate === first.toLowerCase());
  if (action === undefined) return { code: "bad_option", argument: "action", got: shown(first) };
  let url: string | undefined;
  let people = rest;
  if (action === "connect") {
    url = rest[0];
    if (url === undefined) return { code: "missing_argument", argument: "url" };
    // Slack wraps links as <https://…> or <https://…|label>.
    url = url.replace(/^<([^|>]+)(?:\|[^>]*)?>$/, "$1");
    people = rest.slice(1);
  }
  if (people.length > 1) return { code: "unexpected_argument", got: "…" };
  const command: Command = { name: "calendar", action };
  if (url !== undefined) command.url = url;
  if (people[0] !== undefined) {
    const therapist = person(people[0], "therapist");
    if ("code" in therapist) return action === "connect" ? { code: "bad_mention", argument: "therapist", got: "…" } : therapist;
    command.therapist = therapist;
  }
  return command;
}

function parseEnroll(args: string[]): Outcome {
  const client = person(args[0], "client");
  if ("code" in client) return client;
  const therapist = person(args[1], "therapist");
  if ("code" in therapist) return therapist;
  const schedule = takeScheduleAndSource(args.slice(2));
  if ("code" in schedule) return schedule;

  const options: Partial<Record<OptionKey, string>> = {};
  for (const token of schedule.rest) {
    const option = readOption(token);
    if ("code" in option) return option;
    if (options[option.key] !== undefined) return { code: "bad_option", argument: option.key, got: shown(token) };
    options[option.key] = option.value;
  }
  const source = sourceFor(schedule.text, options.schedule ?? (schedule.source === "calendar" ? "calendar" : undefined), `schedule=${options.schedule ?? ""}`);
  if (source !== undefined && typeof source !== "string") return source;
  const command: Command = { name: "enroll", client, therapist, schedule: schedule.text };
  if (source !== undefined) command.source = source;
  if (options.tz !== undefined) command.timeZone = options.tz;
  if (options.delay !== undefined) command.delay = options.delay;
  const locale = LOCALES.find((candidate) => candidate === options.locale);
  if (locale !== undefined) command.locale = locale;
  const delivery = DELIVERIES.find((candidate) => candidate === options.delivery);
  if (delivery !== undefined) command.delivery = delivery;
  return command;
}

function parsePause(args: string[]): Outcome {
  const [first, second] = args;
  if (first === undefined) return { name: "pause" };
  if (isUntilToken(first)) {
    const until = localDate(first, "until");
    if (typeof until !== "string") return until;
    return extra(args, 1) ?? { name: "pause", until };
  }
  const client = person(first, "client");
  if ("code" in client) return client;
  if (second === undefined) return { name: "pause", client };
  const until = localDate(second, "until");
  if (typeof until !== "string") return until;
  return extra(args, 2) ?? { name: "pause", client, until };
}

function parseSettings(args: string[]): Outcome {
  const [first, ...more] = args;
  if (first === undefined) return { name: "settings" };
  const equals = first.indexOf("=");
  const rawKey = equals === -1 ? first : first.slice(0, equals);
  const words = equals === -1 ? more : [first.slice(equals + 1), ...more].filter((w) => w.length > 0);
  const key = rawKey.toLowerCase();
  if (!SETTINGS_KEY.test(key)) return { code: "bad_option", argument: "key", got: shown(rawKey) };
  return words.length === 0 ? { name: "settings", key } : { name: "settings", key, value: words.join(" ") };
}

/** ISO weekday by English or Romanian name or three-letter abbreviation (diacritics optional). */
const WEEKDAYS: Record<string, number> = {
  mon: 1, monday: 1, tue: 2, tuesday: 2, wed: 3, wednesday: 3, thu: 4, thursday: 4, fri: 5, friday: 5, sat: 6, saturday: 6, sun: 7, sunday: 7,
  lun: 1, luni: 1, mar: 2, marti: 2, mie: 3, miercuri: 3, joi: 4, vin: 5, vineri: 5, sam: 6, sambata: 6, dum: 7, duminica: 7,
};
const DIGEST_TIME = /^([01]?\d|2[0-3]):([0-5]\d)$/;

/** digest → show; digest off; digest <weekday> <H:mm> (the time is normalised to HH:mm). */
function parseDigest(args: string[]): Outcome {
  const [first, second] = args;
  if (first === undefined) return { name: "digest" };
  if (first.toLowerCase() === "off") return extra(args, 1) ?? { name: "digest", off: true };
  const day = first.toLowerCase().normalize("NFD").replace(/\p{M}+/gu, "");
  const weekday = WEEKDAYS[day];
  if (weekday === undefined) return { code: "bad_option", argument: "weekday", got: shown(first) };
  if (second === undefined) return { code: "missing_argument", argument: "time" };
  const time = DIGEST_TIME.exec(second);
  if (!time) return { code: "bad_option", argument: "time", got: shown(second) };
  return extra(args, 2) ?? { name: "digest", weekday, time: `${(time[1] as string).padStart(2, "0")}:${time[2] as string}` };
}

function person(token: string | undefined, argument: string): PersonRef | Failure {
  if (token === undefined) return { code: "missing_argument", argument };
  const match = SLACK_MENTION.exec(token) ?? DISCORD_MENTION.exec(token) ?? TERMINAL_HANDLE.exec(token);
  const userId = match?.[1];
  if (userId === undefined || DATE_LIKE.test(userId)) return { code: "bad_mention", argument, got: shown(token) };
  return { userId };
}

/** Splits off the schedule: tokens up to a complete `<days…> <H:mm> <length>` or a `key=` option. */
function takeSchedule(tokens: string[]): { text: string; rest: string[] } | Failure {
  let end = 0;
  while (end < tokens.length && !tokens[end]!.includes("=") && !isScheduleShape(tokens.slice(0, end))) end++;
  const schedule = tokens.slice(0, end);
  if (schedule.length === 0) return { code: "missing_argument", argument: "schedule" };
  if (!isScheduleShape(schedule)) return { code: "bad_schedule_shape", argument: "schedule", got: shown(schedule.join(" ")) };
  return { text: schedule.join(" "), rest: tokens.slice(end) };
}

function isScheduleShape(tokens: string[]): boolean {
  const n = tokens.length;
  if (n < 3 || !TIME.test(tokens[n - 2]!) || !LENGTH.test(tokens[n - 1]!)) return false;
  return tokens.slice(0, n - 2).every((token) => DAY_LIST.test(token));
}

/** An enroll option after the schedule, keyed (`tz=…`) or recognised by its shape. */
function readOption(token: string): { key: OptionKey; value: string } | Failure {
  const equals = token.indexOf("=");
  if (equals !== -1) {
    const key = optionKeySchema.safeParse(token.slice(0, equals).toLowerCase());
    if (!key.success) return { code: "bad_option", argument: "option", got: shown(token) };
    return optionValue(key.data, token.slice(equals + 1));
  }
  if (token.includes("/") || token.toUpperCase() === "UTC") return optionValue("tz", token);
  if (localeSchema.safeParse(token.toLowerCase()).success) return { key: "locale", value: token.toLowerCase() };
  if (POSITIONAL_DELAY.test(token)) return optionValue("delay", token);
  return { code: "unexpected_argument", got: shown(token) };
}

function optionValue(key: OptionKey, value: string): { key: OptionKey; value: string } | Failure {
  if (key === "tz") {
    if (value.toUpperCase() === "UTC") return { key, value: "UTC" };
    return TIME_ZONE.test(value) && value.length <= 64 ? { key, value } : { code: "bad_option", argument: key, got: shown(value) };
  }
  if (key === "schedule") {
    const source = SCHEDULE_SOURCES.find((candidate) => candidate === value.toLowerCase());
    return source ? { key, value: source } : { code: "bad_option", argument: key, got: shown(value) };
  }
  if (key === "delay") {
    return DELAY.test(value) ? { key, value: value.toLowerCase() } : { code: "bad_option", argument: key, got: shown(value) };
  }
  if (key === "delivery") {
    const delivery = DELIVERIES.find((candidate) => candidate === value.toLowerCase());
    return delivery ? { key, value: delivery } : { code: "bad_option", argument: key, got: shown(value) };
  }
  const locale = localeSchema.safeParse(value.toLowerCase());
  return locale.success ? { key, value: locale.data } : { code: "bad_locale", argument: key, got: shown(value) };
}

function isUntilToken(token: string): boolean {
  return DATE_LIKE.test(token) || token.toLowerCase().startsWith("until=");
}

/** A real calendar date written yyyy-MM-dd (an `until=` prefix is allowed). */
function localDate(token: string | undefined, argument: string): string | Failure {
  if (token === undefined) return { code: "missing_argument", argument };
  const value = argument === "until" && token.toLowerCase().startsWith("until=") ? token.slice("until=".length) : token;
  const match = ISO_DATE.exec(value);
  if (match) {
    const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
    if (month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month)) return value;
  }
  return { code: "bad_date", argument, got: shown(token) };
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Fails with unexpected_argument when `args` has more than `allowed` tokens. */
function extra(args: string[], allowed: number): Failure | undefined {
  const token = args[allowed];
  return token === undefined ? undefined : { code: "unexpected_argument", got: shown(token) };
}

/** User text made safe to echo: control characters shown as U+FFFD, bidi overrides dropped, ≤ 80 characters. */
function shown(text: string): string {
  const clean = Array.from(text.replace(/[\u202A-\u202E\u2066-\u2069]/gu, "").replace(/\p{Cc}/gu, "\uFFFD"));
  return clean.length > 80 ? `${clean.slice(0, 79).join("")}…` : clean.join("");
}
