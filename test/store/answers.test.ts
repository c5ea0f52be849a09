// saveAnswer on both databases: the receipt, the answer and the check-in's move to `answered`
// are one transaction, so a redelivered press changes nothing and a failed save leaves no receipt
// behind that would swallow the retry.

import { openForActor } from "../../src/core/answer-rule.ts";
import type { AnswerActor, CheckInContext } from "../../src/ports/checkin-store.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openStore } from "../../src/app.ts";
import type { OpenDatabase } from "../../src/store/database.ts";
import type { PrismaCheckInStore } from "../../src/store/prisma-store.ts";
import type { CheckIn } from "../../src/core/model.ts";
import { insertCheckIns, seedEnrollment } from "../support/store-seed.ts";
import { describePostgres } from "../support/pg-suite.ts";
import { timeOrderedId } from "../../src/store/dialect/answers.ts";

const T0 = new Date("2026-03-02T10:00:00Z");
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const ref = { channelId: "D1", messageId: "m1" };

function answerTests(connect: () => Promise<{ db: OpenDatabase; store: PrismaCheckInStore }>) {
  let db: OpenDatabase;
  let store: PrismaCheckInStore;

  /** `count` check-ins whose prompts were sent at T0. */
  async function sentCheckIns(count: number): Promise<CheckIn[]> {
    const enrollment = await seedEnrollment(store);
    const rows = await insertCheckIns(store, enrollment.id, count, at(-20 - count));
    await store.claimDueCheckIns(at(0), "owner", 60_000, count);
    for (const row of rows) expect(await store.completeClaim(row.id, 1, { status: "sent", ref, sentAt: at(0), remindAt: at(0) }, at(0))).toBe(true);
    return rows;
  }

  const receiptsNamed = async (key: string) =>
    Number((await db.sql.query<{ n: number }>(`SELECT COUNT(*) AS "n" FROM "InboundEvent" WHERE "eventKey" = ?`, [key]))[0]?.n);

  beforeEach(async () => {
    ({ db, store } = await connect());
  });
  afterEach(async () => {
    await db.close();
  });

  it("the press that completes the response moves the check-in to answered in the same write, once", async () => {
    const [row] = await sentCheckIns(1);
    const id = row!.id;
    const goal = await store.saveAnswer(id, { goal: 4 }, at(1));
    expect(goal).toMatchObject({ answeredNow: false, response: { goal: 4, task: null, completedAt: null } });
    expect((await store.getCheckIn(id))?.status).toBe("sent");
    await store.saveAnswer(id, { task: 3 }, at(2));
    const bond = await store.saveAnswer(id, { bond: 5 }, at(3));
    expect(bond?.answeredNow).toBe(true);
    expect(bond?.response.completedAt?.toISOString()).toBe(at(3).toISOString());
    const answered = await store.getCheckIn(id);
    expect(answered).toMatchObject({ status: "answered" });
    expect(answered?.answeredAt?.toISOString()).toBe(at(3).toISOString());
    const closedAt = await db.sql.query<{ closedAt: unknown }>(`SELECT "closedAt" FROM "CheckIn" WHERE "id" = ?`, [id]);
    expect(closedAt[0]?.closedAt).not.toBeNull();
    // An edit afterwards changes the score, not the completion time, and does not count again.
    const edit = await store.saveAnswer(id, { bond: 2 }, at(4));
    expect(edit).toMatchObject({ answeredNow: false, response: { goal: 4, task: 3, bond: 2 } });
    expect(edit?.response.completedAt?.toISOString()).toBe(at(3).toISOString());
    expect((await store.getCheckIn(id))?.answeredAt?.toISOString()).toBe(at(3).toISOString());
  });

  it("times are stored and read back as UTC when the server's local time zone is not UTC", async () => {
    const [row] = await sentCheckIns(1);
    const zone = process.env.TZ;
    process.env.TZ = "Asia/Kolkata"; // UTC+05:30
    try {
      expect(new Date(at(1)).getTimezoneOffset()).toBe(-330);
      await store.saveAnswer(row!.id, { goal: 4, task: 4, bond: 4 }, at(1));
      const stored = await store.getCheckIn(row!.id);
      expect(stored?.answeredAt?.toISOString()).toBe(at(1).toISOString());
      expect(stored?.sentAt?.toISOString()).toBe(at(0).toISOString());
      expect((await store.getResponse(row!.id))?.completedAt?.toISOString()).toBe(at(1).toISOString());
      // Times written while the zone was different still compare correctly with UTC inputs.
      expect(await store.expireClosed(new Date(row!.closesAt.getTime() - 1000), 10)).toEqual([]);
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });

  it("evaluationInputs: the newest completed responses and the unresolved alert, whatever the history", async () => {
    const rows = await sentCheckIns(4);
    const enrollmentId = rows[0]!.enrollmentId;
    // No history and no alert.
    expect(await store.evaluationInputs(enrollmentId, 3)).toEqual({ history: [], unresolved: null });
    const signals = [{ code: "low_item" as const, params: { item: "goal", value: 2 } }];
    const alert = await store.createAlert({ enrollmentId, checkInId: rows[0]!.id, severity: "normal", signals, createdAt: at(1) });
    // An alert but no history yet.
    expect((await store.evaluationInputs(enrollmentId, 3)).unresolved?.id).toBe(alert?.id);
    for (const [i, row] of rows.entries()) await store.saveAnswer(row.id, { goal: 1 + i, task: 3, bond: 4 }, at(2 + i));
    await store.saveAnswer(rows[3]!.id, { tension: "yes" }, at(9));
    const inputs = await store.evaluationInputs(enrollmentId, 3);
    expect(inputs.history.map((h) => [h.checkInId, h.goal])).toEqual([3, 2, 1].map((i) => [rows[i]!.id, 1 + i]));
    expect(inputs.history[0]).toMatchObject({ task: 3, bond: 4, tension: "yes", talkedThrough: null, commentCipher: null });
    expect(inputs.history[0]?.sessionEndAt.toISOString()).toBe(rows[3]!.sessionEndAt.toISOString());
    expect(inputs.unresolved).toMatchObject({ id: alert?.id, status: "open", signals });
    expect(inputs.unresolved?.createdAt.toISOString()).toBe(at(1).toISOString());
    await store.updateAlert(alert!.id, { status: "acknowledged", acknowledgedAt: at(10), updatedAt: at(10) });
    expect((await store.evaluationInputs(enrollmentId, 3)).unresolved).toMatchObject({ id: alert?.id, status: "acknowledged" });
    expect((await store.evaluationInputs(enrollmentId, 3)).unresolved?.acknowledgedAt?.toISOString()).toBe(at(10).toISOString());
    // A resolved alert is not unresolved any more.
    await store.updateAlert(alert!.id, { status: "repaired", resolvedAt: at(11), updatedAt: at(11) });
    const after = await store.evaluationInputs(enrollmentId, 3);
    expect(after.unresolved).toBeNull();
    expect(after.history).toHaveLength(3);
  });

  it("getPeople: the people asked for that exist, each once, in one read", async () => {
    const enrollment = await seedEnrollment(store, "dora");
    const found = await store.getPeople([enrollment.therapistId, enrollment.clientId, "no-such-person", enrollment.clientId]);
    expect(found.map((p) => p.id).sort()).toEqual([enrollment.clientId, enrollment.therapistId].sort());
    expect(found.find((p) => p.id === enrollment.clientId)?.platformUserId).toBe("dora");
    expect(await store.getPeople([])).toEqual([]);
  });

  describe("answerIfOpen: saves only the client's own open prompt, and writes nothing otherwise", () => {
    const owner = { platform: "terminal" as const, workspaceId: "local", userId: "alice" };
    /** The engine's decision for this actor at this time, as handleAnswer passes it. */
    const openFor = (actor: AnswerActor, now: Date) => (context: CheckInContext) => openForActor(context, actor, now);
    let row: CheckIn;
    let clientId: string;
    const nothingWritten = async (key: string) => {
      expect(await store.getResponse(row.id)).toBeNull();
      expect(await receiptsNamed(key)).toBe(0);
      expect((await store.getCheckIn(row.id))?.status).toBe(row.status);
    };
    beforeEach(async () => {
      [row] = (await sentCheckIns(1)) as [CheckIn];
      row = (await store.getCheckIn(row.id)) as CheckIn;
      const enrollment = await store.getEnrollment(row.enrollmentId);
      clientId = enrollment!.clientId;
      await store.updatePerson(clientId, { consentAt: at(-100), consentVersion: "1" });
    });

    it("the owner's open prompt: saved, with the context it was checked against", async () => {
      const open = await store.answerIfOpen(row.id, openFor(owner, at(1)), { goal: 5, task: 4, bond: 4 }, at(1), { platform: "terminal", key: "k-ok" });
      expect(open.allowed).toBe(true);
      // The engine's rule, decided on the context the store returned, says the same.
      expect(openForActor(open.context!, owner, at(1))).toBe(true);
      expect(open.saved).toMatchObject({ answeredNow: true, response: { goal: 5, task: 4, bond: 4 } });
      expect(open.context?.checkIn).toMatchObject({ id: row.id, status: "sent" });
      expect(open.context?.client).toMatchObject({ id: clientId, platformUserId: "alice" });
      expect(open.context?.practice).toMatchObject({ platform: "terminal", externalId: "local" });
      expect(open.context?.checkIn.closesAt.toISOString()).toBe(row.closesAt.toISOString());
      expect((await store.getCheckIn(row.id))?.status).toBe("answered");
      // The same delivery again: allowed (the prompt is answered now, so the engine's own checks decide), nothing saved.
      const again = await store.answerIfOpen(row.id, openFor(owner, at(2)), { goal: 1 }, at(2), { platform: "terminal", key: "k-ok" });
      expect(again.saved).toBeNull();
      expect((await store.getResponse(row.id))?.goal).toBe(5);
    });

    it("a redelivery while still open is recognised: allowed, nothing saved", async () => {
      await store.answerIfOpen(row.id, openFor(owner, at(1)), { goal: 2 }, at(1), { platform: "terminal", key: "k-dup" });
      const dup = await store.answerIfOpen(row.id, openFor(owner, at(2)), { goal: 3 }, at(2), { platform: "terminal", key: "k-dup" });
      expect(dup).toMatchObject({ allowed: true, saved: null });
      expect((await store.getResponse(row.id))?.goal).toBe(2);
    });

    const refusedCases: [string, () => Promise<{ actor?: typeof owner; now?: Date }>][] = [
      ["another user", async () => ({ actor: { ...owner, userId: "mallory" } })],
      ["another workspace", async () => ({ actor: { ...owner, workspaceId: "elsewhere" } })],
      ["another platform", async () => ({ actor: { ...owner, platform: "slack" as const } })],
      ["no consent", async () => (await store.updatePerson(clientId, { consentAt: null }), {})],
      ["the client stopped", async () => (await store.updatePerson(clientId, { stoppedAt: at(-1) }), {})],
      ["skipped", async () => (await store.transitionCheckIn(row.id, ["sent"], "skipped", at(0)), {})],
      ["expired", async () => (await store.transitionCheckIn(row.id, ["sent"], "expired", at(0)), {})],
      ["closed at exactly now", async () => ({ now: row.closesAt })],
      ["after it closed", async () => ({ now: new Date(row.closesAt.getTime() + 1) })],
    ];
    for (const [name, setUp] of refusedCases) {
      it(`not for: ${name}`, async () => {
        const { actor = owner, now = at(1) } = await setUp();
        row = (await store.getCheckIn(row.id)) as CheckIn;
        const open = await store.answerIfOpen(row.id, openFor(actor, now), { goal: 4, task: 4, bond: 4 }, now, { platform: actor.platform, key: `k-${name}` });
        expect(open).toMatchObject({ allowed: false, saved: null });
        expect(open.context?.checkIn.id).toBe(row.id);
        // The engine's rule, decided on the context the store returned, refuses it too.
        expect(openForActor(open.context!, actor, now)).toBe(false);
        await nothingWritten(`k-${name}`);
      });
    }

    it("just before it closes: still open", async () => {
      const open = await store.answerIfOpen(row.id, openFor(owner, new Date(row.closesAt.getTime() - 1)), { goal: 4 }, new Date(row.closesAt.getTime() - 1), { platform: "terminal", key: "k-late" });
      expect(open.allowed).toBe(true);
      expect(open.saved?.response.goal).toBe(4);
    });

    it("the press that completes the response brings back the rule inputs as they are after the write", async () => {
      const rows = await sentCheckIns(5);
      const enrollmentId = rows[0]!.enrollmentId;
      await store.updatePerson((await store.getEnrollment(enrollmentId))!.clientId, { consentAt: at(-100), consentVersion: "1" });
      for (const [i, r] of rows.slice(0, 3).entries()) await store.saveAnswer(r.id, { goal: 5 - i, task: 4, bond: 4 }, at(1 + i));
      await store.saveComment(rows[2]!.id, "sealed", "key-1", at(4));
      const signals = [{ code: "low_item" as const, params: { item: "goal", value: 3 } }];
      const alert = await store.createAlert({ enrollmentId, checkInId: rows[2]!.id, severity: "normal", signals, createdAt: at(4) });
      const press = (r: CheckIn, patch: { goal?: number; task?: number; bond?: number }, key: string, limit?: number) =>
        store.answerIfOpen(r.id, openFor(owner, at(10)), patch, at(10), { platform: "terminal", key }, limit);

      // Not complete yet: nothing to evaluate.
      expect((await press(rows[4]!, { goal: 2 }, "e-1", 3)).evaluation).toBeNull();
      const completing = await press(rows[4]!, { task: 3, bond: 4 }, "e-2", 3);
      expect(completing.saved?.answeredNow).toBe(true);
      expect(completing.evaluation).toEqual(await store.evaluationInputs(enrollmentId, 3));
      expect(completing.evaluation?.history.map((h) => h.checkInId)).toEqual([rows[4]!.id, rows[2]!.id, rows[1]!.id]);
      expect(completing.evaluation?.history[0]).toMatchObject({ goal: 2, task: 3, bond: 4, commentCipher: null });
      expect(completing.evaluation?.history[0]?.sessionEndAt.toISOString()).toBe(rows[4]!.sessionEndAt.toISOString());
      expect(completing.evaluation?.history[1]).toMatchObject({ goal: 3, commentCipher: "sealed", commentKeyId: "key-1" });
      expect(completing.evaluation?.unresolved).toMatchObject({ id: alert?.id, status: "open", signals });
      // The same delivery again: nothing saved, nothing to evaluate.
      expect(await press(rows[4]!, { task: 3, bond: 4 }, "e-2", 3)).toMatchObject({ saved: null, evaluation: null });

      // An older session completed last sits in its place by session time; with no alert open, none.
      await store.updateAlert(alert!.id, { status: "repaired", resolvedAt: at(5), updatedAt: at(5) });
      const older = await press(rows[3]!, { goal: 4, task: 4, bond: 4 }, "e-3", 10);
      expect(older.evaluation?.history.map((h) => h.checkInId)).toEqual([4, 3, 2, 1, 0].map((i) => rows[i]!.id));
      expect(older.evaluation).toEqual(await store.evaluationInputs(enrollmentId, 10));
      expect(older.evaluation?.unresolved).toBeNull();
    });

    it("without an evaluation limit, a completing press reads nothing more", async () => {
      const open = await store.answerIfOpen(row.id, openFor(owner, at(1)), { goal: 4, task: 4, bond: 4 }, at(1), { platform: "terminal", key: "k-no-eval" });
      expect(open.saved?.answeredNow).toBe(true);
      expect(open.evaluation).toBeNull();
    });

    it("an unknown check-in: no context, nothing written", async () => {
      const open = await store.answerIfOpen("no-such-check-in", openFor(owner, at(1)), { goal: 4 }, at(1), { platform: "terminal", key: "k-unknown" });
      expect(open).toEqual({ context: null, allowed: false, saved: null, evaluation: null });
      expect(await receiptsNamed("k-unknown")).toBe(0);
    });
  });

  it("an answer on a check-in no longer `sent` (expired, skipped) is saved but does not move it", async () => {
    const [row] = await sentCheckIns(1);
    expect(await store.transitionCheckIn(row!.id, ["sent"], "skipped", at(1))).toBe(true);
    const saved = await store.saveAnswer(row!.id, { goal: 1, task: 1, bond: 1 }, at(2));
    expect(saved?.answeredNow).toBe(false);
    expect((await store.getCheckIn(row!.id))?.status).toBe("skipped");
  });

  it("a redelivered press (same receipt) returns null and changes nothing", async () => {
    const [row] = await sentCheckIns(1);
    const receipt = { platform: "slack" as const, key: "action:press-1" };
    expect((await store.saveAnswer(row!.id, { goal: 2 }, at(1), receipt))?.response.goal).toBe(2);
    // The same delivery again, even with a different value (a replay), is not applied.
    expect(await store.saveAnswer(row!.id, { goal: 5 }, at(2), receipt)).toBeNull();
    expect((await store.getResponse(row!.id))?.goal).toBe(2);
    // Receipts are per platform: the same key from another platform is a different delivery.
    expect((await store.saveAnswer(row!.id, { goal: 3 }, at(3), { platform: "discord", key: receipt.key }))?.response.goal).toBe(3);
    expect(await receiptsNamed(receipt.key)).toBe(2);
  });

  it("a save that fails leaves no receipt behind, so the retry of that delivery is applied", async () => {
    const [row] = await sentCheckIns(1);
    const receipt = { platform: "slack" as const, key: "action:press-lost" };
    // The check-in does not exist (e.g. erased a moment ago): the foreign key refuses the answer.
    await expect(store.saveAnswer("no-such-check-in", { goal: 4 }, at(1), receipt)).rejects.toThrow();
    expect(await receiptsNamed(receipt.key)).toBe(0);
    const retried = await store.saveAnswer(row!.id, { goal: 4 }, at(2), receipt);
    expect(retried?.response.goal).toBe(4);
    expect(await receiptsNamed(receipt.key)).toBe(1);
  });

  it("a comment and its receipt are one transaction: a redelivery changes nothing, a failed save leaves no receipt", async () => {
    const [row] = await sentCheckIns(1);
    const receipt = { platform: "slack" as const, key: "comment:c-1" };
    await expect(store.saveComment("no-such-check-in", "sealed-0", "k1", at(1), receipt)).rejects.toThrow();
    expect(await receiptsNamed(receipt.key)).toBe(0);
    const storedComment = async () => (await db.sql.query<{ commentCipher: string; commentKeyId: string }>(`SELECT "commentCipher", "commentKeyId" FROM "Response" WHERE "checkInId" = ?`, [row!.id]))[0];
    const first = await store.saveComment(row!.id, "sealed-1", "k1", at(2), receipt);
    expect(first).toMatchObject({ checkInId: row!.id, hasComment: true });
    expect(await storedComment()).toEqual({ commentCipher: "sealed-1", commentKeyId: "k1" });
    expect(await receiptsNamed(receipt.key)).toBe(1);
    // The same delivery again, even carrying other text: not applied.
    expect(await store.saveComment(row!.id, "sealed-2", "k1", at(3), receipt)).toBeNull();
    expect(await storedComment()).toEqual({ commentCipher: "sealed-1", commentKeyId: "k1" });
    // Without a receipt (a caller that has none), the comment is simply stored.
    expect(await store.saveComment(row!.id, "sealed-3", "k2", at(4))).toMatchObject({ hasComment: true });
    expect(await storedComment()).toEqual({ commentCipher: "sealed-3", commentKeyId: "k2" });
  });

  it("many presses at once, one of them failing: every other answer is stored exactly once", async () => {
    const rows = await sentCheckIns(30);
    const saves = rows.map((row, i) => store.saveAnswer(row.id, { goal: 1 + (i % 5), task: 3, bond: 4 }, at(1), { platform: "slack", key: `action:burst-${i}` }));
    const failing = store.saveAnswer("no-such-check-in", { goal: 1 }, at(1), { platform: "slack", key: "action:burst-bad" });
    const [results, failure] = await Promise.all([Promise.allSettled(saves), failing.then(() => null, (error: unknown) => error)]);
    expect(failure).toBeInstanceOf(Error);
    expect(results.every((r) => r.status === "fulfilled" && r.value?.answeredNow === true)).toBe(true);
    const stored = await Promise.all(rows.map((row) => store.getResponse(row.id)));
    expect(stored.map((r) => r?.goal)).toEqual(rows.map((_, i) => 1 + (i % 5)));
    const statuses = await Promise.all(rows.map((row) => store.getCheckIn(row.id)));
    expect(statuses.every((c) => c?.status === "answered")).toBe(true);
    expect(await receiptsNamed("action:burst-bad")).toBe(0);
    // All the same deliveries again: every one is recognised as a duplicate.
    const again = await Promise.all(rows.map((row, i) => store.saveAnswer(row.id, { goal: 5, task: 5, bond: 5 }, at(2), { platform: "slack", key: `action:burst-${i}` })));
    expect(again.every((r) => r === null)).toBe(true);
    expect((await store.getResponse(rows[0]!.id))?.goal).toBe(1);
  });

  it("the response and receipt rows an answer inserts get time-ordered (UUIDv7) ids", async () => {
    const [first, second] = await sentCheckIns(2);
    const before = Date.now();
    await store.saveAnswer(first!.id, { goal: 4 }, at(1), { platform: "slack", key: "action:v7-a" });
    await store.saveComment(second!.id, "sealed", "k1", at(1), { platform: "slack", key: "action:v7-b" });
    const after = Date.now();
    const ids = [
      ...(await db.sql.query<{ id: string }>(`SELECT "id" FROM "Response" WHERE "checkInId" IN (?, ?)`, [first!.id, second!.id])),
      ...(await db.sql.query<{ id: string }>(`SELECT "id" FROM "InboundEvent" WHERE "eventKey" IN ('action:v7-a', 'action:v7-b')`)),
    ].map((row) => row.id);
    expect(ids).toHaveLength(4);
    for (const id of ids) {
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      const millisecond = parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
      expect(millisecond).toBeGreaterThanOrEqual(before);
      expect(millisecond).toBeLessThanOrEqual(after);
    }
  });
}

describe("timeOrderedId", () => {
  it("is unique, and ids made in a later millisecond sort after earlier ones", async () => {
    const early = Array.from({ length: 1000 }, () => timeOrderedId());
    expect(new Set(early).size).toBe(1000);
    const start = Date.now();
    while (Date.now() === start) await new Promise((resolve) => setImmediate(resolve));
    const later = timeOrderedId();
    expect(early.every((id) => id < later)).toBe(true);
  });
});

describe("saveAnswer on SQLite", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "checkin-answers-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  answerTests(() => openStore(`file:${path.join(dir, "bot.db")}`));
});


await describePostgres("saveAnswer on PostgreSQL", (database) => answerTests(() => openStore(database().url)), { fresh: "test" });
