// zod schemas for everything that enters the engine: the inbound events every adapter builds
// from platform payloads, and the arguments of a parsed `/checkin` command. The engine checks
// both before it reads or writes anything, so a malformed payload from any adapter is refused
// with a specific reply and leaves no trace.

import { z } from "zod";
import { DELIVERIES, LOCALES, SCHEDULE_SOURCES, TALKED_THROUGH_ANSWERS, TENSION_ANSWERS } from "./model.ts";
import type { Command } from "./commands/grammar.ts";

/** Platform workspace and user ids: Slack T…/U…, Discord snowflakes, terminal handles. */
const PlatformId = z.string().regex(/^[A-Za-z0-9._@:-]{1,64}$/);

export const ActorSchema = z.object({
  platform: z.enum(["terminal", "slack", "discord"]),
  /** Null: a direct message that names no workspace; the engine resolves the practice. */
  workspaceId: PlatformId.nullable(),
  userId: PlatformId,
  isPlatformAdmin: z.boolean(),
});

const base = {
  actor: ActorSchema,
  deliveryId: z.string().min(1).max(256).optional(),
};

/**
 * Texts are only type-checked here: their length limits have specific replies of their own
 * (the grammar's "too long", the comment limit), which a schema error would hide.
 */
export const InboundEventSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("command"), ...base, text: z.string() }),
  z.object({
    type: z.literal("action"),
    ...base,
    actionId: z.string().max(200),
    messageRef: z.object({ channelId: z.string().max(128), messageId: z.string().max(128) }).optional(),
  }),
  z.object({ type: z.literal("comment"), ...base, checkInId: z.string().max(200), text: z.string() }),
  z.object({
    type: z.literal("answers"),
    ...base,
    checkInId: z.string().max(200),
    answers: z
      .object({
        goal: z.number().int().min(1).max(5).optional(),
        task: z.number().int().min(1).max(5).optional(),
        bond: z.number().int().min(1).max(5).optional(),
        tension: z.enum(TENSION_ANSWERS).optional(),
        talkedThrough: z.enum(TALKED_THROUGH_ANSWERS).optional(),
        comment: z.string().optional(),
      })
      .strict(),
  }),
]);

const PersonRefSchema = z.object({ userId: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/) });
const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
/** A weekly rule; empty when the calendar alone decides (schedule=calendar). */
const ScheduleText = z.string().max(200);

/** The arguments of every subcommand, as a second check after the grammar. */
export const CommandSchema = z.discriminatedUnion("name", [
  z.object({
    name: z.literal("enroll"),
    client: PersonRefSchema,
    therapist: PersonRefSchema,
    schedule: ScheduleText,
    timeZone: z.string().min(1).max(64).optional(),
    delay: z.string().regex(/^\d{1,5}(?:h\d{1,4}m|h|m)?$/i).optional(),
    locale: z.enum(LOCALES).optional(),
    source: z.enum(SCHEDULE_SOURCES).optional(),
    delivery: z.enum(DELIVERIES).optional(),
  }),
  z.object({ name: z.literal("schedule"), client: PersonRefSchema, schedule: ScheduleText, source: z.enum(SCHEDULE_SOURCES).optional() }),
  z.object({ name: z.literal("pause"), client: PersonRefSchema.optional(), until: IsoDate.optional() }),
  z.object({ name: z.literal("resume"), client: PersonRefSchema.optional() }),
  z.object({ name: z.literal("end"), client: PersonRefSchema }),
  z.object({ name: z.literal("skip"), client: PersonRefSchema, date: IsoDate }),
  z.object({ name: z.literal("list") }),
  z.object({ name: z.literal("settings"), key: z.string().regex(/^[a-z][a-z0-9._-]{0,63}$/).optional(), value: z.string().min(1).max(1000).optional() }), // crisis resource texts (crisis_en …) run to a few sentences
  z.object({ name: z.literal("now"), client: PersonRefSchema }),
  z.object({ name: z.literal("trend"), client: PersonRefSchema }),
  z.object({ name: z.literal("alerts") }),
  z.object({ name: z.literal("export"), client: PersonRefSchema }),
  z.object({ name: z.literal("erase"), client: PersonRefSchema, confirm: z.string().regex(/^[A-Z0-9]{6}$/).optional() }),
  z.object({ name: z.literal("audit"), client: PersonRefSchema }),
  z.object({ name: z.literal("stop") }),
  z.object({ name: z.literal("mydata") }),
  z.object({ name: z.literal("erase-me"), confirm: z.string().regex(/^[A-Z0-9]{6}$/).optional() }),
  z.object({ name: z.literal("privacy") }),
  z.object({ name: z.literal("digest"), weekday: z.number().int().min(1).max(7).optional(), time: z.string().regex(/^\d{2}:\d{2}$/).optional(), off: z.literal(true).optional() }),
  z.object({ name: z.literal("dashboard") }),
  z.object({ name: z.literal("signout") }),
  z.object({ name: z.literal("calendar"), action: z.enum(["connect", "status", "disconnect"]), url: z.string().min(1).max(2000).optional(), therapist: PersonRefSchema.optional() }),
  z.object({ name: z.literal("help"), topic: z.string().max(64).optional() }),
]);

/** The first argument of `command` that fails its schema, or null when all are valid. */
export function invalidArgument(command: Command): string | null {
  const result = CommandSchema.safeParse(command);
  if (result.success) return null;
  return String(result.error.issues[0]?.path[0] ?? "argument");
}

type SameNames<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Fails to compile when a subcommand is added to the grammar without a schema here. */
export const COMMAND_SCHEMA_COVERS_GRAMMAR: SameNames<z.infer<typeof CommandSchema>["name"], Command["name"]> = true;
