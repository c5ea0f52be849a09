// Ownership pre-check for button presses and comments, run before the engine records a delivery
// receipt: a press on someone else's (or a made-up) check-in or alert is refused without writing
// anything. The handlers in answers.ts check again; this only keeps refusals trace-free.
// Replies match the handlers' own refusals.

import type { EngineContext } from "./context.ts";
import type { Action } from "./actions.ts";
import type { Actor, Reply } from "../ports/inbound.ts";
import { translator } from "../i18n/index.ts";

const refused = (text: string): Reply => ({ text, refused: true });

async function checkInRefusal(ctx: EngineContext, actor: Actor, checkInId: string): Promise<Reply | null> {
  const t = translator("en");
  const found = await ctx.store.checkInContext(checkInId);
  if (!found) return refused(t("answer.unknown"));
  const { practice, client } = found;
  const owns = practice.platform === actor.platform && practice.externalId === actor.workspaceId && client.platformUserId === actor.userId;
  return owns ? null : refused(t("answer.not_yours"));
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

/** A refusal when the actor may not act on what `target` names; null when they may. */
export async function targetRefusal(ctx: EngineContext, actor: Actor, target: Action | { op: "comment_text"; checkInId: string }): Promise<Reply | null> {
  switch (target.op) {
    case "self":
      return null;
    case "alert":
      return alertRefusal(ctx, actor, target.alertId);
    default:
      return checkInRefusal(ctx, actor, target.checkInId);
  }
}
