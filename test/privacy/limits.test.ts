// Inputs at the platforms' limits, through every adapter's real inbound path (terminal, Slack
// modal submission, Discord modal): a 3,000-character comment of emoji and right-to-left text is
// stored exactly, and 3,001 characters are refused with a specific reply and nothing stored.

import { afterEach, describe, expect, it } from "vitest";
import { createEngineFixture } from "../support/engine-fixture.ts";
import type { EngineFixture } from "../support/engine-fixture.ts";
import type { AdapterHarness, HarnessFactory } from "../contract/harness.ts";
import { makeTerminalHarness } from "../adapters/terminal/harness.ts";
import { makeSlackHarness } from "../adapters/slack/harness.ts";
import { makeDiscordHarness } from "../adapters/discord/harness.ts";

const ADMIN = "UADMIN1";
const THERAPIST = "UTHERA1";
const CLIENT = "UCLIENT1";
const m = (id: string) => `<@${id}>`;

/** Exactly `n` code points mixing emoji (surrogate pairs), Hebrew, Arabic and Romanian diacritics. */
function limitText(n: number): string {
  const pieces = ["🙂", "ש", "ל", "ו", "م", "ر", "ș", "ț", " ", "⚕", "a", "🎉"];
  const out: string[] = ["‏"]; // starts with a right-to-left mark
  for (let i = 1; i < n; i++) out.push(pieces[i % pieces.length]!);
  return out.join("");
}

const ADAPTERS: [string, HarnessFactory][] = [
  ["terminal", makeTerminalHarness],
  ["slack", makeSlackHarness],
  ["discord", makeDiscordHarness],
];

describe.each(ADAPTERS)("limits through the %s adapter", (_name, makeHarness) => {
  let f: EngineFixture;
  let h: AdapterHarness;
  afterEach(async () => {
    await h?.close();
    await f?.dispose();
  });

  it("stores a 3,000-character emoji + RTL comment exactly and refuses 3,001 without storing", async () => {
    f = await createEngineFixture({ start: "2026-03-02T10:00:00Z" });
    h = await makeHarness(f.engine);
    f.platforms.set(h.platform.name, h.platform);
    await h.platform.start();
    await h.runCommand(ADMIN, "settings quiet_hours off", { admin: true });
    await h.runCommand(ADMIN, `enroll ${m(CLIENT)} ${m(THERAPIST)} mon 09:00 50m UTC`, { admin: true });
    await h.runCommand(THERAPIST, `now ${m(CLIENT)}`);
    await f.engine.tick();
    const consent = h.messagesTo(CLIENT).filter((x) => !x.deleted).at(-1)!;
    await h.pressButton(CLIENT, consent.ref, consent.actionIds.find((id) => id.endsWith(":yes"))!);
    const prompt = h.messagesTo(CLIENT).filter((x) => !x.deleted).at(-1)!;
    const checkInId = prompt.actionIds.find((id) => id.endsWith(":comment"))!.split(":")[1]!;

    const tooLong = limitText(3001);
    expect([...tooLong]).toHaveLength(3001);
    const refused = await h.submitComment(CLIENT, checkInId, tooLong);
    expect(refused).toMatch(/too long \(3001 characters; the limit is 3000\)/);
    expect(await f.store.getResponse(checkInId)).toBeNull();

    const atLimit = limitText(3000);
    const accepted = await h.submitComment(CLIENT, checkInId, atLimit);
    expect(accepted ?? "").not.toMatch(/too long|went wrong/);
    const row = (await f.db.sql.query<{ c: string; k: string }>(`SELECT "commentCipher" AS "c", "commentKeyId" AS "k" FROM "Response" WHERE "checkInId" = ?`, [checkInId]))[0]!;
    expect(f.cipher.decrypt(row.c, row.k)).toBe(atLimit.trim());
  });
});
