// `npm run bench -- detection` (or `npm run bench:detection`): the rupture-detection benchmark
// alone. Generates the seeded set, scores the product's rules, OpenFIT's rule and the 1-SD rule
// on the same data in the same run, checks the targets and prints a table (stderr) and JSON
// (stdout). Options (environment): DETECTION_SEED, DETECTION_WEEKS, DETECTION_SCALE (×clients).

import path from "node:path";
import { fileURLToPath } from "node:url";
import { calibration, generate, MIX } from "./generator.ts";
import type { ClientType } from "./generator.ts";
import { oneSdRule, openFitRule, productRules, score } from "./score.ts";
import type { Scores } from "./score.ts";

export const TARGETS = {
  sensitivity: { target: ">= 0.93", pass: (s: Scores) => s.sensitivity >= 0.93 },
  falseAlertsPer100: { target: "<= 4 per 100 rupture-free check-ins", pass: (s: Scores) => s.falseAlertsPer100 <= 4 },
  crisisRecall: { target: "1.0", pass: (s: Scores) => s.crisisRecall === 1 },
  crisisAlertsOnDenials: { target: "0", pass: (s: Scores) => s.crisisAlertsOnDenials === 0 },
  markerRecall: { target: ">= 0.85", pass: (s: Scores) => (s.markerRecall ?? 0) >= 0.85 },
  stableClientsWithoutFalseAlert: { target: ">= 0.80", pass: (s: Scores) => s.stableClientsWithoutFalseAlert >= 0.8 },
} as const;

export async function runDetectionBenchmark(options: { seed?: number; weeks?: number; scale?: number } = {}) {
  const scale = options.scale ?? 1;
  const mix = Object.fromEntries(Object.entries(MIX).map(([k, v]) => [k, Math.max(1, Math.round(v * scale))])) as Record<ClientType, number>;
  const clients = generate({ seed: options.seed, weeks: options.weeks, mix });
  const product = score(clients, await productRules(clients), { screensComments: true });
  const openFit = score(clients, openFitRule, { screensComments: false });
  const oneSd = score(clients, oneSdRule, { screensComments: false });
  const targets = Object.fromEntries(Object.entries(TARGETS).map(([k, t]) => [k, { value: product[k as keyof Scores], target: t.target, pass: t.pass(product) }]));
  return { seed: options.seed ?? 20261202, calibration: calibration(clients), product, openFit, oneSd, targets };
}

export function formatDetection(result: Awaited<ReturnType<typeof runDetectionBenchmark>>): string {
  const rows: [string, (s: Scores) => string][] = [
    ["sensitivity (rupture episodes)", (s) => s.sensitivity.toFixed(3)],
    ["false alerts / 100 rupture-free", (s) => s.falseAlertsPer100.toFixed(2)],
    ["alerts / 100 check-ins (all)", (s) => s.alertsPer100CheckIns.toFixed(2)],
    ["crisis recall", (s) => (s.crisisRecall === null ? "n/a" : s.crisisRecall.toFixed(3))],
    ["crisis alerts on denials", (s) => (s.crisisAlertsOnDenials === null ? "n/a" : `${s.crisisAlertsOnDenials}/${s.denials}`)],
    ["comment-marker recall", (s) => (s.markerRecall === null ? "n/a" : s.markerRecall.toFixed(3))],
    ["stable clients, no false alert", (s) => `${(100 * s.stableClientsWithoutFalseAlert).toFixed(0)} %`],
    ["stable-mid (low level) alerted once", (s) => `${(100 * s.levelClientsAlerted).toFixed(0)} %`],
    ["other alerts per stable-mid client", (s) => s.levelRepeatAlertsPerClient.toFixed(2)],
  ];
  const c = result.calibration;
  const lines = [
    `Detection benchmark (seed ${result.seed}): ${c.clients} synthetic clients, ${c.checkIns} weekly check-ins, ${result.product.episodes} rupture episodes.`,
    `Calibration: SRS-equivalent mean ${c.srsEquivalentMean.value}/40 (${c.srsEquivalentMean.target}), SD ${c.srsEquivalentSd.value} (${c.srsEquivalentSd.target}), α ${c.internalConsistency.value} (${c.internalConsistency.target}), session-to-session r ${c.sessionToSessionR.value} (${c.sessionToSessionR.target}), clients with a rupture ${c.clientsWithRupture.value} (${c.clientsWithRupture.target}), tension in ${c.tensionShareOfSessions.value} of sessions (${c.tensionShareOfSessions.target}).`,
    "",
    `${"".padEnd(36)}${"product".padStart(10)}${"OpenFIT".padStart(10)}${"1 SD".padStart(10)}`,
    ...rows.map(([name, f]) => `${name.padEnd(36)}${f(result.product).padStart(10)}${f(result.openFit).padStart(10)}${f(result.oneSd).padStart(10)}`),
    "",
    `Detected by type (product): ${Object.entries(result.product.detectedByType).map(([k, v]) => `${k} ${v}`).join(", ")}`,
    `False alerts by signal (product): ${Object.entries(result.product.falseAlertsBySignal).map(([k, v]) => `${k} ${v}`).join(", ") || "none"}`,
    `Targets (product): ${Object.entries(result.targets).map(([k, t]) => `${k} ${t.pass ? "PASS" : "FAIL"}`).join(", ")}`,
    "Synthetic data: it shows that the rules behave as designed on the shapes we generate, not how they will do on real clients.",
  ];
  return lines.join("\n");
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const result = await runDetectionBenchmark({
    seed: process.env.DETECTION_SEED ? Number(process.env.DETECTION_SEED) : undefined,
    weeks: process.env.DETECTION_WEEKS ? Number(process.env.DETECTION_WEEKS) : undefined,
    scale: process.env.DETECTION_SCALE ? Number(process.env.DETECTION_SCALE) : undefined,
  });
  process.stderr.write(`${formatDetection(result)}\n`);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
