import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEngineFixture } from "../support/engine-fixture.ts";
import type { EngineFixture } from "../support/engine-fixture.ts";
import { RecordingPlatform } from "../support/recording-platform.ts";
import type { ConsentView, NoticeView } from "../../src/ports/chat-platform.ts";
import type { CheckIn, Enrollment } from "../../src/core/model.ts";

let f: EngineFixture;
let platform: RecordingPlatform;

beforeEach(async () => {
  platform = new RecordingPlatform("terminal");
  // Monday 2 March 2026, 08:00 UTC
  f = await createEngineFixture({ platform, start: "2026-03-02T08:00:00Z" });
});
afterEach(async () => f.dispose());

async function enroll(text = "alice bob mon 09:00 50m UTC"): Promise<Enrollment> {
  const reply = await f.command("admin", `enroll ${text}`, { admin: true });
  expect(reply.refused, reply.text).toBeFalsy();
  const client = text.split(" ")[0]!;
  const practice = await f.store.ensurePractice("terminal", "local");
  const person = await f.store.findPerson(practice.id, client);
  const enrollment = await f.store.currentEnrollmentForClient(person!.id);
  return enrollment!;
}

async function checkIns(enrollmentId: string): Promise<CheckIn[]> {
  const rows = await f.db.sql.query<{ id: string }>(`SELECT "id" FROM "CheckIn" WHERE "enrollmentId" = ? ORDER BY "sessionEndAt"`, [enrollmentId]);
  return Promise.all(rows.map(async (r) => (await f.store.getCheckIn(r.id))!));
}

async function tickAt(iso: string) {
  f.clock.set(iso);
  return f.engine.tick();
}

async function giveConsent(userId = "alice") {
  const consent = platform.lastTo(userId)?.view as ConsentView;
  expect(consent.kind).toBe("consent");
  expect((await f.press(userId, consent.accept.actionId)).refused).toBeFalsy();
}

const notices = (userId: string) => platform.to(userId).filter((m) => m.view.kind === "notice").map((m) => (m.view as NoticeView).text);

describe("downtime catch-up", () => {
  it("sends a prompt late when the bot was down past its due time but the window is still open", async () => {
    const enrollment = await enroll();
    // Due Mon 10:00, closes Wed 09:50 (48 h after the 09:50 session end). The bot comes back Tue noon.
    const report = await tickAt("2026-03-03T12:00:00Z");
    expect(report.dispatch.sent).toBe(1);
    expect(platform.lastTo("alice")?.view.kind).toBe("consent");
    const [first, next] = await checkIns(enrollment.id);
    expect(first).toMatchObject({ status: "sent", sessionEndAt: new Date("2026-03-02T09:50:00Z") });
    expect(first!.sentAt?.toISOString()).toBe("2026-03-03T12:00:00.000Z");
    // The schedule carries on: next Monday's row exists.
    expect(next).toMatchObject({ status: "scheduled", sessionEndAt: new Date("2026-03-09T09:50:00Z") });
  });

  it("marks a check-in missed_by_system when its window closed during the downtime, and sends nothing", async () => {
    const enrollment = await enroll();
    const report = await tickAt("2026-03-04T09:50:00Z"); // exactly when the window closes
    expect(report.dispatch.missedBySystem).toBe(1);
    expect(report.dispatch.sent).toBe(0);
    expect(platform.to("alice")).toEqual([]);
    const [first, next] = await checkIns(enrollment.id);
    expect(first?.status).toBe("missed_by_system");
    expect(next?.status).toBe("scheduled");
  });

  it("judges each missed session on its own window after a long outage", async () => {
    const enrollment = await enroll("alice bob mon,tue 09:00 50m UTC");
    // Down until Wed noon: Monday's window closed (Wed 09:50), Tuesday's is open until Thu 09:50.
    f.clock.set("2026-03-04T12:00:00Z");
    await f.engine.tick();
    await f.engine.tick();
    const rows = await checkIns(enrollment.id);
    expect(rows.map((r) => [r.sessionEndAt.toISOString().slice(0, 10), r.status])).toEqual([
      ["2026-03-02", "missed_by_system"],
      ["2026-03-03", "sent"],
      ["2026-03-09", "scheduled"],
    ]);
    expect(platform.to("alice")).toHaveLength(1);
  });

  it("never counts a system miss as a client miss: it stays missed_by_system, not expired, and raises no alert", async () => {
    const enrollment = await enroll();
    await tickAt("2026-03-05T12:00:00Z");
    await tickAt("2026-03-12T12:00:00Z"); // second week missed too
    await tickAt("2026-03-12T12:00:01Z"); // later ticks run closeExpired over everything
    const rows = await checkIns(enrollment.id);
    expect(rows.map((r) => r.status)).toEqual(["missed_by_system", "missed_by_system", "scheduled"]);
    expect(rows.some((r) => r.status === "expired")).toBe(false);
    const [n] = await f.db.sql.query<{ n: number }>(`SELECT COUNT(*) AS "n" FROM "Alert"`);
    expect(Number(n!.n)).toBe(0);
    expect(platform.to("bob")).toEqual([]);
    expect(platform.to("alice")).toEqual([]);
  });
});

describe("quiet hours, pause and skip", () => {
  it("defers a prompt due at 23:00 local to the end of the practice's quiet hours (22:00-08:00)", async () => {
    // Mon 22:00-22:50 in Bucharest (UTC+2 in March), due 23:00 local = 21:00 UTC.
    const enrollment = await enroll("alice bob mon 22:00 50m Europe/Bucharest");
    const [row] = await checkIns(enrollment.id);
    expect(row!.dueAt.toISOString()).toBe("2026-03-02T21:00:00.000Z");
    const report = await tickAt("2026-03-02T21:00:00Z");
    expect(report.dispatch.rescheduled).toBe(1);
    expect(platform.to("alice")).toEqual([]);
    const deferred = await f.store.getCheckIn(row!.id);
    expect(deferred).toMatchObject({ status: "scheduled" });
    expect(deferred!.dueAt.toISOString()).toBe("2026-03-03T06:00:00.000Z"); // 08:00 local
    await tickAt("2026-03-03T05:59:00Z");
    expect(platform.to("alice")).toEqual([]);
    await tickAt("2026-03-03T06:00:00Z");
    expect(platform.lastTo("alice")?.view.kind).toBe("consent");
  });

  it("sends at once when quiet hours are turned off", async () => {
    await enroll("alice bob mon 22:00 50m Europe/Bucharest");
    expect((await f.command("admin", "settings quiet_hours off", { admin: true })).refused).toBeFalsy();
    await tickAt("2026-03-02T21:00:00Z");
    expect(platform.lastTo("alice")?.view.kind).toBe("consent");
  });

  it("honours pause-until: no check-in before the date, the next one after it", async () => {
    const enrollment = await enroll();
    const reply = await f.command("admin", "pause alice 2026-03-10", { admin: true });
    expect(reply.text).toContain("until 2026-03-10");
    const pending = await f.store.nextScheduledCheckIn(enrollment.id);
    expect(pending?.sessionEndAt.toISOString()).toBe("2026-03-16T09:50:00.000Z");
    await tickAt("2026-03-02T10:00:00Z");
    await tickAt("2026-03-09T10:00:00Z");
    expect(platform.to("alice")).toEqual([]);
    await tickAt("2026-03-16T10:00:00Z");
    expect(platform.lastTo("alice")?.view.kind).toBe("consent");
  });

  it("an indefinite pause sends nothing until resumed", async () => {
    const enrollment = await enroll();
    await f.command("admin", "pause alice", { admin: true });
    expect(await f.store.nextScheduledCheckIn(enrollment.id)).toBeNull();
    await tickAt("2026-03-02T10:00:00Z");
    await tickAt("2026-03-09T10:00:00Z");
    expect(platform.to("alice")).toEqual([]);
    const resumed = await f.command("admin", "resume alice", { admin: true });
    expect(resumed.refused).toBeFalsy();
    expect((await f.store.nextScheduledCheckIn(enrollment.id))?.sessionEndAt.toISOString()).toBe("2026-03-16T09:50:00.000Z");
  });

  it("honours a skip date", async () => {
    const enrollment = await enroll();
    const reply = await f.command("admin", "skip alice 2026-03-02", { admin: true });
    expect(reply.refused).toBeFalsy();
    expect((await f.store.nextScheduledCheckIn(enrollment.id))?.sessionEndAt.toISOString()).toBe("2026-03-09T09:50:00.000Z");
    await tickAt("2026-03-02T10:00:00Z");
    expect(platform.to("alice")).toEqual([]);
    await tickAt("2026-03-09T10:00:00Z");
    expect(platform.lastTo("alice")?.view.kind).toBe("consent");
  });
});

describe("/checkin now", () => {
  it("lets the client's therapist create an immediate check-in, sent on the next tick", async () => {
    const enrollment = await enroll();
    f.clock.set("2026-03-02T08:30:00Z"); // an unscheduled session just ended, before the scheduled one is due
    const reply = await f.command("bob", "now alice");
    expect(reply.refused).toBeFalsy();
    expect(reply.text).toContain("@alice");
    expect(await f.store.countDue(f.clock.now())).toBe(1);
    const report = await f.engine.tick();
    expect(report.dispatch.sent).toBe(1);
    const immediate = (await checkIns(enrollment.id)).find((c) => c.kind === "now");
    expect(immediate).toMatchObject({ status: "sent", sessionEndAt: new Date("2026-03-02T08:30:00Z") });
    expect((await checkIns(enrollment.id)).find((c) => c.kind === "scheduled")?.status).toBe("scheduled");
    expect(platform.to("alice").some((m) => m.view.kind === "consent")).toBe(true);
  });

  it("refuses the therapist of another client without creating anything", async () => {
    const enrollment = await enroll();
    await enroll("dave carol tue 09:00 50m UTC");
    const reply = await f.command("carol", "now alice");
    expect(reply).toMatchObject({ refused: true, text: "Sorry, you can't do that." });
    expect((await checkIns(enrollment.id)).some((c) => c.kind === "now")).toBe(false);
    // The client themself cannot trigger one either.
    expect((await f.command("alice", "now alice")).refused).toBe(true);
  });
});

describe("reminders and delivery failures", () => {
  it("sends one reminder per unanswered prompt", async () => {
    await enroll();
    await tickAt("2026-03-02T10:00:00Z");
    await giveConsent();
    await tickAt("2026-03-02T13:59:00Z");
    expect(notices("alice")).toEqual([]);
    const report = await tickAt("2026-03-02T14:00:00Z"); // due + 4 h
    expect(report.reminders).toBe(1);
    expect(notices("alice")).toHaveLength(1);
    expect(notices("alice")[0]).toMatch(/reminder/);
    await tickAt("2026-03-02T18:00:00Z");
    await tickAt("2026-03-03T18:00:00Z");
    expect(notices("alice")).toHaveLength(1);
  });

  it("reschedules by the platform's retry-after on a 429 instead of failing", async () => {
    const enrollment = await enroll();
    platform.failNext = [{ ok: false, code: "rate_limited", failure: "rate_limited", retryAfterMs: 30_000 }];
    const report = await tickAt("2026-03-02T10:00:00Z");
    expect(report.dispatch).toMatchObject({ rescheduled: 1, failed: 0, sent: 0 });
    const [row] = await checkIns(enrollment.id);
    expect(row).toMatchObject({ status: "scheduled", attempt: 1 });
    expect(row!.dueAt.toISOString()).toBe("2026-03-02T10:00:30.000Z");
    await tickAt("2026-03-02T10:00:29Z");
    expect(platform.to("alice")).toEqual([]);
    await tickAt("2026-03-02T10:00:30Z");
    expect(platform.lastTo("alice")?.view.kind).toBe("consent");
    expect((await f.store.getCheckIn(row!.id))?.status).toBe("sent");
  });

  it("marks the client undeliverable on a permanent failure and tells the therapist once", async () => {
    const enrollment = await enroll();
    platform.failNext = [{ ok: false, code: "cannot_dm", failure: "recipient_unreachable" }];
    const report = await tickAt("2026-03-02T10:00:00Z");
    expect(report.dispatch.failed).toBe(1);
    const [row] = await checkIns(enrollment.id);
    expect(row?.status).toBe("failed");
    const practice = await f.store.ensurePractice("terminal", "local");
    const alice = await f.store.findPerson(practice.id, "alice");
    expect(alice?.undeliverableAt).not.toBeNull();
    expect(alice?.undeliverableCode).toBe("cannot_dm");
    expect(notices("bob")).toHaveLength(1);
    expect(notices("bob")[0]).toContain("@alice");
    expect(notices("bob")[0]).toContain("cannot_dm");
    // The next week's check-in is tried again; failing again tells nobody a second time.
    platform.failNext = [{ ok: false, code: "cannot_dm", failure: "recipient_unreachable" }];
    const next = await tickAt("2026-03-09T10:00:00Z");
    expect(next.dispatch.failed).toBe(1);
    expect(platform.failNext).toEqual([]);
    expect(platform.to("alice")).toEqual([]);
    expect(notices("bob")).toHaveLength(1);
  });

  it("fails a check-in after maxAttempts transient failures and tells an admin", async () => {
    const enrollment = await enroll();
    const max = f.engine.context.options.maxAttempts;
    platform.failNext = Array.from({ length: max }, () => ({ ok: false as const, code: "network_error", failure: "transient" }));
    f.clock.set("2026-03-02T10:00:00Z");
    const [row] = await checkIns(enrollment.id);
    for (let i = 1; i <= max; i++) {
      await f.engine.tick();
      const now = await f.store.getCheckIn(row!.id);
      expect(now?.attempt).toBe(i);
      expect(now?.status).toBe(i < max ? "scheduled" : "failed");
      if (i < max) f.clock.set(now!.dueAt); // the backoff time
    }
    expect(platform.to("alice")).toEqual([]);
    expect(notices("admin").some((t) => t.includes("could not be sent") && t.includes("network_error"))).toBe(true);
    // Failed rows are not claimed again.
    f.clock.advance(3600_000);
    expect((await f.engine.tick()).dispatch.claimed).toBe(0);
  });
});
