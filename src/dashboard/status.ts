// The caseload's status per client: a colour and the reason behind it, in the terms of
// docs/rupture-detection.md (docs/dashboard.md explains each). Pure: entry, thresholds, time in.
//   grey  · paused: the enrollment (or the client) is paused, so nothing is expected
//   red   · an open alert (not yet acknowledged; snoozed ones stay red, with the snooze shown)
//   amber · watch: an acknowledged alert waiting for repair; the newest check-in expired
//           unanswered; a standing low level (absolute rule still met, no alert open); or a drop
//           from the client's baseline that stayed below the alert thresholds
//   green · on track (or no answers yet)

import type { RuptureThresholds, ScoredCheckIn } from "../core/model.ts";
import { ITEMS } from "../core/model.ts";
import { baselineOf, round1, total } from "../core/rules/baseline.ts";
import { standingLevel } from "../core/rules/level.ts";
import type { CaseloadEntry, ScoredPoint } from "../ports/dashboard.ts";

export type StatusColour = "red" | "amber" | "green" | "grey";

export type StatusReason = "paused" | "open_alert" | "acknowledged" | "missed" | "standing_low" | "small_drop" | "on_track" | "no_answers";

export interface CaseloadStatus {
  colour: StatusColour;
  reason: StatusReason;
  /** Numbers for the label (e.g. the baseline and the newest total for a small drop). */
  params: Record<string, string | number>;
  /** For a standing low level: when the low level began. */
  since?: Date;
}

/** Sort order of the colours: what needs attention first. */
export const COLOUR_RANK: Record<StatusColour, number> = { red: 0, amber: 1, green: 2, grey: 3 };

const asScored = (p: ScoredPoint): ScoredCheckIn => ({ ...p, comment: null });

export function caseloadStatus(entry: Pick<CaseloadEntry, "enrollment" | "client" | "alert" | "recent" | "recentOutcomes">, thresholds: RuptureThresholds, now: Date): CaseloadStatus {
  const { enrollment, client, alert, recent, recentOutcomes } = entry;
  const pausedUntil = [enrollment.pausedUntil, client.pausedUntil].find((d) => d && d > now);
  if (enrollment.status === "paused" || pausedUntil) return { colour: "grey", reason: "paused", params: {} };
  if (alert?.status === "open") return { colour: "red", reason: "open_alert", params: { signals: alert.signals.length } };
  if (alert?.status === "acknowledged") return { colour: "amber", reason: "acknowledged", params: {} };
  if (recentOutcomes[0]?.status === "expired") return { colour: "amber", reason: "missed", params: {} };
  const latest = recent[0];
  if (!latest) return { colour: "green", reason: "no_answers", params: {} };
  const latestTotal = total(latest);
  // The same standing low level `trend` and the digest show (src/core/rules/level.ts).
  const level = standingLevel(recent, thresholds);
  if (level) return { colour: "amber", reason: "standing_low", params: { total: latestTotal, count: level.count, lowest: level.lowest }, since: level.since };
  const baseline = baselineOf(recent.slice(1).map(asScored), thresholds.baselineSize);
  if (baseline) {
    const totalGap = baseline.total - latestTotal;
    const itemGap = Math.max(...ITEMS.map((item) => baseline.items[item] - latest[item]));
    if (totalGap >= 1 || itemGap >= 1) return { colour: "amber", reason: "small_drop", params: { total: latestTotal, baseline: round1(baseline.total) } };
  }
  return { colour: "green", reason: "on_track", params: {} };
}
