// Nothing acknowledged is lost: a command or a non-answer button whose process died after it
// claimed the delivery receipt but before the action finished is run by the platform's retry,
// once; a finished one, or one still running elsewhere, is a duplicate.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEngineFixture } from "../support/engine-fixture.ts";
import type { EngineFixture } from "../support/engine-fixture.ts";
import { RecordingPlatform } from "../support/recording-platform.ts";
import { enrollAndPrompt } from "../support/checkin-flow.ts";
import { answer } from "../privacy/support.ts";
import type { AlertView } from "../../src/ports/chat-platform.ts";

let f: EngineFixture;
let platform: RecordingPlatform;

beforeEach(async () => {
  platform = new RecordingPlatform("terminal");
  f = await createEngineFixture({ platform, start: "2026-03-02T08:00:00Z" });
});
afterEach(async () => f.dispose());

/** What a process that died right after claiming the receipt leaves behind. */
const crashedAfterClaim = async (key: string) => {
  expect(await f.store.claimDelivery("terminal", key, f.clock.now(), new Date(0))).toBe("first");
};
const leaseMs = () => f.engine.context.options.leaseMs;

describe("delivery receipts record completion", () => {
  it("a command whose process died before it ran is run by the retry once the claim is stale, and only once", async () => {
    expect((await f.command("admin", "enroll alice bob mon 09:00 50m UTC", { admin: true })).refused).toBeFalsy();
    await crashedAfterClaim("command:TR-1");
    // While the claim is fresh another process may still be running it: a duplicate.
    const early = await f.command("admin", "pause alice 2026-04-01", { admin: true, deliveryId: "TR-1" });
    expect(early.duplicate).toBe(true);
    f.clock.advance(leaseMs() + 1);
    const retry = await f.command("admin", "pause alice 2026-04-01", { admin: true, deliveryId: "TR-1" });
    expect(retry.duplicate).toBeFalsy();
    expect(retry.refused).toBeFalsy();
    const practice = await f.store.ensurePractice("terminal", "local");
    const enrollment = await f.store.currentEnrollmentForClient((await f.store.findPerson(practice.id, "alice"))!.id);
    expect(enrollment?.pausedUntil).not.toBeNull();
    // Done now: later deliveries are duplicates, however late.
    f.clock.advance(10 * leaseMs());
    expect((await f.command("admin", "pause alice 2026-04-01", { admin: true, deliveryId: "TR-1" })).duplicate).toBe(true);
    const audits = await f.db.sql.query<{ n: number }>(`SELECT COUNT(*) AS "n" FROM "AuditEntry" WHERE "action" = 'enrollment.paused'`);
    expect(Number(audits[0]!.n)).toBe(1);
  });

  it("an alert button whose process died before it ran is run by the retry", async () => {
    const prompt = await enrollAndPrompt(f, platform);
    await answer(f, "alice", prompt, [1, 2, 2]);
    const alert = platform.to("bob").map((m) => m.view).find((v): v is AlertView => v.kind === "alert")!;
    const ack = alert.buttons.find((b) => b.actionId.endsWith(":ack"))!.actionId;
    await crashedAfterClaim("action:PRESS-1");
    f.clock.advance(leaseMs() + 1);
    const retry = await f.press("bob", ack, "PRESS-1");
    expect(retry.duplicate).toBeFalsy();
    expect((await f.store.getAlert(alert.alertId))?.status).toBe("acknowledged");
    expect((await f.press("bob", ack, "PRESS-1")).duplicate).toBe(true);
  });

  it("a finished command is a duplicate at once", async () => {
    expect((await f.command("admin", "list", { admin: true, deliveryId: "TR-2" })).duplicate).toBeFalsy();
    expect((await f.command("admin", "list", { admin: true, deliveryId: "TR-2" })).duplicate).toBe(true);
    f.clock.advance(leaseMs() + 1);
    expect((await f.command("admin", "list", { admin: true, deliveryId: "TR-2" })).duplicate).toBe(true);
  });
});
