// Three real bot processes share one fresh PostgreSQL database and a zero-latency sink platform.
// They start together (so they also race to migrate), then 5,000 check-ins fall due at once.
// Every check-in must be sent exactly once, and each migration recorded exactly once.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { openDatabase } from "../../src/store/database.ts";
import type { OpenDatabase } from "../../src/store/database.ts";
import { loadMigrations, migrationsDir } from "../../src/store/migrate.ts";
import { readSinkLog } from "../../src/runtime/sink-platform.ts";
import { seedDueCheckIns, seedPractice } from "../../bench/seed.ts";
import { describePostgres } from "../support/pg-suite.ts";
import { spawnBot, waitFor } from "../support/bot-process.ts";
import type { BotProcess } from "../support/bot-process.ts";

const CHECK_INS = 5000;

await describePostgres("replica race on PostgreSQL", (database) => {
  let db: OpenDatabase;
  let dir: string;
  const bots: BotProcess[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "checkin-replicas-"));
  });

  afterAll(async () => {
    for (const bot of bots) bot.kill();
    await Promise.all(bots.map((b) => b.exited));
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("3 processes, 5,000 due check-ins: every check-in is sent exactly once", async () => {
    const sinkFile = path.join(dir, "sent.log");
    for (let i = 0; i < 3; i++) bots.push(spawnBot({ DATABASE_URL: database().url, CHAT_SINK_FILE: sinkFile }));
    await Promise.all(bots.map((b) => b.ready));

    db = await openDatabase(database().url);
    // Replicas that started together applied each migration exactly once.
    const recorded = await db.sql.query<{ migration_name: string; n: number }>(`SELECT migration_name, COUNT(*) AS n FROM "_prisma_migrations" GROUP BY migration_name`);
    expect(recorded.map((r) => r.migration_name).sort()).toEqual(loadMigrations(migrationsDir("postgresql")).map((m) => m.name));
    expect(recorded.every((r) => Number(r.n) === 1)).toBe(true);
    const applied = bots.map((b) => Number(b.logs().find((l) => l.msg === "database ready")?.applied ?? -1));
    expect(applied.reduce((a, b) => a + b, 0)).toBe(recorded.length);

    const practice = await seedPractice(db.sql, CHECK_INS);
    const ids = await seedDueCheckIns(db.sql, practice.enrollments, new Date(Date.now() - 1000));

    await waitFor(
      "every check-in sent",
      async () => {
        const [row] = await db.sql.query<{ n: number }>(`SELECT COUNT(*) AS n FROM "CheckIn" WHERE "status" = 'sent' AND "sessionEndAt" < ?`, [new Date()]);
        return Number(row?.n) === CHECK_INS;
      },
      240_000,
      200,
    );

    const sends = readSinkLog(sinkFile).filter((r) => r.op === "send");
    const perCheckIn = new Map<string, number>();
    for (const s of sends) perCheckIn.set(s.checkInId ?? "?", (perCheckIn.get(s.checkInId ?? "?") ?? 0) + 1);
    expect(sends.every((s) => s.kind === "prompt")).toBe(true);
    expect(sends.length).toBe(CHECK_INS);
    expect([...perCheckIn.keys()].sort()).toEqual([...ids].sort());
    expect([...perCheckIn.values()].every((n) => n === 1)).toBe(true);
    // It was a race: more than one process sent.
    const senders = new Set(sends.map((s) => s.pid));
    expect(senders.size).toBeGreaterThan(1);
    // The database agrees with the platform: one recorded message per check-in, nothing left leased.
    const [leased] = await db.sql.query<{ n: number }>(`SELECT COUNT(*) AS n FROM "CheckIn" WHERE "status" = 'sending'`);
    expect(Number(leased?.n)).toBe(0);
    process.stdout.write(`replica race: ${CHECK_INS} check-ins sent by ${senders.size} processes (${[...senders].map((pid) => sends.filter((s) => s.pid === pid).length).join(" + ")})\n`);
  }, 420_000);
});
