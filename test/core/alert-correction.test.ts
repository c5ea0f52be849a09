// A corrected answer re-evaluates its own check-in: what that check-in contributed to the alert
// is replaced, other check-ins' reasons stay, and an alert left with nothing is withdrawn.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEngineFixture } from "../support/engine-fixture.ts";
import type { EngineFixture } from "../support/engine-fixture.ts";
import { RecordingPlatform } from "../support/recording-platform.ts";
import { enrollAndPrompt } from "../support/checkin-flow.ts";
import type { AlertView, PromptView } from "../../src/ports/chat-platform.ts";
import { backtest } from "../../src/evaluate/backtest.ts";

let f: EngineFixture;
let platform: RecordingPlatform;

beforeEach(async () => {
  platform = new RecordingPlatform("terminal");
  f = await createEngineFixture({ platform, start: "2026-03-02T08:00:00Z" });
});
afterEach(async () => f.dispose());

const score = (prompt: PromptView, row: number, value: number) => prompt.rows[row]!.options[value - 1]!.actionId;

async function answer(prompt: PromptView, values: [number, number, number]): Promise<void> {
  for (let i = 0; i < 3; i++) expect((await f.press("alice", score(prompt, i, values[i]!))).refused).toBeFalsy();
  expect((await f.press("alice", prompt.tension!.options[0]!.actionId)).refused).toBeFalsy(); // "no"
}

async function enrollmentAlerts(): Promise<Record<string, unknown>[]> {
  return f.db.sql.query(`SELECT * FROM "Alert" ORDER BY "createdAt"`);
}

const alertMessage = () => platform.to("bob").find((m) => m.view.kind === "alert")!;

describe("corrected answers and the alert", () => {
  it("replaces the check-in's own reasons: bond 2 corrected to 5 leaves no bond reason, the task reason stays", async () => {
    const prompt = await enrollAndPrompt(f, platform);
    await answer(prompt, [4, 2, 2]);
    const first = alertMessage().view as AlertView;
    expect(first.reasons.some((r) => r.startsWith("Bond 2/5"))).toBe(true);
    expect(first.reasons.some((r) => r.startsWith("Way of working 2/5"))).toBe(true);

    expect((await f.press("alice", score(prompt, 2, 5))).refused).toBeFalsy();
    const edited = alertMessage().view as AlertView;
    expect(platform.to("bob").filter((m) => m.view.kind === "alert")).toHaveLength(1); // edited, not re-sent
    expect(edited.reasons.some((r) => r.includes("Bond"))).toBe(false);
    expect(edited.reasons.some((r) => r.startsWith("Way of working 2/5"))).toBe(true);
    const [row] = await enrollmentAlerts();
    expect(row!.status).toBe("open");
    expect(String(row!.signals)).not.toContain('"bond"');
  });

  it("withdraws the alert when nothing holds and it rested only on that check-in, says so without scores, and records it", async () => {
    const prompt = await enrollAndPrompt(f, platform);
    await answer(prompt, [5, 5, 2]);
    expect((alertMessage().view as AlertView).reasons.join(" ")).toMatch(/Bond 2\/5/);

    expect((await f.press("alice", score(prompt, 2, 5))).refused).toBeFalsy();
    const message = alertMessage();
    const view = message.view as AlertView;
    expect(platform.to("bob").filter((m) => m.view.kind === "alert")).toHaveLength(1);
    expect(view.reasons).toEqual(["The client corrected their answers, and this alert no longer applies."]);
    expect(view.status).toBe("Withdrawn");
    expect(view.buttons).toEqual([]);
    expect(view.trendLine).toBe("");
    // No score of the earlier or the corrected answers in anything the therapist now sees.
    expect(JSON.stringify({ ...view, title: "", clientUserId: "", alertId: "" })).not.toMatch(/[0-9]/);

    const [row] = await enrollmentAlerts();
    expect(row).toMatchObject({ status: "withdrawn", signals: "[]" });
    expect(row!.resolvedAt).not.toBeNull();
    expect(await f.store.unresolvedAlert(String(row!.enrollmentId))).toBeNull();
    const audit = await f.db.sql.query<{ action: string }>(`SELECT "action" FROM "AuditEntry" WHERE "action" = 'alert.withdrawn'`);
    expect(audit).toHaveLength(1);

    // `trend` lists no rupture episode, like the back-test over the corrected answers.
    const trend = await f.command("bob", "trend alice");
    expect(trend.text).not.toMatch(/episode/i);
    expect(await backtest([{ where: "line 2", date: new Date("2026-03-02T09:50:00Z"), status: "answered", goal: 5, task: 5, bond: 5, tension: "no", talkedThrough: null, comment: null }])).toEqual([]);

    // A later low check-in opens a new alert, sent as a new message.
    f.clock.set("2026-03-09T10:00:00Z");
    await f.engine.tick();
    await answer(platform.lastTo("alice")!.view as PromptView, [5, 5, 1]);
    expect(platform.to("bob").filter((m) => m.view.kind === "alert")).toHaveLength(2);
    expect((await enrollmentAlerts()).map((a) => a.status)).toEqual(["withdrawn", "open"]);
  });

  it("keeps another check-in's reasons: correcting the newer check-in does not withdraw an alert the older one still holds", async () => {
    let prompt = await enrollAndPrompt(f, platform);
    await answer(prompt, [5, 5, 2]);
    f.clock.set("2026-03-09T10:00:00Z");
    await f.engine.tick();
    prompt = platform.lastTo("alice")!.view as PromptView;
    await answer(prompt, [2, 5, 5]);
    const both = (alertMessage().view as AlertView).reasons.join(" ");
    expect(both).toMatch(/Goals 2\/5/);
    expect(both).toMatch(/Bond 2\/5/);

    expect((await f.press("alice", score(prompt, 0, 5))).refused).toBeFalsy();
    const after = (alertMessage().view as AlertView).reasons.join(" ");
    expect(after).not.toMatch(/Goals/);
    expect(after).toMatch(/Bond 2\/5/);
    expect((await enrollmentAlerts()).map((a) => a.status)).toEqual(["open"]);
  });
});
