// linkedCheckIn on both databases: one read gives a check-in link with its check-in's context and
// response. It returns links as stored (revoked, expired, bound to whoever): the engine decides
// what they open (test/core/link-pages.test.ts).

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openStore } from "../../src/app.ts";
import type { OpenDatabase } from "../../src/store/database.ts";
import type { PrismaCheckInStore } from "../../src/store/prisma-store.ts";
import type { CheckIn, Enrollment } from "../../src/core/model.ts";
import { insertCheckIns, seedEnrollment } from "../support/store-seed.ts";
import { describePostgres } from "../support/pg-suite.ts";
import type { Worker } from "node:worker_threads";
import { SqliteReader } from "../../src/store/connection/sqlite-reader.ts";
import { SqlLinkTokenStore } from "../../src/store/link-tokens-store.ts";

const T0 = new Date("2026-03-02T10:00:00Z");
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

function linkTests(connect: () => Promise<{ db: OpenDatabase; store: PrismaCheckInStore }>) {
  let db: OpenDatabase;
  let store: PrismaCheckInStore;
  let enrollment: Enrollment;
  let checkIn: CheckIn;

  beforeEach(async () => {
    ({ db, store } = await connect());
    enrollment = await seedEnrollment(store);
    checkIn = (await insertCheckIns(store, enrollment.id, 1, at(-20)))[0]!;
    await store.createLinkToken({ tokenHash: "hash-1", checkInId: checkIn.id, personId: enrollment.clientId, expiresAt: checkIn.closesAt, createdAt: at(0) });
  });
  afterEach(async () => {
    await db.close();
  });

  it("gives the link, the check-in's context and no response before the first answer", async () => {
    const found = await store.linkedCheckIn("hash-1");
    expect(found?.link).toEqual({ tokenHash: "hash-1", checkInId: checkIn.id, personId: enrollment.clientId, expiresAt: checkIn.closesAt, revokedAt: null });
    expect(found?.context).toEqual(await store.checkInContext(checkIn.id));
    expect(found?.context.client.id).toBe(enrollment.clientId);
    expect(found?.context.enrollment.id).toBe(enrollment.id);
    expect(found?.response).toBeNull();
  });

  it("gives the stored response once there is one, without the comment text", async () => {
    await store.saveAnswer(checkIn.id, { goal: 4, task: 2, tension: "a_little" }, at(1));
    await store.saveComment(checkIn.id, "cipher-text", "k1", at(2));
    const found = await store.linkedCheckIn("hash-1");
    expect(found?.response).toEqual(await store.getResponse(checkIn.id));
    expect(found?.response).toMatchObject({ goal: 4, task: 2, bond: null, tension: "a_little", talkedThrough: null, hasComment: true, completedAt: null });
    expect(JSON.stringify(found)).not.toContain("cipher-text");
  });

  it("returns revoked links as stored, and null for a hash that is not stored", async () => {
    expect(await store.revokeLinkTokens(enrollment.clientId, at(3))).toBe(1);
    expect((await store.linkedCheckIn("hash-1"))?.link.revokedAt).toEqual(at(3));
    expect(await store.linkedCheckIn("hash-2")).toBeNull();
    expect(await store.linkedCheckIn("")).toBeNull();
  });

  it("each link opens its own check-in, and names the person it was issued to", async () => {
    const other = await seedEnrollment(store, "carla");
    const [second] = await insertCheckIns(store, other.id, 1, at(-10));
    await store.createLinkToken({ tokenHash: "hash-2", checkInId: second!.id, personId: enrollment.clientId, expiresAt: at(60), createdAt: at(0) });
    const found = await store.linkedCheckIn("hash-2");
    expect(found?.context.checkIn.id).toBe(second!.id);
    expect(found?.context.client.id).toBe(other.clientId);
    expect(found?.link.personId).toBe(enrollment.clientId);
    expect(found?.link.expiresAt).toEqual(at(60));
    expect((await store.linkedCheckIn("hash-1"))?.context.checkIn.id).toBe(checkIn.id);
  });
}

describe("linkedCheckIn on SQLite", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "checkin-links-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  linkTests(() => openStore(`file:${path.join(dir, "bot.db")}`));
});

describe("SQLite's reader thread for link reads", () => {
  let dir: string;
  let db: OpenDatabase;
  let store: PrismaCheckInStore;
  let enrollment: Enrollment;
  let checkIn: CheckIn;
  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "checkin-reader-"));
    ({ db, store } = await openStore(`file:${path.join(dir, "bot.db")}`));
    enrollment = await seedEnrollment(store);
    checkIn = (await insertCheckIns(store, enrollment.id, 1, at(-20)))[0]!;
    await store.createLinkToken({ tokenHash: "hash-1", checkInId: checkIn.id, personId: enrollment.clientId, expiresAt: checkIn.closesAt, createdAt: at(0) });
  });
  afterEach(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("starts on the first link read, answers it, and stops when the database closes", async () => {
    const reader = db.reader!;
    expect(reader.running()).toBe(false);
    const found = await store.linkedCheckIn("hash-1");
    expect(reader.running()).toBe(true);
    expect(reader.started).toBe(1);
    // The thread's answer is the main connection's own read of the same rows.
    const main = new SqlLinkTokenStore({ prisma: db.prisma, sql: db.sql });
    expect(found).toEqual(await main.linkedCheckIn("hash-1"));
    expect(found?.link.expiresAt).toBeInstanceOf(Date);
    await db.close();
    expect(reader.running()).toBe(false);
    ({ db, store } = await openStore(`file:${path.join(dir, "bot.db")}`));
  });

  it("sees every write committed before the read: answers, comments, revocations, erasure", async () => {
    expect((await store.linkedCheckIn("hash-1"))?.response).toBeNull();
    await store.saveAnswer(checkIn.id, { goal: 5, task: 4, bond: 3 }, at(1));
    expect((await store.linkedCheckIn("hash-1"))?.response).toMatchObject({ goal: 5, task: 4, bond: 3 });
    await store.saveComment(checkIn.id, "cipher-text", "k1", at(2));
    expect((await store.linkedCheckIn("hash-1"))?.response?.hasComment).toBe(true);
    await store.revokeLinkTokens(enrollment.clientId, at(3));
    expect((await store.linkedCheckIn("hash-1"))?.link.revokedAt).toEqual(at(3));
    await db.prisma.linkToken.deleteMany({});
    expect(await store.linkedCheckIn("hash-1")).toBeNull();
    expect(db.reader!.started).toBe(1);
  });

  it("reads on the main connection when the thread cannot open the file, and tries a new thread for the next read", async () => {
    const broken = new SqliteReader(path.join(dir, "missing", "bot.db"));
    const links = new SqlLinkTokenStore({ prisma: db.prisma, sql: db.sql, reader: broken });
    const found = await links.linkedCheckIn("hash-1");
    expect(found?.context.checkIn.id).toBe(checkIn.id);
    expect(broken.started).toBe(1);
    expect(broken.running()).toBe(false);
    expect(await links.linkedCheckIn("hash-2")).toBeNull();
    expect(broken.started).toBe(2);
    // Once closed it starts nothing, and the reads go on.
    await broken.close();
    expect((await links.linkedCheckIn("hash-1"))?.link.tokenHash).toBe("hash-1");
    expect(broken.started).toBe(2);
  });

  it("a stored value that does not fit its column fails the read with the same code as on the main connection", async () => {
    await db.sql.execute(`UPDATE "LinkToken" SET "expiresAt" = 'soon' WHERE "tokenHash" = 'hash-1'`);
    const main = new SqlLinkTokenStore({ prisma: db.prisma, sql: db.sql });
    const onMain = await main.linkedCheckIn("hash-1").catch((error: unknown) => error);
    const onThread = await store.linkedCheckIn("hash-1").catch((error: unknown) => error);
    expect(db.reader!.running()).toBe(true);
    expect((onMain as { code?: string }).code).toBe("corrupt_row");
    expect((onThread as { code?: string }).code).toBe("corrupt_row");
    expect(String((onThread as Error).message)).not.toContain("soon");
    // The thread is still there for the next read.
    expect(await store.linkedCheckIn("hash-2")).toBeNull();
    expect(db.reader!.started).toBe(1);
  });

  it("fails the reads of a thread that stops before they are sent, and sends the next ones to its replacement", async () => {
    const reader = db.reader!;
    expect(await store.linkedCheckIn("hash-1")).not.toBeNull();
    const stopping = (reader as unknown as { worker: Worker }).worker;
    // Asked for, not yet sent (that happens at the end of this turn), when the thread stops.
    const first = reader.linkedCheckIn("hash-1");
    stopping.emit("exit", 1);
    // Asked for in the same turn: a new thread starts and gets it.
    const second = reader.linkedCheckIn("hash-1");
    expect(reader.started).toBe(2);
    await expect(first).rejects.toMatchObject({ code: "reader_unavailable" });
    expect((await second)?.link.tokenHash).toBe("hash-1");
    await stopping.terminate();
  });

  it("gives many concurrent reads each its own answer", async () => {
    const hashes = Array.from({ length: 40 }, (_, i) => `hash-${i + 1}`);
    for (const hash of hashes.slice(1)) {
      await store.createLinkToken({ tokenHash: hash, checkInId: checkIn.id, personId: enrollment.clientId, expiresAt: at(Number(hash.slice(5))), createdAt: at(0) });
    }
    const sent = db.reader!.messages;
    const found = await Promise.all([...hashes, "hash-none"].map((hash) => store.linkedCheckIn(hash)));
    // Asked for in one turn, they crossed to the thread in one message.
    expect(db.reader!.messages - sent).toBe(1);
    expect(found.slice(1, -1).map((f) => f?.link.expiresAt.getTime())).toEqual(hashes.slice(1).map((h) => at(Number(h.slice(5))).getTime()));
    expect(found.map((f) => f?.link.tokenHash ?? null)).toEqual([...hashes, null]);
    expect(db.reader!.started).toBe(1);
  });
});

await describePostgres("linkedCheckIn on PostgreSQL", (database) => linkTests(() => openStore(database().url)), { fresh: "test" });
