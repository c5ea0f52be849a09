// The crisis safety net on every saved comment, before and independent of rupture thresholds
// and of whether the check-in is complete: a calm reply with crisis resources to the client, an
// urgent alert to the therapist, and an audit entry that holds no comment text. An explicit
// denial gets the client nothing extra and the therapist a non-urgent note.

import type { EngineContext } from "../context.ts";
import type { Enrollment, Locale, Person, Practice } from "../model.ts";
import { crisisDenialSignal, crisisResources, crisisSignal } from "../rules/crisis.ts";
import { raiseAlert } from "../alerts.ts";
import { translate } from "../../i18n/index.ts";
import { linkModeFor } from "../links.ts";

/**
 * Screens a comment the client just saved. Returns the text to show the client when it holds
 * crisis language (also sent as a direct message, so it stays in their history), else null.
 */
export async function screenCommentForCrisis(
  ctx: EngineContext,
  owned: { enrollment: Enrollment; practice: Practice; client: Person; locale: Locale },
  checkInId: string,
  comment: string,
): Promise<string | null> {
  const signal = crisisSignal(comment);
  if (!signal) {
    // An explicit denial: nothing to the client, a non-urgent note on the therapist's alert.
    const denial = crisisDenialSignal(comment);
    if (denial) {
      ctx.logger.info({ enrollmentId: owned.enrollment.id, checkInId }, "comment mentions self-harm in a denial; therapist noted");
      await raiseAlert(ctx, owned.enrollment, owned.practice, checkInId, [denial], "normal");
    }
    return null;
  }
  const { enrollment, practice, client, locale } = owned;
  const text = translate(locale, "crisis.client", { resources: crisisResources(practice, locale) });
  const now = ctx.clock.now();
  // In link mode the page shows the resources at once; the chat learns nothing about the comment.
  const sent = linkModeFor(ctx, practice, enrollment) ? null : await ctx.platform(practice.platform)?.sendDirect({ workspaceId: practice.externalId, userId: client.platformUserId }, { kind: "notice", text });
  if (sent && !sent.ok) ctx.logger.warn({ code: sent.code, enrollmentId: enrollment.id }, "crisis resources not delivered as a direct message");
  await ctx.store.appendAudit({ practiceId: practice.id, actorPersonId: null, action: "crisis.detected", subjectPersonId: client.id, detail: { checkInId, enrollmentId: enrollment.id }, createdAt: now });
  ctx.logger.warn({ enrollmentId: enrollment.id, checkInId }, "crisis language detected; resources sent and therapist alerted");
  await raiseAlert(ctx, enrollment, practice, checkInId, [signal], "urgent");
  return text;
}
