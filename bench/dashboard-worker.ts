// Dashboard benchmark, in a fresh process on a fresh database. Usage:
//   dashboard-worker.ts <provider> <databaseUrl> [json options]. Prints one JSON line.
//
// Load: one therapist with 60 clients × 100 answered check-ins (the caseload), and one client
// with 200 answered check-ins and alerts (the client page with its chart). Pages are requested
// through the real Fastify server in process (inject: routing, session check, CSRF token,
// store reads, view building, Plot/linkedom chart, Eta rendering), one after another, so each
// time is the server's own time for that page.
// Baseline (same run, same database): the raw driver reading the same rows the page shows.
// Memory: RSS before and after rendering 1,000 client pages in a row (after a warm-up and a GC).
// After each page the event loop gets a turn, as it does between requests on a socket (see get).

import { randomUUID } from "node:crypto";
import type { Provider } from "../src/store/database.ts";
import { seedHistory, seedPractice } from "./seed.ts";
import { buildBenchBot, CountingPlatform, percentile, round } from "./support.ts";
import { createWebServer, publicRoutes } from "../adapters/web/index.ts";
import { Readiness } from "../src/runtime/readiness.ts";
import { silentLogger } from "../src/ports/logger.ts";
import { systemClock } from "../src/ports/clock.ts";

const [providerArg, url, optionsJson] = process.argv.slice(2);
const provider = providerArg as Provider;
const options = JSON.parse(optionsJson ?? "{}") as Record<string, number>;
const CLIENTS = options.clients ?? 60;
const HISTORY = options.history ?? 100;
const CLIENT_PAGE_HISTORY = options.clientHistory ?? 200;
const REQUESTS = options.requests ?? 200;
const MEMORY_PAGES = options.memoryPages ?? 1000;

function stats(times: number[]): { p50: number; p95: number; mean: number } {
  const sorted = [...times].sort((a, b) => a - b);
  return { p50: round(percentile(sorted, 50), 2), p95: round(percentile(sorted, 95), 2), mean: round(times.reduce((a, b) => a + b, 0) / times.length, 2) };
}

async function timed(n: number, run: () => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  return times;
}

const rssMb = () => process.memoryUsage().rss / 1024 / 1024;

async function main(): Promise<void> {
  const platform = new CountingPlatform();
  const bot = await buildBenchBot(url!, platform);
  const sql = bot.db.sql;
  const now = new Date();
  // The caseload: every client of one therapist.
  const practice = await seedPractice(sql, CLIENTS + 1, { now });
  const [therapist] = await sql.query<{ id: string }>(`SELECT "id" FROM "Person" WHERE "practiceId" = ? AND "platformUserId" = 't0'`, [practice.practiceId]);
  const [pageTherapist] = await sql.query<{ id: string }>(`SELECT "id" FROM "Person" WHERE "practiceId" = ? AND "platformUserId" = 't1'`, [practice.practiceId]);
  const caseloadClients = practice.enrollments.slice(0, CLIENTS);
  const pageClient = practice.enrollments[CLIENTS]!;
  // 60 clients for t0; the page's client belongs to t1.
  await sql.execute(`UPDATE "Enrollment" SET "therapistId" = ? WHERE "practiceId" = ?`, [therapist!.id, practice.practiceId]);
  await sql.execute(`UPDATE "Enrollment" SET "therapistId" = ? WHERE "id" = ?`, [pageTherapist!.id, pageClient.enrollmentId]);
  await seedHistory(sql, caseloadClients, HISTORY, new Date(now.getTime() - 3_600_000), 20);
  await seedHistory(sql, [pageClient], CLIENT_PAGE_HISTORY, new Date(now.getTime() - 3_600_000));
  // The page's client also has alerts: a repaired episode and an open one, as the chart shades them.
  const checkIns = await sql.query<{ id: string; sessionEndAt: unknown }>(`SELECT "id", "sessionEndAt" FROM "CheckIn" WHERE "enrollmentId" = ? ORDER BY "sessionEndAt" DESC`, [pageClient.enrollmentId]);
  for (const [k, status] of [[40, "repaired"], [2, "open"]] as const) {
    const at = new Date(Number(checkIns[k]!.sessionEndAt instanceof Date ? (checkIns[k]!.sessionEndAt as Date).getTime() : checkIns[k]!.sessionEndAt));
    await sql.execute(
      `INSERT INTO "Alert" ("id", "enrollmentId", "checkInId", "status", "severity", "signals", "createdAt", "updatedAt", "acknowledgedAt", "resolvedAt") VALUES (?, ?, ?, ?, 'normal', ?, ?, ?, ?, ?)`,
      [randomUUID(), pageClient.enrollmentId, checkIns[k]!.id, status, JSON.stringify([{ code: "low_total", params: { total: 9, threshold: 12 } }]), at, at, status === "repaired" ? at : null, status === "repaired" ? new Date(at.getTime() + 14 * 86_400_000) : null],
    );
  }
  if (provider === "postgresql") await sql.execute("ANALYZE");

  const server = await createWebServer({
    port: 0,
    logger: silentLogger,
    routes: publicRoutes({
      ops: { readiness: new Readiness([]) },
      dashboard: { auth: bot.dashboard.auth, dashboard: bot.dashboard.store, store: bot.store, engine: bot.engine, cipher: new (await import("../src/security/comment-cipher.ts")).AesGcmCommentCipher(Buffer.alloc(32, 7)), privacy: bot.privacy, clock: systemClock, logger: silentLogger, secureCookies: false },
    }),
  });
  const practiceRecord = (await bot.store.getPractice(practice.practiceId))!;
  const signIn = async (personId: string): Promise<string> => {
    const link = await bot.dashboard.auth.issueLink(practiceRecord, (await bot.store.getPerson(personId))!);
    const [, , practiceId, token] = link.path.split("/");
    const signedIn = await bot.dashboard.auth.redeem(practiceId!, token!);
    if (!signedIn.ok) throw new Error("sign-in failed");
    return `checkin_session=${signedIn.sessionId}`;
  };
  const caseloadCookie = await signIn(therapist!.id);
  const clientCookie = await signIn(pageTherapist!.id);
  const get = async (path: string) => {
    const response = await server.app.inject({ url: path, headers: { cookie: path === "/dashboard" ? caseloadCookie : clientCookie } });
    if (response.statusCode !== 200) throw new Error(`${path}: ${response.statusCode}`);
    // inject() completes without any I/O, so a loop of awaited requests never lets the event loop
    // run the callbacks each request leaves queued (setImmediate), and every response stays
    // reachable from that queue until the loop ends. A server on a socket returns to the event
    // loop after each request; so does this, and the time of that deferred work counts.
    await new Promise((resolve) => setImmediate(resolve));
    return response.body;
  };
  const caseloadPath = "/dashboard";
  const clientPath = `/dashboard/clients/${pageClient.enrollmentId}`;
  const caseloadBody = await get(caseloadPath);
  const clientBody = await get(clientPath);
  const rows = (caseloadBody.match(/<tr data-status=/g) ?? []).length;
  const dots = (clientBody.match(/<circle/g) ?? []).length;
  if (rows !== CLIENTS) throw new Error(`caseload shows ${rows} rows, expected ${CLIENTS}`);

  // Raw SQL baselines: the same rows, read with the driver and nothing else.
  const rawCaseload = () =>
    sql.query(
      `SELECT c."enrollmentId", c."sessionEndAt", c."status", r."goal", r."task", r."bond" FROM "Enrollment" e JOIN "CheckIn" c ON c."enrollmentId" = e."id" LEFT JOIN "Response" r ON r."checkInId" = c."id" WHERE e."practiceId" = ? AND e."therapistId" = ?`,
      [practice.practiceId, therapist!.id],
    );
  const rawClient = () =>
    sql.query(`SELECT c."sessionEndAt", r."goal", r."task", r."bond", r."tension" FROM "CheckIn" c JOIN "Response" r ON r."checkInId" = c."id" WHERE c."enrollmentId" = ? ORDER BY c."sessionEndAt" DESC LIMIT 200`, [pageClient.enrollmentId]);

  for (let i = 0; i < 20; i++) {
    await get(caseloadPath);
    await get(clientPath);
    await rawCaseload();
    await rawClient();
  }
  const caseload = stats(await timed(REQUESTS, () => get(caseloadPath)));
  const caseloadRaw = stats(await timed(REQUESTS, rawCaseload));
  const client = stats(await timed(REQUESTS, () => get(clientPath)));
  const clientRaw = stats(await timed(REQUESTS, rawClient));

  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const rssBefore = rssMb();
  for (let i = 0; i < MEMORY_PAGES; i++) await get(clientPath);
  gc?.();
  const rssAfter = rssMb();

  await server.close();
  await bot.close();
  process.stdout.write(
    `${JSON.stringify({
      caseload: { clients: CLIENTS, checkInsPerClient: HISTORY, requests: REQUESTS, ...caseload, baseline: { what: "raw driver: every check-in and response of the therapist's clients", ...caseloadRaw } },
      clientPage: { checkIns: CLIENT_PAGE_HISTORY, chartDots: dots, requests: REQUESTS, ...client, baseline: { what: "raw driver: the client's newest 200 answered check-ins", ...clientRaw } },
      memory: { pages: MEMORY_PAGES, rssBeforeMb: round(rssBefore), rssAfterMb: round(rssAfter), growthMb: round(rssAfter - rssBefore), gcExposed: Boolean(gc) },
    })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
