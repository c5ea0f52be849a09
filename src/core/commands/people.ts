// People named in a command are platform accounts, never typed names. On Slack and Discord a
// person must be a real mention (`<@U…>`, `<@123…>`); a typed `@bob.new` is refused with a
// specific reply. Before `enroll` stores anyone, each person is looked up on the platform.

import type { EngineContext } from "../context.ts";
import { mention } from "../context.ts";
import type { Command, PersonRef } from "./grammar.ts";
import type { ActorContext } from "./guards.ts";
import type { Reply } from "../../ports/inbound.ts";
import type { PlatformName } from "../model.ts";
import type { Translator } from "../../i18n/index.ts";

/** Every person a command names, in order. */
export function namedPeople(command: Command): PersonRef[] {
  return Object.values(command).filter((value): value is PersonRef => typeof value === "object" && value !== null && typeof (value as PersonRef).userId === "string");
}

/** "this workspace" on Slack, "this server" on Discord, in the reader's language. */
export function placeName(t: Translator, platform: PlatformName): string {
  return t(`place.${platform}` as "place.slack");
}

/** A person typed as plain text where the platform inserts mentions: what was typed, or null. */
export function plainHandle(platform: PlatformName, command: Command, text: string): string | null {
  if (platform === "terminal") return null;
  for (const ref of namedPeople(command)) {
    const mentioned = text.includes(`<@${ref.userId}>`) || text.includes(`<@${ref.userId}|`) || text.includes(`<@!${ref.userId}>`);
    if (!mentioned) return `@${ref.userId}`.slice(0, 80);
  }
  return null;
}

/**
 * For commands that store people (`enroll`), each named person must exist on the platform now.
 * Commands about people already enrolled (end, erase, export …) must keep working for someone
 * who has since left, so they are not looked up.
 */
export async function unresolvedPersonRefusal(ctx: EngineContext, a: ActorContext, command: Command): Promise<Reply | null> {
  if (command.name !== "enroll") return null;
  const platform = ctx.platform(a.practice.platform);
  if (!platform) return null;
  for (const ref of namedPeople(command)) {
    const role = await platform.currentRole({ workspaceId: a.practice.externalId, userId: ref.userId });
    const person = mention(a.practice.platform, ref.userId);
    if (role === "absent") return { text: a.t("command.error.unknown_person", { person, place: placeName(a.t, a.practice.platform) }), refused: true };
    if (role === "unknown") return { text: a.t("command.error.person_lookup_failed", { person }), refused: true };
  }
  return null;
}
