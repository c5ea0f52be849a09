// Turns fired signals into the enrollment's single unresolved alert and keeps the therapist's
// alert message in step with it. New non-urgent signals edit the existing message (no second
// DM); an alert that becomes urgent is sent afresh so the therapist is notified, snoozed or not.

import type { EngineContext } from "./context.ts";
import type { Alert, Enrollment, FiredSignal, Practice, ScoredCheckIn } from "./model.ts";
import { evaluateSignals, HISTORY_WINDOW } from "./rules/signals.ts";
import { withdrawalSignals, WITHDRAWAL_WINDOW } from "./rules/withdrawal.ts";
import type { ClosedOutcome, WithdrawalTrigger } from "./rules/withdrawal.ts";
import { deliverAlert } from "./alert-delivery.ts";
import { detectRepair } from "./loop/repair.ts";
import type { EvaluationInputs, ScoredRow } from "../ports/checkin-store.ts";

/** The rules' view of a stored row: the same fields, with the comment decrypted (or null). */
export function toScored(row: ScoredRow, comment: string | null): ScoredCheckIn {
  // Field by field: a rest copy costs several times more, on every completed response.
  const { checkInId, sessionEndAt, goal, task, bond, tension, talkedThrough } = row;
  return { checkInId, sessionEndAt, goal, task, bond, tension, talkedThrough, comment };
}

/**
 * Merges new findings into existing ones: same code and item/category replaces, others are kept.
 * `replacing`: the check-in the findings were evaluated from; everything that check-in
 * contributed before is dropped first, so a corrected answer leaves no stale reason behind.
 */
export function mergeSignals(existing: FiredSignal[], fresh: FiredSignal[], replacing?: string): FiredSignal[] {
  const key = (s: FiredSignal) => `${s.code}:${s.params.item ?? s.params.category ?? ""}`;
  const kept = replacing === undefined ? existing : existing.filter((s) => s.checkInId !== replacing);
  const merged = new Map(kept.map((s) => [key(s), s]));
  for (const s of fresh) merged.set(key(s), s);
  return [...merged.values()];
}

/** How many completed check-ins evaluation reads: the current one and HISTORY_WINDOW earlier ones. */
export const EVALUATION_LIMIT = HISTORY_WINDOW + 1;

/**
 * Evaluates the rupture signals for a just-completed check-in on a bounded window (the check-in
 * and at most HISTORY_WINDOW earlier ones), then raises/updates the alert, or records a repair.
 */
export async function evaluateCheckIn(
  ctx: EngineContext,
  enrollment: Enrollment,
  practice: Practice,
  checkInId: string,
  /** The inputs, when the write that completed the check-in read them already (EVALUATION_LIMIT). */
  inputs?: EvaluationInputs | null,
): Promise<Alert | null> {
  // Both are needed whatever the rules decide, so they are read together.
  const { history: rows, unresolved } = inputs ?? (await ctx.store.evaluationInputs(enrollment.id, EVALUATION_LIMIT));
  const index = rows.findIndex((row) => row.checkInId === checkInId);
  if (index < 0) return null;
  const currentRow = rows[index] as ScoredRow;
  const comment = currentRow.commentCipher && currentRow.commentKeyId ? ctx.cipher.decrypt(currentRow.commentCipher, currentRow.commentKeyId) : null;
  const current = toScored(currentRow, comment);
  const history = rows.slice(index + 1).map((row) => toScored(row, null));
  const fired = evaluateSignals({ current, history, thresholds: practice.settings.thresholds }).map((s) => ({ ...s, checkInId }));
  // A re-evaluation (the client corrected an answer) replaces what this check-in contributed to
  // the alert, even when nothing fires any more.
  const contributed = unresolved?.signals.some((s) => s.checkInId === checkInId) ?? false;
  if (fired.length > 0 || contributed) {
    return raiseAlert(ctx, enrollment, practice, checkInId, fired, "normal", { unresolved, recent: rows, replaces: checkInId });
  }
  // A quiet check-in may close an acknowledged rupture (only the newest check-in counts).
  if (index === 0) await detectRepair(ctx, enrollment, practice, rows.map((row) => toScored(row, null)), unresolved);
  return null;
}

/** Evaluates withdrawal after check-ins expired or the client stopped/paused; raises the alert if it fires. */
export async function evaluateWithdrawal(ctx: EngineContext, enrollment: Enrollment, practice: Practice, trigger: WithdrawalTrigger): Promise<Alert | null> {
  const closed = await ctx.store.recentClosedCheckIns(enrollment.id, WITHDRAWAL_WINDOW);
  const scored = trigger.kind === "expired" ? [] : await ctx.store.recentScored(enrollment.id, 1);
  const recent: ClosedOutcome[] = closed.map((c) => {
    const row = scored.find((s) => s.checkInId === c.id);
    return { status: c.status, sessionEndAt: c.sessionEndAt, scores: row ? { goal: row.goal, task: row.task, bond: row.bond } : null };
  });
  const fired = withdrawalSignals({ recent, trigger, thresholds: practice.settings.thresholds });
  if (fired.length === 0) return null;
  return raiseAlert(ctx, enrollment, practice, null, fired, "normal");
}

/**
 * Creates the enrollment's alert, or folds new signals into the unresolved one, and delivers it.
 * With `known.replaces` (a check-in's re-evaluation), that check-in's earlier signals are replaced;
 * when no signal is left at all, the alert rested only on that check-in and is withdrawn.
 * Null when there was no alert and nothing fired.
 */
export async function raiseAlert(
  ctx: EngineContext,
  enrollment: Enrollment,
  practice: Practice,
  checkInId: string | null,
  fired: FiredSignal[],
  severity: Alert["severity"],
  /** What the caller read moments ago: the enrollment's unresolved alert, its newest completed responses. */
  known: { unresolved?: Alert | null; recent?: ScoredRow[]; replaces?: string } = {},
): Promise<Alert | null> {
  const now = ctx.clock.now();
  const becameUrgent = severity === "urgent";
  // Read, merge, compare-and-set; a concurrent evaluation makes us re-read and merge again.
  for (let round = 0; round < 10; round++) {
    // A stale first read is harmless: creating and updating are both compare-and-set.
    const existing = round === 0 && known.unresolved !== undefined ? known.unresolved : await ctx.store.unresolvedAlert(enrollment.id);
    if (!existing) {
      if (fired.length === 0) return null;
      const created = await ctx.store.createAlert({ enrollmentId: enrollment.id, checkInId, severity, signals: fired, createdAt: now });
      if (!created) continue; // another evaluation created it a moment ago: merge into that one
      ctx.logger.info({ alertId: created.id, enrollmentId: enrollment.id, signals: fired.map((s) => s.code), updated: false }, "rupture alert raised");
      ctx.onAlertEvent?.({ action: "opened", alert: created, fired, urgent: becameUrgent });
      await deliverAlert(ctx, created, enrollment, practice, { recent: known.recent });
      return created;
    }
    const merged = mergeSignals(existing.signals, fired, known.replaces);
    if (merged.length === 0) {
      const withdrawn = await withdrawAlert(ctx, existing, enrollment, practice, known.replaces ?? null, known.recent);
      if (!withdrawn) continue;
      return withdrawn;
    }
    if (!becameUrgent && JSON.stringify(merged) === JSON.stringify(existing.signals)) {
      // Nothing new (e.g. the client answered the tension question after the scores): leave the
      // therapist's message alone rather than re-sending an identical edit.
      return existing;
    }
    const alert = await ctx.store.updateAlertIfSignals(existing.id, existing.signals, {
      signals: merged,
      // The check-in that opened the alert is kept: repair detection measures from it.
      checkInId: existing.checkInId ?? checkInId,
      severity: existing.severity === "urgent" || becameUrgent ? "urgent" : "normal",
      updatedAt: now,
    });
    if (!alert) continue;
    ctx.logger.info({ alertId: alert.id, enrollmentId: enrollment.id, signals: fired.map((s) => s.code), updated: true }, "rupture alert raised");
    ctx.onAlertEvent?.({ action: "updated", alert, fired, urgent: becameUrgent });
    await deliverAlert(ctx, alert, enrollment, practice, { fresh: becameUrgent, recent: known.recent });
    return alert;
  }
  throw new Error("alert kept changing under concurrent evaluations");
}

/**
 * Withdraws an alert none of whose signals holds any more (compare-and-set on its signals; null
 * when they changed meanwhile). The therapist's message is edited to say so, without scores,
 * and `alert.withdrawn` goes to the audit log. A withdrawn alert is no rupture episode: `trend`
 * does not list it, as the back-test over the corrected answers raises none.
 */
async function withdrawAlert(
  ctx: EngineContext,
  existing: Alert,
  enrollment: Enrollment,
  practice: Practice,
  checkInId: string | null,
  recent?: ScoredRow[],
): Promise<Alert | null> {
  const now = ctx.clock.now();
  const alert = await ctx.store.updateAlertIfSignals(existing.id, existing.signals, { signals: [], status: "withdrawn", resolvedAt: now, updatedAt: now });
  if (!alert) return null;
  await ctx.store.appendAudit({
    practiceId: practice.id,
    actorPersonId: null,
    action: "alert.withdrawn",
    subjectPersonId: enrollment.clientId,
    detail: { alertId: alert.id, checkInId },
    createdAt: now,
  });
  ctx.logger.info({ alertId: alert.id, enrollmentId: enrollment.id }, "rupture alert withdrawn after corrected answers");
  ctx.onAlertEvent?.({ action: "withdrawn", alert, fired: [], urgent: false });
  // A message the therapist never received is not sent now just to say it no longer applies.
  if (alert.platformMessageId) await deliverAlert(ctx, alert, enrollment, practice, { recent });
  return alert;
}
