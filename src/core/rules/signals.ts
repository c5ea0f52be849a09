// Rupture signals: each one a small, pure, independently testable function of the client's
// recent history. The live engine (src/core/alerts.ts) and the back-testing tool
// (src/evaluate) both call evaluateSignals, so what the tool reports is what the bot would do.
//
// Level rules (low item, low total) fire from the first check-in, when the low level is reached
// and again only when it gets worse (./level.ts). Event rules compare with the client's own
// history and stay silent during the cold start (fewer than COLD_START earlier answered
// check-ins); tension and comment markers look at the current check-in only. Crisis language is not a rupture signal: it is screened
// on every comment, independent of thresholds (src/core/rules/crisis.ts).

import type { FiredSignal, RuptureThresholds, ScoredCheckIn } from "../model.ts";
import { ITEMS } from "../model.ts";
import { anchoredDrop, COLD_START, median, reliableChange, round1, round2, total } from "./baseline.ts";
import { isLowItem, isLowTotal, LEVEL_BORDERLINE, lowEpisode, WORSE_BY } from "./level.ts";
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

/**
 * Any of goal/task/bond at or below the threshold (default ≤ 2). A level (see ./level.ts): fires
 * when the item first reaches it ("reached"), or when it is lower than at any point of the
 * standing low-level episode ("worse"); otherwise the low level is a standing status, not an alert.
 */
export const lowItem: RuptureSignal = ({ current, history, thresholds }) => {
  const episode = lowEpisode(history, thresholds);
  const fired: FiredSignal[] = [];
  for (const item of ITEMS) {
    if (!isLowItem(current, item, thresholds)) continue;
    const before = episode.filter((c) => isLowItem(c, item, thresholds));
    const lowest = before.length ? Math.min(...before.map((c) => c[item])) : null;
    if (lowest !== null && current[item] >= lowest) continue;
    fired.push({
      code: "low_item",
      params: lowest === null ? { item, value: current[item], threshold: thresholds.lowItem, level: "reached" } : { item, value: current[item], threshold: thresholds.lowItem, level: "worse", lowest },
    });
  }
  return fired;
};

/**
 * Total strictly below the threshold (default < 12 of 15). A level, like lowItem, with the
 * measurement error of the total in mind (about one point): a total just one point under the
 * threshold reaches the level only when it is the second low total of the episode; a clearly
 * low one (two or more under) at once. Once reached, it alerts again only when the total is
 * WORSE_BY points below the lowest of the episode.
 */
export const lowTotal: RuptureSignal = ({ current, history, thresholds }) => {
  if (!isLowTotal(current, thresholds)) return [];
  const sum = total(current);
  const before = lowEpisode(history, thresholds).filter((c) => isLowTotal(c, thresholds));
  const clearly = (t: number) => t < thresholds.lowTotal - LEVEL_BORDERLINE;
  const wasReached = before.length >= 2 || before.some((c) => clearly(total(c)));
  if (!wasReached) {
    return clearly(sum) || before.length >= 1 ? [{ code: "low_total", params: { total: sum, threshold: thresholds.lowTotal, level: "reached" } }] : [];
  }
  const lowest = Math.min(...before.map(total));
  return sum <= lowest - WORSE_BY ? [{ code: "low_total", params: { total: sum, threshold: thresholds.lowTotal, level: "worse", lowest } }] : [];
};

/**
 * A drop beyond the client's own variability (see anchoredDrop): the total is at least
 * max(total_drop, rci_z · s* · √(1 + 1/n)) below its anchored baseline, or one item at least
 * max(item_drop, rci_z · s*ᵢ · √(1 + 1/n)) below its own (item SD floor: half the total's).
 */
export const dropFromBaseline: RuptureSignal = ({ current, history, thresholds }) => {
  if (history.length < COLD_START) return [];
  const fired: FiredSignal[] = [];
  const now = total(current);
  const opts = { size: thresholds.baselineSize, z: thresholds.rciZ };
  const t = anchoredDrop(now, history.map(total), { ...opts, sdFloor: thresholds.rciSdFloor, minPoints: thresholds.totalDrop });
  if (t && t.drop >= t.minDrop) {
    fired.push({ code: "drop_total", params: { total: now, baseline: round1(t.anchor), count: t.count, sd: round1(t.sdUsed), minDrop: round1(t.minDrop) } });
  }
  for (const item of ITEMS) {
    const d = anchoredDrop(current[item], history.map((c) => c[item]), { ...opts, sdFloor: thresholds.rciSdFloor / 2, minPoints: thresholds.itemDrop });
    if (d && d.drop >= d.minDrop) {
      fired.push({ code: "drop_item", params: { item, value: current[item], baseline: round1(d.anchor), count: d.count, minDrop: round1(d.minDrop) } });
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

/** A decline spans at least this many check-ins (two steps); a one-step fall is a drop. */
export const DECLINE_MIN_SPAN = 3;

/**
 * A decline that tolerates plateaus: over at most decline_window check-ins ending now, the total
 * never rose, fell at least twice, is now decline_fall points below where it started (or below
 * the client's usual level before it, if that is lower) and was already decline_fall − 1 below
 * at the previous check-in; it fell again at this check-in, so a plateau after the decline does
 * not re-fire. 15 → 13 → 13 → 12 is a decline of 3 over 4 check-ins.
 */
export const decline: RuptureSignal = ({ current, history, thresholds }) => {
  if (history.length < COLD_START) return [];
  const totals = [current, ...history.slice(0, thresholds.declineWindow - 1)].map(total);
  if (!((totals[0] as number) < (totals[1] as number))) return [];
  let span = 1;
  while (span < totals.length && (totals[span] as number) >= (totals[span - 1] as number)) span++;
  const run = totals.slice(0, span).reverse();
  const from = run[0] as number;
  const to = run.at(-1) as number;
  // The fall counts from the client's usual level before the decline (the median of the earlier
  // check-ins, when there are any), not from a one-off high at its start: ordinary wobble that
  // happens to run downhill from a good week is not a decline.
  const before = history.slice(span - 1).map(total);
  const start = before.length > 0 ? Math.min(from, median(before)) : from;
  // A decline, not one drop after a flat run: at least two falls, and the previous check-in was
  // already most of the way down (decline_fall − 1 points below the start).
  const falls = run.slice(1).filter((value, i) => value < (run[i] as number)).length;
  const previous = run.at(-2) as number;
  if (span < DECLINE_MIN_SPAN || falls < 2 || start - to < thresholds.declineFall || start - previous < thresholds.declineFall - 1) return [];
  return [{ code: "decline", params: { fall: from - to, count: span, path: run.join(" → "), from, to } }];
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
