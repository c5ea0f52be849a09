// Turns fired signals into the enrollment's single unresolved alert and keeps the therapist's
// alert message in step with it. Also applies the therapist's acknowledge/repair/snooze.

import type { EngineContext } from "./context.ts";
import { localeFor } from "./context.ts";
import type { Alert, Enrollment, FiredSignal, Practice, ScoredCheckIn } from "./model.ts";
import { evaluateSignals, HISTORY_WINDOW, total } from "./rules/signals.ts";
import { buildAlertView } from "./views.ts";
import type { ScoredRow } from "../ports/checkin-store.ts";

function toScored(row: ScoredRow, comment: string | null): ScoredCheckIn {
  return {
    checkInId: row.checkInId,
    sessionEndAt: row.sessionEndAt,
    goal: row.goal,
    task: row.task,
    bond: row.bond,
    tension: row.tension,
    talkedThrough: row.talkedThrough,
    comment,
  };
}

/** Merges new findings into existing ones: same code+item replaces, others are kept. */
function mergeSignals(existing: FiredSignal[], fresh: FiredSignal[]): FiredSignal[] {
  const key = (s: FiredSignal) => `${s.code}:${s.params.item ?? ""}`;
  const merged = new Map(existing.map((s) => [key(s), s]));
  for (const s of fresh) merged.set(key(s), s);
  return [...merged.values()];
}

/** Evaluates the rupture signals for a just-completed check-in and raises/updates the alert. */
export async function evaluateCheckIn(ctx: EngineContext, enrollment: Enrollment, practice: Practice, checkInId: string): Promise<Alert | null> {
  const rows = await ctx.store.recentScored(enrollment.id, HISTORY_WINDOW + 1);
  const index = rows.findIndex((row) => row.checkInId === checkInId);
  if (index < 0) return null;
  const currentRow = rows[index] as ScoredRow;
  const comment = currentRow.commentCipher && currentRow.commentKeyId ? ctx.cipher.decrypt(currentRow.commentCipher, currentRow.commentKeyId) : null;
  const fired = evaluateSignals({
    current: toScored(currentRow, comment),
    history: rows.slice(index + 1).map((row) => toScored(row, null)),
    thresholds: practice.settings.thresholds,
  });
  if (fired.length === 0) return null;
  return raiseAlert(ctx, enrollment, practice, checkInId, fired, "normal");
}

/** Creates the enrollment's alert, or folds new signals into the unresolved one, and delivers it. */
export async function raiseAlert(
  ctx: EngineContext,
  enrollment: Enrollment,
  practice: Practice,
  checkInId: string | null,
  fired: FiredSignal[],
  severity: Alert["severity"],
): Promise<Alert> {
  const now = ctx.clock.now();
  const existing = await ctx.store.unresolvedAlert(enrollment.id);
  const alert = existing
    ? await ctx.store.updateAlert(existing.id, {
        signals: mergeSignals(existing.signals, fired),
        checkInId,
        severity: existing.severity === "urgent" || severity === "urgent" ? "urgent" : "normal",
        updatedAt: now,
      })
    : await ctx.store.createAlert({ enrollmentId: enrollment.id, checkInId, severity, signals: fired, createdAt: now });
  ctx.logger.info({ alertId: alert.id, enrollmentId: enrollment.id, signals: fired.map((s) => s.code), updated: Boolean(existing) }, "rupture alert raised");
  await deliverAlert(ctx, alert, enrollment, practice);
  return alert;
}

/** Sends the alert to the therapist, or edits the message already sent. */
export async function deliverAlert(ctx: EngineContext, alert: Alert, enrollment: Enrollment, practice: Practice): Promise<void> {
  const [therapist, client] = await Promise.all([ctx.store.getPerson(enrollment.therapistId), ctx.store.getPerson(enrollment.clientId)]);
  const platform = ctx.platform(practice.platform);
  if (!therapist || !client || !platform) return;
  const history = await ctx.store.recentScored(enrollment.id, 8);
  const totals = history.map((row) => total(row)).reverse();
  const view = buildAlertView(alert, practice.platform, client.platformUserId, totals, localeFor(practice, therapist), enrollment.timeZone);
  const to = { workspaceId: practice.externalId, userId: therapist.platformUserId };
  if (alert.platformChannelId && alert.platformMessageId) {
    const result = await platform.update(to, { channelId: alert.platformChannelId, messageId: alert.platformMessageId }, view);
    if (result.ok) return;
  }
  const result = await platform.sendDirect(to, view);
  if (result.ok) {
    await ctx.store.updateAlert(alert.id, { platformChannelId: result.ref.channelId, platformMessageId: result.ref.messageId, updatedAt: ctx.clock.now() });
  } else {
    ctx.logger.warn({ alertId: alert.id, code: result.code }, "alert not delivered");
  }
}
