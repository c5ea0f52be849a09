// When CONSENT_VERSION changes, clients who agreed to an earlier version are asked again before
// their next prompt; nothing else is sent until they agree, and declining ends prompts.

import { afterEach, describe, expect, it } from "vitest";
import { createEngineFixture } from "../support/engine-fixture.ts";
import type { EngineFixture } from "../support/engine-fixture.ts";
import { RecordingPlatform } from "../support/recording-platform.ts";
import { enrollAndPrompt } from "../support/checkin-flow.ts";
import type { ConsentView, PromptView } from "../../src/ports/chat-platform.ts";

const fixtures: EngineFixture[] = [];
afterEach(async () => {
  // The later fixture shares the first one's database, so it goes first.
  for (const f of fixtures.splice(0).reverse()) await f.dispose().catch(() => undefined);
});

/** Alice consents under version 2026-11 and answers; the bot restarts with `version`. */
async function restartedWith(version: string): Promise<{ f: EngineFixture; platform: RecordingPlatform }> {
  const platform = new RecordingPlatform("terminal");
  const first = await createEngineFixture({ platform, start: "2026-03-02T08:00:00Z", engine: { consentVersion: "2026-11" } });
  fixtures.push(first);
  const prompt = await enrollAndPrompt(first, platform);
  for (let i = 0; i < 3; i++) await first.press("alice", prompt.rows[i]!.options[3]!.actionId);
  await first.press("alice", prompt.tension!.options[0]!.actionId);
  await first.close();
  const f = await createEngineFixture({ platform, start: "2026-03-09T10:00:00Z", databaseUrl: first.databaseUrl, engine: { consentVersion: version } });
  fixtures.push(f);
  return { f, platform };
}

const consentRow = async (f: EngineFixture) =>
  (await f.db.sql.query<{ consentVersion: string | null; consentAt: unknown; consentDeclinedAt: unknown }>(`SELECT "consentVersion", "consentAt", "consentDeclinedAt" FROM "Person" WHERE "platformUserId" = 'alice'`))[0]!;

describe("re-consent", () => {
  it("asks again before the next prompt when the version changed, and sends the prompt once they agree", async () => {
    const { f, platform } = await restartedWith("2027-01");
    const before = platform.to("alice").length;
    await f.engine.tick();
    const sent = platform.to("alice").slice(before);
    expect(sent.map((m) => m.view.kind)).toEqual(["consent"]);
    const request = sent[0]!.view as ConsentView;
    expect(request.text).toMatch(/^Hello again! The terms of these check-ins have changed \(consent version 2027-01\)\./);

    // Nothing else is sent while they have not answered: no reminder, no prompt.
    for (const at of ["2026-03-09T14:00:00Z", "2026-03-10T10:00:00Z"]) {
      f.clock.set(at);
      await f.engine.tick();
    }
    expect(platform.to("alice").slice(before)).toHaveLength(1);

    const accepted = await f.press("alice", request.accept.actionId);
    expect(accepted.text).toBe("Thank you. Here is your check-in.");
    expect(platform.lastTo("alice")!.view.kind).toBe("prompt");
    expect(await consentRow(f)).toMatchObject({ consentVersion: "2027-01" });
    const audit = await f.db.sql.query<{ detail: string }>(`SELECT "detail" FROM "AuditEntry" WHERE "action" = 'consent.given' ORDER BY "createdAt"`);
    expect(audit.map((a) => JSON.parse(a.detail))).toEqual([
      { version: "2026-11" },
      { version: "2027-01", previousVersion: "2026-11" },
    ]);
  });

  it("declining the new version ends prompts as before", async () => {
    const { f, platform } = await restartedWith("2027-01");
    await f.engine.tick();
    const request = platform.lastTo("alice")!.view as ConsentView;
    expect((await f.press("alice", request.decline.actionId)).text).toMatch(/You won't receive check-ins/);
    expect(await consentRow(f)).toMatchObject({ consentAt: null });
    const count = platform.to("alice").length;
    f.clock.set("2026-03-16T10:00:00Z");
    await f.engine.tick();
    expect(platform.to("alice")).toHaveLength(count);
  });

  it("the same version asks nothing again", async () => {
    const { f, platform } = await restartedWith("2026-11");
    const before = platform.to("alice").length;
    await f.engine.tick();
    expect(platform.to("alice").slice(before).map((m) => m.view.kind)).toEqual(["prompt"]);
    expect((platform.lastTo("alice")!.view as PromptView).rows).toHaveLength(3);
  });
});
