// The bot as a real process on SQLite: a second process on the same file refuses to start;
// SIGTERM stops claiming, finishes in-flight sends, hands back leases and exits 0; a send that
// outlives the shutdown deadline does not hold the process up.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/store/database.ts";
import type { OpenDatabase } from "../../src/store/database.ts";
import { readSinkLog } from "../../src/runtime/sink-platform.ts";
import { seedDueCheckIns, seedPractice } from "../../bench/seed.ts";
import { spawnBot, waitFor } from "../support/bot-process.ts";
import type { BotProcess } from "../support/bot-process.ts";

describe("bot process on SQLite", () => {
  const bots: BotProcess[] = [];
  const dbs: OpenDatabase[] = [];
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(path.join(tmpdir(), "checkin-proc-"));
    dirs.push(dir);
    return dir;
  };
  const start = (env: Record<string, string>) => {
    const bot = spawnBot(env);
    bots.push(bot);
    return bot;
  };
  afterEach(async () => {
    for (const bot of bots.splice(0)) {
      bot.kill();
      await bot.exited;
    }
    for (const db of dbs.splice(0)) await db.close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("a second process on the same SQLite file refuses to start with a clear message; after the first dies, a new one starts", async () => {
    const dir = tempDir();
    const env = { DATABASE_URL: `file:${path.join(dir, "bot.db")}`, CHAT_SINK_FILE: path.join(dir, "sent.log") };
    const first = start(env);
    await first.ready;
    const second = start(env);
    const exit = await second.exited;
    expect(exit.code).toBe(1);
    expect(second.stderr()).toContain(`another bot process is already using the SQLite database ${path.join(dir, "bot.db")}`);
    expect(second.stderr()).toContain("use PostgreSQL");
    // The first is unaffected and still ready.
    const ready = await fetch(`http://127.0.0.1:${first.port()}/readyz`);
    expect(ready.status).toBe(200);
    // The OS drops the lock with the process, even on SIGKILL: no stale lock to clean up.
    first.kill("SIGKILL");
    await first.exited;
    const third = start(env);
    await third.ready;
  }, 300_000);

  it("SIGTERM: stops claiming, finishes in-flight sends, releases leases, exits 0; a restart sends the rest exactly once", async () => {
    const dir = tempDir();
    const url = `file:${path.join(dir, "bot.db")}`;
    const sinkFile = path.join(dir, "sent.log");
    // 40 ms per send, 4 at a time: a 400-row burst takes ~4 s, so SIGTERM lands mid-burst.
    const env = { DATABASE_URL: url, CHAT_SINK_FILE: sinkFile, CHAT_SINK_LATENCY_MS: "40", SEND_CONCURRENCY: "4", SHUTDOWN_GRACE_SECONDS: "10" };
    const bot = start(env);
    await bot.ready;
    const db = await openDatabase(url);
    dbs.push(db);
    const practice = await seedPractice(db.sql, 400);
    await seedDueCheckIns(db.sql, practice.enrollments, new Date(Date.now() - 1000));
    await waitFor("some sends", async () => readSinkLog(sinkFile).length >= 40, 120_000, 20);

    const signalledAt = Date.now();
    bot.kill("SIGTERM");
    const exit = await bot.exited;
    expect(exit.code).toBe(0);
    const stopped = bot.logs().find((l) => l.msg === "stopped");
    expect(stopped).toMatchObject({ drained: true });

    const sentBeforeStop = readSinkLog(sinkFile).filter((r) => r.op === "send");
    const rows = await db.sql.query<{ id: string; status: string; leaseOwner: string | null; attempt: number }>(
      `SELECT "id", "status", "leaseOwner", "attempt" FROM "CheckIn" WHERE "sessionEndAt" < ?`,
      [new Date(signalledAt)],
    );
    const status = new Map(rows.map((r) => [r.id, r.status]));
    // Every message the platform received is recorded as sent: no send was cut off unrecorded.
    expect(sentBeforeStop.every((s) => status.get(s.checkInId ?? "") === "sent")).toBe(true);
    // Nothing stays leased: unsent claims went back to the queue at once.
    expect(rows.filter((r) => r.status === "sending" || r.leaseOwner !== null)).toEqual([]);
    const remaining = rows.filter((r) => r.status === "scheduled").length;
    expect(remaining).toBeGreaterThan(0);
    expect(remaining + sentBeforeStop.length).toBe(400);
    // The count it reports is what it handed back: the claimed (attempt ≥ 1) rows it never sent.
    expect(stopped?.released).toBe(rows.filter((r) => r.status === "scheduled" && Number(r.attempt) >= 1).length);

    // A new process picks up the rest immediately (no lease to wait out) and sends each once.
    const next = start({ ...env, CHAT_SINK_LATENCY_MS: "0" });
    await next.ready;
    await waitFor("the rest sent", async () => readSinkLog(sinkFile).filter((r) => r.op === "send").length >= 400, 180_000, 50);
    // Every row recorded as sent, none leased: no claim is left that could send one again.
    await waitFor("every check-in recorded as sent", async () => {
      const [row] = await db.sql.query<{ n: number }>(
        `SELECT COUNT(*) AS n FROM "CheckIn" WHERE "sessionEndAt" < ? AND "status" = 'sent' AND "leaseOwner" IS NULL`,
        [new Date(signalledAt)],
      );
      return Number(row?.n) === 400;
    }, 180_000, 50);
    const sends = readSinkLog(sinkFile).filter((r) => r.op === "send");
    expect(sends.length).toBe(400);
    expect(new Set(sends.map((s) => s.checkInId)).size).toBe(400);
  }, 420_000);

  it("SIGTERM with a send slower than the deadline: exits after the deadline, lease handed back", async () => {
    const dir = tempDir();
    const url = `file:${path.join(dir, "bot.db")}`;
    const sinkFile = path.join(dir, "sent.log");
    const env = { DATABASE_URL: url, CHAT_SINK_FILE: sinkFile, CHAT_SINK_LATENCY_MS: "20000", SEND_CONCURRENCY: "1", SHUTDOWN_GRACE_SECONDS: "1" };
    const bot = start(env);
    await bot.ready;
    const db = await openDatabase(url);
    dbs.push(db);
    const practice = await seedPractice(db.sql, 3);
    await seedDueCheckIns(db.sql, practice.enrollments, new Date(Date.now() - 1000));
    await waitFor("a claim", async () => {
      const [row] = await db.sql.query<{ n: number }>(`SELECT COUNT(*) AS n FROM "CheckIn" WHERE "status" = 'sending'`);
      return Number(row?.n) > 0;
    }, 120_000, 50);
    bot.kill("SIGTERM");
    const exit = await bot.exited;
    expect(exit.code).toBe(0);
    // It gave up waiting at the deadline: the 20 s send never reached the platform.
    expect(bot.logs().find((l) => l.msg === "stopped")).toMatchObject({ drained: false });
    const [leased] = await db.sql.query<{ n: number }>(`SELECT COUNT(*) AS n FROM "CheckIn" WHERE "status" = 'sending'`);
    expect(Number(leased?.n)).toBe(0);
    expect(readSinkLog(sinkFile)).toEqual([]);
  }, 300_000);
});
