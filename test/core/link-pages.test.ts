// What a client's check-in link opens (LinkPagesPort.checkInPage), decided in the engine on the
// one read that gives the link with its check-in: the link must be stored, unrevoked, unexpired
// and issued to the check-in's own client, and the check-in still open.

import { randomBytes } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEngineFixture } from "../support/engine-fixture.ts";
import type { EngineFixture } from "../support/engine-fixture.ts";
import { RecordingPlatform } from "../support/recording-platform.ts";
import type { LinkMessageView } from "../../src/ports/chat-platform.ts";
import { encodeAction } from "../../src/ports/action-ids.ts";

let f: EngineFixture;
let platform: RecordingPlatform;
const BASE = "https://checkin.example.org";

beforeEach(async () => {
  platform = new RecordingPlatform("terminal");
  f = await createEngineFixture({ platform, links: { signingKey: randomBytes(32), publicUrl: () => BASE } });
});
afterEach(async () => {
  await f.dispose();
});

/** Enrols alice in link mode and sends her a check-in; its token (from the link) and id. */
async function prompted(): Promise<{ token: string; checkInId: string }> {
  expect((await f.command("dana", "enroll alice bob mon 09:00 50m delivery=link", { admin: true })).refused).toBeFalsy();
  f.clock.set("2026-03-02T10:00:00Z");
  expect((await f.command("bob", "now alice")).refused).toBeFalsy();
  await f.engine.tick();
  const link = platform.messages.map((m) => m.view).filter((v): v is LinkMessageView => v.kind === "link").at(-1);
  expect(link?.checkInId).toBeTruthy();
  return { token: link!.link.url.slice(`${BASE}/c/`.length), checkInId: link!.checkInId! };
}

/** A further link to the same check-in, stored as given. */
async function extraLink(checkInId: string, personId: string, expiresAt: Date): Promise<string> {
  const { token, hash } = f.engine.context.links!.tokens.issue();
  await f.store.createLinkToken({ tokenHash: hash, checkInId, personId, expiresAt, createdAt: f.clock.now() });
  return token;
}

describe("checkInPage: what a client token opens", () => {
  it("the client's own link opens the open check-in, with the stored answers", async () => {
    const { token, checkInId } = await prompted();
    expect(await f.engine.linkPages.checkInPage(token)).toMatchObject({ checkInId, state: "consent", answers: null, actor: { userId: "alice", workspaceId: "local" } });
    expect((await f.press("alice", encodeAction({ op: "consent", checkInId, accept: true }))).refused).toBeFalsy();
    expect(await f.engine.linkPages.checkInPage(token)).toMatchObject({ checkInId, state: "open", answers: null });
    await f.store.saveAnswer(checkInId, { goal: 3 }, f.clock.now());
    expect((await f.engine.linkPages.checkInPage(token))?.answers).toMatchObject({ goal: 3, task: null, bond: null, hasComment: false });
  });

  it("a link issued to someone else, an expired link and a revoked link open nothing", async () => {
    const { token, checkInId } = await prompted();
    const context = await f.store.checkInContext(checkInId);
    const closesAt = context!.checkIn.closesAt;
    const foreign = await extraLink(checkInId, context!.enrollment.therapistId, closesAt);
    const expiring = await extraLink(checkInId, context!.client.id, new Date(f.clock.now().getTime() + 60_000));
    expect(await f.engine.linkPages.checkInPage(foreign)).toBeNull();
    expect(await f.engine.linkPages.checkInPage(expiring)).not.toBeNull();
    f.clock.advance(60_000);
    expect(await f.engine.linkPages.checkInPage(expiring)).toBeNull();
    expect(await f.engine.linkPages.checkInPage(token)).not.toBeNull();
    expect(await f.store.revokeLinkTokens(context!.client.id, f.clock.now())).toBeGreaterThan(0);
    expect(await f.engine.linkPages.checkInPage(token)).toBeNull();
  });

  it("an unknown or malformed token opens nothing, and neither does a link once its check-in has closed", async () => {
    const { token, checkInId } = await prompted();
    expect(await f.engine.linkPages.checkInPage(f.engine.context.links!.tokens.issue().token)).toBeNull();
    expect(await f.engine.linkPages.checkInPage("abc")).toBeNull();
    expect(await f.engine.linkPages.checkInPage("")).toBeNull();
    const context = await f.store.checkInContext(checkInId);
    // A link whose own expiry is later than the check-in's close still closes with the check-in.
    const late = await extraLink(checkInId, context!.client.id, new Date(context!.checkIn.closesAt.getTime() + 3_600_000));
    f.clock.set(new Date(context!.checkIn.closesAt.getTime()).toISOString());
    expect(await f.engine.linkPages.checkInPage(token)).toBeNull();
    expect(await f.engine.linkPages.checkInPage(late)).toBeNull();
  });
});

describe("answeredPage: the page after stored answers, without a read", () => {
  it("is the page a read gives after a first completion and after an edit (window, state, answers)", async () => {
    const { token, checkInId } = await prompted();
    expect((await f.press("alice", encodeAction({ op: "consent", checkInId, accept: true }))).refused).toBeFalsy();
    const actor = { platform: "terminal" as const, workspaceId: "local", userId: "alice", isPlatformAdmin: false };
    const open = (await f.engine.linkPages.checkInPage(token))!;
    expect(open.state).toBe("open");
    const first = { goal: 4, task: 3, bond: 5, tension: "a_little" as const, talkedThrough: "partly" as const };
    expect((await f.engine.receive({ type: "answers", actor, checkInId, answers: first, deliveryId: "web:first" })).refused).toBeFalsy();
    const completed = (await f.engine.linkPages.checkInPage(token))!;
    expect(completed.state).toBe("answered");
    expect(completed.editableUntilText).toBeTruthy();
    expect(f.engine.linkPages.answeredPage(open, first)).toEqual(completed);

    f.clock.advance(5 * 60_000);
    const edit = { goal: 2, task: 3, bond: 5, comment: "it was fine" };
    expect((await f.engine.receive({ type: "answers", actor, checkInId, answers: edit, deliveryId: "web:edit" })).refused).toBeFalsy();
    const edited = (await f.engine.linkPages.checkInPage(token))!;
    expect(edited.answers).toMatchObject({ goal: 2, hasComment: true });
    expect(f.engine.linkPages.answeredPage(completed, edit)).toEqual(edited);
  });
});
