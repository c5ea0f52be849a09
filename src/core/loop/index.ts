// The therapist's loop, run by the engine after each tick's dispatch: withdrawal after expired
// check-ins, alert reminders and escalations, and weekly digests. Each step logs and carries on
// when one item fails, so one bad row never stops the ticker.

import type { EngineContext } from "../context.ts";
import type { CheckIn } from "../model.ts";
import { evaluateWithdrawal } from "../alerts.ts";
import { redeliverAlerts } from "../alert-delivery.ts";
import { errorCode } from "../dispatch.ts";
import { sendAlertFollowUps } from "./follow-ups.ts";
import { sendWeeklyDigests } from "./digest.ts";

export interface LoopReport {
  withdrawalAlerts: number;
  reminders: number;
  escalations: number;
  digests: number;
  /** Alerts whose message reached the therapist on a retry. */
  redelivered: number;
}

/** Withdrawal check for every enrollment that just had a check-in expire. */
export async function withdrawalAfterExpiry(ctx: EngineContext, expired: CheckIn[]): Promise<number> {
  let raised = 0;
  const now = ctx.clock.now();
  for (const enrollmentId of new Set(expired.map((c) => c.enrollmentId))) {
    try {
      const enrollment = await ctx.store.getEnrollment(enrollmentId);
      if (!enrollment || enrollment.status === "ended") continue;
      const [practice, client] = await Promise.all([ctx.store.getPractice(enrollment.practiceId), ctx.store.getPerson(enrollment.clientId)]);
      if (!practice || !client) continue;
      const paused = enrollment.status === "paused" || (enrollment.pausedUntil !== null && enrollment.pausedUntil > now) || (client.pausedUntil !== null && client.pausedUntil > now);
      if (await evaluateWithdrawal(ctx, enrollment, practice, { kind: "expired", paused })) raised++;
    } catch (error) {
      ctx.logger.error({ enrollmentId, err: errorCode(error) }, "withdrawal check failed");
    }
  }
  return raised;
}

export async function runTherapistLoop(ctx: EngineContext, expired: CheckIn[]): Promise<LoopReport> {
  const redelivered = await redeliverAlerts(ctx);
  const withdrawalAlerts = await withdrawalAfterExpiry(ctx, expired);
  const { reminders, escalations } = await sendAlertFollowUps(ctx);
  const digests = await sendWeeklyDigests(ctx);
  return { withdrawalAlerts, reminders, escalations, digests, redelivered };
}
