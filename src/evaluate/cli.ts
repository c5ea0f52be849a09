// `npm run evaluate -- history.csv [--json] [--locale ro] [--set low_total=11 ...]`
// Prints the alert events the bot would have produced for one client's history, or, for a file
// with a `client` column (a practice, or `/checkin export` files joined), each client's alert
// events and a summary: alerts per 100 check-ins, by signal, and the share of clients with none.

import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_THRESHOLDS } from "../core/model.ts";
import type { Locale, RuptureThresholds } from "../core/model.ts";
import { backtest, backtestPractice, formatBacktest, formatPractice } from "./backtest.ts";
import { HistoryInputError, readHistory } from "./history.ts";

const USAGE = "usage: npm run evaluate -- <history.csv|history.json|practice.csv|export.json> [--json] [--locale en|ro] [--set key=value ...]";
const KEYS: Record<string, keyof RuptureThresholds> = {
  low_item: "lowItem", low_total: "lowTotal", total_drop: "totalDrop", item_drop: "itemDrop", baseline_size: "baselineSize",
  rci_z: "rciZ", rci_floor: "rciSdFloor", decline_fall: "declineFall", decline_window: "declineWindow", missed_in_row: "missedInRow",
};

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** How often a practice replay reports progress: about every tenth of its clients, and at the end. */
function progressReporter(write: (line: string) => void): (done: number, total: number) => void {
  return (done, total) => {
    const step = Math.max(1, Math.ceil(total / 10));
    if (done % step === 0 || done === total) write(`replayed ${done} of ${total} clients\n`);
  };
}

/**
 * Runs the tool on arguments (without "node script"); never exits the process itself. `progress`
 * receives progress lines of a practice replay as they happen (the command line sends them to stderr).
 */
export async function runEvaluate(
  argv: string[],
  readFile: (file: string) => string = (file) => readFileSync(file, "utf8"),
  progress?: (line: string) => void,
): Promise<CliResult> {
  let file: string | undefined;
  let json = false;
  let locale: Locale = "en";
  const thresholds: Partial<RuptureThresholds> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--json") json = true;
    else if (arg === "--locale") {
      const value = argv[++i];
      if (value !== "en" && value !== "ro") return { code: 2, stdout: "", stderr: `--locale must be en or ro\n${USAGE}\n` };
      locale = value;
    } else if (arg === "--set") {
      const [key, value] = (argv[++i] ?? "").split("=");
      const field = KEYS[key ?? ""];
      const number = Number(value);
      if (!field || value === undefined || value === "" || !Number.isFinite(number)) return { code: 2, stdout: "", stderr: `--set needs key=number with key one of ${Object.keys(KEYS).join(", ")}\n` };
      thresholds[field] = number;
    } else if (arg.startsWith("--")) return { code: 2, stdout: "", stderr: `unknown option ${arg}\n${USAGE}\n` };
    else if (file === undefined) file = arg;
    else return { code: 2, stdout: "", stderr: `only one history file, got ${arg} too\n${USAGE}\n` };
  }
  if (!file) return { code: 2, stdout: "", stderr: `${USAGE}\n` };
  let text: string;
  try {
    text = readFile(file);
  } catch (error) {
    return { code: 2, stdout: "", stderr: `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}\n` };
  }
  try {
    const { rows, notReplayed, practice } = readHistory(text, file);
    const used = { ...DEFAULT_THRESHOLDS, ...thresholds };
    const skippedNote = notReplayed ? `${notReplayed} check-in(s) that never closed or were cancelled were not replayed.\n` : "";
    if (practice) {
      const result = await backtestPractice(rows, { thresholds, locale, ...(progress ? { onProgress: progressReporter(progress) } : {}) });
      const stdout = json ? `${JSON.stringify({ rows: rows.length, notReplayed, thresholds: used, ...result }, null, 2)}\n` : `${formatPractice(result)}\n${skippedNote}`;
      return { code: 0, stdout, stderr: "" };
    }
    const alerts = await backtest(rows, { thresholds, locale });
    const stdout = json ? `${JSON.stringify({ rows: rows.length, notReplayed, thresholds: used, alerts }, null, 2)}\n` : `${formatBacktest(alerts, rows.length)}\n${skippedNote}`;
    return { code: 0, stdout, stderr: "" };
  } catch (error) {
    if (error instanceof HistoryInputError) return { code: 1, stdout: "", stderr: `${path.basename(file)}: ${error.message}\nerror code ${error.code}\n` };
    throw error;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const result = await runEvaluate(process.argv.slice(2), undefined, (line) => process.stderr.write(line));
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  process.exitCode = result.code;
}
