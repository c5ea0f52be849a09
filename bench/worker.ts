// One benchmark scenario in a fresh process (so peak RSS and JIT state belong to it alone).
// Usage: worker.ts <scenario> <provider> <databaseUrl> [json options]. Prints one JSON line.

import type { BotParts } from "../src/app.ts";
import type { Provider } from "../src/store/database.ts";
import { openDatabase } from "../src/store/database.ts";
import { encodeAction } from "../src/ports/action-ids.ts";
import { startTicker } from "../src/runtime/ticker.ts";
import { silentLogger } from "../src/ports/logger.ts";
import type { TickReport } from "../src/core/engine.ts";
import { siblingScript, startWorker } from "../src/runtime/worker-script.ts";
import { readFileSync } from "node:fs";
import { seedDueCheckIns, seedHistory, seedPractice } from "./seed.ts";
import type { SeededEnrollment } from "./seed.ts";
import { buildBenchBot, CountingPlatform, peakRssMb, percentile, round } from "./support.ts";
import { openRaw, rawAnswerLoop, rawSendLoop } from "./raw.ts";
import { scoresFor } from "./scores.ts";
import type { WebClientsMessage, WebClientsRun } from "./web-clients.ts";

const [scenario, providerArg, url, optionsJson] = process.argv.slice(2);
const provider = providerArg as Provider;
const options = JSON.parse(optionsJson ?? "{}") as Record<string, number>;

/**
 * Clients answer their sent check-ins (three presses each), `concurrency` clients at a time, each
 * pressing again as soon as the reply to its previous press arrives (a closed loop). With
 * `timedFrom`, the items before it are a warm-up in the same loop: the figures cover the items
 * from it on, from the start of the first of them (when `onTimed` runs) to the end of the last.
 */
async function ingest(bot: BotParts, items: { checkInId: string; userId: string }[], concurrency: number, timedFrom = 0, onTimed: () => void = () => {}): Promise<{ ms: number; completed: number; latencies: number[] }> {
  let next = 0;
  let completed = 0;
  const latencies: number[] = [];
  let started = Number.NaN;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const i = next++;
        const item = items[i]!;
        const scores = scoresFor(i);
        const actor = { platform: "terminal" as const, workspaceId: "local", userId: item.userId, isPlatformAdmin: false };
        const itemStart = performance.now();
        if (i === timedFrom) {
          started = itemStart;
          onTimed();
        }
        let reply;
        for (const key of ["goal", "task", "bond"] as const) {
          reply = await bot.engine.receive({ type: "action", actor, actionId: encodeAction({ op: "score", checkInId: item.checkInId, item: key, value: scores[key] }), deliveryId: `${item.checkInId}:${key}` });
          if (reply.refused) throw new Error(`answer refused: ${reply.text}`);
        }
        if (i < timedFrom) continue;
        latencies[i - timedFrom] = performance.now() - itemStart;
        completed++;
      }
    }),
  );
  return { ms: performance.now() - started, completed, latencies };
}

async function sentItems(bot: BotParts, enrollments: SeededEnrollment[], limit: number): Promise<{ checkInId: string; userId: string }[]> {
  const userOf = new Map(enrollments.map((e) => [e.enrollmentId, e.clientUserId]));
  const rows = await bot.db.sql.query<{ id: string; enrollmentId: string }>(`SELECT "id", "enrollmentId" FROM "CheckIn" WHERE "status" = 'sent' ORDER BY "id" LIMIT ?`, [limit]);
  return rows.map((r) => ({ checkInId: r.id, userId: userOf.get(r.enrollmentId) ?? "?" }));
}

async function enrollmentsOf(bot: BotParts): Promise<SeededEnrollment[]> {
  const rows = await bot.db.sql.query<{ id: string; platformUserId: string }>(`SELECT e."id", p."platformUserId" FROM "Enrollment" e JOIN "Person" p ON p."id" = e."clientId"`);
  return rows.map((r) => ({ enrollmentId: r.id, clientUserId: r.platformUserId }));
}

/** The raw driver's loop over one check-in per enrollment; the first `warmUp` are not timed. */
async function rawBaseline(kind: "send" | "answer", enrollments: SeededEnrollment[], due: Date, warmUp = 0): Promise<{ ms: number; n: number }> {
  const db = await openDatabase(url as string);
  const ids = await seedDueCheckIns(db.sql, enrollments, due, "now");
  await db.close();
  const raw = await openRaw(provider, url as string);
  const loop = kind === "send" ? rawSendLoop : rawAnswerLoop;
  await loop(raw, ids.slice(0, warmUp));
  const ms = await loop(raw, ids.slice(warmUp));
  await raw.close();
  return { ms, n: ids.length - warmUp };
}

async function burst(): Promise<Record<string, unknown>> {
  const n = options.n ?? 20_000;
  const seeding = await openDatabase(url as string);
  const { applyMigrations, loadMigrations, migrationsDir } = await import("../src/store/migrate.ts");
  await applyMigrations(seeding.sql, loadMigrations(migrationsDir(provider)));
  const practice = await seedPractice(seeding.sql, n);
  await seedDueCheckIns(seeding.sql, practice.enrollments, new Date(Date.now() - 1000));
  await seeding.close();
  const platform = new CountingPlatform();
  const bot = await buildBenchBot(url as string, platform);
  const started = performance.now();
  const report = await bot.engine.tick();
  const ms = performance.now() - started;
  await bot.close();
  if (platform.sent !== n || report.dispatch.sent !== n) throw new Error(`burst sent ${platform.sent} of ${n}`);
  const raw = await rawBaseline("send", practice.enrollments, new Date(Date.now() - 3_600_000));
  const perS = (n / ms) * 1000;
  const rawPerS = (raw.n / raw.ms) * 1000;
  return { checkIns: n, seconds: round(ms / 1000, 2), perSecond: round(perS), baseline: { what: "raw driver: one single-row UPDATE per check-in, each in its own transaction", seconds: round(raw.ms / 1000, 2), perSecond: round(rawPerS) }, ratioToBaseline: round(perS / rawPerS, 2) };
}

const DEFAULT_CLIENTS = 16;

/** Per-response latency (three presses, one after another) at the 50th and 99th percentile. */
function latencyPercentiles(latencies: number[]): { p50: number; p99: number } {
  const sorted = latencies.filter((v) => v !== undefined).sort((a, b) => a - b);
  return { p50: round(percentile(sorted, 50), 2), p99: round(percentile(sorted, 99), 2) };
}

async function ingestion(): Promise<Record<string, unknown>> {
  const n = options.n ?? 3000;
  const clients = options.clients ?? DEFAULT_CLIENTS;
  const history = options.history ?? 5;
  // Steady-state throughput: the first responses (JIT compilation, connection set-up, caches)
  // are not timed, for the engine and the raw baseline alike.
  const warmUp = options.warmUp ?? Math.round(n / 6);
  const seeding = await openDatabase(url as string);
  const { applyMigrations, loadMigrations, migrationsDir } = await import("../src/store/migrate.ts");
  await applyMigrations(seeding.sql, loadMigrations(migrationsDir(provider)));
  const practice = await seedPractice(seeding.sql, n + warmUp);
  const now = new Date();
  await seedHistory(seeding.sql, practice.enrollments, history, new Date(now.getTime() - 3_600_000));
  await seedDueCheckIns(seeding.sql, practice.enrollments, new Date(now.getTime() - 1000), "now");
  await seeding.close();
  const bot = await buildBenchBot(url as string, new CountingPlatform());
  await bot.engine.tick();
  const items = await sentItems(bot, practice.enrollments, n + warmUp);
  await ingest(bot, items.slice(0, warmUp), clients);
  const result = await ingest(bot, items.slice(warmUp), clients);
  await bot.close();
  const raw = await rawBaseline("answer", practice.enrollments, new Date(now.getTime() - 7_200_000), warmUp);
  const perS = (result.completed / result.ms) * 1000;
  const rawPerS = (raw.n / raw.ms) * 1000;
  const latency = latencyPercentiles(result.latencies);
  return {
    responses: result.completed,
    warmUpResponses: warmUp,
    clients,
    historyPerEnrollment: history,
    seconds: round(result.ms / 1000, 2),
    perSecond: round(perS),
    msPerResponse: round(result.ms / result.completed, 3),
    responseLatencyMs: latency,
    baseline: { what: "raw driver: INSERT response + UPDATE check-in per answer, one transaction each", seconds: round(raw.ms / 1000, 2), perSecond: round(rawPerS) },
    ratioToBaseline: round(perS / rawPerS, 2),
  };
}

/** On the big database: start-up, a burst of one check-in per enrollment, then answers; peak RSS. */
async function large(): Promise<Record<string, unknown>> {
  const answers = options.answers ?? 2000;
  const started = performance.now();
  const platform = new CountingPlatform();
  const bot = await buildBenchBot(url as string, platform);
  const openMs = performance.now() - started;
  const enrollments = await enrollmentsOf(bot);
  const burstStart = performance.now();
  const report = await bot.engine.tick();
  const burstMs = performance.now() - burstStart;
  // Clients with a long history and clients with a short one answer interleaved, under the same
  // conditions, so their per-response times isolate the cost of history length.
  const longHistory = options.longHistoryClients ?? 0;
  const isLong = (item: { userId: string }) => Number(item.userId.slice(1)) < longHistory;
  const all = await sentItems(bot, enrollments, enrollments.length);
  const longItems = all.filter(isLong).slice(0, answers / 2);
  const shortItems = all.filter((i) => !isLong(i)).slice(0, answers - longItems.length);
  const items = longItems.flatMap((item, k) => (shortItems[k] ? [item, shortItems[k]] : [item])).concat(shortItems.slice(longItems.length));
  const clients = options.clients ?? DEFAULT_CLIENTS;
  // As in the ingestion scenario, other clients' answers warm the process up first (not timed).
  const warmUp = Math.round(answers / 6);
  const chosen = new Set(items.map((item) => item.checkInId));
  await ingest(bot, all.filter((item) => !chosen.has(item.checkInId)).slice(0, warmUp), clients);
  const result = await ingest(bot, items, clients);
  await bot.close();
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
  const latencyOf = (pick: (item: { userId: string }) => boolean) => round(mean(items.map((item, i) => (pick(item) ? result.latencies[i] : undefined)).filter((v): v is number => v !== undefined)), 3);
  return {
    openAndMigrateMs: round(openMs),
    burst: { checkIns: report.dispatch.sent, seconds: round(burstMs / 1000, 2), perSecond: round((report.dispatch.sent / burstMs) * 1000) },
    ingestion: {
      responses: result.completed,
      warmUpResponses: warmUp,
      clients,
      perSecond: round((result.completed / result.ms) * 1000),
      msPerResponse: round(result.ms / result.completed, 3),
      meanLatencyMsLongHistory: latencyOf(isLong),
      meanLatencyMsShortHistory: latencyOf((item) => !isLong(item)),
      longHistory: options.longHistory ?? null,
      shortHistory: options.shortHistory ?? null,
    },
    peakRssMb: peakRssMb(),
  };
}

/** How long before its due time the session of a steady-load check-in ended (see steady()). */
const STEADY_SESSION_ENDED_MINUTES_BEFORE = 60;

/** The dispatch counts the steady scenario reports, summed over its ticks. */
const DISPATCH_COUNTS = ["claimed", "sent", "rescheduled", "missedBySystem", "failed", "cancelled", "lost"] as const;

/** Check-ins fall due at a steady rate while the real ticker runs; lateness = sent − due. */
async function steady(): Promise<Record<string, unknown>> {
  const rate = options.rate ?? 50;
  const seconds = options.seconds ?? 20;
  const tickSeconds = options.tickSeconds ?? 1;
  const latencyMs = options.platformLatencyMs ?? 0;
  const seeding = await openDatabase(url as string);
  // Enrollments without an open `now` check-in: an enrollment holds at most one (the partial
  // unique index CheckIn_one_open_now_per_enrollment), and earlier runs on this database leave
  // theirs sent and unanswered. Each run takes fresh ones, `count` for the engine and `count` for
  // the baseline. Their sessions ended an hour before they are due: the burst that ran on this
  // database a minute ago prompted every enrollment for a session that ended 10 minutes before
  // it, and a second prompt within 30 minutes of a prompted session is the same session
  // (SAME_SESSION_MS), which the engine cancels instead of sending.
  const enrollments = (await seeding.sql.query<{ id: string; platformUserId: string }>(
    `SELECT e."id", p."platformUserId" FROM "Enrollment" e JOIN "Person" p ON p."id" = e."clientId"
     WHERE NOT EXISTS (SELECT 1 FROM "CheckIn" c WHERE c."enrollmentId" = e."id" AND c."kind" = 'now' AND c."status" IN ('scheduled', 'sending', 'sent'))`,
  )).map((r) => ({ enrollmentId: r.id, clientUserId: r.platformUserId }));
  const count = rate * seconds;
  if (enrollments.length < 2 * count) throw new Error(`steady load needs ${2 * count} enrollments without an open "now" check-in, the database has ${enrollments.length}`);
  const start = Date.now() + 3000;
  const spacing = 1000 / rate;
  // Spread due times evenly over the run; `now`-kind check-ins (no next session materialised).
  for (let i = 0; i < count; i++) {
    await seedDueCheckIns(seeding.sql, [enrollments[i]!], new Date(start + i * spacing), "now", STEADY_SESSION_ENDED_MINUTES_BEFORE);
  }
  await seeding.close();
  const lateness: number[] = [];
  const dispatched = Object.fromEntries(DISPATCH_COUNTS.map((key) => [key, 0])) as Record<(typeof DISPATCH_COUNTS)[number], number>;
  const platform = new CountingPlatform(latencyMs);
  const { buildBot } = await import("../src/app.ts");
  const { AesGcmCommentCipher } = await import("../src/security/comment-cipher.ts");
  const { randomBytes } = await import("node:crypto");
  const bot = await buildBot({
    databaseUrl: url as string,
    cipher: new AesGcmCommentCipher(randomBytes(32)),
    logger: silentLogger,
    hooks: {
      onTick: (report: TickReport) => {
        lateness.push(...report.dispatch.lateness);
        for (const key of DISPATCH_COUNTS) dispatched[key] += report.dispatch[key];
      },
    },
  });
  bot.platforms.set(platform.name, platform);
  const ticker = startTicker(bot.engine, silentLogger, tickSeconds);
  while (lateness.length < count && Date.now() < start + seconds * 1000 + 30_000) await new Promise((resolve) => setTimeout(resolve, 100));
  await ticker.stop();
  await bot.close();
  const sorted = [...lateness].sort((a, b) => a - b);

  // Baseline: a raw poller on the same tick marks due rows sent with single-row transactions.
  const raw = await openRaw(provider, url as string);
  const reseed = await openDatabase(url as string);
  const baseStart = Date.now() + 3000;
  for (let i = 0; i < count; i++) {
    await seedDueCheckIns(reseed.sql, [enrollments[i + count]!], new Date(baseStart + i * spacing + 1), "now", STEADY_SESSION_ENDED_MINUTES_BEFORE);
  }
  await reseed.close();
  const rawLateness: number[] = [];
  await new Promise<void>((resolve) => {
    const timer = setInterval(async () => {
      const now = new Date();
      const due = await raw.query<{ id: string; dueAt: unknown }>(`SELECT "id", "dueAt" FROM "CheckIn" WHERE "status" = 'scheduled' AND "kind" = 'now' AND "dueAt" <= ?`, [now]);
      for (const row of due) {
        await raw.transaction([[`UPDATE "CheckIn" SET "status" = 'sent', "sentAt" = ? WHERE "id" = ?`, [new Date(), row.id]]]);
        const dueMs = row.dueAt instanceof Date ? row.dueAt.getTime() : Number(row.dueAt);
        rawLateness.push(Date.now() - dueMs);
      }
      if (rawLateness.length >= count || Date.now() > baseStart + seconds * 1000 + 30_000) {
        clearInterval(timer);
        resolve();
      }
    }, tickSeconds * 1000);
  });
  await raw.close();
  const rawSorted = [...rawLateness].sort((a, b) => a - b);
  const sentPerSecond = lateness.length / seconds;
  return {
    ratePerSecond: rate,
    seconds,
    tickSeconds,
    platformLatencyMs: latencyMs,
    sent: lateness.length,
    sentPerSecond: round(sentPerSecond),
    dispatched,
    latenessP50Ms: round(percentile(sorted, 50)),
    latenessP99Ms: round(percentile(sorted, 99)),
    latenessMaxMs: round(sorted.at(-1) ?? Number.NaN),
    baseline: { what: "raw driver poller on the same tick: SELECT due, then one single-row UPDATE transaction each", sent: rawLateness.length, latenessP50Ms: round(percentile(rawSorted, 50)), latenessP99Ms: round(percentile(rawSorted, 99)) },
  };
}

/**
 * CPU time the main thread has used so far, in ms, from /proc (Linux: utime + stime in clock
 * ticks of 10 ms); null where /proc is not there. Unlike process.cpuUsage() it leaves out the
 * visitors' worker thread, and unlike a rate it does not move when other processes take the CPU.
 */
function mainThreadCpuMs(): number | null {
  try {
    const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return null;
  }
}

/**
 * Main-thread CPU per item over the timed part of a run, in µs (null without /proc): `run` calls
 * its argument when the timed part starts.
 */
async function cpuPerItem<T>(items: number, run: (timed: () => void) => Promise<T>): Promise<{ result: T; cpuUs: number | null }> {
  let before: number | null = null;
  const result = await run(() => (before = mainThreadCpuMs()));
  const after = mainThreadCpuMs();
  return { result, cpuUs: before === null || after === null ? null : round(((after - before) * 1000) / items) };
}

/**
 * Link mode over HTTP on loopback: each web check-in is a GET of the page and a POST of the
 * answers (CSRF cookie and token as a browser sends them), `clients` at a time in a closed loop.
 * The visitors run in a worker thread (bench/web-clients.ts) with keep-alive connections and a
 * lean client, as load generators such as wrk or autocannon do, so the figure is the server's,
 * not the HTTP client's. The same process also answers other check-ins directly through
 * engine.receive (three presses each) on its main thread, as the same-run baseline, half of it
 * just before the web loop and half just after. Each loop is closed, and its first check-ins
 * (`warmUp`, or half of it for each direct half) are not timed.
 */
async function web(): Promise<Record<string, unknown>> {
  const n = options.n ?? 1000;
  const clients = options.clients ?? 50;
  // Both sides first answer a third as many check-ins untimed, so that what is timed runs
  // compiled code (with a fifth, the first timed web check-ins still ran partly unoptimised),
  // and the timed window starts with the clients already spread out.
  const warmUp = options.warmUp ?? Math.round(n / 3);
  const seeding = await openDatabase(url as string);
  const { applyMigrations, loadMigrations, migrationsDir } = await import("../src/store/migrate.ts");
  await applyMigrations(seeding.sql, loadMigrations(migrationsDir(provider)));
  const practice = await seedPractice(seeding.sql, 2 * (n + warmUp));
  const now = new Date();
  await seedHistory(seeding.sql, practice.enrollments, 5, new Date(now.getTime() - 3_600_000));
  await seedDueCheckIns(seeding.sql, practice.enrollments, new Date(now.getTime() - 1000), "now");
  await seeding.close();
  const { createWebServer, publicRoutes } = await import("../adapters/web/index.ts");
  const { Readiness } = await import("../src/runtime/readiness.ts");
  const { buildBot } = await import("../src/app.ts");
  const { AesGcmCommentCipher } = await import("../src/security/comment-cipher.ts");
  const { randomBytes } = await import("node:crypto");
  let base = "";
  const links = new Map<string, string>();
  const platform = new CountingPlatform();
  const recording = Object.assign(Object.create(platform) as CountingPlatform, {
    async sendDirect(to: { workspaceId: string; userId: string }, view: { kind: string; link?: { url: string } }) {
      if (view.kind === "link" && view.link) links.set(to.userId, view.link.url);
      return platform.sendDirect(to, view as never);
    },
  });
  const bot = await buildBot({ databaseUrl: url as string, cipher: new AesGcmCommentCipher(randomBytes(32)), logger: silentLogger, linkSigningKey: randomBytes(32), publicUrl: () => base });
  bot.platforms.set("terminal", recording);
  await bot.db.sql.execute(`UPDATE "Practice" SET "settings" = ?`, [JSON.stringify({ ...(await bot.store.getPractice(practice.practiceId))!.settings, delivery: "link" })]);
  const server = await createWebServer({
    port: 0,
    logger: silentLogger,
    routes: publicRoutes({ ops: { readiness: new Readiness([]) }, links: { pages: bot.engine.linkPages, inbound: bot.engine, limits: { perAddress: 1_000_000, perLink: 1_000 } } }),
  });
  base = `http://127.0.0.1:${await server.listen()}`;
  await bot.engine.tick();
  const items = await sentItems(bot, practice.enrollments, 2 * (n + warmUp));
  const webItems = items.slice(0, n + warmUp).map((item) => links.get(item.userId) ?? "");
  if (webItems.some((link) => !link)) throw new Error("a web check-in got no link");
  const visitors = startWorker(siblingScript(import.meta.url, "web-clients"));
  // One closed loop over the warm-up and then the timed check-ins, for the web and the direct
  // side alike: the timed window starts with the clients already spread out, as in steady load.
  const webRun = (timedStart: () => void): Promise<{ ms: number; latencies: number[] }> =>
    new Promise((resolve, reject) => {
      const onMessage = (message: WebClientsMessage) => {
        if ("timed" in message) return timedStart();
        visitors.off("message", onMessage);
        if ("error" in message) reject(new Error(message.error));
        else resolve(message);
      };
      visitors.on("message", onMessage);
      visitors.once("error", reject);
      visitors.postMessage({ links: webItems, clients, timedFrom: warmUp } satisfies WebClientsRun);
    });
  const loopsStart = new Date();
  // The direct baseline runs in two halves, one just before the web loop and one just after, each
  // with half the warm-up: a shared machine's speed drifts over seconds, and the two sides then
  // see the same stretch of it rather than one side the faster part.
  const direct = items.slice(n + warmUp);
  const firstTimed = Math.floor(n / 2);
  const firstWarmUp = Math.floor(warmUp / 2);
  const firstHalf = direct.slice(0, firstWarmUp + firstTimed);
  const secondHalf = direct.slice(firstWarmUp + firstTimed);
  const before = await cpuPerItem(firstTimed, (timedStart) => ingest(bot, firstHalf, clients, firstWarmUp, timedStart));
  const { result: timed, cpuUs } = await cpuPerItem(n, webRun);
  await visitors.terminate();
  const after = await cpuPerItem(n - firstTimed, (timedStart) => ingest(bot, secondHalf, clients, warmUp - firstWarmUp, timedStart));
  const baseline = { ms: before.result.ms + after.result.ms, completed: before.result.completed + after.result.completed, latencies: [...before.result.latencies, ...after.result.latencies] };
  const baselineCpuUs = before.cpuUs === null || after.cpuUs === null ? null : round((before.cpuUs * firstTimed + after.cpuUs * (n - firstTimed)) / n);
  const halfRate = (half: { ms: number; completed: number }) => round((half.completed / half.ms) * 1000);
  // Every visit and every direct answer must have stored its check-in's answers.
  const [answered] = await bot.db.sql.query<{ count: number | bigint }>(`SELECT COUNT(*) AS "count" FROM "CheckIn" WHERE "status" = 'answered' AND "answeredAt" >= ?`, [loopsStart]);
  if (Number(answered?.count) !== webItems.length + direct.length) throw new Error(`${answered?.count} check-ins answered, expected ${webItems.length + direct.length}`);
  await server.close();
  await bot.close();
  const perS = (n / timed.ms) * 1000;
  const directPerS = (baseline.completed / baseline.ms) * 1000;
  return {
    what: `GET of the page + POST of the answers per check-in, over loopback HTTP from ${clients} keep-alive clients in a worker thread; the server runs on the main thread`,
    checkIns: n,
    clients,
    seconds: round(timed.ms / 1000, 2),
    perSecond: round(perS),
    latencyMs: latencyPercentiles(timed.latencies),
    serverCpuUsPerCheckIn: cpuUs,
    baseline: {
      what: "the same process answering other check-ins through engine.receive, three presses each, half before the web loop and half after",
      perSecond: round(directPerS),
      halvesPerSecond: [halfRate(before.result), halfRate(after.result)],
      latencyMs: latencyPercentiles(baseline.latencies),
      cpuUsPerCheckIn: baselineCpuUs,
    },
    ratioToBaseline: round(perS / directPerS, 2),
    cpuRatioToBaseline: cpuUs && baselineCpuUs ? round(baselineCpuUs / cpuUs, 2) : null,
  };
}

const scenarios: Record<string, () => Promise<Record<string, unknown>>> = { burst, ingestion, large, steady, web };
const run = scenarios[scenario ?? ""];
if (!run) {
  process.stderr.write(`unknown scenario ${scenario}\n`);
  process.exit(2);
}
run().then(
  (result) => {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exit(0);
  },
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
