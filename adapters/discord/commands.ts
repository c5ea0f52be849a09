// The /checkin slash command: its definition (typed options, one subcommand per grammar verb)
// and the conversion of a submitted command back into the shared grammar text the core parses.
// Option descriptions are short English help shown by Discord; the engine localises all replies.

import { ApplicationCommandOptionType, ApplicationCommandType, ApplicationIntegrationType, InteractionContextType } from "discord.js";
import type {
  APIApplicationCommandBasicOption,
  APIApplicationCommandOptionChoice,
  APIApplicationCommandSubcommandOption,
  RESTPostAPIChatInputApplicationCommandsJSONBody,
} from "discord.js";
import { LOCALES } from "../../src/core/model.ts";

export const COMMAND_NAME = "checkin";

type OptionKind = "user" | "text" | "url" | "timezone" | "locale";

interface OptionSpec {
  name: string;
  kind: OptionKind;
  description: string;
  required: boolean;
  /** Emitted as one `key=value` token, which the grammar reads in any order (`tz=`, `until=` …). */
  prefix?: string;
}

interface SubcommandSpec {
  name: string;
  description: string;
  options: OptionSpec[];
}

const client = (required: boolean): OptionSpec => ({ name: "client", kind: "user", description: "The client", required });

/** Grammar order matters: options are emitted into the text in this order. */
export const SUBCOMMANDS: readonly SubcommandSpec[] = [
  {
    name: "enroll",
    description: "Enroll a client with a therapist and a schedule (admin)",
    options: [
      client(true),
      { name: "therapist", kind: "user", description: "The therapist", required: true },
      { name: "schedule", kind: "text", description: "e.g. tue 17:00 50m, mon,thu 09:30 45m, calendar, or a rule with schedule=both", required: true },
      { name: "tz", kind: "timezone", description: "IANA time zone, e.g. Europe/Bucharest", required: false, prefix: "tz=" },
      { name: "delay", kind: "text", description: "Delay after the session ends, e.g. 10m", required: false, prefix: "delay=" },
      { name: "locale", kind: "locale", description: "Language of the client's check-ins", required: false, prefix: "locale=" },
      { name: "delivery", kind: "text", description: "chat, or link (answers on the practice's web page)", required: false, prefix: "delivery=" },
    ],
  },
  {
    name: "schedule",
    description: "Change a client's schedule (admin)",
    options: [client(true), { name: "schedule", kind: "text", description: "e.g. tue 17:00 50m", required: true }],
  },
  {
    name: "pause",
    description: "Pause check-ins (a client for admins, yourself otherwise)",
    options: [client(false), { name: "until", kind: "text", description: "yyyy-MM-dd", required: false, prefix: "until=" }],
  },
  { name: "resume", description: "Resume check-ins", options: [client(false)] },
  { name: "end", description: "End a client's enrollment (admin)", options: [client(true)] },
  {
    name: "skip",
    description: "Skip one session date (admin)",
    options: [client(true), { name: "date", kind: "text", description: "yyyy-MM-dd", required: true }],
  },
  { name: "list", description: "List enrollments (admin)", options: [] },
  {
    name: "settings",
    description: "Show or change practice settings (admin)",
    options: [
      { name: "key", kind: "text", description: "Setting name", required: false },
      { name: "value", kind: "text", description: "New value", required: false },
    ],
  },
  { name: "now", description: "Send a check-in now, after an unscheduled session", options: [client(true)] },
  { name: "trend", description: "Show a client's trend", options: [client(true)] },
  { name: "alerts", description: "Show open alerts", options: [] },
  { name: "export", description: "Export a client's data (admin)", options: [client(true)] },
  { name: "erase", description: "Erase a client's data (admin); asks for confirmation", options: [client(true), { name: "confirm", kind: "text", description: "The code from the erasure request, to confirm it", required: false, prefix: "confirm " }] },
  { name: "audit", description: "Show the audit log for a client (admin)", options: [client(true)] },
  { name: "stop", description: "Stop receiving check-ins", options: [] },
  { name: "mydata", description: "See the data stored about you", options: [] },
  { name: "erase-me", description: "Erase your data; asks for confirmation", options: [{ name: "confirm", kind: "text", description: "The code from the erasure request, to confirm it", required: false, prefix: "confirm " }] },
  { name: "privacy", description: "How your data is handled", options: [] },
  {
    name: "digest",
    description: "Show or set your weekly digest (therapists)",
    options: [{ name: "when", kind: "text", description: "e.g. mon 08:00, or off", required: false }],
  },
  { name: "dashboard", description: "Get a one-time sign-in link to the web dashboard (therapists, admins)", options: [] },
  { name: "signout", description: "Sign out of the web dashboard everywhere", options: [] },
  {
    name: "calendar",
    description: "Connect, check or disconnect a therapist's appointment calendar (ICS)",
    options: [
      { name: "action", kind: "text", description: "connect, status or disconnect", required: true },
      { name: "url", kind: "url", description: "The calendar's secret ICS address (connect only)", required: false },
      { name: "therapist", kind: "user", description: "The therapist (admins acting for one)", required: false },
    ],
  },
  {
    name: "help",
    description: "How to use /checkin",
    options: [{ name: "topic", kind: "text", description: "A subcommand, e.g. enroll", required: false }],
  },
];

function optionDefinition(spec: OptionSpec): APIApplicationCommandBasicOption {
  const base = { name: spec.name, description: spec.description, required: spec.required };
  if (spec.kind === "user") return { ...base, type: ApplicationCommandOptionType.User };
  if (spec.kind === "text") return { ...base, type: ApplicationCommandOptionType.String, max_length: 200 };
  if (spec.kind === "url") return { ...base, type: ApplicationCommandOptionType.String, max_length: 2000 };
  return { ...base, type: ApplicationCommandOptionType.String, autocomplete: true, max_length: 64 };
}

/**
 * The subcommands offered in the bot DM: what a person does for themselves (a client's pause,
 * resume, stop, mydata, erase-me, privacy; a therapist's alerts, digest, dashboard, signout) and
 * help. None names another person: a DM has no member list to pick from.
 */
export const DM_SUBCOMMANDS = ["pause", "resume", "stop", "mydata", "erase-me", "privacy", "alerts", "digest", "dashboard", "signout", "help"] as const;

function subcommandDefinition(sub: SubcommandSpec, keep: (option: OptionSpec) => boolean): APIApplicationCommandSubcommandOption {
  return { type: ApplicationCommandOptionType.Subcommand, name: sub.name, description: sub.description, options: sub.options.filter(keep).map(optionDefinition) };
}

/** The body PUT to the guild commands endpoint: a bulk overwrite, so repeating it is harmless. */
export function checkinCommandDefinition(): RESTPostAPIChatInputApplicationCommandsJSONBody {
  return {
    type: ApplicationCommandType.ChatInput,
    name: COMMAND_NAME,
    description: "Alliance check-ins",
    options: SUBCOMMANDS.map((sub) => subcommandDefinition(sub, () => true)),
    contexts: [InteractionContextType.Guild],
  };
}

/**
 * The global command PUT to the application commands endpoint: `/checkin` in the bot DM only
 * (context BotDM, for the app installed to a server), with the DM subcommands. The guild command
 * above stays the one shown in servers. The engine finds the practice a DM command is for.
 */
export function checkinDmCommandDefinition(): RESTPostAPIChatInputApplicationCommandsJSONBody {
  const dm = new Set<string>(DM_SUBCOMMANDS);
  return {
    type: ApplicationCommandType.ChatInput,
    name: COMMAND_NAME,
    description: "Alliance check-ins: your own check-ins and data",
    options: SUBCOMMANDS.filter((sub) => dm.has(sub.name)).map((sub) => subcommandDefinition(sub, (option) => option.kind !== "user")),
    integration_types: [ApplicationIntegrationType.GuildInstall],
    contexts: [InteractionContextType.BotDM],
  };
}

/** A submitted option as Discord sends it (name + primitive value). */
export interface SubmittedOption {
  name: string;
  value?: string | number | boolean;
}

/**
 * Turns a subcommand and its options into the shared grammar text, e.g.
 * `enroll <@1> <@2> tue 17:00 50m tz=Europe/Bucharest`. Unknown subcommands pass through by name so
 * the core answers with its own "unknown command" help.
 */
export function commandText(subcommand: string, submitted: readonly SubmittedOption[]): string {
  const spec = SUBCOMMANDS.find((sub) => sub.name === subcommand);
  if (!spec) return subcommand;
  const parts: string[] = [subcommand];
  for (const option of spec.options) {
    const raw = submitted.find((given) => given.name === option.name)?.value;
    if (raw === undefined || raw === null) continue;
    const value = String(raw).replace(/\s+/g, " ").trim();
    if (value === "") continue;
    if (option.kind === "user") parts.push(`<@${value}>`);
    else if (option.prefix) parts.push(`${option.prefix}${value.replace(/ /g, "")}`);
    else parts.push(value);
  }
  return parts.join(" ");
}

const MAX_CHOICES = 25;
let cachedZones: readonly string[] | null = null;

function timeZones(): readonly string[] {
  if (!cachedZones) {
    const zones = new Set(Intl.supportedValuesOf("timeZone"));
    zones.add("UTC");
    cachedZones = [...zones].sort();
  }
  return cachedZones;
}

const LOCALE_NAMES: Record<string, string> = { en: "English (en)", ro: "Română (ro)" };

function rank(values: readonly string[], typed: string): string[] {
  const needle = typed.trim().toLowerCase();
  if (!needle) return values.slice(0, MAX_CHOICES);
  const prefix = values.filter((value) => value.toLowerCase().startsWith(needle));
  const inner = values.filter((value) => !value.toLowerCase().startsWith(needle) && value.toLowerCase().includes(needle));
  return [...prefix, ...inner].slice(0, MAX_CHOICES);
}

/** Up to 25 autocomplete choices for the focused option; an empty list for anything else. */
export function autocompleteChoices(optionName: string, typed: string): APIApplicationCommandOptionChoice<string>[] {
  if (optionName === "tz") return rank(timeZones(), typed).map((zone) => ({ name: zone, value: zone }));
  if (optionName === "locale") {
    const needle = typed.trim().toLowerCase();
    return LOCALES.filter((locale) => !needle || locale.startsWith(needle) || (LOCALE_NAMES[locale] ?? "").toLowerCase().includes(needle)).map(
      (locale) => ({ name: LOCALE_NAMES[locale] ?? locale, value: locale }),
    );
  }
  return [];
}
