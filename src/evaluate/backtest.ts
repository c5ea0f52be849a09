// `npm run evaluate`: replays a client's history, or a practice client by client, through the
// live engine (src/evaluate/replay.ts) and lists the alert events the bot would have produced,
// in order. Like the bot it keeps one unresolved alert per client: the first finding opens it,
// later ones update it. Therapist actions (acknowledge, repair) are not in a history file, so the
// replay never closes an alert.

import type { HistoryRow } from "./history.ts";
import { openReplay } from "./replay.ts";
import type { BacktestAlert, BacktestOptions } from "./replay.ts";

export type { BacktestAlert, BacktestOptions } from "./replay.ts";

/** One client's alert events, oldest first. */
export async function backtest(rows: readonly HistoryRow[], options: BacktestOptions = {}): Promise<BacktestAlert[]> {
  const replay = await openReplay(options);
  try {
    return await replay.replay(rows);
  } finally {
    await replay.close();
  }
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

export interface PracticeResult {
  clients: ClientBacktest[];
  summary: PracticeSummary;
}

/**
 * Replays a practice file client by client (each with its own alert, as in the bot) and sums
 * up: alert events per 100 check-ins, how often each signal took part, and the share of clients
 * who would have had no alert at all.
 */
export async function backtestPractice(rows: readonly HistoryRow[], options: BacktestOptions = {}): Promise<PracticeResult> {
  const byClient = new Map<string, HistoryRow[]>();
  for (const row of rows) {
    const key = row.client ?? "";
    let list = byClient.get(key);
    if (!list) byClient.set(key, (list = []));
    list.push(row);
  }
  const replay = await openReplay(options);
  let replayed: BacktestAlert[][];
  try {
    replayed = await replay.replayEach([...byClient.values()]);
  } finally {
    await replay.close();
  }
  const clients: ClientBacktest[] = [...byClient].map(([client, list], i) => ({
    client,
    rows: list.length,
    checkIns: list.filter((r) => !EVENTS.has(r.status)).length,
    alerts: replayed[i] as BacktestAlert[],
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
export function formatPractice(result: PracticeResult): string {
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
