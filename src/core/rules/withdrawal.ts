// Withdrawal: the client stops answering, or stops/pauses right after a low score. Pure: the
// caller passes the enrollment's recent closed check-ins (bounded) and what just happened.
//
// System downtime never counts: `missed_by_system` check-ins are transparent (neither counted
// nor breaking a run), and so are check-ins cancelled while paused (they never appear here —
// only answered, expired, skipped and missed_by_system are closed outcomes). While the client or
// enrollment is paused, expiries do not fire at all.

import type { CheckInStatus, FiredSignal, RuptureThresholds } from "../model.ts";
import { total } from "./baseline.ts";

/** How many closed check-ins withdrawal may look at. */
export const WITHDRAWAL_WINDOW = 10;
/** "Right after a low score": the last answered check-in ended at most this long before the stop/pause. */
export const RIGHT_AFTER_MS = 14 * 24 * 3600_000;

export interface ClosedOutcome {
  status: CheckInStatus;
  sessionEndAt: Date;
  /** Scores when answered (null otherwise). */
  scores: { goal: number; task: number; bond: number } | null;
}

export type WithdrawalTrigger =
  | { kind: "expired"; paused: boolean }
  | { kind: "stopped" | "paused"; at: Date };

export interface WithdrawalContext {
  /** Closed check-ins of the enrollment, newest first (only the first WITHDRAWAL_WINDOW are read). */
  recent: ClosedOutcome[];
  trigger: WithdrawalTrigger;
  thresholds: RuptureThresholds;
}

export function withdrawalSignals({ recent, trigger, thresholds }: WithdrawalContext): FiredSignal[] {
  const window = recent.slice(0, WITHDRAWAL_WINDOW).filter((c) => c.status !== "missed_by_system");
  if (trigger.kind === "expired") {
    if (trigger.paused) return [];
    let run = 0;
    for (const c of window) {
      if (c.status !== "expired") break;
      run++;
    }
    return run >= thresholds.missedInRow ? [{ code: "withdrawal_missed", params: { count: run } }] : [];
  }
  const last = window[0];
  if (!last || last.status !== "answered" || !last.scores) return [];
  if (trigger.at.getTime() - last.sessionEndAt.getTime() > RIGHT_AFTER_MS) return [];
  const sum = total(last.scores);
  const lowest = Math.min(last.scores.goal, last.scores.task, last.scores.bond);
  if (sum >= thresholds.lowTotal && lowest > thresholds.lowItem) return [];
  return [{ code: trigger.kind === "stopped" ? "withdrawal_stopped" : "withdrawal_paused", params: { total: sum } }];
}
