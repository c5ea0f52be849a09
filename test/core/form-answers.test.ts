// The check-in page's answers event (link mode) through the engine: the client's own open
// check-in is checked and saved in one write that also brings back the rule inputs; anything
// else (someone else's or an unknown check-in, an edit, a closed one) gets the full checks and
// stores nothing when refused. Rules see the comment that came with the answers.

import { randomBytes } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEngineFixture } from "../support/engine-fixture.ts";
import type { EngineFixture } from "../support/engine-fixture.ts";
import { RecordingPlatform } from "../support/recording-platform.ts";
import type { LinkMessageView } from "../../src/ports/chat-platform.ts";
import type { FormAnswers, Reply } from "../../src/ports/inbound.ts";
import { encodeAction } from "../../src/ports/action-ids.ts";
import { en } from "../../src/i18n/locales/en.ts";

let f: EngineFixture;
let platform: RecordingPlatform;

beforeEach(async () => {
  platform = new RecordingPlatform("terminal");
  f = await createEngineFixture({ platform, links: { signingKey: randomBytes(32), publicUrl: () => "https://checkin.example.org" } });
});
afterEach(async () => {
  await f.dispose();
});

/** A consenting client in link mode with a sent check-in; its id. */
async function openCheckIn(client = "alice"): Promise<string> {
  expect((await f.command("dana", `enroll ${client} bob mon 09:00 50m delivery=link`, { admin: true })).refused).toBeFalsy();
  f.clock.set("2026-03-02T10:00:00Z");
  expect((await f.command("bob", `now ${client}`)).refused).toBeFalsy();
  await f.engine.tick();
  const link = platform.messages.filter((m) => m.to.userId === client).map((m) => m.view).filter((v): v is LinkMessageView => v.kind === "link").at(-1);
  const checkInId = link!.checkInId!;
  expect((await f.press(client, encodeAction({ op: "consent", checkInId, accept: true }))).refused).toBeFalsy();
  return checkInId;
}

const answer = (userId: string, checkInId: string, answers: FormAnswers, deliveryId = `web:${randomBytes(16).toString("base64url")}`): Promise<Reply> =>
  f.engine.receive({ type: "answers", actor: f.actor(userId), checkInId, answers, deliveryId });

const stored = async () => {
  const [row] = await f.db.sql.query<{ r: number; i: number; a: number }>(
    `SELECT (SELECT COUNT(*) FROM "Response") AS "r", (SELECT COUNT(*) FROM "InboundEvent" WHERE "eventKey" LIKE 'answers:%') AS "i", (SELECT COUNT(*) FROM "Alert") AS "a"`,
  );
  return { responses: Number(row!.r), receipts: Number(row!.i), alerts: Number(row!.a) };
};

const alertSignals = async (): Promise<string[]> => {
  const rows = await f.db.sql.query<{ signals: string }>(`SELECT "signals" FROM "Alert"`);
  return rows.flatMap((row) => (JSON.parse(row.signals) as { code: string }[]).map((s) => s.code)).sort();
};

describe("answers from the check-in page", () => {
  it("the client's own open check-in: saved with its receipt, answered, rules evaluated; a redelivery changes nothing", async () => {
    const checkInId = await openCheckIn();
    const reply = await answer("alice", checkInId, { goal: 2, task: 4, bond: 4, tension: "no" }, "web:first");
    expect(reply.refused, reply.text).toBeFalsy();
    expect((await f.store.checkInContext(checkInId))?.checkIn.status).toBe("answered");
    expect(await f.store.getResponse(checkInId)).toMatchObject({ goal: 2, task: 4, bond: 4, tension: "no" });
    expect(await stored()).toEqual({ responses: 1, receipts: 1, alerts: 1 });
    expect(await alertSignals()).toContain("low_item");
    const again = await answer("alice", checkInId, { goal: 5, task: 5, bond: 5, tension: "no" }, "web:first");
    expect(again.duplicate).toBe(true);
    expect((await f.store.getResponse(checkInId))?.goal).toBe(2);
    expect(await stored()).toEqual({ responses: 1, receipts: 1, alerts: 1 });
  });

  it("someone else's and an unknown check-in are refused and store nothing, not even a receipt", async () => {
    const checkInId = await openCheckIn();
    const foreign = await answer("carla", checkInId, { goal: 1, task: 1, bond: 1 });
    expect(foreign).toMatchObject({ refused: true, text: en["answer.not_yours"] });
    const unknown = await answer("alice", "no-such-check-in", { goal: 1, task: 1, bond: 1 });
    expect(unknown).toMatchObject({ refused: true, text: en["answer.unknown"] });
    const invalid = await answer("carla", checkInId, { goal: 1, task: 1, bond: 1, comment: " " });
    expect(invalid).toMatchObject({ refused: true, text: en["answer.not_yours"] });
    expect(await stored()).toEqual({ responses: 0, receipts: 0, alerts: 0 });
    expect((await f.store.checkInContext(checkInId))?.checkIn.status).toBe("sent");
  });

  it("an empty comment or no answer at all is refused in the client's words and stores nothing", async () => {
    const checkInId = await openCheckIn();
    expect(await answer("alice", checkInId, { goal: 4, task: 4, bond: 4, comment: "  " })).toMatchObject({ refused: true, text: en["answer.comment_empty"] });
    expect(await answer("alice", checkInId, {})).toMatchObject({ refused: true, text: en["answer.bad_value"] });
    expect(await stored()).toEqual({ responses: 0, receipts: 0, alerts: 0 });
  });

  it("the rules see the comment sent with the answers", async () => {
    const checkInId = await openCheckIn();
    const reply = await answer("alice", checkInId, { goal: 5, task: 5, bond: 5, tension: "no", comment: "I keep thinking of quitting therapy" });
    expect(reply.refused, reply.text).toBeFalsy();
    expect(await alertSignals()).toEqual(["comment_marker"]);
  });

  it("an edit within the window goes through the full checks and re-evaluates; after the window it is refused and nothing changes", async () => {
    const checkInId = await openCheckIn();
    expect((await answer("alice", checkInId, { goal: 4, task: 4, bond: 4, tension: "no" })).refused).toBeFalsy();
    expect(await stored()).toMatchObject({ alerts: 0 });
    f.clock.advance(5 * 60_000);
    const edit = await answer("alice", checkInId, { goal: 1, task: 4, bond: 4, tension: "no" });
    expect(edit.refused, edit.text).toBeFalsy();
    expect((await f.store.getResponse(checkInId))?.goal).toBe(1);
    expect(await alertSignals()).toContain("low_item");
    f.clock.advance(60 * 60_000);
    const late = await answer("alice", checkInId, { goal: 5, task: 5, bond: 5, tension: "no" });
    expect(late.refused).toBe(true);
    expect((await f.store.getResponse(checkInId))?.goal).toBe(1);
    expect(await stored()).toMatchObject({ receipts: 2 });
  });
});
