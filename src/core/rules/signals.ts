// Rupture signals: each one a small, pure, independently testable function of the client's
// recent history. The live engine (src/core/alerts.ts) and the back-testing tool
// (src/evaluate) both call evaluateSignals, so what the tool reports is what the bot would do.
//
// Absolute rules look at the current check-in only and fire from the first check-in. Relative
// rules compare with the client's own history and stay silent during the cold start (fewer than
// COLD_START earlier answered check-ins). Crisis language is not a rupture signal: it is screened
// on every comment, independent of thresholds (src/core/rules/crisis.ts).

import type { FiredSignal, RuptureThresholds, ScoredCheckIn } from "../model.ts";
import { ITEMS } from "../model.ts";
import { baselineOf, COLD_START, reliableChange, round1, round2, total } from "./baseline.ts";
import { findMarkers } from "./lexicon.ts";

export { total } from "./baseline.ts";

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

/** Any of goal/task/bond at or below the threshold (default ≤ 2). Absolute. */
export const lowItem: RuptureSignal = ({ current, thresholds }) =>
  ITEMS.filter((item) => current[item] <= thresholds.lowItem).map((item) => ({
    code: "low_item",
    params: { item, value: current[item], threshold: thresholds.lowItem },
  }));

/** Total strictly below the threshold (default < 12 of 15). Absolute. */
export const lowTotal: RuptureSignal = ({ current, thresholds }) => {
  const sum = total(current);
  return sum < thresholds.lowTotal ? [{ code: "low_total", params: { total: sum, threshold: thresholds.lowTotal } }] : [];
};

/** Total ≥ totalDrop below the baseline (mean of the last 3–baselineSize), or one item ≥ itemDrop below its own. */
export const dropFromBaseline: RuptureSignal = ({ current, history, thresholds }) => {
  const baseline = baselineOf(history, thresholds.baselineSize);
  if (!baseline) return [];
  const fired: FiredSignal[] = [];
  const now = total(current);
  if (baseline.total - now >= thresholds.totalDrop) {
    fired.push({ code: "drop_total", params: { total: now, baseline: round1(baseline.total), count: baseline.count } });
  }
  for (const item of ITEMS) {
    if (baseline.items[item] - current[item] >= thresholds.itemDrop) {
      fired.push({ code: "drop_item", params: { item, value: current[item], baseline: round1(baseline.items[item]), count: baseline.count } });
    }
  }
  return fired;
};

/** The drop from the client's usual total exceeds the Reliable Change Index threshold (needs ≥ 5 earlier). */
export const reliableDrop: RuptureSignal = ({ current, history, thresholds }) => {
  const now = total(current);
  const rc = reliableChange(now, history, thresholds.rciZ, thresholds.rciSdFloor);
  if (!rc || rc.index < thresholds.rciZ) return [];
  return [{ code: "reliable_drop", params: { total: now, mean: round1(rc.mean), rci: round2(rc.index), z: thresholds.rciZ, minDrop: round1(rc.minDrop), count: rc.count } }];
};

/** The total fell `declineSteps` times in a row (default three consecutive decreases). */
export const decline: RuptureSignal = ({ current, history, thresholds }) => {
  const steps = thresholds.declineSteps;
  if (history.length < Math.max(COLD_START, steps)) return [];
  const totals = [current, ...history.slice(0, steps)].map(total);
  for (let i = 0; i < steps; i++) if (!((totals[i] as number) < (totals[i + 1] as number))) return [];
  const path = totals.slice().reverse();
  return [{ code: "decline", params: { steps, path: path.join(" → "), from: path[0] as number, to: path[steps] as number } }];
};

/** Tension reported and not talked through ("no"; or "partly" after a clear "yes"). Absolute. */
export const tensionUnresolved: RuptureSignal = ({ current }) => {
  const { tension, talkedThrough } = current;
  if (!tension || tension === "no" || !talkedThrough) return [];
  const unresolved = talkedThrough === "no" || (talkedThrough === "partly" && tension === "yes");
  return unresolved ? [{ code: "tension", params: { tension, talked: talkedThrough } }] : [];
};

/** Confrontation or withdrawal language in the comment (Safran & Muran markers), negation-aware. Absolute. */
export const commentMarkers: RuptureSignal = ({ current }) => {
  if (!current.comment) return [];
  const seen = new Set<string>();
  const fired: FiredSignal[] = [];
  for (const match of findMarkers(current.comment)) {
    if (match.category === "crisis" || seen.has(match.category)) continue;
    seen.add(match.category);
    // Only the category: the lexicon's wording is not the client's, so it is never quoted to the therapist.
    fired.push({ code: "comment_marker", params: { category: match.category } });
  }
  return fired;
};

export const RUPTURE_SIGNALS: readonly RuptureSignal[] = [lowItem, lowTotal, dropFromBaseline, reliableDrop, decline, tensionUnresolved, commentMarkers];

/** Runs every signal on the bounded window; only the first HISTORY_WINDOW history entries are ever read. */
export function evaluateSignals(ctx: SignalContext, signals: readonly RuptureSignal[] = RUPTURE_SIGNALS): FiredSignal[] {
  const bounded = { ...ctx, history: ctx.history.slice(0, HISTORY_WINDOW) };
  return signals.flatMap((signal) => signal(bounded));
}
