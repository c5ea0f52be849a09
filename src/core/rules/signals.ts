// Rupture signals: each one a small, pure, independently testable function of the client's
// recent history. The engine evaluates every signal in RUPTURE_SIGNALS and alerts on any that fire.

import type { FiredSignal, Item, RuptureThresholds, ScoredCheckIn } from "../model.ts";
import { ITEMS } from "../model.ts";

export interface SignalContext {
  /** The check-in just completed. */
  current: ScoredCheckIn;
  /** Earlier completed check-ins of the same enrollment, newest first, bounded (see HISTORY_WINDOW). */
  history: ScoredCheckIn[];
  thresholds: RuptureThresholds;
}

/** A rupture signal: returns what fired (possibly several findings), or an empty list. */
export type RuptureSignal = (ctx: SignalContext) => FiredSignal[];

/** How many earlier check-ins a signal may look at. Keeps evaluation cost independent of history length. */
export const HISTORY_WINDOW = 10;

export const total = (c: Pick<ScoredCheckIn, Item>): number => c.goal + c.task + c.bond;

/** Any of goal/task/bond at or below the threshold (default ≤ 2). */
export const lowItem: RuptureSignal = ({ current, thresholds }) =>
  ITEMS.filter((item) => current[item] <= thresholds.lowItem).map((item) => ({
    code: "low_item",
    params: { item, value: current[item], threshold: thresholds.lowItem },
  }));

/** Total strictly below the threshold (default < 12 of 15). */
export const lowTotal: RuptureSignal = ({ current, thresholds }) => {
  const sum = total(current);
  return sum < thresholds.lowTotal ? [{ code: "low_total", params: { total: sum, threshold: thresholds.lowTotal } }] : [];
};

/** A drop from the previous completed check-in: total by ≥ totalDrop, or one item by ≥ itemDrop. */
export const dropFromPrevious: RuptureSignal = ({ current, history, thresholds }) => {
  const previous = history[0];
  if (!previous) return [];
  const fired: FiredSignal[] = [];
  const now = total(current);
  const before = total(previous);
  if (before - now >= thresholds.totalDrop) {
    fired.push({ code: "drop_total", params: { total: now, previous: before } });
  }
  for (const item of ITEMS) {
    if (previous[item] - current[item] >= thresholds.itemDrop) {
      fired.push({ code: "drop_item", params: { item, value: current[item], previous: previous[item] } });
    }
  }
  return fired;
};

export const RUPTURE_SIGNALS: readonly RuptureSignal[] = [lowItem, lowTotal, dropFromPrevious];

export function evaluateSignals(ctx: SignalContext, signals: readonly RuptureSignal[] = RUPTURE_SIGNALS): FiredSignal[] {
  const bounded = { ...ctx, history: ctx.history.slice(0, HISTORY_WINDOW) };
  return signals.flatMap((signal) => signal(bounded));
}
