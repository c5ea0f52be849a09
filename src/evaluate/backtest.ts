// Replays a client's history through the live rule code (evaluateSignals, withdrawalSignals,
// crisisSignal, crisisDenialSignal — the same functions the live engine calls) and lists the alerts the engine
// would have raised, in order. Like the engine it keeps one unresolved alert: the first firing
// opens it, later ones update it. Therapist actions (acknowledge, repair) are not in a history
// file, so the replay never closes an alert.

import type { FiredSignal, Locale, RuptureThresholds, ScoredCheckIn } from "../core/model.ts";
import { DEFAULT_THRESHOLDS } from "../core/model.ts";
import { evaluateSignals, HISTORY_WINDOW } from "../core/rules/signals.ts";
import { withdrawalSignals, WITHDRAWAL_WINDOW } from "../core/rules/withdrawal.ts";
import type { ClosedOutcome } from "../core/rules/withdrawal.ts";
import { crisisDenialSignal, crisisSignal } from "../core/rules/crisis.ts";
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
      const denial = crisis ? null : crisisDenialSignal(row.comment);
      fired = [...(crisis ? [crisis] : []), ...(denial ? [denial] : []), ...evaluateSignals({ current, history: answered, thresholds })];
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

export interface ClientBacktest {
  client: string;
  /** Rows replayed for this client, and how many of them are check-ins (not pause/resume/stop events). */
  rows: number;
  checkIns: number;
  alerts: BacktestAlert[];
}

export interface PracticeSummary {
  clients: number;
  checkIns: number;
  alertEvents: number;
  alertsPer100CheckIns: number;
  /** Alert events each signal took part in. */
  bySignal: Record<string, number>;
  /** Urgent (crisis) events. */
  urgent: number;
  clientsWithoutAlert: number;
  shareWithoutAlert: number;
}

const EVENTS = new Set(["paused", "resumed", "stopped"]);

/**
 * Replays a practice file client by client (each with its own alert, as in the bot) and sums
 * up: alert events per 100 check-ins, how often each signal took part, and the share of clients
 * who would have had no alert at all.
 */
export function backtestPractice(rows: readonly HistoryRow[], options: BacktestOptions = {}): { clients: ClientBacktest[]; summary: PracticeSummary } {
  const byClient = new Map<string, HistoryRow[]>();
  for (const row of rows) {
    const key = row.client ?? "";
    let list = byClient.get(key);
    if (!list) byClient.set(key, (list = []));
    list.push(row);
  }
  const clients: ClientBacktest[] = [...byClient].map(([client, list]) => ({
    client,
    rows: list.length,
    checkIns: list.filter((r) => !EVENTS.has(r.status)).length,
    alerts: backtest(list, options),
  }));
  const checkIns = clients.reduce((sum, c) => sum + c.checkIns, 0);
  const alertEvents = clients.reduce((sum, c) => sum + c.alerts.length, 0);
  const bySignal: Record<string, number> = {};
  for (const c of clients) for (const a of c.alerts) for (const code of new Set(a.signals.map((s) => s.code))) bySignal[code] = (bySignal[code] ?? 0) + 1;
  const clientsWithoutAlert = clients.filter((c) => c.alerts.length === 0).length;
  const round = (v: number) => Math.round(v * 100) / 100;
  return {
    clients,
    summary: {
      clients: clients.length,
      checkIns,
      alertEvents,
      alertsPer100CheckIns: checkIns ? round((100 * alertEvents) / checkIns) : 0,
      bySignal: Object.fromEntries(Object.entries(bySignal).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))),
      urgent: clients.reduce((sum, c) => sum + c.alerts.filter((a) => a.severity === "urgent").length, 0),
      clientsWithoutAlert,
      shareWithoutAlert: clients.length ? round(clientsWithoutAlert / clients.length) : 0,
    },
  };
}

/** Plain-text practice report: each client's alert events, then the summary. */
export function formatPractice(result: ReturnType<typeof backtestPractice>): string {
  const lines: string[] = [];
  for (const c of result.clients) {
    lines.push(`client ${c.client}: ${c.alerts.length === 0 ? `no alerts in ${c.rows} rows` : `${c.alerts.length} alert event(s) in ${c.rows} rows`}`);
    for (const alert of c.alerts) {
      lines.push(`  ${alert.date} (${alert.where}) ${alert.action}${alert.severity === "urgent" ? " URGENT" : ""}`);
      for (const reason of alert.reasons) lines.push(`    - ${reason}`);
    }
  }
  const s = result.summary;
  const signals = Object.entries(s.bySignal).map(([code, n]) => `${code} ${n}`).join(", ") || "none";
  lines.push(
    "",
    `Summary: ${s.clients} clients, ${s.checkIns} check-ins, ${s.alertEvents} alert events (${s.urgent} urgent): ${s.alertsPer100CheckIns} per 100 check-ins.`,
    `By signal (alert events it took part in): ${signals}.`,
    `Clients with no alert: ${s.clientsWithoutAlert} of ${s.clients} (${Math.round(100 * s.shareWithoutAlert)} %).`,
  );
  return lines.join("\n");
}
