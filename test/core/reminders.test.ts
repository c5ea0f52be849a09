// Reminders: measured from the prompt's actual send, deferred by quiet hours and pauses, never for
// a check-in that was answered, skipped or closed, and retried when the send fails.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEngineFixture } from "../support/engine-fixture.ts";
import type { EngineFixture } from "../support/engine-fixture.ts";
import { RecordingPlatform } from "../support/recording-platform.ts";
import { enrollAndPrompt } from "../support/checkin-flow.ts";
import type { ConsentView, PromptView } from "../../src/ports/chat-platform.ts";

let f: EngineFixture;
let platform: RecordingPlatform;

beforeEach(async () => {
  platform = new RecordingPlatform("terminal");
  // Quiet hours are the default 22:00–08:00 in the client's zone (UTC here); reminders 4 h after the send.
  f = await createEngineFixture({ platform, start: "2026-03-02T08:00:00Z" });
});
afterEach(async () => f.dispose());

const reminders = () => platform.to("alice").filter((m) => m.view.kind === "notice" && /gentle reminder/.test((m.view as { text: string }).text));

/** Ticks at each time and returns how many reminders alice has after each. */
async function remindersAt(...times: string[]): Promise<number[]> {
  const counts: number[] = [];
  for (const time of times) {
    f.clock.set(time);
    await f.engine.tick();
    counts.push(reminders().length);
  }
  return counts;
}

describe("reminders", () => {
  it("a prompt held back by quiet hours gets its reminder 4 h after it is actually sent, not one tick after", async () => {
    // Session ends 22:20, prompt due 22:30 (quiet), sent at 08:00 the next morning.
    expect((await f.command("admin", "enroll alice bob mon 21:30 50m UTC", { admin: true })).refused).toBeFalsy();
    f.clock.set("2026-03-02T22:30:00Z");
    await f.engine.tick();
    expect(platform.to("alice")).toHaveLength(0);
    f.clock.set("2026-03-03T08:00:00Z");
    await f.engine.tick();
    await f.press("alice", (platform.lastTo("alice")!.view as ConsentView).accept.actionId);
    expect(platform.lastTo("alice")!.view.kind).toBe("prompt");
    expect(await remindersAt("2026-03-03T08:01:00Z", "2026-03-03T11:59:00Z", "2026-03-03T12:00:00Z", "2026-03-03T12:05:00Z")).toEqual([0, 0, 1, 1]);
  });

  it("after a retried send, the reminder is measured from the send that succeeded", async () => {
    expect((await f.command("admin", "enroll alice bob mon 09:00 50m UTC", { admin: true })).refused).toBeFalsy();
    f.clock.set("2026-03-02T10:00:00Z");
    await f.engine.tick();
    await f.press("alice", (platform.lastTo("alice")!.view as ConsentView).accept.actionId);
    // The next session's prompt fails for an hour and a half, then goes out at 11:30 a week later.
    await f.press("alice", (platform.lastTo("alice")!.view as PromptView).skipButton.actionId);
    platform.failNext.push({ ok: false, code: "ratelimited", failure: "rate_limited", retryAfterMs: 90 * 60_000 });
    const prompts = () => platform.to("alice").filter((m) => m.view.kind === "prompt").length;
    f.clock.set("2026-03-09T10:00:00Z");
    await f.engine.tick();
    expect(prompts()).toBe(1);
    f.clock.set("2026-03-09T11:30:00Z");
    await f.engine.tick();
    expect(prompts()).toBe(2);
    expect(await remindersAt("2026-03-09T14:00:00Z", "2026-03-09T15:29:00Z", "2026-03-09T15:30:00Z")).toEqual([0, 0, 1]);
  });

  it("a reminder due in quiet hours is deferred to their end, not dropped", async () => {
    // Prompt sent at 18:00, reminder due 22:00, when quiet hours start.
    expect((await f.command("admin", "enroll alice bob mon 17:00 50m UTC", { admin: true })).refused).toBeFalsy();
    f.clock.set("2026-03-02T18:00:00Z");
    await f.engine.tick();
    await f.press("alice", (platform.lastTo("alice")!.view as ConsentView).accept.actionId);
    expect(await remindersAt("2026-03-02T22:00:00Z", "2026-03-03T03:00:00Z", "2026-03-03T07:59:00Z", "2026-03-03T08:00:00Z", "2026-03-03T09:00:00Z")).toEqual([0, 0, 0, 1, 1]);
  });

  it("a paused client gets the reminder after the pause (and after quiet hours), while the check-in is still open", async () => {
    await enrollAndPrompt(f, platform); // sent Mon 10:00, reminder due 14:00, closes Wed 09:50
    f.clock.set("2026-03-02T11:00:00Z");
    expect((await f.command("alice", "pause 2026-03-02")).refused).toBeFalsy(); // paused until Tue 00:00
    expect(await remindersAt("2026-03-02T14:00:00Z", "2026-03-03T00:00:00Z", "2026-03-03T07:00:00Z", "2026-03-03T08:00:00Z")).toEqual([0, 0, 0, 1]);
  });

  it("a client paused with no end date gets no reminder; resumed while the check-in is open, they get it then, once", async () => {
    await enrollAndPrompt(f, platform); // sent Mon 10:00, reminder due 14:00, closes Wed 09:50
    expect((await f.command("alice", "pause")).refused).toBeFalsy();
    expect(await remindersAt("2026-03-02T14:00:00Z", "2026-03-03T08:00:00Z")).toEqual([0, 0]);
    f.clock.set("2026-03-03T09:00:00Z");
    expect((await f.command("alice", "resume")).refused).toBeFalsy();
    expect(await remindersAt("2026-03-03T09:00:30Z", "2026-03-03T12:00:00Z", "2026-03-04T09:00:00Z")).toEqual([1, 1, 1]);
  });

  it("paused by the therapist and resumed before the reminder was due: it comes at its usual time", async () => {
    await enrollAndPrompt(f, platform);
    f.clock.set("2026-03-02T11:00:00Z");
    expect((await f.command("bob", "pause alice")).refused).toBeFalsy();
    f.clock.set("2026-03-02T12:00:00Z");
    expect((await f.command("bob", "resume alice")).refused).toBeFalsy();
    expect(await remindersAt("2026-03-02T13:59:00Z", "2026-03-02T14:00:00Z", "2026-03-02T18:00:00Z")).toEqual([0, 1, 1]);
  });

  it("a client paused with no end date who resumes after the check-in closed gets no reminder for it", async () => {
    await enrollAndPrompt(f, platform);
    expect((await f.command("alice", "pause")).refused).toBeFalsy();
    expect(await remindersAt("2026-03-02T14:00:00Z", "2026-03-04T10:00:00Z")).toEqual([0, 0]);
    expect((await f.command("alice", "resume")).refused).toBeFalsy();
    expect(await remindersAt("2026-03-04T10:00:30Z", "2026-03-04T14:00:00Z")).toEqual([0, 0]);
  });

  it("none for a check-in that was answered, skipped or closed", async () => {
    let prompt = await enrollAndPrompt(f, platform);
    for (let i = 0; i < 3; i++) await f.press("alice", prompt.rows[i]!.options[3]!.actionId);
    await f.press("alice", prompt.tension!.options[0]!.actionId);
    expect(await remindersAt("2026-03-02T14:00:00Z")).toEqual([0]);

    f.clock.set("2026-03-09T10:00:00Z");
    await f.engine.tick();
    prompt = platform.lastTo("alice")!.view as PromptView;
    await f.press("alice", prompt.skipButton.actionId);
    expect(await remindersAt("2026-03-09T14:00:00Z")).toEqual([0]);

    // A 2-hour window closes before the 4-hour reminder.
    expect((await f.command("admin", "settings answer_window 2h", { admin: true })).refused).toBeFalsy();
    expect((await f.command("admin", "enroll carol bob mon 09:00 50m UTC", { admin: true })).refused).toBeFalsy();
    f.clock.set("2026-03-16T10:00:00Z");
    await f.engine.tick();
    await f.press("carol", (platform.lastTo("carol")!.view as ConsentView).accept.actionId);
    for (const time of ["2026-03-16T14:00:00Z", "2026-03-16T15:00:00Z"]) {
      f.clock.set(time);
      await f.engine.tick();
    }
    expect(platform.to("carol").filter((m) => m.view.kind === "notice")).toHaveLength(0);
  });

  it("a reminder whose send fails is retried: at the platform's retry-after, or with backoff", async () => {
    await enrollAndPrompt(f, platform);
    platform.failNext.push({ ok: false, code: "ratelimited", failure: "rate_limited", retryAfterMs: 120_000 });
    expect(await remindersAt("2026-03-02T14:00:00Z", "2026-03-02T14:01:00Z", "2026-03-02T14:02:00Z", "2026-03-02T14:30:00Z")).toEqual([0, 0, 1, 1]);
  });

  it("a reminder failing without retry-after backs off and is sent once the platform recovers", async () => {
    await enrollAndPrompt(f, platform);
    for (let i = 0; i < 3; i++) platform.failNext.push({ ok: false, code: "platform_error", failure: "transient" });
    // 14:00 fails (next 30 s later), 14:00:30 fails (next at 14:01:00), 14:01 fails (next at 14:02), 14:02 sends.
    expect(await remindersAt("2026-03-02T14:00:00Z", "2026-03-02T14:00:30Z", "2026-03-02T14:01:00Z", "2026-03-02T14:01:30Z", "2026-03-02T14:02:00Z", "2026-03-02T15:00:00Z")).toEqual([0, 0, 0, 0, 1, 1]);
  });
});
