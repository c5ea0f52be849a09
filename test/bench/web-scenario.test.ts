// `npm run bench`'s web check-in scenario, small: its visitors (a lean HTTP/1.1 client in a worker
// thread, bench/web-clients.ts) really GET each page and POST its answers through the server, the
// timed window covers exactly the check-ins after the warm-up, and the worker's own check that
// every visit stored its answers holds. On SQLite and on PostgreSQL.

import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { describePostgres } from "../support/pg-suite.ts";

const run = promisify(execFile);

async function webScenario(provider: "sqlite" | "postgresql", url: string, options: Record<string, number>): Promise<Record<string, any>> {
  const { stdout } = await run(process.execPath, ["--import", "tsx", "bench/worker.ts", "web", provider, url, JSON.stringify(options)], { cwd: path.resolve(import.meta.dirname, "../.."), maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as Record<string, any>;
}

function expectConsistent(result: Record<string, any>, n: number, clients: number): void {
  expect(result.checkIns).toBe(n);
  expect(result.clients).toBe(clients);
  expect(result.perSecond).toBeGreaterThan(0);
  expect(result.baseline.perSecond).toBeGreaterThan(0);
  // The ratio is the two rates' quotient, as printed.
  expect(result.ratioToBaseline).toBeCloseTo(result.perSecond / result.baseline.perSecond, 1);
  expect(result.latencyMs.p50).toBeGreaterThan(0);
  expect(result.latencyMs.p99).toBeGreaterThanOrEqual(result.latencyMs.p50);
  // The direct baseline ran in two halves (before and after the web loop), and its rate is theirs together.
  const [first, second] = result.baseline.halvesPerSecond as number[];
  expect(first).toBeGreaterThan(0);
  expect(second).toBeGreaterThan(0);
  expect(result.baseline.perSecond).toBeGreaterThanOrEqual(Math.min(first!, second!) * 0.99);
  expect(result.baseline.perSecond).toBeLessThanOrEqual(Math.max(first!, second!) * 1.01);
  // Each timed check-in is a GET and a POST, so it takes at least as long as n of them in a row
  // shared by `clients`: the window cannot be shorter than the sum of latencies / clients.
  expect(result.seconds * 1000).toBeGreaterThanOrEqual((result.latencyMs.p50 * n) / clients / 2);
}

describe("bench: web check-ins on SQLite", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "checkin-bench-web-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("GETs and POSTs every check-in, times the ones after the warm-up and reports consistent figures", async () => {
    const result = await webScenario("sqlite", `file:${path.join(dir, "bench.db")}`, { n: 60, clients: 6, warmUp: 12 });
    expectConsistent(result, 60, 6);
  }, 120_000);
});

await describePostgres("bench: web check-ins on PostgreSQL", (database) => {
  it("GETs and POSTs every check-in and reports consistent figures", async () => {
    const result = await webScenario("postgresql", database().url, { n: 40, clients: 5, warmUp: 10 });
    expectConsistent(result, 40, 5);
  }, 120_000);
});
