// Whether the bot can reach a client, learnt from sends and kept honest: a client the platform
// says cannot get DMs is marked unreachable (therapist and admins told once); scheduled check-ins
// keep trying with a back-off, `/checkin now` always tries, and any send that works, or anything
// the client does, clears the mark (therapist and admins told once that they are reachable again).
// Failures on the bot's side (token, permissions, payload) never mark a client: admins are told
// once per problem, and the check-in keeps its retries.

import type { EngineContext } from "./context.ts";
import { mention } from "./context.ts";
import type { CheckIn, Enrollment, Person, Practice } from "./model.ts";
import { notifyAdmins, notifyPerson } from "./notify.ts";

const HOUR = 3600_000;
const WEEK = 7 * 24 * HOUR;

/**
 * How long scheduled check-ins wait after the n-th unreachable send in a row: the next one is
 * tried; after the second failure one week is skipped, after the third three, then four at most.
 */
export function unreachableBackoffMs(failures: number): number {
  const weeks = Math.min(4, 2 ** Math.max(0, failures - 1) - 1);
  return weeks * WEEK + HOUR;
}

/** A scheduled check-in is not attempted while the back-off runs; `/checkin now` always is (it also lifts the back-off). */
export function holdForBackoff(client: Person, checkIn: CheckIn, now: Date): boolean {
  if (!client.undeliverableAt || checkIn.kind === "now") return false;
  return Boolean(client.unreachableRetryAt && client.unreachableRetryAt > now);
}

async function tellTherapistAndAdmins(ctx: EngineContext, practice: Practice, enrollment: Enrollment | null, key: "notice.delivery_failed" | "notice.reachable_again", params: Record<string, string>): Promise<void> {
  const therapist = enrollment ? await ctx.store.getPerson(enrollment.therapistId) : null;
  if (therapist) await notifyPerson(ctx, practice, therapist, key, params);
  await notifyAdmins(ctx, practice, key, params);
}

/** The platform said this person cannot get the bot's DMs. */
export async function markUnreachable(ctx: EngineContext, practice: Practice, enrollment: Enrollment, client: Person, code: string): Promise<void> {
  const now = ctx.clock.now();
  const failures = (client.undeliverableAt ? (client.unreachableFailures ?? 0) : 0) + 1;
  await ctx.store.updatePerson(client.id, {
    undeliverableAt: client.undeliverableAt ?? now,
    undeliverableCode: code,
    unreachableFailures: failures,
    unreachableRetryAt: new Date(now.getTime() + unreachableBackoffMs(failures)),
  });
  if (!client.undeliverableAt) {
    await tellTherapistAndAdmins(ctx, practice, enrollment, "notice.delivery_failed", { client: mention(practice.platform, client.platformUserId), code });
  }
}

/** The client was reached (a send worked) or acted: clear the mark and say so once. */
export async function markReachable(ctx: EngineContext, practice: Practice, client: Person): Promise<void> {
  if (!client.undeliverableAt) return;
  await ctx.store.updatePerson(client.id, { undeliverableAt: null, undeliverableCode: null, unreachableFailures: 0, unreachableRetryAt: null });
  const enrollment = await ctx.store.currentEnrollmentForClient(client.id);
  await tellTherapistAndAdmins(ctx, practice, enrollment, "notice.reachable_again", { client: mention(practice.platform, client.platformUserId) });
}

/** A bot-side failure (misconfigured, payload rejected): admins are told once per problem. */
export async function reportBotIssue(ctx: EngineContext, practice: Practice, client: Person, code: string): Promise<void> {
  if (practice.sendIssueCode === code) return;
  await ctx.store.updatePractice(practice.id, { sendIssueCode: code, sendIssueAt: ctx.clock.now() });
  await notifyAdmins(ctx, practice, "notice.bot_issue", { client: mention(practice.platform, client.platformUserId), code });
}

/** A send worked: a bot-side problem admins were told about is over. */
export async function clearBotIssue(ctx: EngineContext, practice: Practice): Promise<void> {
  if (practice.sendIssueCode) await ctx.store.updatePractice(practice.id, { sendIssueCode: null, sendIssueAt: null });
}
