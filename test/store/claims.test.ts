import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openStore } from "../../src/app.ts";
import type { OpenDatabase } from "../../src/store/database.ts";
import type { PrismaCheckInStore } from "../../src/store/prisma-store.ts";
import type { Enrollment } from "../../src/core/model.ts";
import { insertCheckIns, seedEnrollment } from "../support/store-seed.ts";
import { describePostgres } from "../support/pg-suite.ts";
import { runStoreProcessesTogether } from "../support/spawn-store-process.ts";

const T0 = new Date("2026-03-02T10:00:00Z");
const MIN = 60_000;
const LEASE = 60_000;
const at = (minutes: number) => new Date(T0.getTime() + minutes * MIN);
const ref = { channelId: "D1", messageId: "m1" };

interface Opened {
  db: OpenDatabase;
  store: PrismaCheckInStore;
}

/** Store behaviour shared by SQLite and PostgreSQL. `connect` opens another connection to the same database. */
function claimTests(connect: () => Promise<Opened>) {
  const opened: Opened[] = [];
  let a: PrismaCheckInStore;
  let enrollment: Enrollment;
  const open = async () => {
    const o = await connect();
    opened.push(o);
    return o.store;
  };
  beforeEach(async () => {
    a = await open();
    enrollment = await seedEnrollment(a);
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((o) => o.db.close().catch(() => undefined)));
  });

  it("claims only due rows, sets the lease and increments the attempt", async () => {
    // sessions end at T0-10m, T0-9m, … ; due 10 minutes later: T0, T0+1m, …
    const rows = await insertCheckIns(a, enrollment.id, 5, at(-10));
    expect(rows.every((r) => r.status === "scheduled" && r.attempt === 0)).toBe(true);
    const claimed = await a.claimDueCheckIns(at(2), "owner-a", LEASE, 100);
    expect(claimed.map((c) => c.id)).toEqual(rows.slice(0, 3).map((r) => r.id));
    for (const c of claimed) {
      expect(c.status).toBe("sending");
      expect(c.attempt).toBe(1);
      expect(c.leaseOwner).toBe("owner-a");
      expect(c.leaseExpiresAt?.toISOString()).toBe(new Date(at(2).getTime() + LEASE).toISOString());
    }
    const notDue = await a.getCheckIn(rows[3]!.id);
    expect(notDue).toMatchObject({ status: "scheduled", attempt: 0, leaseOwner: null });
    // Nothing more is due and the held rows are not handed out again while leased.
    expect(await a.claimDueCheckIns(at(2), "owner-b", LEASE, 100)).toEqual([]);
    expect(await a.countDue(at(2))).toBe(0);
    expect(await a.countDue(at(4))).toBe(2);
  });

  it("one open `now` check-in per enrollment: of many inserted at once over two connections, one is created", async () => {
    const b = await open();
    const times = (sessionEndAt: Date) => ({ sessionEndAt, dueAt: sessionEndAt, remindAt: new Date(sessionEndAt.getTime() + 240 * MIN), closesAt: new Date(sessionEndAt.getTime() + 2880 * MIN) });
    // Each its own session end, a millisecond apart: only the one-open-`now` rule can keep them to one.
    const inserted = await Promise.all(
      Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).insertCheckIn({ enrollmentId: enrollment.id, kind: "now", ...times(new Date(T0.getTime() + i)) })),
    );
    expect(inserted.filter((c) => c !== null)).toHaveLength(1);
    // A scheduled check-in is not held back by it; a new `now` is allowed once the open one is closed.
    expect(await a.insertCheckIn({ enrollmentId: enrollment.id, kind: "scheduled", ...times(at(60)) })).not.toBeNull();
    const created = inserted.find((c) => c !== null)!;
    expect(await a.insertCheckIn({ enrollmentId: enrollment.id, kind: "now", ...times(at(1)) })).toBeNull();
    await a.transitionCheckIn(created.id, ["scheduled"], "cancelled", at(1));
    expect(await a.insertCheckIn({ enrollmentId: enrollment.id, kind: "now", ...times(at(2)) })).not.toBeNull();
  });

  it("respects the batch limit and hands out the earliest due first", async () => {
    const rows = await insertCheckIns(a, enrollment.id, 6, at(-10));
    const first = await a.claimDueCheckIns(at(10), "o", LEASE, 4);
    expect(first.map((c) => c.id)).toEqual(rows.slice(0, 4).map((r) => r.id));
    const second = await a.claimDueCheckIns(at(10), "o", LEASE, 4);
    expect(second.map((c) => c.id)).toEqual(rows.slice(4).map((r) => r.id));
  });

  it("due rows and rows whose lease ran out are handed out together, earliest due first, within one limit", async () => {
    // Due at T0, T0+1m, … T0+5m.
    const rows = await insertCheckIns(a, enrollment.id, 6, at(-10));
    const ids = (picked: { id: string }[]) => picked.map((c) => c.id);
    expect(ids(await a.claimDueCheckIns(at(10), "owner-a", LEASE, 2))).toEqual(ids(rows.slice(0, 2)));
    expect(ids(await a.claimDueCheckIns(at(10), "owner-b", LEASE, 2))).toEqual(ids(rows.slice(2, 4)));
    // Both leases have run out: rows 0–3 are reclaimable, rows 4–5 are due; the limit spans both kinds.
    const merged = await a.claimDueCheckIns(at(12), "owner-c", LEASE, 3);
    expect(ids(merged)).toEqual(ids(rows.slice(0, 3)));
    expect(merged.map((c) => c.attempt)).toEqual([2, 2, 2]);
    const rest = await a.claimDueCheckIns(at(12), "owner-c", LEASE, 10);
    expect(ids(rest)).toEqual(ids(rows.slice(3)));
    expect(rest.map((c) => c.attempt)).toEqual([2, 1, 1]);
    expect(await a.claimDueCheckIns(at(12), "owner-d", LEASE, 10)).toEqual([]);
  });

  it("fences a stale claimant: after its lease expired and another process reclaimed, its write is rejected", async () => {
    const [row] = await insertCheckIns(a, enrollment.id, 1, at(-10));
    const b = await open();
    const [staleClaim] = await a.claimDueCheckIns(at(0), "owner-a", LEASE, 10);
    expect(staleClaim?.attempt).toBe(1);
    // Still leased: nobody else may take it.
    expect(await b.claimDueCheckIns(at(0.5), "owner-b", LEASE, 10)).toEqual([]);
    // Lease expired: owner-b reclaims with a higher attempt.
    const [fresh] = await b.claimDueCheckIns(at(1.5), "owner-b", LEASE, 10);
    expect(fresh?.id).toBe(row!.id);
    expect(fresh?.attempt).toBe(2);
    expect(fresh?.leaseOwner).toBe("owner-b");
    // The stale claimant finally finishes: every kind of outcome is discarded.
    expect(await a.completeClaim(row!.id, 1, { status: "sent", ref, sentAt: at(1.6), remindAt: at(1.6) }, at(1.6))).toBe(false);
    expect(await a.completeClaim(row!.id, 1, { status: "failed", code: "x" }, at(1.6))).toBe(false);
    expect(await a.completeClaim(row!.id, 1, { status: "scheduled", dueAt: at(30) }, at(1.6))).toBe(false);
    expect(await a.getCheckIn(row!.id)).toMatchObject({ status: "sending", attempt: 2, leaseOwner: "owner-b" });
    // The current claimant's write is accepted once, and only once.
    expect(await b.completeClaim(row!.id, 2, { status: "sent", ref, sentAt: at(1.7), remindAt: at(1.7) }, at(1.7))).toBe(true);
    expect(await b.completeClaim(row!.id, 2, { status: "failed", code: "late" }, at(1.8))).toBe(false);
    expect(await a.getCheckIn(row!.id)).toMatchObject({ status: "sent", attempt: 2, leaseOwner: null, leaseExpiresAt: null, platformMessageId: "m1" });
  });

  it("records each claim outcome: rescheduled, missed_by_system, failed, cancelled", async () => {
    const rows = await insertCheckIns(a, enrollment.id, 4, at(-10));
    const claimed = await a.claimDueCheckIns(at(5), "o", LEASE, 10);
    expect(claimed).toHaveLength(4);
    const [r0, r1, r2, r3] = rows.map((r) => r.id) as [string, string, string, string];
    expect(await a.completeClaim(r0, 1, { status: "scheduled", dueAt: at(60), code: "rate_limited" }, at(5))).toBe(true);
    expect(await a.completeClaim(r1, 1, { status: "missed_by_system" }, at(5))).toBe(true);
    expect(await a.completeClaim(r2, 1, { status: "failed", code: "boom" }, at(5))).toBe(true);
    expect(await a.completeClaim(r3, 1, { status: "cancelled", code: "paused" }, at(5))).toBe(true);
    expect(await a.getCheckIn(r0)).toMatchObject({ status: "scheduled", dueAt: at(60), leaseOwner: null });
    expect((await a.getCheckIn(r1))?.status).toBe("missed_by_system");
    expect((await a.getCheckIn(r2))?.status).toBe("failed");
    expect((await a.getCheckIn(r3))?.status).toBe("cancelled");
    // The rescheduled row is claimable again at its new due time, with the next attempt.
    expect(await a.claimDueCheckIns(at(59), "o", LEASE, 10)).toEqual([]);
    const [again] = await a.claimDueCheckIns(at(60), "o", LEASE, 10);
    expect(again).toMatchObject({ id: r0, attempt: 2 });
  });

  it("two store instances on two connections claiming at once never get the same row", async () => {
    const rows = await insertCheckIns(a, enrollment.id, 300, at(-400));
    const b = await open();
    const drain = async (store: PrismaCheckInStore, owner: string) => {
      const ids: string[] = [];
      for (;;) {
        const claimed = await store.claimDueCheckIns(at(10), owner, LEASE, 7);
        if (claimed.length === 0) return ids;
        ids.push(...claimed.map((c) => c.id));
      }
    };
    const [fromA, fromB, fromA2, fromB2] = await Promise.all([drain(a, "a"), drain(b, "b"), drain(a, "a2"), drain(b, "b2")]);
    const all = [...fromA, ...fromB, ...fromA2, ...fromB2];
    expect(new Set(all).size).toBe(all.length);
    expect(all.sort()).toEqual(rows.map((r) => r.id).sort());
    const attempts = await a.claimDueCheckIns(at(10), "late", LEASE, 1000);
    expect(attempts).toEqual([]);
  });

  it("releaseLeases puts only the owner's rows back to scheduled", async () => {
    const rows = await insertCheckIns(a, enrollment.id, 4, at(-10));
    await a.claimDueCheckIns(at(10), "leaving", LEASE, 2);
    await a.claimDueCheckIns(at(10), "staying", LEASE, 2);
    expect(await a.releaseLeases("leaving", at(11))).toBe(2);
    expect(await a.releaseLeases("leaving", at(11))).toBe(0);
    const after = await Promise.all(rows.map((r) => a.getCheckIn(r.id)));
    expect(after.map((r) => r?.status)).toEqual(["scheduled", "scheduled", "sending", "sending"]);
    expect(after[0]).toMatchObject({ leaseOwner: null, leaseExpiresAt: null, attempt: 1 });
    // Released rows are immediately claimable, with a new fencing token.
    const reclaimed = await a.claimDueCheckIns(at(11), "next", LEASE, 10);
    expect(reclaimed.map((r) => [r.id, r.attempt])).toEqual([
      [rows[0]!.id, 2],
      [rows[1]!.id, 2],
    ]);
  });

  it("expireClosed closes only sent prompts whose window ended, once", async () => {
    // Window of 60 minutes: closes at sessionEnd + 60m.
    const rows = await insertCheckIns(a, enrollment.id, 3, at(-10), { windowMinutes: 60 });
    await a.claimDueCheckIns(at(0), "o", LEASE, 10); // only the first is due at T0
    expect(await a.completeClaim(rows[0]!.id, 1, { status: "sent", ref, sentAt: at(0), remindAt: at(0) }, at(0))).toBe(true);
    await a.claimDueCheckIns(at(1), "o", LEASE, 10);
    expect(await a.completeClaim(rows[1]!.id, 1, { status: "sent", ref, sentAt: at(1), remindAt: at(1) }, at(1))).toBe(true);
    // rows[0] closes at T0+50m, rows[1] at T0+51m; rows[2] is still scheduled.
    expect(await a.expireClosed(at(49.9), 100)).toEqual([]);
    const expired = await a.expireClosed(at(50), 100);
    expect(expired.map((c) => c.id)).toEqual([rows[0]!.id]);
    expect(expired[0]?.status).toBe("expired");
    expect(await a.expireClosed(at(50), 100)).toEqual([]);
    const later = await a.expireClosed(at(500), 100);
    expect(later.map((c) => c.id)).toEqual([rows[1]!.id]);
    expect((await a.getCheckIn(rows[2]!.id))?.status).toBe("scheduled");
  });

  it("claimDueReminders hands each reminder out once, even to two stores at once", async () => {
    const rows = await insertCheckIns(a, enrollment.id, 40, at(-50), { reminderMinutes: 30 });
    await a.claimDueCheckIns(at(0), "o", LEASE, 100);
    for (const r of rows) expect(await a.completeClaim(r.id, 1, { status: "sent", ref, sentAt: at(0), remindAt: at(0) }, at(0))).toBe(true);
    // remindAt = sessionEnd + 10 + 30 = T0 - 10m + i minutes
    expect(await a.claimDueReminders(at(-10.5), 100)).toEqual([]);
    const b = await open();
    const [first, second] = await Promise.all([a.claimDueReminders(at(29), 100), b.claimDueReminders(at(29), 100)]);
    const ids = [...first, ...second].map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual(rows.map((r) => r.id).sort());
    expect(await a.claimDueReminders(at(29), 100)).toEqual([]);
    expect((await a.getCheckIn(rows[0]!.id))?.reminderSentAt?.toISOString()).toBe(at(29).toISOString());
  });

  it("no reminder for a prompt whose window already closed", async () => {
    const [row] = await insertCheckIns(a, enrollment.id, 1, at(-10), { reminderMinutes: 240, windowMinutes: 60 });
    await a.claimDueCheckIns(at(0), "o", LEASE, 10);
    await a.completeClaim(row!.id, 1, { status: "sent", ref, sentAt: at(0), remindAt: at(0) }, at(0));
    expect(await a.claimDueReminders(at(300), 10)).toEqual([]);
  });
}

describe("claims on SQLite", () => {
  let dir: string;
  let url: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "checkin-claims-"));
    url = `file:${path.join(dir, "bot.db")}`;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  claimTests(() => openStore(url));

  it("two processes claiming the same file at once never get the same row", async () => {
    const { db, store } = await openStore(url);
    let ids: string[];
    try {
      const enrollment = await seedEnrollment(store);
      ids = (await insertCheckIns(store, enrollment.id, 600, at(-700))).map((r) => r.id);
    } finally {
      await db.close();
    }
    const results = await runStoreProcessesTogether<{ ok: boolean; claimed: string[] }>([
      ["claim", url, "proc-a", at(10).toISOString(), "5"],
      ["claim", url, "proc-b", at(10).toISOString(), "5"],
    ]);
    expect(results.every((r) => r.ok)).toBe(true);
    const all = results.flatMap((r) => r.claimed);
    expect(new Set(all).size).toBe(all.length);
    expect(all.sort()).toEqual(ids.sort());
  }, 30_000);
});


await describePostgres("claims on PostgreSQL", (database) => claimTests(() => openStore(database().url)), { fresh: "test" });
