// Crash test: three bot processes share PostgreSQL; while 5,000 due check-ins go out and clients
// answer them (and pause by command, and therapists acknowledge alerts), one process at a time is killed with SIGKILL at random moments (at least ten
// times during the burst) and replaced. Afterwards no check-in and no acknowledged answer may be
// missing, and the only duplicate sends are of check-ins a killed process had in flight (claimed,
// not yet recorded, read from its leases right after it died): at most one extra send each.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { openDatabase } from "../../src/store/database.ts";
import type { OpenDatabase } from "../../src/store/database.ts";
import { readSinkLog } from "../../src/runtime/sink-platform.ts";
import { encodeAction } from "../../src/ports/action-ids.ts";
import { seedDueCheckIns, seedPractice } from "../../bench/seed.ts";
import { describePostgres } from "../support/pg-suite.ts";
import { postEvent, spawnBot, waitFor } from "../support/bot-process.ts";
import type { BotProcess } from "../support/bot-process.ts";

const CHECK_INS = 5000;
const MIN_KILLS = 10;
/** Stop killing after this many, so the burst is sure to finish. */
const MAX_KILLS = 14;
const ANSWERS = 600;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const pick = <T>(items: T[]): T => items[Math.floor(Math.random() * items.length)] as T;

await describePostgres("crash test on PostgreSQL", (database) => {
  /** Set when the test is over (passed or failed), so background loops stop before the database closes. */
  let testEnded = false;
  const background: Promise<unknown>[] = [];
  let db: OpenDatabase;
  let dir: string;
  const bots: BotProcess[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "checkin-crash-"));
  });

  afterAll(async () => {
    testEnded = true;
    await Promise.allSettled(background);
    for (const bot of bots) bot.kill();
    await Promise.all(bots.map((b) => b.exited));
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`kill -9 at random moments (≥ ${MIN_KILLS} times) during a burst of ${CHECK_INS}: nothing lost, duplicates ≤ kills`, async () => {
    const sinkFile = path.join(dir, "sent.log");
    // The lease outlasts any send, even on a loaded machine, so a row is re-sent only after its
    // claimant died; it is short enough that the burst recovers from each kill.
    const env = { DATABASE_URL: database().url, CHAT_SINK_FILE: sinkFile, LEASE_SECONDS: "6", LOG_LEVEL: "warn" };
    const spawnReplica = (): BotProcess => {
      const bot = spawnBot({ ...env, LOG_LEVEL: "info" });
      bots.push(bot);
      return bot;
    };
    for (let i = 0; i < 3; i++) spawnReplica();
    await Promise.all(bots.map((b) => b.ready));

    db = await openDatabase(database().url);
    const practice = await seedPractice(db.sql, CHECK_INS);
    const userOf = new Map(practice.enrollments.map((e) => [e.enrollmentId, e.clientUserId]));
    await seedDueCheckIns(db.sql, practice.enrollments, new Date(Date.now() - 1000));
    const seededAt = new Date();

    const countDelivered = async (): Promise<number> => {
      const [row] = await db.sql.query<{ n: number }>(`SELECT COUNT(*) AS n FROM "CheckIn" WHERE "status" IN ('sent', 'answered') AND "sessionEndAt" < ?`, [seededAt]);
      return Number(row?.n);
    };

    let burstDone = false;
    let kills = 0;
    /** Per killed process, the check-ins it had claimed and not yet recorded when it died. */
    const inFlight: string[][] = [];
    const killer = (async () => {
      while (!burstDone && kills < MAX_KILLS) {
        await sleep(50 + Math.random() * 250);
        const live = bots.filter((b) => b.isReady());
        if (burstDone || live.length === 0) continue;
        const victim = pick(live);
        victim.kill("SIGKILL");
        kills++;
        await victim.exited;
        // Its leases (owner id "<host>:<pid>:<random>") still stand: nobody can have reclaimed them yet.
        const leased = await db.sql.query<{ id: string }>(`SELECT "id" FROM "CheckIn" WHERE "status" = 'sending' AND "leaseOwner" LIKE ?`, [`%:${victim.pid}:%`]);
        inFlight.push(leased.map((r) => r.id));
        spawnReplica();
      }
    })();

    // Clients answer prompts as they arrive, through whichever replica is alive. A press whose
    // request dies with its process got no acknowledgement, so the client presses again: a new
    // interaction with a new delivery id (Slack and Discord do not redeliver button presses).
    const acknowledged = new Map<string, { goal: number; task: number; bond: number }>();
    let refused = 0;
    const press = async (event: Record<string, unknown>): Promise<void> => {
      for (let attempt = 1; ; attempt++) {
        const live = bots.filter((b) => b.isReady());
        if (live.length > 0) {
          try {
            const reply = await postEvent(pick(live).port(), { ...event, deliveryId: `${String(event.deliveryId)}:${attempt}` }, 3000);
            if (reply.refused && !reply.duplicate) refused++;
            return;
          } catch {
            // the replica died mid-request; retry elsewhere
          }
        }
        await sleep(50);
      }
    };
    const answerer = (async () => {
      while (acknowledged.size < ANSWERS && !(burstDone && acknowledged.size > 0)) {
        const rows = await db.sql.query<{ id: string; enrollmentId: string }>(
          `SELECT "id", "enrollmentId" FROM "CheckIn" WHERE "status" = 'sent' AND "sessionEndAt" < ? ORDER BY random() LIMIT 25`,
          [seededAt],
        );
        const fresh = rows.filter((r) => !acknowledged.has(r.id)).slice(0, ANSWERS - acknowledged.size);
        await Promise.all(
          fresh.map(async (row) => {
            const values = { goal: 1 + Math.floor(Math.random() * 5), task: 1 + Math.floor(Math.random() * 5), bond: 1 + Math.floor(Math.random() * 5) };
            const actor = { platform: "terminal", workspaceId: "local", userId: userOf.get(row.enrollmentId), isPlatformAdmin: false };
            for (const item of ["goal", "task", "bond"] as const) {
              await press({ type: "action", actor, actionId: encodeAction({ op: "score", checkInId: row.id, item, value: values[item] }), deliveryId: `${row.id}:${item}` });
            }
            acknowledged.set(row.id, values);
          }),
        );
        if (fresh.length === 0) await sleep(50);
      }
    })();

    // Commands and alert buttons, through whichever replica is alive. A request that dies with its
    // process is redelivered with the same delivery id, as Slack and Discord redeliver events, until
    // a replica answers; each must take effect (a pause, an acknowledgement) exactly as asked.
    const redeliver = async (event: Record<string, unknown>): Promise<void> => {
      while (!testEnded) {
        const live = bots.filter((b) => b.isReady());
        if (live.length > 0) {
          try {
            const reply = await postEvent(pick(live).port(), event, 3000);
            if (!reply.duplicate) return;
            // A duplicate: done already, or claimed by a process that may have died; ask again after the lease.
          } catch {
            // the replica died mid-request
          }
        }
        await sleep(500);
        if (await effectDone(event)) return;
      }
    };
    const paused = new Set<string>();
    const acked = new Set<string>();
    const effectDone = async (event: Record<string, unknown>): Promise<boolean> => {
      if (event.type === "command") {
        const [row] = await db.sql.query<{ status: string }>(
          `SELECT e."status" FROM "Enrollment" e JOIN "Person" p ON p."id" = e."clientId" WHERE p."platformUserId" = ?`,
          [(event.actor as { userId: string }).userId],
        );
        return row?.status === "paused";
      }
      const [alert] = await db.sql.query<{ status: string }>(`SELECT "status" FROM "Alert" WHERE "id" = ?`, [String(event.actionId).split(":")[1]]);
      return alert?.status === "acknowledged";
    };
    const COMMANDS = 40;
    const ALERT_PRESSES = 40;
    const commander = (async () => {
      while ((paused.size < COMMANDS || acked.size < ALERT_PRESSES) && !burstDone && !testEnded) {
        const sent = await db.sql.query<{ enrollmentId: string }>(
          `SELECT c."enrollmentId" FROM "CheckIn" c JOIN "Enrollment" e ON e."id" = c."enrollmentId" WHERE c."status" IN ('sent', 'answered') AND e."status" = 'active' AND c."sessionEndAt" < ? ORDER BY random() LIMIT 5`,
          [seededAt],
        );
        const clients = sent.map((r) => userOf.get(r.enrollmentId) as string).filter((u) => !paused.has(u)).slice(0, COMMANDS - paused.size);
        const alerts = await db.sql.query<{ id: string; therapist: string }>(
          `SELECT a."id", p."platformUserId" AS "therapist" FROM "Alert" a JOIN "Enrollment" e ON e."id" = a."enrollmentId" JOIN "Person" p ON p."id" = e."therapistId" WHERE a."status" = 'open' ORDER BY random() LIMIT 5`,
        );
        const fresh = alerts.filter((a) => !acked.has(a.id)).slice(0, ALERT_PRESSES - acked.size);
        await Promise.all([
          ...clients.map(async (userId) => {
            paused.add(userId);
            const actor = { platform: "terminal", workspaceId: "local", userId, isPlatformAdmin: false };
            await redeliver({ type: "command", actor, text: "pause", deliveryId: `cmd:${userId}` });
          }),
          ...fresh.map(async (alert) => {
            acked.add(alert.id);
            const actor = { platform: "terminal", workspaceId: "local", userId: alert.therapist, isPlatformAdmin: false };
            await redeliver({ type: "action", actor, actionId: `al:${alert.id}:ack`, deliveryId: `ack:${alert.id}` });
          }),
        ]);
        await sleep(100);
      }
    })();
    background.push(commander);

    const started = Date.now();
    let killsDuringBurst = 0;
    await waitFor(
      "every check-in delivered",
      async () => {
        const delivered = await countDelivered();
        if (process.env.CRASH_TEST_TRACE) process.stdout.write(`t=${Date.now() - started} delivered=${delivered} kills=${kills} live=${bots.filter((b) => b.isReady()).length}\n`);
        if (delivered < CHECK_INS) killsDuringBurst = kills;
        return delivered === CHECK_INS;
      },
      900_000,
      100,
    );
    const burstMs = Date.now() - started;
    burstDone = true;
    await killer;
    await answerer;
    await commander;

    // Every command and alert button that was asked for took effect.
    const notPaused: string[] = [];
    for (const userId of paused) if (!(await effectDone({ type: "command", actor: { userId } }))) notPaused.push(userId);
    const notAcked: string[] = [];
    for (const id of acked) if (!(await effectDone({ type: "action", actionId: `al:${id}:ack` }))) notAcked.push(id);

    // Nothing lost: every check-in delivered and recorded, nothing left leased or failed.
    const statuses = await db.sql.query<{ status: string; n: number }>(
      `SELECT "status", COUNT(*) AS n FROM "CheckIn" WHERE "sessionEndAt" < ? GROUP BY "status"`,
      [seededAt],
    );
    const byStatus = Object.fromEntries(statuses.map((s) => [s.status, Number(s.n)]));
    expect((byStatus.sent ?? 0) + (byStatus.answered ?? 0)).toBe(CHECK_INS);
    const sends = readSinkLog(sinkFile).filter((r) => r.op === "send" && r.kind === "prompt");
    const distinct = new Set(sends.map((s) => s.checkInId));
    expect(distinct.size).toBe(CHECK_INS);
    const duplicates = sends.length - distinct.size;
    // Each extra send of a check-in is accounted for by a killed process that had it in flight.
    const sendsOf = new Map<string, number>();
    for (const send of sends) sendsOf.set(String(send.checkInId), (sendsOf.get(String(send.checkInId)) ?? 0) + 1);
    const heldBy = (id: string) => inFlight.filter((ids) => ids.includes(id)).length;
    const unexplained = [...sendsOf].filter(([id, n]) => n - 1 > heldBy(id)).map(([id, n]) => ({ id, sends: n, inFlightOnKilled: heldBy(id) }));
    const inFlightTotal = inFlight.reduce((sum, ids) => sum + ids.length, 0);

    // Every acknowledged answer is stored, complete, with the values pressed.
    const stored = await db.sql.query<{ checkInId: string; goal: number; task: number; bond: number; completedAt: unknown; status: string }>(
      `SELECT r."checkInId", r."goal", r."task", r."bond", r."completedAt", c."status" FROM "Response" r JOIN "CheckIn" c ON c."id" = r."checkInId" WHERE c."sessionEndAt" < ?`,
      [seededAt],
    );
    const storedBy = new Map(stored.map((r) => [r.checkInId, r]));
    const lostAnswers = [...acknowledged].filter(([id, v]) => {
      const row = storedBy.get(id);
      return !row || row.goal !== v.goal || row.task !== v.task || row.bond !== v.bond || row.completedAt === null || row.status !== "answered";
    });
    const [reclaimed] = await db.sql.query<{ n: number }>(`SELECT COUNT(*) AS n FROM "CheckIn" WHERE "attempt" > 1 AND "sessionEndAt" < ?`, [seededAt]);

    process.stdout.write(
      `crash test: ${kills} kills (${killsDuringBurst} seen before the burst completed) during a ${burstMs} ms burst; ${sends.length} prompt sends for ${CHECK_INS} check-ins (${duplicates} duplicates; ${inFlightTotal} in flight on killed processes); ` +
        `${reclaimed?.n} check-ins reclaimed after a lease expired; ${acknowledged.size} answers acknowledged, ${lostAnswers.length} lost, ${refused} refused; ` +
        `${paused.size} pause commands (${notPaused.length} lost), ${acked.size} alert acknowledgements (${notAcked.length} lost)\n`,
    );
    expect(paused.size).toBeGreaterThan(0);
    expect(notPaused).toEqual([]);
    expect(notAcked).toEqual([]);
    expect(killsDuringBurst).toBeGreaterThanOrEqual(MIN_KILLS);
    expect(unexplained).toEqual([]);
    expect(duplicates).toBeLessThanOrEqual(inFlightTotal);
    expect(acknowledged.size).toBeGreaterThan(0);
    expect(lostAnswers).toEqual([]);
    expect(refused).toBe(0);
  }, 1_000_000);
});
