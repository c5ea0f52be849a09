// Repair detection: an acknowledged rupture followed, within the next REPAIR_WITHIN check-ins,
// by a check-in back at the client's pre-rupture baseline is recorded as repaired and the
// therapist is told. Pure decision (isReturnToBaseline) plus the small effectful wrapper.

import type { EngineContext } from "../context.ts";
import { mention } from "../context.ts";
import type { Alert, Enrollment, Practice, RuptureThresholds, ScoredCheckIn } from "../model.ts";
import { ITEMS } from "../model.ts";
import { baselineOf, round1, total } from "../rules/baseline.ts";
import { isLowLevel } from "../rules/level.ts";
import { notifyPerson } from "../notify.ts";
import { deliverAlert } from "../alert-delivery.ts";
import { linkModeFor } from "../links.ts";

/** How many check-ins after the acknowledgement may show the return to baseline. */
export const REPAIR_WITHIN = 3;

export interface RepairDecision {
  repaired: boolean;
  /** The baseline the check-in was compared with (null: absolute rules only). */
  baseline: number | null;
}

/**
 * Decides whether `rows[0]` (newest first; the window holds it and earlier check-ins) shows a
 * return to baseline for `alert`. The caller has already found that no rupture signal fired.
 * The baseline is the mean of the check-ins before the one that opened the alert; when that one
 * has left the window (or there was none), "no rupture signal fired" is the whole test.
 */
export function isReturnToBaseline(alert: Pick<Alert, "status" | "acknowledgedAt" | "checkInId">, rows: readonly ScoredCheckIn[], thresholds: RuptureThresholds): RepairDecision {
  const current = rows[0];
  const none = { repaired: false, baseline: null };
  if (!current || alert.status !== "acknowledged" || !alert.acknowledgedAt) return none;
  const ackAt = alert.acknowledgedAt.getTime();
  const sinceAck = rows.filter((r) => r.sessionEndAt.getTime() > ackAt).length;
  if (current.sessionEndAt.getTime() <= ackAt || sinceAck > REPAIR_WITHIN) return none;
  // A standing low level fires nothing after it was reached, but it is not a repair.
  if (isLowLevel(current, thresholds)) return none;
  const opening = alert.checkInId ? rows.findIndex((r) => r.checkInId === alert.checkInId) : -1;
  const before = opening >= 0 ? rows.slice(opening + 1) : rows.filter((r) => r.sessionEndAt.getTime() <= ackAt).slice(1);
  const baseline = baselineOf(before, thresholds.baselineSize);
  if (!baseline) return { repaired: true, baseline: null };
  const backTotal = baseline.total - total(current) < thresholds.totalDrop;
  const backItems = ITEMS.every((item) => baseline.items[item] - current[item] < thresholds.itemDrop);
  return { repaired: backTotal && backItems, baseline: round1(baseline.total) };
}

/** Marks the enrollment's acknowledged alert repaired when the newest check-in is back at baseline. */
export async function detectRepair(ctx: EngineContext, enrollment: Enrollment, practice: Practice, rows: ScoredCheckIn[], known?: Alert | null): Promise<Alert | null> {
  const alert = known !== undefined ? known : await ctx.store.unresolvedAlert(enrollment.id);
  if (!alert) return null;
  const decision = isReturnToBaseline(alert, rows, practice.settings.thresholds);
  if (!decision.repaired) return null;
  const now = ctx.clock.now();
  const repaired = await ctx.store.updateAlert(alert.id, { status: "repaired", resolvedAt: now, updatedAt: now });
  await ctx.store.appendAudit({ practiceId: practice.id, actorPersonId: null, action: "alert.repair_detected", subjectPersonId: enrollment.clientId, detail: { alertId: alert.id }, createdAt: now });
  ctx.onAlertEvent?.({ action: "repaired", alert: repaired, fired: [], urgent: false });
  await deliverAlert(ctx, repaired, enrollment, practice);
  const [therapist, client] = await Promise.all([ctx.store.getPerson(enrollment.therapistId), ctx.store.getPerson(enrollment.clientId)]);
  if (therapist && client) {
    const current = rows[0] as ScoredCheckIn;
    // Link mode: no scores in the chat.
    if (linkModeFor(ctx, practice, enrollment)) await notifyPerson(ctx, practice, therapist, "link.repair_detected", { client: mention(practice.platform, client.platformUserId) });
    else
      await notifyPerson(ctx, practice, therapist, "alert.repair_detected", {
        client: mention(practice.platform, client.platformUserId),
        total: total(current),
        baseline: decision.baseline ?? "–",
      });
  }
  ctx.logger.info({ alertId: alert.id, enrollmentId: enrollment.id }, "rupture repair detected");
  return repaired;
}
