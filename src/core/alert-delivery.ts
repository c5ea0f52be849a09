// Delivers the enrollment's alert to the therapist: the first message, edits as the alert
// changes, and retries for alerts whose message never arrived. Used by the alert lifecycle
// (src/core/alerts.ts), repair detection and answer edits.

import type { EngineContext } from "./context.ts";
import { localeFor } from "./context.ts";
import type { Alert, Enrollment, Practice } from "./model.ts";
import { total } from "./rules/signals.ts";
import { buildAlertView } from "./views.ts";
import { alertLinkView, linkModeFor } from "./links.ts";
import type { ScoredRow } from "../ports/checkin-store.ts";

/** How many recent check-ins the alert's trend line shows. */
export const ALERT_TREND_LENGTH = 8;

/**
 * Sends the alert to the therapist, or edits the message already sent (`fresh` forces a new
 * message). `recent`: the enrollment's newest completed responses, newest first, as the caller
 * read them moments ago (at least ALERT_TREND_LENGTH of them, or all there are); read here if absent.
 */
export async function deliverAlert(
  ctx: EngineContext,
  alert: Alert,
  enrollment: Enrollment,
  practice: Practice,
  opts: { fresh?: boolean; recent?: ScoredRow[] } = {},
): Promise<boolean> {
  // Issued together, so they share one round trip.
  const [people, history] = await Promise.all([
    ctx.store.getPeople([enrollment.therapistId, enrollment.clientId]),
    opts.recent ?? ctx.store.recentScored(enrollment.id, ALERT_TREND_LENGTH),
  ]);
  const therapist = people.find((p) => p.id === enrollment.therapistId);
  const client = people.find((p) => p.id === enrollment.clientId);
  const platform = ctx.platform(practice.platform);
  if (!therapist || !client || !platform) return false;
  const totals = history.slice(0, ALERT_TREND_LENGTH).map((row) => total(row)).reverse();
  // Link mode: a neutral message with a signed link for this therapist; reasons and trend stay on the page.
  const links = linkModeFor(ctx, practice, enrollment);
  const view = links
    ? alertLinkView(ctx, links, alert, practice, therapist, client, localeFor(practice, therapist), enrollment.timeZone)
    : buildAlertView(alert, practice.platform, client.platformUserId, totals, localeFor(practice, therapist), enrollment.timeZone, ctx.clock.now());
  const to = { workspaceId: practice.externalId, userId: therapist.platformUserId };
  if (!opts.fresh && alert.platformChannelId && alert.platformMessageId) {
    const result = await platform.update(to, { channelId: alert.platformChannelId, messageId: alert.platformMessageId }, view);
    if (result.ok) return true;
  }
  const result = await platform.sendDirect(to, view);
  if (result.ok) {
    await ctx.store.updateAlert(alert.id, { platformChannelId: result.ref.channelId, platformMessageId: result.ref.messageId, updatedAt: ctx.clock.now() });
    return true;
  }
  ctx.logger.warn({ alertId: alert.id, code: result.code }, "alert not delivered; it will be retried");
  return false;
}

/** How long an alert whose message never arrived waits before the next delivery attempt. */
export const ALERT_REDELIVERY_MS = 60_000;

/**
 * Retries alerts whose first message never reached the therapist (rate limit, outage). A failed
 * attempt touches `updatedAt`, so each alert is tried at most once per ALERT_REDELIVERY_MS.
 */
export async function redeliverAlerts(ctx: EngineContext, limit = 100): Promise<number> {
  const now = ctx.clock.now();
  let delivered = 0;
  for (const alert of await ctx.store.undeliveredAlerts(new Date(now.getTime() - ALERT_REDELIVERY_MS), limit)) {
    try {
      const enrollment = await ctx.store.getEnrollment(alert.enrollmentId);
      const practice = enrollment ? await ctx.store.getPractice(enrollment.practiceId) : null;
      if (!enrollment || !practice) continue;
      if (await deliverAlert(ctx, alert, enrollment, practice)) delivered++;
      else await ctx.store.updateAlert(alert.id, { updatedAt: now });
    } catch (error) {
      ctx.logger.error({ alertId: alert.id, err: error instanceof Error ? error.name : "unknown" }, "alert redelivery failed");
    }
  }
  return delivered;
}
