// The client's own baseline and variability, from a bounded window of answered check-ins.
// See docs/rupture-detection.md for the formulas.

import type { Item, ScoredCheckIn } from "../model.ts";

/** Fewer answered check-ins than this before the current one = cold start: only absolute rules fire. */
export const COLD_START = 3;
/** The reliable-drop test needs at least this many earlier answered check-ins. */
export const RCI_MIN_HISTORY = 5;

export const total = (c: Pick<ScoredCheckIn, Item>): number => c.goal + c.task + c.bond;

const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;

/** Rounds for display and storage (one decimal, or two for an index). */
export const round1 = (value: number): number => Math.round(value * 10) / 10;
export const round2 = (value: number): number => Math.round(value * 100) / 100;

export interface Baseline {
  /** How many earlier check-ins it averages (3..baselineSize). */
  count: number;
  total: number;
  items: Record<Item, number>;
}

/** Mean of the last `size` answered check-ins (history is newest first); null during cold start. */
export function baselineOf(history: readonly ScoredCheckIn[], size: number): Baseline | null {
  const window = history.slice(0, Math.max(COLD_START, size));
  if (window.length < COLD_START) return null;
  return {
    count: window.length,
    total: mean(window.map(total)),
    items: { goal: mean(window.map((c) => c.goal)), task: mean(window.map((c) => c.task)), bond: mean(window.map((c) => c.bond)) },
  };
}

export interface ReliableChange {
  /** Earlier check-ins used (≥ RCI_MIN_HISTORY). */
  count: number;
  mean: number;
  /** Sample standard deviation of the earlier totals. */
  sd: number;
  /** max(sd, floor): the variability actually used. */
  sdUsed: number;
  /** (mean − total) / (sdUsed · √(1 + 1/n)); positive = below the client's usual. */
  index: number;
  /** Smallest drop in points that counts as reliable: z · sdUsed · √(1 + 1/n). */
  minDrop: number;
}

/**
 * Reliable change of the current total against the client's own history (Jacobson & Truax's
 * RCI, with the client's own session-to-session SD as the error term and the standard error of
 * a new observation around a mean of n). Null with fewer than RCI_MIN_HISTORY check-ins.
 */
export function reliableChange(currentTotal: number, history: readonly ScoredCheckIn[], z: number, sdFloor: number): ReliableChange | null {
  if (history.length < RCI_MIN_HISTORY) return null;
  const totals = history.map(total);
  const n = totals.length;
  const m = mean(totals);
  const sd = Math.sqrt(totals.reduce((sum, t) => sum + (t - m) ** 2, 0) / (n - 1));
  const sdUsed = Math.max(sd, sdFloor);
  const spread = sdUsed * Math.sqrt(1 + 1 / n);
  return { count: n, mean: m, sd, sdUsed, index: (m - currentTotal) / spread, minDrop: z * spread };
}

export const median = (values: readonly number[]): number => {
  const sorted = values.slice().sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

export const sampleSd = (values: readonly number[]): number => {
  if (values.length < 2) return 0;
  const m = mean(values as number[]);
  return Math.sqrt(values.reduce((sum, v) => sum + (v - m) ** 2, 0) / (values.length - 1));
};

/** During the cold start (3–4 earlier check-ins) the SD floor is raised by this factor. */
export const COLD_START_SD_FACTOR = 1.25;

export interface AnchoredDrop {
  /** Earlier check-ins in the window (3..HISTORY_WINDOW). */
  count: number;
  /** max(median of the last baselineSize, median of the whole window): does not sink with a decline. */
  anchor: number;
  /** The client's own SD over the window, and the spread actually used (floored). */
  sd: number;
  sdUsed: number;
  /** Smallest drop that fires: max(minPoints, z · sdUsed · √(1 + 1/n)). */
  minDrop: number;
  /** anchor − current (positive = below). */
  drop: number;
}

/**
 * A drop measured against the client's own variability, for one series (the total or one item;
 * `history` newest first, already bounded). The anchor is the higher of two medians, the recent
 * one (last `size`) and the window's, so a single bad week does not lower it and a slow decline
 * cannot drag it down with it; an improvement lifts it at once. The spread is the client's own
 * sample SD, floored (more during the cold start), with the same √(1 + 1/n) as the RCI.
 */
export function anchoredDrop(
  currentValue: number,
  values: readonly number[],
  opts: { size: number; z: number; sdFloor: number; minPoints: number },
): AnchoredDrop | null {
  if (values.length < COLD_START) return null;
  const n = values.length;
  const anchor = Math.max(median(values.slice(0, Math.max(COLD_START, opts.size))), median(values));
  const sd = sampleSd(values);
  const floor = n < RCI_MIN_HISTORY ? opts.sdFloor * COLD_START_SD_FACTOR : opts.sdFloor;
  const sdUsed = Math.max(sd, floor);
  const minDrop = Math.max(opts.minPoints, opts.z * sdUsed * Math.sqrt(1 + 1 / n));
  return { count: n, anchor, sd, sdUsed, minDrop, drop: anchor - currentValue };
}
