import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEngineFixture } from "../support/engine-fixture.ts";
import type { EngineFixture } from "../support/engine-fixture.ts";
import { RecordingPlatform } from "../support/recording-platform.ts";
import { enrollAndPrompt } from "../support/checkin-flow.ts";
import type { ConsentView, PromptView } from "../../src/ports/chat-platform.ts";
import type { Reply } from "../../src/ports/inbound.ts";

let f: EngineFixture;
let platform: RecordingPlatform;

beforeEach(async () => {
  platform = new RecordingPlatform("terminal");
  f = await createEngineFixture({ platform, start: "2026-03-02T08:00:00Z" });
});
afterEach(async () => f.dispose());

/** Enrolls alice (Mon 09:00-09:50 UTC, due 10:00, closes Wed 09:50), sends and consents, returns the prompt. */
const promptFor = (client = "alice", therapist = "bob"): Promise<PromptView> => enrollAndPrompt(f, platform, client, therapist);

const score = (prompt: PromptView, row: number, value: number) => prompt.rows[row]!.options[value - 1]!.actionId;

async function answerAll(prompt: PromptView, values: [number, number, number], user = "alice"): Promise<Reply[]> {
  const replies: Reply[] = [];
  for (let i = 0; i < 3; i++) replies.push(await f.press(user, score(prompt, i, values[i]!)));
  replies.push(await f.press(user, prompt.tension!.options[0]!.actionId)); // "no"
  return replies;
}

async function responseRows(): Promise<Record<string, unknown>[]> {
  return f.db.sql.query(`SELECT * FROM "Response"`);
}

const comment = (checkInId: string, text: string, user = "alice") => f.engine.receive({ type: "comment", actor: f.actor(user), checkInId, text });

describe("answer rules", () => {
  it("keeps one response per check-in: pressing again updates the same row", async () => {
    const prompt = await promptFor();
    expect((await f.press("alice", score(prompt, 0, 3))).text).toMatch(/Saved \(3 to go\)/);
    expect((await f.press("alice", score(prompt, 0, 5))).refused).toBeFalsy();
    const rows = await responseRows();
    expect(rows).toHaveLength(1);
    expect(Number(rows[0]!.goal)).toBe(5);
    expect(rows[0]!.completedAt).toBeNull();
  });

  it("completes when all three items and the tension question are answered", async () => {
    const prompt = await promptFor();
    const replies = await answerAll(prompt, [4, 4, 5]);
    expect(replies.at(-1)).toMatchObject({ text: "Thank you, your check-in is complete." });
    // The prompt message itself becomes the thank-you, with the "Edit my answers" button.
    expect(platform.lastTo("alice")!.view).toMatchObject({ kind: "notice", text: expect.stringMatching(/^Thank you/), buttons: [{ label: "Edit my answers" }] });
    expect((await f.store.getCheckIn(prompt.checkInId))?.status).toBe("answered");
    expect(await f.store.getResponse(prompt.checkInId)).toMatchObject({ goal: 4, task: 4, bond: 5, tension: "no" });
  });

  it("allows a change within 15 minutes of completion and refuses it after", async () => {
    const prompt = await promptFor();
    f.clock.set("2026-03-02T10:05:00Z");
    await answerAll(prompt, [4, 4, 4]);
    const completedAt = (await f.store.getResponse(prompt.checkInId))?.completedAt;
    expect(completedAt?.toISOString()).toBe("2026-03-02T10:05:00.000Z");

    f.clock.set("2026-03-02T10:20:00Z"); // exactly 15 minutes: still allowed
    const change = await f.press("alice", score(prompt, 1, 5));
    expect(change.refused).toBeFalsy();
    expect((await f.store.getResponse(prompt.checkInId))?.task).toBe(5);

    f.clock.set("2026-03-02T10:20:01Z");
    const late = await f.press("alice", score(prompt, 1, 2));
    expect(late.refused).toBe(true);
    expect(late.text).toMatch(/can no longer be changed/);
    expect((await f.store.getResponse(prompt.checkInId))?.task).toBe(5);
  });

  it("refuses an answer after the window closed and stores nothing, before and after expiry ran", async () => {
    const prompt = await promptFor();
    f.clock.set("2026-03-04T09:50:00Z"); // closesAt, not yet expired by a tick
    const late = await f.press("alice", score(prompt, 0, 4));
    expect(late.refused).toBe(true);
    expect(late.text).toMatch(/has closed/);
    await f.engine.tick();
    expect((await f.store.getCheckIn(prompt.checkInId))?.status).toBe("expired");
    const later = await f.press("alice", score(prompt, 0, 4));
    expect(later.text).toMatch(/has closed/);
    expect(await comment(prompt.checkInId, "late words")).toMatchObject({ refused: true });
    expect(await responseRows()).toEqual([]);
  });

  it("refuses values outside 1–5 and malformed values without storing anything", async () => {
    const prompt = await promptFor();
    for (const value of ["0", "6", "-1", "2.5", "x", ""]) {
      const reply = await f.press("alice", `ci:${prompt.checkInId}:goal:${value}`);
      expect(reply.refused, value).toBe(true);
      expect(reply.text, value).toMatch(/1 to 5/);
    }
    expect(await responseRows()).toEqual([]);
  });

  it("refuses an unknown check-in", async () => {
    await promptFor();
    const reply = await f.press("alice", "ci:does-not-exist:goal:3");
    expect(reply).toMatchObject({ refused: true });
    expect(reply.text).toMatch(/can't find/);
    expect(await comment("does-not-exist", "hello")).toMatchObject({ refused: true });
    expect(await responseRows()).toEqual([]);
  });

  it("refuses another client's check-in, including the same user id in another workspace", async () => {
    const prompt = await promptFor();
    await f.command("admin", "enroll dave carol mon 09:00 50m UTC", { admin: true });
    const foreign = await f.press("dave", score(prompt, 0, 1));
    expect(foreign.refused).toBe(true);
    expect(foreign.text).toMatch(/isn't yours/);
    const otherWorkspace = await f.engine.receive({ type: "action", actor: f.actor("alice", { workspaceId: "elsewhere" }), actionId: score(prompt, 0, 1) });
    expect(otherWorkspace.refused).toBe(true);
    expect(await f.engine.receive({ type: "comment", actor: f.actor("dave"), checkInId: prompt.checkInId, text: "hi" })).toMatchObject({ refused: true });
    // The therapist cannot answer for the client either.
    expect((await f.press("bob", score(prompt, 0, 1))).refused).toBe(true);
    expect(await responseRows()).toEqual([]);
  });

  it("a comment redelivered with the same delivery id is stored once; one refused writes no receipt, so its retry is applied", async () => {
    const prompt = await promptFor();
    const send = (text: string, deliveryId: string) => f.engine.receive({ type: "comment", actor: f.actor("alice"), checkInId: prompt.checkInId, text, deliveryId });
    const receipts = async (key: string) => (await f.db.sql.query(`SELECT "id" FROM "InboundEvent" WHERE "eventKey" = ?`, [key])).length;
    expect(await send("first words", "view-1")).toMatchObject({ text: "Thank you, your comment is saved." });
    expect(await send("first words", "view-1")).toMatchObject({ duplicate: true });
    const stored = (await responseRows())[0]!;
    expect(f.cipher.decrypt(String(stored.commentCipher), String(stored.commentKeyId))).toBe("first words");
    expect(await receipts("comment:view-1")).toBe(1);
    // Too long: refused before anything is written, the receipt included.
    const tooLong = "x".repeat(f.engine.context.options.commentMaxLength + 1);
    expect(await send(tooLong, "view-2")).toMatchObject({ refused: true });
    expect(await receipts("comment:view-2")).toBe(0);
    // The client shortens it and the platform delivers it again under the same id: it is stored.
    expect(await send("second words", "view-2")).toMatchObject({ text: "Thank you, your comment is saved." });
    const after = (await responseRows())[0]!;
    expect(f.cipher.decrypt(String(after.commentCipher), String(after.commentKeyId))).toBe("second words");
  });

  it("stores comments encrypted at rest", async () => {
    const prompt = await promptFor();
    const plaintext = "I felt rushed at the end of the session";
    const reply = await comment(prompt.checkInId, plaintext);
    expect(reply).toMatchObject({ text: "Thank you, your comment is saved." });
    const [row] = await responseRows();
    const stored = String(row!.commentCipher);
    expect(stored).not.toContain(plaintext);
    expect(stored).not.toContain("rushed");
    expect(stored).not.toContain(Buffer.from(plaintext).toString("base64").slice(0, 16));
    expect(row!.commentKeyId).toBe(f.cipher.currentKeyId);
    expect(f.cipher.decrypt(stored, String(row!.commentKeyId))).toBe(plaintext);
    expect((await f.store.getResponse(prompt.checkInId))?.hasComment).toBe(true);
  });

  it("accepts a comment of exactly 3000 characters and refuses 3001 without storing it", async () => {
    const prompt = await promptFor();
    const tooLong = await comment(prompt.checkInId, "a".repeat(3001));
    expect(tooLong.refused).toBe(true);
    expect(tooLong.text).toMatch(/too long \(3001 characters; the limit is 3000\)/);
    expect(await responseRows()).toEqual([]);
    // Counted in characters, not UTF-16 units: 3000 emoji fit.
    expect((await comment(prompt.checkInId, "🙂".repeat(3000))).refused).toBeFalsy();
  });

  it("refuses an empty comment", async () => {
    const prompt = await promptFor();
    expect(await comment(prompt.checkInId, "   ")).toMatchObject({ refused: true });
    expect(await responseRows()).toEqual([]);
  });

  it("lets the client skip; a skipped check-in takes no answers", async () => {
    const prompt = await promptFor();
    const skipped = await f.press("alice", prompt.skipButton.actionId);
    expect(skipped.refused).toBeFalsy();
    expect(skipped.text).toMatch(/skipped/);
    expect((await f.store.getCheckIn(prompt.checkInId))?.status).toBe("skipped");
    const after = await f.press("alice", score(prompt, 0, 3));
    expect(after.refused).toBe(true);
    expect(after.text).toMatch(/was skipped/);
    expect((await f.press("alice", prompt.skipButton.actionId)).refused).toBe(true);
    expect(await responseRows()).toEqual([]);
  });

  it("a consent decline stops future prompts", async () => {
    await f.command("admin", "enroll alice bob mon 09:00 50m UTC", { admin: true });
    f.clock.set("2026-03-02T10:00:00Z");
    await f.engine.tick();
    const consent = platform.lastTo("alice")?.view as ConsentView;
    const declined = await f.press("alice", consent.decline.actionId);
    expect(declined.text).toMatch(/won't receive check-ins/);
    expect(platform.to("alice")).toHaveLength(1);
    // The declined check-in takes no answers.
    expect((await f.press("alice", `ci:${consent.accept.actionId.split(":")[1]}:goal:3`)).refused).toBe(true);
    f.clock.set("2026-03-09T10:00:00Z");
    const report = await f.engine.tick();
    expect(report.dispatch.cancelled).toBe(1);
    f.clock.set("2026-03-16T10:00:00Z");
    await f.engine.tick();
    expect(platform.to("alice")).toHaveLength(1);
    expect(await responseRows()).toEqual([]);
  });
});
