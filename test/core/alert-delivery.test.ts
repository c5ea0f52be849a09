import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEngineFixture } from "../support/engine-fixture.ts";
import type { EngineFixture } from "../support/engine-fixture.ts";
import { RecordingPlatform } from "../support/recording-platform.ts";
import type { AlertView, ConsentView, PromptView } from "../../src/ports/chat-platform.ts";
import { raiseAlert } from "../../src/core/alerts.ts";
import { deliverAlert } from "../../src/core/alert-delivery.ts";

let f: EngineFixture;
let platform: RecordingPlatform;

beforeEach(async () => {
  platform = new RecordingPlatform("terminal");
  f = await createEngineFixture({ platform, start: "2026-03-02T08:00:00Z" });
  expect((await f.command("admin", "enroll alice bob mon 09:00 50m UTC", { admin: true })).refused).toBeFalsy();
});
afterEach(async () => f.dispose());

async function promptAlice(): Promise<PromptView> {
  f.clock.set("2026-03-02T10:00:00Z");
  await f.engine.tick();
  await f.press("alice", (platform.lastTo("alice")!.view as ConsentView).accept.actionId);
  return platform.lastTo("alice")!.view as PromptView;
}

describe("alert delivery", () => {
  it("the alert's trend shows the newest eight totals, oldest first, the same whether the answer brought them or they are read again", async () => {
    const weekly = [15, 14, 15, 13, 15, 14, 15, 15, 14, 15];
    let prompt = await promptAlice();
    const answer = async (goal: number, task: number, bond: number) => {
      for (const [row, value] of [goal, task, bond].entries()) await f.press("alice", prompt.rows[row]!.options[value - 1]!.actionId);
    };
    for (const [week, total] of weekly.entries()) {
      if (week > 0) {
        f.clock.set(new Date(Date.parse("2026-03-02T10:00:00Z") + week * 7 * 86_400_000));
        await f.engine.tick();
        prompt = platform.lastTo("alice")!.view as PromptView;
        expect(prompt.kind).toBe("prompt");
      }
      await answer(5, 5, total - 10);
    }
    expect(platform.to("bob")).toHaveLength(0);
    f.clock.set(new Date(Date.parse("2026-03-02T10:00:00Z") + weekly.length * 7 * 86_400_000));
    await f.engine.tick();
    prompt = platform.lastTo("alice")!.view as PromptView;
    await answer(2, 2, 1);
    const expected = `(${[...weekly.slice(-7), 5].join(", ")})`;
    const raised = platform.lastTo("bob")!.view as AlertView;
    expect(raised.kind).toBe("alert");
    expect(raised.trendLine).toContain(expected);

    const practice = await f.store.ensurePractice("terminal", "local");
    const [enrollment] = await f.store.listEnrollments(practice.id);
    const alert = await f.store.unresolvedAlert(enrollment!.id);
    expect(await deliverAlert(f.engine.context, alert!, enrollment!, practice, { fresh: true })).toBe(true);
    expect(platform.to("bob")).toHaveLength(2);
    expect((platform.lastTo("bob")!.view as AlertView).trendLine).toBe(raised.trendLine);
  });

  it("retries an alert whose first message was rate-limited, once a minute, until it reaches the therapist", async () => {
    const prompt = await promptAlice();
    await f.press("alice", prompt.rows[0]!.options[3]!.actionId);
    await f.press("alice", prompt.rows[1]!.options[3]!.actionId);
    platform.failNext = [{ ok: false, code: "rate_limited", failure: "rate_limited", retryAfterMs: 30_000 }, { ok: false, code: "rate_limited", failure: "rate_limited", retryAfterMs: 30_000 }];
    await f.press("alice", prompt.rows[2]!.options[0]!.actionId); // bond 1: alert, but the DM is rate-limited
    expect(platform.to("bob")).toHaveLength(0);
    const [pending] = await f.store.undeliveredAlerts(f.clock.now(), 10);
    expect(pending?.platformMessageId).toBeNull();

    await f.engine.tick(); // too soon: nothing is retried within the first minute
    expect(platform.failNext).toHaveLength(1);
    f.clock.advance(61_000);
    await f.engine.tick(); // retried, rate-limited again
    expect(platform.failNext).toHaveLength(0);
    expect(platform.to("bob")).toHaveLength(0);
    f.clock.advance(61_000);
    await f.engine.tick(); // delivered
    expect(platform.to("bob")).toHaveLength(1);
    expect(platform.lastTo("bob")!.view.kind).toBe("alert");
    expect((await f.store.getAlert(pending!.id))?.platformMessageId).not.toBeNull();
    f.clock.advance(61_000);
    await f.engine.tick(); // delivered alerts are not sent again
    expect(platform.to("bob")).toHaveLength(1);
  });

  it("keeps one unresolved alert per enrollment when two evaluations race", async () => {
    const [enrollment] = await f.store.listEnrollments((await f.store.ensurePractice("terminal", "local")).id);
    const practice = (await f.store.getPractice(enrollment!.practiceId))!;
    const first = await f.store.createAlert({ enrollmentId: enrollment!.id, checkInId: null, severity: "normal", signals: [{ code: "low_total", params: { total: 9, threshold: 12 } }], createdAt: f.clock.now() });
    expect(first).not.toBeNull();
    const second = await f.store.createAlert({ enrollmentId: enrollment!.id, checkInId: null, severity: "normal", signals: [], createdAt: f.clock.now() });
    expect(second).toBeNull();

    await Promise.all([
      raiseAlert(f.engine.context, enrollment!, practice, null, [{ code: "low_item", params: { item: "bond", value: 1, threshold: 2 } }], "normal"),
      raiseAlert(f.engine.context, enrollment!, practice, null, [{ code: "low_item", params: { item: "goal", value: 2, threshold: 2 } }], "normal"),
    ]);
    const alerts = await f.store.listAlerts([enrollment!.id], ["open", "acknowledged", "repaired", "dismissed"]);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.signals.map((s) => `${s.code}:${s.params.item ?? ""}`).sort()).toEqual(["low_item:bond", "low_item:goal", "low_total:"]);
  });
});

describe("alert status line", () => {
  it("shows 'Snoozed until' only while the snooze lasts", async () => {
    const prompt = await promptAlice();
    for (const [row, value] of [[0, 4], [1, 4], [2, 1]] as const) await f.press("alice", prompt.rows[row]!.options[value - 1]!.actionId);
    const alert = platform.lastTo("bob")!;
    expect(alert.view.kind).toBe("alert");
    if (alert.view.kind !== "alert") return;
    const snooze = alert.view.buttons.find((b) => b.actionId.endsWith(":snooze"))!;
    await f.press("bob", snooze.actionId);
    expect(alert.view.kind === "alert" && alert.view.status).toBe("Snoozed until 9 Mar 2026");

    // Eight days later a new finding edits the same alert message: the snooze is over.
    f.clock.set("2026-03-10T12:00:00Z");
    const stored = (await f.store.getAlert(alert.view.alertId))!;
    const enrollment = (await f.store.getEnrollment(stored.enrollmentId))!;
    const practice = (await f.store.getPractice(enrollment.practiceId))!;
    await raiseAlert(f.engine.context, enrollment, practice, null, [{ code: "low_total", params: { total: 8, threshold: 12 } }], "normal");
    expect(alert.view.kind === "alert" && alert.view.status).toBe("Open");
  });
});
