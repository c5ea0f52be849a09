// Replays a client's history through the live rule code (evaluateSignals, withdrawalSignals,
// crisisSignal — the same functions src/core/alerts.ts calls) and lists the alerts the engine
// would have raised, in order. Like the engine it keeps one unresolved alert: the first firing
// opens it, later ones update it. Therapist actions (acknowledge, repair) are not in a history
// file, so the replay never closes an alert.

import type { FiredSignal, Locale, RuptureThresholds, ScoredCheckIn } from "../core/model.ts";
import { DEFAULT_THRESHOLDS } from "../core/model.ts";
import { evaluateSignals, HISTORY_WINDOW } from "../core/rules/signals.ts";
import { withdrawalSignals, WITHDRAWAL_WINDOW } from "../core/rules/withdrawal.ts";
import type { ClosedOutcome } from "../core/rules/withdrawal.ts";
import { crisisSignal } from "../core/rules/crisis.ts";
import { explainSignal } from "../core/views.ts";
import type { HistoryRow } from "./history.ts";

export interface BacktestAlert {
  /** Where in the input: "line 7" / "entry 3". */
  where: string;
  date: string;
  action: "opened" | "updated";
  severity: "normal" | "urgent";
  signals: FiredSignal[];
  reasons: string[];
}

export interface BacktestOptions {
  thresholds?: Partial<RuptureThresholds>;
  locale?: Locale;
}

export function backtest(rows: readonly HistoryRow[], options: BacktestOptions = {}): BacktestAlert[] {
  const thresholds = { ...DEFAULT_THRESHOLDS, ...options.thresholds };
  const locale = options.locale ?? "en";
  const answered: ScoredCheckIn[] = [];
  const closed: ClosedOutcome[] = [];
  const alerts: BacktestAlert[] = [];
  let paused = false;
  const remember = <T>(list: T[], item: T, max: number) => {
    list.unshift(item);
    list.length = Math.min(list.length, max);
  };
  rows.forEach((row, index) => {
    let fired: FiredSignal[] = [];
    let urgent = false;
    if (row.status === "answered") {
      const current: ScoredCheckIn = {
        checkInId: `row${index + 1}`,
        sessionEndAt: row.date,
        goal: row.goal as number,
        task: row.task as number,
        bond: row.bond as number,
        tension: row.tension,
        talkedThrough: row.talkedThrough,
        comment: row.comment,
      };
      const crisis = crisisSignal(row.comment);
      if (crisis) urgent = true;
      fired = [...(crisis ? [crisis] : []), ...evaluateSignals({ current, history: answered, thresholds })];
      remember(answered, { ...current, comment: null }, HISTORY_WINDOW);
      remember(closed, { status: "answered", sessionEndAt: row.date, scores: { goal: current.goal, task: current.task, bond: current.bond } }, WITHDRAWAL_WINDOW);
    } else if (row.status === "expired" && paused) {
      // The live engine cancels check-ins while a client is paused, so they never count.
    } else if (row.status === "expired" || row.status === "missed_by_system" || row.status === "skipped") {
      remember(closed, { status: row.status, sessionEndAt: row.date, scores: null }, WITHDRAWAL_WINDOW);
      if (row.status === "expired") fired = withdrawalSignals({ recent: closed, trigger: { kind: "expired", paused }, thresholds });
    } else if (row.status === "paused" || row.status === "stopped") {
      fired = withdrawalSignals({ recent: closed, trigger: { kind: row.status, at: row.date }, thresholds });
      paused = true;
    } else if (row.status === "resumed") {
      paused = false;
    }
    if (fired.length === 0) return;
    alerts.push({
      where: row.where,
      date: row.date.toISOString().slice(0, 10),
      action: alerts.length === 0 ? "opened" : "updated",
      severity: urgent ? "urgent" : "normal",
      signals: fired,
      reasons: fired.map((signal) => explainSignal(signal, locale)),
    });
  });
  return alerts;
}

/** Plain-text report: one block per alert event. */
export function formatBacktest(alerts: readonly BacktestAlert[], rowCount: number): string {
  if (alerts.length === 0) return `No alerts in ${rowCount} rows.`;
  const lines = [`${alerts.length} alert event(s) in ${rowCount} rows:`];
  for (const alert of alerts) {
    lines.push(`${alert.date} (${alert.where}) ${alert.action}${alert.severity === "urgent" ? " URGENT" : ""}`);
    for (const reason of alert.reasons) lines.push(`  - ${reason}`);
  }
  return lines.join("\n");
}
