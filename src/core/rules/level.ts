// Level versus event. A persistently low alliance is a state, not a rupture: the absolute rules
// (low item, low total) alert when the level is first reached, and again only when it gets
// worse. In between, the client carries a standing status ("low since …") that `trend`, the
// digest and any other view read with standingLevel(); other signals (drop, tension, comments,
// withdrawal, crisis) keep firing as usual. Pure functions of the bounded history, so the live
// engine and the back-test agree without storing anything extra.

import type { Item, RuptureThresholds, ScoredCheckIn } from "../model.ts";
import { ITEMS } from "../model.ts";
import { total } from "./baseline.ts";

/** Up to three answered check-ins in a row above the low level do not end a standing low level; four (about a month) do. */
export const LEVEL_GAP = 3;

/** A total this many points under low_total is borderline (within measurement error): it needs a second low total. */
export const LEVEL_BORDERLINE = 2;
/** A standing low total alerts again when it is this many points below the episode's lowest. */
export const WORSE_BY = 2;

type Scores = Pick<ScoredCheckIn, Item>;
type Dated = Pick<ScoredCheckIn, Item | "sessionEndAt">;

export const isLowTotal = (c: Scores, t: RuptureThresholds): boolean => total(c) < t.lowTotal;
export const isLowItem = (c: Scores, item: Item, t: RuptureThresholds): boolean => c[item] <= t.lowItem;
export const isLowLevel = (c: Scores, t: RuptureThresholds): boolean => isLowTotal(c, t) || ITEMS.some((item) => isLowItem(c, item, t));

/**
 * The earlier check-ins (newest first) that belong to the low-level episode the current one
 * continues: scanning back, low check-ins are collected until more than LEVEL_GAP in a row are
 * not low. Empty when the client was not already at a low level.
 */
export function lowEpisode<T extends Scores>(history: readonly T[], t: RuptureThresholds): T[] {
  const episode: T[] = [];
  let gap = 0;
  for (const c of history) {
    if (isLowLevel(c, t)) {
      episode.push(c);
      gap = 0;
    } else if (++gap > LEVEL_GAP) break;
  }
  return episode;
}

export interface StandingLevel {
  /** Session end of the first check-in of the episode. */
  since: Date;
  /** Check-ins at the low level in the episode, the current one included. */
  count: number;
  /** The newest check-in's total, and the lowest total of the episode. */
  total: number;
  lowest: number;
  /** Items at or below low_item in the newest check-in. */
  lowItems: Item[];
}

/**
 * The standing low level of a client whose newest check-in (`rows[0]`, newest first) is at a
 * low level, or null. This is what `trend`, the digest and the web view show between alerts.
 */
export function standingLevel(rows: readonly Dated[], t: RuptureThresholds): StandingLevel | null {
  const current = rows[0];
  if (!current || !isLowLevel(current, t)) return null;
  const episode = [current, ...lowEpisode(rows.slice(1), t)];
  const first = episode.at(-1) as Dated;
  return {
    since: first.sessionEndAt,
    count: episode.length,
    total: total(current),
    lowest: Math.min(...episode.map((c) => total(c))),
    lowItems: ITEMS.filter((item) => isLowItem(current, item, t)),
  };
}
