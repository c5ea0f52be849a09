// Erasure needs a second, explicit step: the request shows what would be deleted and a one-time
// code; only the same person, with that code, within the confirmation window, erases anything.

import { afterEach, describe, expect, it } from "vitest";
import type { EngineFixture } from "../support/engine-fixture.ts";
import type { PromptView } from "../../src/ports/chat-platform.ts";
import { answer, comment, enrollAndPrompt, privacyFixture, rowCounts } from "./support.ts";

let f: EngineFixture;
afterEach(async () => f?.dispose());

/** Alice has one answered check-in with a comment; carol has one too. */
async function twoClients() {
  const made = await privacyFixture();
  f = made.f;
  const prompt = await enrollAndPrompt(f, made.platform);
  await answer(f, "alice", prompt, [4, 4, 4]);
  await comment(f, "alice", prompt.checkInId, "a private note");
  expect((await f.command("admin", "enroll carol bob mon 09:00 50m UTC", { admin: true })).refused).toBeFalsy();
  f.clock.set("2026-03-09T10:00:00Z");
  await f.engine.tick();
  const consent = made.platform.lastTo("carol")!.view as { accept: { actionId: string } };
  await f.press("carol", consent.accept.actionId);
  await answer(f, "carol", made.platform.lastTo("carol")!.view as PromptView, [5, 5, 5]);
  return made;
}

/** The clinical tables only (requests add a receipt and an audit entry, by design). */
async function dataCounts(): Promise<Record<string, number>> {
  const all = await rowCounts(f);
  return { Enrollment: all.Enrollment!, CheckIn: all.CheckIn!, Response: all.Response!, Alert: all.Alert! };
}

const codeIn = (text: string): string => {
  const code = /confirm ([A-Z0-9]{6})/.exec(text)?.[1];
  expect(code, text).toBeTruthy();
  return code!;
};

describe("erasure confirmation", () => {
  it("erase-me shows what would be deleted and a code, and deletes nothing until the code is confirmed", async () => {
    await twoClients();
    const before = await dataCounts();
    const request = await f.command("alice", "erase-me");
    expect(request.refused).toBeFalsy();
    expect(request.text).toMatch(
      /^This would erase your check-in data: \d+ check-ins?, 1 answer set, 1 comment and 0 alerts, and you would get no more check-ins\. It cannot be undone\. To go ahead, type within 5 minutes: \/checkin erase-me confirm [A-Z0-9]{6}$/,
    );
    expect(await dataCounts()).toEqual(before);

    const done = await f.command("alice", `erase-me confirm ${codeIn(request.text).toLowerCase()}`);
    expect(done.text).toMatch(/^Your check-in data is erased/);
    expect((await dataCounts()).Response).toBe(before.Response! - 1);
  });

  it("refuses a wrong code, a used code, and a code confirmed after five minutes, deleting nothing", async () => {
    await twoClients();
    const before = await dataCounts();
    const invalid = "Nothing was erased: that code is not valid (codes work once, for 5 minutes, for the person who asked). Run /checkin erase-me again for a new code.";
    const code = codeIn((await f.command("alice", "erase-me")).text);
    const wrong = code === "AAAAAA" ? "BBBBBB" : "AAAAAA";
    expect(await f.command("alice", `erase-me confirm ${wrong}`)).toEqual({ text: invalid, refused: true });
    f.clock.set(new Date(f.clock.now().getTime() + 5 * 60_000 + 1000));
    expect(await f.command("alice", `erase-me confirm ${code}`)).toEqual({ text: invalid, refused: true });
    expect(await dataCounts()).toEqual(before);

    const fresh = codeIn((await f.command("alice", "erase-me")).text);
    f.clock.set(new Date(f.clock.now().getTime() + 4 * 60_000));
    expect((await f.command("alice", `erase-me confirm ${fresh}`)).text).toMatch(/^Your check-in data is erased/);
    expect(await f.command("alice", `erase-me confirm ${fresh}`)).toEqual({ text: invalid, refused: true });
  });

  it("erase <client>: only the admin who asked, only for that client", async () => {
    await twoClients();
    const before = await dataCounts();
    const request = await f.command("admin", "erase alice", { admin: true });
    expect(request.text).toMatch(/^This would erase all check-in data about @alice: \d+ check-ins?, 1 answer set, 1 comment and 0 alerts, .* To go ahead, type within 5 minutes: \/checkin erase @alice confirm [A-Z0-9]{6}$/);
    const code = codeIn(request.text);
    // Another admin, or the same code for another client, erases nothing.
    expect((await f.command("dana", `erase alice confirm ${code}`, { admin: true })).refused).toBe(true);
    expect((await f.command("admin", `erase carol confirm ${code}`, { admin: true })).refused).toBe(true);
    // A client's own code does not work for the admin command either.
    const own = codeIn((await f.command("alice", "erase-me")).text);
    expect((await f.command("admin", `erase alice confirm ${own}`, { admin: true })).refused).toBe(true);
    expect(await dataCounts()).toEqual(before);

    expect((await f.command("admin", `erase alice confirm ${code}`, { admin: true })).text).toMatch(/^Erased all check-in data about @alice/);
    expect(await f.store.getResponse((await f.db.sql.query<{ id: string }>(`SELECT c."id" FROM "CheckIn" c JOIN "Enrollment" e ON e."id" = c."enrollmentId" JOIN "Person" p ON p."id" = e."clientId" JOIN "Response" r ON r."checkInId" = c."id" WHERE p."platformUserId" = 'carol' LIMIT 1`))[0]!.id)).not.toBeNull();
  });

  it("a malformed confirmation is a specific error with the usage", async () => {
    await twoClients();
    const reply = await f.command("alice", "erase-me confirm 12");
    expect(reply.refused).toBe(true);
    expect(reply.text).toMatch(/"12" isn't a valid option here\. Usage: \/checkin erase-me \[confirm <code>\]/);
    expect((await f.command("alice", "erase-me confirm")).text).toMatch(/Something is missing: code\./);
  });
});
