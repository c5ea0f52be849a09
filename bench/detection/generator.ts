// Seeded generator of a practice-sized, labelled set of synthetic client histories for the
// rupture-detection benchmark (`npm run bench -- detection`).
//
// Parameters and where they come from (the calibration the run actually achieves is printed
// next to each target, so a drift in the generator is visible). The five figures are those of
// the earlier measurement this benchmark repeats; the sources below are where they come from.
// - Mean alliance near 35/40 on the SRS, internal consistency near .87 and a session-to-session
//   correlation near .58: ultra-brief alliance scales, SRS (Duncan et al. 2003, Journal of Brief
//   Therapy 3(1): α = .88, test–retest r = .64). An SRS mean of 35/40 is an item mean near 4.4
//   on our 1–5 items; α ≈ .87 for 3 items means an inter-item correlation near .69; r ≈ .58
//   means about 58 % of the variance lies between clients, the rest week to week.
// - Ruptures in about half of the clients, V-shaped dips the commonest: rupture–repair sequences
//   seen as V-shaped deviations of at least 1 SD below the client's own mean (Stiles et al. 2004,
//   Journal of Counseling Psychology 51(1)).
// - Tension reported in about a fifth of sessions: clients report ruptures in roughly 19–42 % of
//   sessions (Safran, Muran & Eubanks-Carter 2011, Psychotherapy 48(1)); we use the low end.
// The depth, length and shape of each rupture type, and the comment pools, are our own choices,
// stated below; they are not taken from data.

import type { HistoryRow } from "../../src/evaluate/history.ts";
import type { TalkedThroughAnswer, TensionAnswer } from "../../src/core/model.ts";
import { CONFRONTATION, CRISIS, DENIALS, NEUTRAL, WITHDRAWAL } from "./phrases.ts";

export const CLIENT_TYPES = [
  "stable-high",
  "ceiling",
  "stable-mid",
  "noisy-stable",
  "v-shaped",
  "sustained-drop",
  "slow-decline",
  "tension",
  "withdrawal",
  "downtime",
  "comment-marker",
  "crisis",
  "denial",
] as const;
export type ClientType = (typeof CLIENT_TYPES)[number];
/**
 * Rupture-free types. A stable-mid client sits steadily at 3–4 on each item (total about 11, at
 * or just under low_total): a persistently low level, not a rupture; one level alert is
 * expected, every further alert is false.
 */
export const STABLE_TYPES: readonly ClientType[] = ["stable-high", "ceiling", "stable-mid", "noisy-stable", "downtime"];

/** Clients per type in the default set (300 clients, about 6,000 weekly check-ins). */
export const MIX: Record<ClientType, number> = {
  "stable-high": 45,
  ceiling: 25,
  "stable-mid": 40,
  "noisy-stable": 35,
  "v-shaped": 45,
  "sustained-drop": 20,
  "slow-decline": 20,
  tension: 20,
  withdrawal: 10,
  downtime: 10,
  "comment-marker": 25,
  crisis: 15,
  denial: 10,
};

/** What an alert on a row means for scoring. */
export type RowLabel =
  | { kind: "none" }
  /** Part of a rupture episode: an alert here is a true detection of that episode. */
  | { kind: "rupture"; episode: number }
  /** After a sustained drop: the rupture persists; an alert here is neither true nor false. */
  | { kind: "ongoing" }
  | { kind: "crisis" }
  | { kind: "denial" };

export interface Episode {
  id: number;
  type: ClientType;
  /** Rows (0-based) where a detection counts. */
  from: number;
  to: number;
  /** A comment-marker episode: the comment's category. */
  marker?: "confrontation" | "withdrawal";
}

export interface BenchClient {
  id: string;
  type: ClientType;
  rows: HistoryRow[];
  labels: RowLabel[];
  episodes: Episode[];
}

/** mulberry32: small, fast, good enough for simulation, and the same on every machine. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface GeneratorOptions {
  seed?: number;
  /** Check-ins per client (weekly). */
  weeks?: number;
  mix?: Partial<Record<ClientType, number>>;
}

/** Within-client noise, item scale: a shared session deviation plus an item-specific one. */
export const NOISE = { session: 0.22, item: 0.2 };
/** Between-client SD of the item-level mean. */
export const BETWEEN_SD = 0.28;

export function generate(options: GeneratorOptions = {}): BenchClient[] {
  const random = rng(options.seed ?? 20261202);
  const weeks = options.weeks ?? 20;
  const mix = { ...MIX, ...options.mix };
  const normal = () => {
    const u = 1 - random();
    const v = random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  const uniform = (a: number, b: number) => a + (b - a) * random();
  const int = (a: number, b: number) => Math.floor(uniform(a, b + 1));
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const clients: BenchClient[] = [];
  let episodeId = 0;
  let n = 0;
  for (const type of CLIENT_TYPES) {
    for (let k = 0; k < (mix[type] ?? 0); k++) {
      n++;
      const mean =
        type === "ceiling" ? uniform(5.0, 5.4)
        : type === "stable-high" ? 4.55 + BETWEEN_SD * 0.6 * normal()
        : type === "stable-mid" ? uniform(3.4, 3.9)
        : 4.55 + BETWEEN_SD * normal();
      const noise = type === "noisy-stable" ? 1.5 : type === "ceiling" ? 0.8 : 1;
      // Per-week latent shift of each item (rupture shapes), tension/comment overrides, events.
      const shift: number[][] = Array.from({ length: weeks }, () => [0, 0, 0]);
      const labels: RowLabel[] = Array.from({ length: weeks }, () => ({ kind: "none" }));
      const tension: (TensionAnswer | null)[] = Array(weeks).fill(null);
      const talked: (TalkedThroughAnswer | null)[] = Array(weeks).fill(null);
      const comments: (string | null)[] = Array(weeks).fill(null);
      const status: HistoryRow["status"][] = Array(weeks).fill("answered");
      const episodes: Episode[] = [];
      const ruptureSession = (w: number) => {
        // Sessions inside a rupture: tension often reported, often not talked through; sometimes a marker.
        if (random() < 0.55) {
          tension[w] = random() < 0.5 ? "yes" : "a_little";
          const r = random();
          talked[w] = r < 0.4 ? "no" : r < 0.7 ? "partly" : "yes";
        }
        if (random() < 0.25) comments[w] = pick(random() < 0.6 ? CONFRONTATION : WITHDRAWAL);
      };
      const addShift = (w: number, total: number, focus = random() < 0.4) => {
        // A rupture lowers the items together, or mostly one (bond or task) when `focus`.
        const weights = focus ? (random() < 0.5 ? [0.2, 0.3, 0.5] : [0.2, 0.5, 0.3]) : [1 / 3, 1 / 3, 1 / 3];
        for (let i = 0; i < 3; i++) (shift[w] as number[])[i]! -= total * (weights[i] as number);
      };
      const onset = int(5, weeks - 6);
      if (type === "v-shaped") {
        // Stiles et al.'s V: a dip of 2.5–5.5 latent total points for 1–2 sessions, then a partial and full return.
        const depth = uniform(2.5, 5.5);
        const length = random() < 0.6 ? 1 : 2;
        for (let w = onset; w < onset + length; w++) {
          addShift(w, depth);
          ruptureSession(w);
          labels[w] = { kind: "rupture", episode: episodeId };
        }
        addShift(onset + length, depth / 3);
        labels[onset + length] = { kind: "rupture", episode: episodeId };
        episodes.push({ id: episodeId++, type, from: onset, to: onset + length });
      } else if (type === "sustained-drop") {
        const depth = uniform(3, 5);
        for (let w = onset; w < weeks; w++) {
          addShift(w, depth, false);
          labels[w] = w <= onset + 1 ? { kind: "rupture", episode: episodeId } : { kind: "ongoing" };
        }
        ruptureSession(onset);
        episodes.push({ id: episodeId++, type, from: onset, to: onset + 1 });
      } else if (type === "slow-decline") {
        // A fall of 3.5–5 latent points over 5–7 sessions in steps, with plateaus between.
        const fall = uniform(3.5, 5);
        const length = int(5, 7);
        const start = Math.min(onset, weeks - length - 1);
        const steps = Array.from({ length }, () => (random() < 0.55 ? 1 : 0));
        steps[0] = 1;
        const stepCount = steps.reduce((a: number, b) => a + b, 0);
        let level = 0;
        for (let w = start; w < weeks; w++) {
          const i = w - start;
          if (i < length) level += ((steps[i] as number) / stepCount) * fall;
          addShift(w, level, false);
          labels[w] = i <= length ? { kind: "rupture", episode: episodeId } : { kind: "ongoing" };
        }
        episodes.push({ id: episodeId++, type, from: start, to: start + length });
      } else if (type === "tension") {
        // Tension reported and not talked through, with at most a small dip in the scores.
        tension[onset] = random() < 0.5 ? "yes" : "a_little";
        talked[onset] = random() < 0.7 || tension[onset] === "a_little" ? "no" : "partly";
        addShift(onset, uniform(0, 1.5));
        labels[onset] = { kind: "rupture", episode: episodeId };
        episodes.push({ id: episodeId++, type, from: onset, to: onset });
      } else if (type === "comment-marker") {
        const marker = random() < 0.6 ? "confrontation" : "withdrawal";
        comments[onset] = pick(marker === "confrontation" ? CONFRONTATION : WITHDRAWAL);
        addShift(onset, uniform(0, 1.5));
        labels[onset] = { kind: "rupture", episode: episodeId };
        episodes.push({ id: episodeId++, type, from: onset, to: onset, marker });
      } else if (type === "withdrawal") {
        // Two (or three) expired check-ins in a row, then answering again.
        const missed = random() < 0.7 ? 2 : 3;
        for (let w = onset; w < onset + missed; w++) status[w] = "expired";
        labels[onset + 1] = { kind: "rupture", episode: episodeId };
        if (missed === 3) labels[onset + 2] = { kind: "rupture", episode: episodeId };
        episodes.push({ id: episodeId++, type, from: onset + 1, to: onset + missed - 1 });
      } else if (type === "downtime") {
        // Bot downtime (missed_by_system) runs and isolated single expiries: never a withdrawal.
        for (let w = onset; w < onset + int(1, 3); w++) status[w] = "missed_by_system";
        status[int(1, 3)] = "expired";
        const later = onset + 4;
        if (later < weeks) status[later] = "expired";
      } else if (type === "crisis") {
        comments[onset] = pick(CRISIS);
        labels[onset] = { kind: "crisis" };
      } else if (type === "denial") {
        comments[onset] = pick(DENIALS);
        labels[onset] = { kind: "denial" };
      }
      const rows: HistoryRow[] = [];
      for (let w = 0; w < weeks; w++) {
        const date = new Date(Date.UTC(2026, 0, 5) + w * 7 * 86_400_000);
        const where = `row ${w + 1}`;
        if (status[w] !== "answered") {
          rows.push({ where, date, status: status[w] as HistoryRow["status"], goal: null, task: null, bond: null, tension: null, talkedThrough: null, comment: null });
          continue;
        }
        const session = NOISE.session * noise * normal();
        const [goal, task, bond] = [0, 1, 2].map((i) => Math.min(5, Math.max(1, Math.round(mean + (shift[w]![i] as number) + session + NOISE.item * noise * normal())))) as [number, number, number];
        // Tension in ordinary sessions (about 15 %), almost always talked through.
        if (tension[w] === null && random() < 0.15) {
          tension[w] = random() < 0.8 ? "a_little" : "yes";
          talked[w] = tension[w] === "yes" ? "yes" : random() < 0.7 ? "yes" : "partly";
        }
        if (comments[w] === null && random() < 0.2) comments[w] = pick(NEUTRAL);
        rows.push({ where, date, status: "answered", goal, task, bond, tension: tension[w] ?? (random() < 0.9 ? "no" : null), talkedThrough: talked[w] ?? null, comment: comments[w] ?? null });
      }
      clients.push({ id: `c${String(n).padStart(3, "0")}`, type, rows, labels, episodes });
    }
  }
  return clients;
}

/** Realised psychometrics of a generated set, to compare with the published figures it targets. */
export function calibration(clients: readonly BenchClient[]) {
  const answered = clients.flatMap((c) => c.rows.filter((r, i) => r.status === "answered" && c.labels[i]?.kind === "none"));
  const totals = answered.map((r) => (r.goal as number) + (r.task as number) + (r.bond as number));
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const variance = (v: number[]) => {
    const m = mean(v);
    return v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1);
  };
  const items = (["goal", "task", "bond"] as const).map((k) => answered.map((r) => r[k] as number));
  const alpha = (3 / 2) * (1 - items.reduce((a, v) => a + variance(v), 0) / variance(totals));
  const pairs: [number, number][] = [];
  for (const c of clients) {
    for (let i = 1; i < c.rows.length; i++) {
      const a = c.rows[i - 1] as HistoryRow;
      const b = c.rows[i] as HistoryRow;
      if (a.status !== "answered" || b.status !== "answered" || c.labels[i]?.kind !== "none" || c.labels[i - 1]?.kind !== "none") continue;
      pairs.push([(a.goal as number) + (a.task as number) + (a.bond as number), (b.goal as number) + (b.task as number) + (b.bond as number)]);
    }
  }
  const xs = pairs.map((p) => p[0]);
  const ys = pairs.map((p) => p[1]);
  const mx = mean(xs);
  const my = mean(ys);
  const r = pairs.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0) / Math.sqrt(xs.reduce((a, x) => a + (x - mx) ** 2, 0) * ys.reduce((a, y) => a + (y - my) ** 2, 0));
  const allAnswered = clients.flatMap((c) => c.rows.filter((row) => row.status === "answered"));
  const tension = allAnswered.filter((row) => row.tension === "yes" || row.tension === "a_little").length / allAnswered.length;
  const ruptured = clients.filter((c) => c.episodes.length > 0).length / clients.length;
  const vShare = clients.filter((c) => c.type === "v-shaped").length / Math.max(1, clients.filter((c) => c.episodes.length > 0).length);
  const round = (v: number, d = 2) => Math.round(v * 10 ** d) / 10 ** d;
  return {
    clients: clients.length,
    checkIns: clients.reduce((a, c) => a + c.rows.length, 0),
    srsEquivalentMean: { value: round(((mean(totals) - 3) / 12) * 40, 1), target: "≈ 35 / 40" },
    srsEquivalentSd: { value: round((Math.sqrt(variance(totals)) / 12) * 40, 1), target: "≈ 4–5" },
    internalConsistency: { value: round(alpha), target: "≈ .87" },
    sessionToSessionR: { value: round(r), target: "≈ .58" },
    clientsWithRupture: { value: round(ruptured), target: "≈ .5" },
    vShapedShareOfRuptures: { value: round(vShare), target: "the commonest type" },
    tensionShareOfSessions: { value: round(tension), target: "≈ .2" },
  };
}
