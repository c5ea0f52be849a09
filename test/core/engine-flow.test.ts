import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEngineFixture } from "../support/engine-fixture.ts";
import type { EngineFixture } from "../support/engine-fixture.ts";
import { RecordingPlatform } from "../support/recording-platform.ts";
import type { PromptView, ConsentView, AlertView } from "../../src/ports/chat-platform.ts";

let f: EngineFixture;
let platform: RecordingPlatform;

beforeEach(async () => {
  platform = new RecordingPlatform("terminal");
  // Monday 2 March 2026, 08:00 UTC
  f = await createEngineFixture({ platform, start: "2026-03-02T08:00:00Z" });
});
afterEach(async () => f.dispose());

async function enrollAlice() {
  const reply = await f.command("admin", "enroll alice bob mon 09:00 50m UTC", { admin: true });
  expect(reply.refused).toBeFalsy();
  return reply;
}

async function sendFirstPrompt(): Promise<PromptView> {
  f.clock.set("2026-03-02T10:00:00Z"); // session 09:00-09:50, due 10:00
  await f.engine.tick();
  const consent = platform.lastTo("alice")?.view as ConsentView;
  expect(consent.kind).toBe("consent");
  await f.press("alice", consent.accept.actionId);
  const prompt = platform.lastTo("alice")?.view as PromptView;
  expect(prompt.kind).toBe("prompt");
  return prompt;
}

async function answer(prompt: PromptView, goal: number, task: number, bond: number) {
  const ids = prompt.rows.map((row, i) => row.options[[goal, task, bond][i]! - 1]!.actionId);
  const replies = [];
  for (const id of ids) replies.push(await f.press("alice", id));
  return replies;
}

describe("engine flow on a real SQLite file", () => {
  it("enrolls, sends consent then the prompt, records answers and alerts the therapist on a low score", async () => {
    const enrolled = await enrollAlice();
    expect(enrolled.text).toContain("@alice");
    expect(await f.store.countDue(f.clock.now())).toBe(0);
    const prompt = await sendFirstPrompt();
    const replies = await answer(prompt, 2, 4, 4);
    expect(replies[0]!.text).toMatch(/Saved/);
    const alert = platform.lastTo("bob")?.view as AlertView;
    expect(alert.kind).toBe("alert");
    expect(alert.reasons.join(" ")).toContain("Goals 2/5");
    expect(alert.title).toContain("@alice");
    // acknowledge
    const ack = await f.press("bob", alert.buttons[0]!.actionId);
    expect(ack.text).toBe("Alert acknowledged.");
    const stored = await f.store.getAlert(alert.alertId);
    expect(stored?.status).toBe("acknowledged");
  });

  it("stores one response per check-in even when the same delivery arrives four times", async () => {
    await enrollAlice();
    const prompt = await sendFirstPrompt();
    const id = prompt.rows[0]!.options[1]!.actionId;
    const replies = await Promise.all([1, 2, 3, 4].map(() => f.press("alice", id, "evt-1")));
    expect(replies.filter((r) => !r.duplicate)).toHaveLength(1);
    const rows = await f.db.sql.query<{ n: number }>(`SELECT COUNT(*) AS "n" FROM "Response"`);
    expect(Number(rows[0]!.n)).toBe(1);
  });

  it("refuses another person's check-in and out-of-range values without storing anything", async () => {
    await enrollAlice();
    const prompt = await sendFirstPrompt();
    const foreign = await f.press("mallory", prompt.rows[0]!.options[0]!.actionId);
    expect(foreign.refused).toBe(true);
    expect(foreign.text).toMatch(/isn't yours/);
    const bad = await f.press("alice", `ci:${prompt.checkInId}:goal:6`);
    expect(bad.refused).toBe(true);
    expect(bad.text).toMatch(/1 to 5/);
    const unknown = await f.press("alice", `ci:nope:goal:3`);
    expect(unknown.text).toMatch(/can't find/);
    expect(await f.store.getResponse(prompt.checkInId)).toBeNull();
  });

  it("replies politely after the window closed", async () => {
    await enrollAlice();
    const prompt = await sendFirstPrompt();
    f.clock.set("2026-03-05T10:00:00Z");
    await f.engine.tick();
    const late = await f.press("alice", prompt.rows[0]!.options[3]!.actionId);
    expect(late.text).toMatch(/has closed/);
    expect((await f.store.getCheckIn(prompt.checkInId))?.status).toBe("expired");
  });
});

describe("alert updates", () => {
  it("does not re-send or edit the therapist's alert when a later answer adds no new finding", async () => {
    await enrollAlice();
    const prompt = await sendFirstPrompt();
    await answer(prompt, 2, 4, 4);
    const alertMessage = platform.lastTo("bob")!;
    const editsBefore = alertMessage.history.length;
    const sentToBob = platform.to("bob").length;
    // "No tension" fires nothing new: the alert message stays as it was.
    await f.press("alice", prompt.tension!.options.find((o) => o.value === "no")!.actionId);
    expect(platform.to("bob")).toHaveLength(sentToBob);
    expect(alertMessage.history).toHaveLength(editsBefore);
  });
});
