// Ownership pre-check for button presses and comments, run before the engine records a delivery
// receipt: a press on someone else's (or a made-up) check-in or alert is refused without writing
// anything. The handlers in answers.ts check again; this only keeps refusals trace-free.
// Replies match the handlers' own refusals.

import type { EngineContext } from "./context.ts";
import type { Action } from "../ports/action-ids.ts";
import type { Actor, Reply } from "../ports/inbound.ts";
import type { CheckInContext } from "../ports/checkin-store.ts";
import { translator } from "../i18n/index.ts";

const refused = (text: string): Reply => ({ text, refused: true });

async function checkInAccess(ctx: EngineContext, actor: Actor, checkInId: string): Promise<TargetAccess> {
  const t = translator("en");
  const found = await ctx.store.checkInContext(checkInId);
  if (!found) return { refusal: refused(t("answer.unknown")), checkIn: null };
  const { practice, client } = found;
  const owns = practice.platform === actor.platform && practice.externalId === actor.workspaceId && client.platformUserId === actor.userId;
  return owns ? { refusal: null, checkIn: found } : { refusal: refused(t("answer.not_yours")), checkIn: null };
}

/** The outcome of the pre-check; `checkIn` is what was read, so the handler need not read it again. */
export interface TargetAccess {
  refusal: Reply | null;
  checkIn: CheckInContext | null;
}

async function alertRefusal(ctx: EngineContext, actor: Actor, alertId: string): Promise<Reply | null> {
  const t = translator("en");
  const alert = await ctx.store.getAlert(alertId);
  const enrollment = alert ? await ctx.store.getEnrollment(alert.enrollmentId) : null;
  const practice = enrollment ? await ctx.store.getPractice(enrollment.practiceId) : null;
  if (!enrollment || !practice) return refused(t("alert.unknown"));
  const samePractice = practice.platform === actor.platform && practice.externalId === actor.workspaceId;
  if (!samePractice) return refused(t("alert.not_yours"));
  if (actor.isPlatformAdmin) return null;
  const therapist = await ctx.store.getPerson(enrollment.therapistId);
  return therapist?.platformUserId === actor.userId ? null : refused(t("alert.not_yours"));
}

/** Whether the actor may act on what `target` names: a refusal, or null plus what was read. */
export async function targetAccess(ctx: EngineContext, actor: Actor, target: Action | { op: "comment_text"; checkInId: string }): Promise<TargetAccess> {
  switch (target.op) {
    case "self":
    case "in":
      return { refusal: null, checkIn: null };
    case "alert":
      return { refusal: await alertRefusal(ctx, actor, target.alertId), checkIn: null };
    default:
      return checkInAccess(ctx, actor, target.checkInId);
  }
}
