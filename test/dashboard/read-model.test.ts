// The dashboard's read side on a real database: the caseload (own clients only, the newest
// answers, misses, next check-in, unresolved alert) and its status colours, one client's
// history, alert history with notes, the practice overview and the filtered audit log.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { createEngineFixture } from "../support/engine-fixture.ts";
import type { EngineFixture } from "../support/engine-fixture.ts";
import { seedHistory, seedPractice } from "../../bench/seed.ts";
import type { SeededPractice } from "../../bench/seed.ts";
import { caseloadStatus } from "../../src/dashboard/status.ts";
import { DEFAULT_THRESHOLDS } from "../../src/core/model.ts";
import { CASELOAD_RECENT } from "../../src/ports/dashboard.ts";

const WEEK = 7 * 86_400_000;
const NOW = new Date("2026-06-01T12:00:00Z");

let f: EngineFixture;
let seeded: SeededPractice;
const enrollmentOf = (userId: string) => seeded.enrollments.find((e) => e.clientUserId === userId)!.enrollmentId;

async function checkIn(enrollmentId: string, sessionEndAt: Date, status: string, scores?: [number, number, number]): Promise<string> {
  const id = randomUUID();
  const closes = new Date(sessionEndAt.getTime() + 2880 * 60_000);
  await f.db.sql.execute(
    `INSERT INTO "CheckIn" ("id", "enrollmentId", "kind", "status", "sessionEndAt", "dueAt", "remindAt", "closesAt", "attempt", "createdAt", "updatedAt") VALUES (?, ?, 'scheduled', ?, ?, ?, ?, ?, 1, ?, ?)`,
    [id, enrollmentId, status, sessionEndAt, sessionEndAt, sessionEndAt, closes, sessionEndAt, sessionEndAt],
  );
  if (scores) {
    await f.db.sql.execute(`INSERT INTO "Response" ("id", "checkInId", "goal", "task", "bond", "completedAt", "createdAt", "updatedAt") VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, [
      randomUUID(), id, ...scores, sessionEndAt, sessionEndAt, sessionEndAt,
    ]);
  }
  return id;
}

beforeEach(async () => {
  f = await createEngineFixture({ start: NOW.toISOString() });
  seeded = await seedPractice(f.db.sql, 12, { now: NOW });
  // Ten weeks of steady answers for everyone (totals 12 or 13), ending a week before NOW.
  await seedHistory(f.db.sql, seeded.enrollments, 10, new Date(NOW.getTime() - WEEK + 3600_000));
  // c0: an open alert on a low check-in. c1: acknowledged. c2: the newest check-in expired.
  const low = await checkIn(enrollmentOf("c0"), new Date(NOW.getTime() - 2 * 86_400_000), "answered", [2, 3, 3]);
  await f.store.createAlert({ enrollmentId: enrollmentOf("c0"), checkInId: low, severity: "normal", signals: [{ code: "low_item", params: { item: "goal", value: 2 } }], createdAt: NOW });
  const ack = await f.store.createAlert({ enrollmentId: enrollmentOf("c1"), checkInId: null, severity: "normal", signals: [{ code: "decline", params: {} }], createdAt: NOW });
  await f.store.updateAlert(ack!.id, { status: "acknowledged", acknowledgedAt: NOW, updatedAt: NOW });
  await checkIn(enrollmentOf("c2"), new Date(NOW.getTime() - 2 * 86_400_000), "expired");
  // c3: paused. c4: a small drop (12–13 usual, now 11 with no alert). c5: a next check-in.
  await f.store.updateEnrollment(enrollmentOf("c3"), { status: "paused" });
  await checkIn(enrollmentOf("c4"), new Date(NOW.getTime() - 86_400_000), "answered", [4, 4, 4]);
  await checkIn(enrollmentOf("c4"), new Date(NOW.getTime() - 3600_000), "answered", [4, 3, 5]);
  // c8: low (total 11 < 12) with no alert open: a standing low level.
  await checkIn(enrollmentOf("c8"), new Date(NOW.getTime() - 3600_000), "answered", [4, 3, 4]);
  await checkIn(enrollmentOf("c5"), new Date(NOW.getTime() + 2 * 86_400_000), "scheduled");
});
afterEach(async () => f.dispose());

describe("caseload", () => {
  it("lists only the therapist's own current clients, with their numbers", async () => {
    const t1 = await f.store.findPerson(seeded.practiceId, "t1");
    const mine = await f.dashboard.store.caseload(seeded.practiceId, t1!.id, NOW);
    expect(mine.map((e) => e.client.platformUserId).sort()).toEqual(["c10", "c11"]);
    const t0 = await f.store.findPerson(seeded.practiceId, "t0");
    const rows = await f.dashboard.store.caseload(seeded.practiceId, t0!.id, NOW);
    expect(rows).toHaveLength(10);
    const c4 = rows.find((r) => r.client.platformUserId === "c4")!;
    expect(c4.answeredCount).toBe(12);
    expect(c4.recent).toHaveLength(CASELOAD_RECENT);
    expect(c4.recent.slice(0, 2).map((p) => [p.goal, p.task, p.bond])).toEqual([[4, 3, 5], [4, 4, 4]]);
    expect(c4.recent[0]!.sessionEndAt > c4.recent[1]!.sessionEndAt).toBe(true);
    const c2 = rows.find((r) => r.client.platformUserId === "c2")!;
    expect(c2.missed30d).toBe(1);
    expect(c2.recentOutcomes[0]?.status).toBe("expired");
    expect(rows.find((r) => r.client.platformUserId === "c5")!.nextDueAt?.toISOString()).toBe(new Date(NOW.getTime() + 2 * 86_400_000).toISOString());
    expect(rows.find((r) => r.client.platformUserId === "c0")!.alert?.status).toBe("open");
    // Another practice's id finds nothing.
    expect(await f.dashboard.store.caseload(randomUUID(), t0!.id, NOW)).toEqual([]);
  });

  it("an admin's caseload is the whole practice; ended enrollments drop out", async () => {
    await f.store.updateEnrollment(enrollmentOf("c11"), { status: "ended", endedAt: NOW });
    const all = await f.dashboard.store.caseload(seeded.practiceId, null, NOW);
    expect(all).toHaveLength(11);
  });

  it("status colours follow the rules: red open alert, amber watch, green on track, grey paused", async () => {
    const rows = await f.dashboard.store.caseload(seeded.practiceId, null, NOW);
    const status = (userId: string) => {
      const row = rows.find((r) => r.client.platformUserId === userId)!;
      const s = caseloadStatus(row, DEFAULT_THRESHOLDS, NOW);
      return `${s.colour}:${s.reason}`;
    };
    expect(status("c0")).toBe("red:open_alert");
    expect(status("c1")).toBe("amber:acknowledged");
    expect(status("c2")).toBe("amber:missed");
    expect(status("c3")).toBe("grey:paused");
    expect(status("c4")).toBe("amber:small_drop");
    expect(status("c8")).toBe("amber:standing_low");
    expect(status("c6")).toBe("green:on_track");
  });
});

describe("one client", () => {
  it("history is oldest first and bounded; unanswered check-ins in the span come along", async () => {
    const history = await f.dashboard.store.clientHistory(enrollmentOf("c2"), 5);
    expect(history.scored).toHaveLength(5);
    expect(history.scored[0]!.sessionEndAt < history.scored[4]!.sessionEndAt).toBe(true);
    expect(history.unanswered.map((u) => u.status)).toEqual(["expired"]);
    expect(history.answeredCount).toBe(10);
  });

  it("alert history carries the notes, oldest first, with their authors", async () => {
    const alert = (await f.store.unresolvedAlert(enrollmentOf("c0")))!;
    const t0 = (await f.store.findPerson(seeded.practiceId, "t0"))!;
    const first = f.cipher.encrypt("called the client");
    const second = f.cipher.encrypt("talked it through");
    await f.dashboard.store.addAlertNote({ alertId: alert.id, authorId: t0.id, change: "ack", noteCipher: first.cipher, noteKeyId: first.keyId, createdAt: NOW });
    await f.dashboard.store.addAlertNote({ alertId: alert.id, authorId: t0.id, change: "repaired", noteCipher: second.cipher, noteKeyId: second.keyId, createdAt: new Date(NOW.getTime() + 1000) });
    const [entry] = await f.dashboard.store.alertHistory(enrollmentOf("c0"), 10);
    expect(entry!.alert.id).toBe(alert.id);
    expect(entry!.notes.map((n) => [n.change, n.authorUserId, f.cipher.decrypt(n.noteCipher, n.noteKeyId)])).toEqual([
      ["ack", "t0", "called the client"],
      ["repaired", "t0", "talked it through"],
    ]);
    expect(JSON.stringify(await f.db.sql.query(`SELECT * FROM "AlertNote"`))).not.toContain("called the client");
  });

  it("an enrollment is found only with its own practice", async () => {
    expect((await f.dashboard.store.enrollmentView(seeded.practiceId, enrollmentOf("c0")))?.clientUserId).toBe("c0");
    expect(await f.dashboard.store.enrollmentView(randomUUID(), enrollmentOf("c0"))).toBeNull();
  });
});

describe("practice overview and audit", () => {
  it("overview: current enrollments, outcomes since a date, alerts with signals, undeliverable clients", async () => {
    const c7 = (await f.store.findPerson(seeded.practiceId, "c7"))!;
    await f.store.updatePerson(c7.id, { undeliverableAt: NOW, undeliverableCode: "dm_closed" });
    const overview = await f.dashboard.store.overview(seeded.practiceId, new Date(NOW.getTime() - 3 * WEEK));
    expect(overview.enrollments).toHaveLength(12);
    expect(overview.outcomes.filter((o) => o.status === "expired")).toHaveLength(1);
    expect(overview.outcomes.filter((o) => o.status === "answered").length).toBe(12 * 2 + 4);
    expect(overview.alerts.flatMap((a) => a.signals.map((s) => s.code)).sort()).toEqual(["decline", "low_item"]);
    expect(overview.undeliverable.map((p) => [p.platformUserId, p.undeliverableCode])).toEqual([["c7", "dm_closed"]]);
  });

  it("the audit log filters by action, person and time, newest first", async () => {
    const c0 = (await f.store.findPerson(seeded.practiceId, "c0"))!;
    const t0 = (await f.store.findPerson(seeded.practiceId, "t0"))!;
    for (let i = 0; i < 3; i++) {
      await f.store.appendAudit({ practiceId: seeded.practiceId, actorPersonId: t0.id, action: "alert.viewed", subjectPersonId: c0.id, detail: { i }, createdAt: new Date(NOW.getTime() + i * 1000) });
    }
    await f.store.appendAudit({ practiceId: seeded.practiceId, actorPersonId: null, action: "settings.changed", subjectPersonId: null, detail: {}, createdAt: NOW });
    const viewed = await f.dashboard.store.auditLog(seeded.practiceId, { action: "alert.viewed" }, 10, 0);
    expect(viewed.map((r) => r.entry.detail.i)).toEqual([2, 1, 0]);
    expect(viewed[0]).toMatchObject({ actorUserId: "t0", subjectUserId: "c0" });
    expect(await f.dashboard.store.auditLog(seeded.practiceId, { personId: c0.id, from: new Date(NOW.getTime() + 1000) }, 10, 0)).toHaveLength(2);
    expect(await f.dashboard.store.auditLog(seeded.practiceId, {}, 2, 2)).toHaveLength(2);
    expect(await f.dashboard.store.auditLog(randomUUID(), {}, 10, 0)).toEqual([]);
    expect(await f.dashboard.store.auditActions(seeded.practiceId)).toEqual(["alert.viewed", "settings.changed"]);
  });
});
