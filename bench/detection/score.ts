// Scores the product's rules and two published rules on the same generated set.
//
// - product: the live engine through the back-test's replay (src/evaluate/replay.ts), so withdrawal,
//   tension, comment markers and the crisis screen are included, as in the bot.
// - OpenFIT: an alert when the SRS is below its cut-off (36/40) or at least one point below the
//   previous session (OpenFIT/FIT documentation; Duncan et al. 2003). On our 3–15 total the
//   cut-off rescales linearly to 13.8 (so ≤ 13) and "one point" to 0.3, i.e. any fall.
// - 1 SD: a Stiles-style rule (Stiles et al. 2004): the total more than one SD below the mean of
//   the client's earlier check-ins (at least 3). Stiles et al. used the whole treatment in
//   hindsight; a live alert can only use the past, so this is the prospective form.
// The two published rules see scores only: they cannot catch tension, comments or withdrawal.

import { openReplay } from "../../src/evaluate/replay.ts";
import type { HistoryRow } from "../../src/evaluate/history.ts";
import type { BenchClient, ClientType } from "./generator.ts";
import { STABLE_TYPES } from "./generator.ts";

export interface RowAlert {
  row: number;
  codes: string[];
  urgent: boolean;
}

export type Detector = (rows: readonly HistoryRow[]) => RowAlert[];

const rowIndex = (where: string) => Number(where.replace(/^\D+/, "")) - 1;
const totalOf = (r: HistoryRow) => (r.goal as number) + (r.task as number) + (r.bond as number);

/** The product's rules for these clients: each replayed through the live engine (one replay database), then read back. */
export async function productRules(clients: readonly BenchClient[]): Promise<Detector> {
  const alerts = new Map<readonly HistoryRow[], RowAlert[]>();
  const replay = await openReplay();
  try {
    const replayed = await replay.replayEach(clients.map((c) => c.rows));
    clients.forEach((client, i) => {
      alerts.set(client.rows, (replayed[i] ?? []).map((a) => ({ row: rowIndex(a.where), codes: a.signals.map((s) => s.code), urgent: a.severity === "urgent" })));
    });
  } finally {
    await replay.close();
  }
  return (rows) => {
    const found = alerts.get(rows);
    if (!found) throw new Error("these rows were not replayed");
    return found;
  };
}

/** OpenFIT's rule on the 3–15 total: below 13.8 (SRS 36/40), or any fall from the previous session. */
export const OPENFIT_CUTOFF = 3 + (36 / 40) * 12;
export const openFitRule: Detector = (rows) => {
  const out: RowAlert[] = [];
  let previous: number | null = null;
  rows.forEach((r, i) => {
    if (r.status !== "answered") return;
    const t = totalOf(r);
    const codes = [...(t < OPENFIT_CUTOFF ? ["below_cutoff"] : []), ...(previous !== null && previous - t >= 0.3 ? ["below_previous"] : [])];
    if (codes.length) out.push({ row: i, codes, urgent: false });
    previous = t;
  });
  return out;
};

/** More than one SD below the client's own mean of earlier check-ins (at least 3 earlier). */
export const oneSdRule: Detector = (rows) => {
  const out: RowAlert[] = [];
  const seen: number[] = [];
  rows.forEach((r, i) => {
    if (r.status !== "answered") return;
    const t = totalOf(r);
    if (seen.length >= 3) {
      const m = seen.reduce((a, b) => a + b, 0) / seen.length;
      const sd = Math.sqrt(seen.reduce((a, b) => a + (b - m) ** 2, 0) / (seen.length - 1));
      if (t < m - sd) out.push({ row: i, codes: ["one_sd"], urgent: false });
    }
    seen.push(t);
  });
  return out;
};

/** Signals of a low level (rules/level.ts); OpenFIT's cut-off and the 1-SD rule count as such too. */
const LEVEL_CODES = ["low_total", "low_item", "below_cutoff", "one_sd"];

export interface Scores {
  /** Rupture episodes with an alert inside their window / all episodes. */
  sensitivity: number;
  episodes: number;
  detectedByType: Partial<Record<ClientType, string>>;
  /** Alerts on rupture-free check-ins per 100 of them. */
  falseAlertsPer100: number;
  ruptureFreeCheckIns: number;
  falseAlerts: number;
  falseAlertsBySignal: Record<string, number>;
  /** Crisis comments with an urgent crisis alert / all crisis comments (null: rule does not screen comments). */
  crisisRecall: number | null;
  /** Denial comments that raised a crisis alert (must be 0), and those that gave the therapist a note. */
  crisisAlertsOnDenials: number | null;
  denialNotes: number | null;
  denials: number;
  /** Comment-marker episodes where the comment raised a comment_marker signal. */
  markerRecall: number | null;
  /** Stable clients (stable-high, ceiling, stable-mid, noisy-stable, downtime) with no false alert. */
  stableClientsWithoutFalseAlert: number;
  /** Stable-mid clients (a low level) with a level alert, and their other alerts per client. */
  levelClientsAlerted: number;
  levelRepeatAlertsPerClient: number;
  alertsPer100CheckIns: number;
}

export function score(clients: readonly BenchClient[], detector: Detector, opts: { screensComments: boolean }): Scores {
  let episodes = 0;
  let detected = 0;
  const byType: Partial<Record<ClientType, [number, number]>> = {};
  let free = 0;
  let falseAlerts = 0;
  const bySignal: Record<string, number> = {};
  let crisis = 0;
  let crisisHit = 0;
  let denials = 0;
  let denialCrisis = 0;
  let denialNotes = 0;
  let markers = 0;
  let markerHit = 0;
  let stable = 0;
  let stableClean = 0;
  let levelClients = 0;
  let levelAlerted = 0;
  let levelRepeats = 0;
  let checkIns = 0;
  let alerts = 0;
  for (const client of clients) {
    const fired = detector(client.rows);
    const at = new Map(fired.map((a) => [a.row, a]));
    checkIns += client.rows.length;
    alerts += fired.length;
    let clientFalse = 0;
    // A stable-mid client is at a low level: its first alert with a level signal is the level alert.
    const levelAlert = client.type === "stable-mid" ? fired.find((a) => a.codes.some((c) => LEVEL_CODES.includes(c))) : undefined;
    client.labels.forEach((label, row) => {
      const alert = at.get(row);
      if (label.kind === "none" && alert && alert === levelAlert) return;
      if (label.kind === "none") {
        free++;
        if (alert) {
          falseAlerts++;
          clientFalse++;
          for (const code of new Set(alert.codes)) bySignal[code] = (bySignal[code] ?? 0) + 1;
        }
      } else if (label.kind === "crisis") {
        crisis++;
        if (alert?.urgent && alert.codes.includes("crisis_language")) crisisHit++;
      } else if (label.kind === "denial") {
        denials++;
        if (alert?.codes.includes("crisis_language")) denialCrisis++;
        if (alert?.codes.includes("crisis_denial") && !alert.urgent) denialNotes++;
      }
    });
    for (const episode of client.episodes) {
      episodes++;
      const hit = fired.some((a) => a.row >= episode.from && a.row <= episode.to);
      if (hit) detected++;
      const t = (byType[episode.type] ??= [0, 0]);
      t[0] += hit ? 1 : 0;
      t[1]++;
      if (episode.marker) {
        markers++;
        if (at.get(episode.from)?.codes.includes("comment_marker")) markerHit++;
      }
    }
    if (STABLE_TYPES.includes(client.type)) {
      stable++;
      if (clientFalse === 0) stableClean++;
    }
    if (client.type === "stable-mid") {
      levelClients++;
      if (levelAlert) levelAlerted++;
      levelRepeats += fired.filter((a) => a !== levelAlert).length;
    }
  }
  const r = (v: number, d = 3) => Math.round(v * 10 ** d) / 10 ** d;
  return {
    sensitivity: r(detected / Math.max(1, episodes)),
    episodes,
    detectedByType: Object.fromEntries(Object.entries(byType).map(([k, [a, b]]) => [k, `${a}/${b}`])),
    falseAlertsPer100: r((100 * falseAlerts) / Math.max(1, free), 2),
    ruptureFreeCheckIns: free,
    falseAlerts,
    falseAlertsBySignal: bySignal,
    crisisRecall: opts.screensComments ? r(crisisHit / Math.max(1, crisis)) : null,
    crisisAlertsOnDenials: opts.screensComments ? denialCrisis : null,
    denialNotes: opts.screensComments ? denialNotes : null,
    denials,
    markerRecall: opts.screensComments ? r(markerHit / Math.max(1, markers)) : null,
    stableClientsWithoutFalseAlert: r(stableClean / Math.max(1, stable)),
    levelClientsAlerted: r(levelAlerted / Math.max(1, levelClients)),
    levelRepeatAlertsPerClient: r(levelRepeats / Math.max(1, levelClients), 2),
    alertsPer100CheckIns: r((100 * alerts) / Math.max(1, checkIns), 2),
  };
}
