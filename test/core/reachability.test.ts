// Reachability that recovers and never lies: an unreachable client is retried on the next
// scheduled check-in with a back-off and by /checkin now, anything the client does clears the
// mark, the therapist and admins are told once each way, and bot-side failures never mark anyone.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EngineFixture } from "../support/engine-fixture.ts";
import type { RecordingPlatform } from "../support/recording-platform.ts";
import { recordingEngine } from "../support/recording-engine.ts";
import type { NoticeView, SendResult } from "../../src/ports/chat-platform.ts";
import { unreachableBackoffMs } from "../../src/core/reachability.ts";

let f: EngineFixture;
let platform: RecordingPlatform;

beforeEach(async () => {
  ({ f, platform } = await recordingEngine({ adminCommand: "enroll alice bob mon 09:00 50m UTC" }));
});
afterEach(async () => f.dispose());

const CANNOT_DM: SendResult = { ok: false, code: "cannot_dm", failure: "recipient_unreachable" };
const notices = (userId: string, pattern: RegExp) => platform.to(userId).filter((m) => m.view.kind === "notice" && pattern.test((m.view as NoticeView).text));
const sendsTo = (userId: string) => platform.to(userId).filter((m) => m.view.kind !== "notice").length;
const alice = async () => f.store.findPerson((await f.store.ensurePractice("terminal", "local")).id, "alice");
const tickAt = async (iso: string) => {
  f.clock.set(iso);
  return f.engine.tick();
};

describe("an unreachable client", () => {
  it("is retried on the next scheduled check-in, then with a back-off, and by /checkin now, which never says 'on its way'", async () => {
    platform.failNext = [CANNOT_DM];
    await tickAt("2026-03-02T10:00:00Z");
    expect((await alice())?.undeliverableCode).toBe("cannot_dm");
    expect(notices("bob", /can't be delivered/)).toHaveLength(1);
    expect(notices("admin", /can't be delivered/)).toHaveLength(1);

    // The next scheduled check-in is tried, and fails again: nobody is told twice.
    platform.failNext = [CANNOT_DM];
    expect((await tickAt("2026-03-09T10:00:00Z")).dispatch.failed).toBe(1);
    expect(platform.failNext).toEqual([]);
    expect(notices("bob", /can't be delivered/)).toHaveLength(1);
    // After a second failure in a row the following week is skipped without a send.
    const skipped = await tickAt("2026-03-16T10:00:00Z");
    expect(skipped.dispatch).toMatchObject({ cancelled: 1, sent: 0, failed: 0 });

    // The therapist asks for one now: the reply says the client could not be reached, and what to do.
    const now = await f.command("bob", "now alice");
    expect(now.refused).toBeFalsy();
    expect(now.text).toMatch(/couldn't reach @alice last time \(cannot_dm\).*try once more now.*allow direct messages from the bot/);
    expect(now.text).not.toMatch(/on its way/);
    // This time it works: the mark is cleared and everyone is told once that the client is back.
    const report = await f.engine.tick();
    expect(report.dispatch.sent).toBe(1);
    expect(sendsTo("alice")).toBe(1);
    expect((await alice())).toMatchObject({ undeliverableAt: null, undeliverableCode: null, unreachableFailures: 0 });
    expect(notices("bob", /can be reached again/)).toHaveLength(1);
    expect(notices("admin", /can be reached again/)).toHaveLength(1);
    await tickAt("2026-03-23T10:00:00Z");
    expect(notices("bob", /can be reached again/)).toHaveLength(1);
  });

  it("is cleared by any command from the client, and the therapist and admins are told once", async () => {
    platform.failNext = [CANNOT_DM];
    await tickAt("2026-03-02T10:00:00Z");
    expect((await alice())?.undeliverableAt).not.toBeNull();
    expect((await f.command("alice", "help")).refused).toBeFalsy();
    expect((await alice())?.undeliverableAt).toBeNull();
    expect(notices("bob", /can be reached again/)).toHaveLength(1);
    expect(notices("admin", /can be reached again/)).toHaveLength(1);
    // Back to normal: the next scheduled check-in is sent without waiting for a back-off.
    expect((await tickAt("2026-03-09T10:00:00Z")).dispatch.sent).toBe(1);
  });

  it("is cleared by a button press from the client", async () => {
    await tickAt("2026-03-02T10:00:00Z");
    const consent = platform.lastTo("alice")!.view;
    expect(consent.kind).toBe("consent");
    const practice = await f.store.ensurePractice("terminal", "local");
    await f.store.updatePerson((await alice())!.id, { undeliverableAt: new Date("2026-03-02T10:00:00Z"), undeliverableCode: "cannot_dm", unreachableFailures: 1 });
    expect(practice.id).toBeTruthy();
    if (consent.kind !== "consent") throw new Error("no consent");
    expect((await f.press("alice", consent.accept.actionId)).refused).toBeFalsy();
    expect((await alice())?.undeliverableAt).toBeNull();
    expect(notices("bob", /can be reached again/)).toHaveLength(1);
  });

  it("backs off: the next check-in, then one, three and at most four weeks skipped", () => {
    const weeks = [1, 2, 3, 4, 5, 9].map((n) => Math.floor(unreachableBackoffMs(n) / (7 * 24 * 3600_000)));
    expect(weeks).toEqual([0, 1, 3, 4, 4, 4]);
  });
});

describe("a bot-side send failure", () => {
  it.each(["bot_misconfigured", "payload_rejected"] as const)("%s never marks the client, tells the admins once, and the check-in keeps its retries", async (failure) => {
    const max = f.engine.context.options.maxAttempts;
    platform.failWhen = (to) => to.userId === "alice";
    platform.failNext = Array.from({ length: max - 1 }, () => ({ ok: false as const, code: "missing_permissions", failure }));
    await tickAt("2026-03-02T10:00:00Z");
    for (let i = 2; i <= max; i++) {
      const [row] = await f.db.sql.query<{ id: string; dueAt: string | Date; status: string }>(`SELECT "id", "dueAt", "status" FROM "CheckIn" WHERE "status" = 'scheduled' ORDER BY "dueAt" LIMIT 1`);
      f.clock.set(new Date(row!.dueAt));
      await f.engine.tick();
    }
    expect((await alice())?.undeliverableAt).toBeNull();
    expect(notices("admin", /because of the bot's own setup \(missing_permissions\)/)).toHaveLength(1);
    expect(notices("bob", /can't be delivered/)).toEqual([]);
    // The last retry went through.
    expect(sendsTo("alice")).toBe(1);
    // A later bot-side failure after things worked is a new problem, told again once.
    platform.failNext = [{ ok: false, code: "missing_permissions", failure }];
    await tickAt("2026-03-09T10:00:00Z");
    expect(notices("admin", /because of the bot's own setup/)).toHaveLength(2);
  });
});
