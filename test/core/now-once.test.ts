// `/checkin now` makes at most one open check-in per enrollment, and one session never gets two
// prompts: a queued one is reported or released, and the dispatcher drops a second one.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEngineFixture } from "../support/engine-fixture.ts";
import type { EngineFixture } from "../support/engine-fixture.ts";
import { RecordingPlatform } from "../support/recording-platform.ts";
import { enrollAndPrompt } from "../support/checkin-flow.ts";
import type { PromptView } from "../../src/ports/chat-platform.ts";
import { checkInTimes } from "../../src/core/schedule.ts";

let f: EngineFixture;
let platform: RecordingPlatform;

beforeEach(async () => {
  platform = new RecordingPlatform("terminal");
  f = await createEngineFixture({ platform, start: "2026-03-02T08:00:00Z" });
});
afterEach(async () => f.dispose());

/** Prompt messages alice received (an answered one is edited into a thank-you afterwards). */
const prompts = () => platform.to("alice").filter((m) => m.history[0]!.kind === "prompt");

async function answer(prompt: PromptView): Promise<void> {
  for (let i = 0; i < 3; i++) await f.press("alice", prompt.rows[i]!.options[3]!.actionId);
  await f.press("alice", prompt.tension!.options[0]!.actionId);
}

async function tickAt(time: string): Promise<void> {
  f.clock.set(time);
  await f.engine.tick();
}

const checkInRows = () => f.db.sql.query<{ kind: string; status: string }>(`SELECT "kind", "status" FROM "CheckIn" ORDER BY "sessionEndAt"`);

describe("/checkin now", () => {
  it("during quiet hours queues one; a second `now` after quiet hours were switched off releases it instead of sending another", async () => {
    await answer(await enrollAndPrompt(f, platform)); // Monday's scheduled prompt, answered
    f.clock.set("2026-03-02T23:00:00Z");
    expect((await f.command("bob", "now alice")).text).toMatch(/because of quiet hours it will be sent at/);
    await tickAt("2026-03-02T23:01:00Z");
    expect(prompts()).toHaveLength(1);

    expect((await f.command("admin", "settings quiet_hours off", { admin: true })).refused).toBeFalsy();
    f.clock.set("2026-03-02T23:10:00Z");
    const second = await f.command("bob", "now alice");
    expect(second.refused).toBeFalsy();
    expect(second.text).toBe("A check-in for @alice was already queued; it is on its way now. No second one was made.");
    await tickAt("2026-03-02T23:11:00Z");
    expect(prompts()).toHaveLength(2);
    await answer(prompts().at(-1)!.history[0] as PromptView);

    // Nothing else goes out for that session, in the morning or later.
    await tickAt("2026-03-03T08:00:00Z");
    await tickAt("2026-03-03T12:00:00Z");
    expect(prompts()).toHaveLength(2);
    expect((await checkInRows()).filter((r) => r.kind === "now")).toEqual([{ kind: "now", status: "answered" }]);
  });

  it("a second `now` while quiet hours still hold says when the queued one goes, and makes none", async () => {
    await enrollAndPrompt(f, platform);
    f.clock.set("2026-03-02T23:00:00Z");
    await f.command("bob", "now alice");
    f.clock.set("2026-03-02T23:30:00Z");
    const second = await f.command("bob", "now alice");
    expect(second.text).toMatch(/^A check-in for @alice is already queued; it will be sent at .*08:00 \(quiet hours\)\. No second one was made\.$/);
    expect((await checkInRows()).filter((r) => r.kind === "now")).toHaveLength(1);
  });

  it("an open `now` check-in is reported, however long ago it was sent", async () => {
    await answer(await enrollAndPrompt(f, platform));
    f.clock.set("2026-03-02T12:00:00Z");
    await f.command("bob", "now alice");
    await tickAt("2026-03-02T12:00:30Z");
    expect(prompts()).toHaveLength(2);
    f.clock.set("2026-03-02T15:00:00Z");
    const again = await f.command("bob", "now alice");
    expect(again.refused).toBeFalsy();
    expect(again.text).toMatch(/^@alice already has an open check-in \(open until .*\)\.$/);
    await tickAt("2026-03-02T15:01:00Z");
    expect(prompts()).toHaveLength(2);
  });

  it("right after a scheduled session, `now` releases that session's queued prompt rather than adding one", async () => {
    expect((await f.command("admin", "enroll alice bob mon 09:00 50m UTC", { admin: true })).refused).toBeFalsy();
    f.clock.set("2026-03-02T09:52:00Z"); // the session ended at 09:50; its prompt is due at 10:00
    expect((await f.command("bob", "now alice")).text).toMatch(/already queued; it is on its way now/);
    await tickAt("2026-03-02T09:52:30Z");
    expect(platform.to("alice")).toHaveLength(1); // the consent request standing in for the prompt
    await tickAt("2026-03-02T10:00:00Z");
    await tickAt("2026-03-02T10:30:00Z");
    expect(platform.to("alice")).toHaveLength(1);
    expect((await checkInRows()).map((r) => r.kind)).toEqual(["scheduled", "scheduled"]); // Monday's and next Monday's
  });

  it("the dispatcher never sends a second prompt for a session another check-in already covered", async () => {
    await answer(await enrollAndPrompt(f, platform)); // session ended 09:50, prompt answered
    const practice = await f.store.ensurePractice("terminal", "local");
    const [enrollment] = await f.store.listEnrollments(practice.id);
    const sessionEndAt = new Date("2026-03-02T10:05:00Z");
    const extra = await f.store.insertCheckIn({ enrollmentId: enrollment!.id, kind: "now", sessionEndAt, ...checkInTimes(sessionEndAt, { ...enrollment!, delayMinutes: 0 }) });
    await tickAt("2026-03-02T10:06:00Z");
    expect(prompts()).toHaveLength(1);
    expect((await f.store.getCheckIn(extra!.id))?.status).toBe("cancelled");
    // A session well apart is a session of its own.
    const later = new Date("2026-03-02T11:00:00Z");
    await f.store.insertCheckIn({ enrollmentId: enrollment!.id, kind: "now", sessionEndAt: later, ...checkInTimes(later, { ...enrollment!, delayMinutes: 0 }) });
    await tickAt("2026-03-02T11:00:30Z");
    expect(prompts()).toHaveLength(2);
  });

  it("two `now` at the same moment, for the same client, make one check-in; the second reports the first", async () => {
    await answer(await enrollAndPrompt(f, platform));
    f.clock.set("2026-03-02T12:00:00Z");
    // Each reading of the clock is a millisecond later, as on a real one: the two commands do not
    // share a session end, so only the one-open-`now` rule keeps them to one check-in.
    const read = f.clock.now.bind(f.clock);
    let reads = 0;
    f.clock.now = () => new Date(read().getTime() + reads++);
    const replies = await Promise.all([f.command("bob", "now alice", { deliveryId: "now-1" }), f.command("admin", "now alice", { admin: true, deliveryId: "now-2" })]);
    f.clock.now = read;
    expect(replies.map((r) => r.refused ?? false)).toEqual([false, false]);
    expect(replies.filter((r) => r.text === "A check-in for @alice is on its way.")).toHaveLength(1);
    expect(replies.filter((r) => r.text === "A check-in for @alice was already queued; it is on its way now. No second one was made.")).toHaveLength(1);
    expect((await checkInRows()).filter((r) => r.kind === "now")).toEqual([{ kind: "now", status: "scheduled" }]);
    await tickAt("2026-03-02T12:00:30Z");
    expect(prompts()).toHaveLength(2);
  });
});
