// Alert follow-ups: one reminder to the therapist when an alert stays unacknowledged for
// ALERT_REMIND_AFTER, one escalation to the practice admins after ALERT_ESCALATE_AFTER. Both
// are skipped while the alert is snoozed and are claimed in the store so that several
// processes never send the same follow-up twice.

import type { EngineContext } from "../context.ts";
import { formatLocalDateTime, localeFor, mention } from "../context.ts";
import type { Alert } from "../model.ts";
import { encodeAction } from "../../ports/action-ids.ts";
import { notifyAdmins } from "../notify.ts";
import { translate } from "../../i18n/index.ts";
import { errorCode } from "../dispatch.ts";

const BATCH = 100;

async function remind(ctx: EngineContext, alert: Alert): Promise<boolean> {
  const enrollment = await ctx.store.getEnrollment(alert.enrollmentId);
  const practice = enrollment ? await ctx.store.getPractice(enrollment.practiceId) : null;
  if (!enrollment || !practice) return false;
  const [therapist, client] = await Promise.all([ctx.store.getPerson(enrollment.therapistId), ctx.store.getPerson(enrollment.clientId)]);
  const platform = ctx.platform(practice.platform);
  if (!therapist || !client || !platform) return false;
  const locale = localeFor(practice, therapist);
  const text = translate(locale, "alert.reminder", {
    client: mention(practice.platform, client.platformUserId),
    since: formatLocalDateTime(alert.createdAt, enrollment.timeZone, locale),
  });
  const result = await platform.sendDirect(
    { workspaceId: practice.externalId, userId: therapist.platformUserId },
    {
      kind: "notice",
      text,
      buttons: [
        { actionId: encodeAction({ op: "alert", alertId: alert.id, change: "ack" }), label: translate(locale, "alert.ack"), style: "primary" },
        { actionId: encodeAction({ op: "alert", alertId: alert.id, change: "snooze" }), label: translate(locale, "alert.snooze") },
      ],
    },
  );
  if (!result.ok) ctx.logger.warn({ alertId: alert.id, code: result.code }, "alert reminder not delivered");
  return result.ok;
}

async function escalate(ctx: EngineContext, alert: Alert, hours: number): Promise<boolean> {
  const enrollment = await ctx.store.getEnrollment(alert.enrollmentId);
  const practice = enrollment ? await ctx.store.getPractice(enrollment.practiceId) : null;
  if (!enrollment || !practice) return false;
  const [therapist, client] = await Promise.all([ctx.store.getPerson(enrollment.therapistId), ctx.store.getPerson(enrollment.clientId)]);
  // Admins get who and how long, never the reasons: those are for the treating therapist.
  await notifyAdmins(ctx, practice, "alert.escalated", {
    client: mention(practice.platform, client?.platformUserId ?? "?"),
    therapist: mention(practice.platform, therapist?.platformUserId ?? "?"),
    hours,
  });
  await ctx.store.appendAudit({ practiceId: practice.id, actorPersonId: null, action: "alert.escalated", subjectPersonId: enrollment.clientId, detail: { alertId: alert.id, hours }, createdAt: ctx.clock.now() });
  return true;
}

/** Sends due reminders and escalations; returns how many of each went out. */
export async function sendAlertFollowUps(ctx: EngineContext): Promise<{ reminders: number; escalations: number }> {
  const now = ctx.clock.now();
  const { alertRemindAfterMs, alertEscalateAfterMs } = ctx.options;
  let reminders = 0;
  let escalations = 0;
  for (const alert of await ctx.store.claimAlertFollowUps("remind", new Date(now.getTime() - alertRemindAfterMs), now, BATCH)) {
    try {
      if (await remind(ctx, alert)) reminders++;
    } catch (error) {
      ctx.logger.error({ alertId: alert.id, err: errorCode(error) }, "alert reminder failed");
    }
  }
  const hours = Math.round(alertEscalateAfterMs / 3600_000);
  for (const alert of await ctx.store.claimAlertFollowUps("escalate", new Date(now.getTime() - alertEscalateAfterMs), now, BATCH)) {
    try {
      if (await escalate(ctx, alert, hours)) escalations++;
    } catch (error) {
      ctx.logger.error({ alertId: alert.id, err: errorCode(error) }, "alert escalation failed");
    }
  }
  return { reminders, escalations };
}
