// The shared adapter contract: every ChatPlatform adapter (terminal, Slack, Discord) runs this
// suite against its fake platform, with the real engine on a real SQLite file behind it.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEngineFixture } from "../support/engine-fixture.ts";
import type { EngineFixture } from "../support/engine-fixture.ts";
import type { AdapterHarness, HarnessFactory, ObservedMessage } from "./harness.ts";

const ADMIN = "UADMIN1";
const THERAPIST = "UTHERA1";
const CLIENT = "UCLIENT1";
const OTHER = "UOTHER1";
const m = (id: string) => `<@${id}>`;

export function runAdapterContract(name: string, makeHarness: HarnessFactory): void {
  describe(`adapter contract: ${name}`, () => {
    let f: EngineFixture;
    let h: AdapterHarness;

    beforeEach(async () => {
      f = await createEngineFixture({ start: "2026-03-02T10:00:00Z" });
      h = await makeHarness(f.engine);
      f.platforms.set(h.platform.name, h.platform);
      await h.platform.start();
      // Quiet hours would defer the immediate check-ins these tests send at 10:00 UTC anyway,
      // but the suite must not depend on the practice default.
      await h.runCommand(ADMIN, "settings quiet_hours off", { admin: true });
    });

    afterEach(async () => {
      await h.close();
      await f.dispose();
    });

    const latest = (userId: string): ObservedMessage | undefined => h.messagesTo(userId).filter((msg) => !msg.deleted).at(-1);

    async function enrollAndPrompt(): Promise<ObservedMessage> {
      const enrolled = await h.runCommand(ADMIN, `enroll ${m(CLIENT)} ${m(THERAPIST)} mon 09:00 50m UTC`, { admin: true });
      expect(enrolled).toMatch(/Enrolled/);
      expect(await h.runCommand(THERAPIST, `now ${m(CLIENT)}`)).toMatch(/on its way/);
      await f.engine.tick();
      const consent = latest(CLIENT);
      expect(consent?.actionIds.some((id) => id.startsWith("consent:"))).toBe(true);
      const accept = consent!.actionIds.find((id) => id.endsWith(":yes"))!;
      await h.pressButton(CLIENT, consent!.ref, accept);
      const prompt = latest(CLIENT);
      expect(prompt?.actionIds.filter((id) => /:(goal|task|bond):\d$/.test(id))).toHaveLength(15);
      return prompt!;
    }

    it("delivers an admin command and returns a private reply", async () => {
      const reply = await h.runCommand(ADMIN, "list", { admin: true });
      expect(reply).toMatch(/No one is enrolled yet/);
    });

    it("refuses an admin command from a non-admin without saying who is enrolled", async () => {
      const reply = await h.runCommand(OTHER, `enroll ${m(CLIENT)} ${m(THERAPIST)} mon 09:00 50m UTC`);
      expect(reply).toMatch(/can't do that/);
      expect(await f.store.listEnrollments((await f.store.ensurePractice(h.platform.name, h.workspaceId)).id)).toHaveLength(0);
    });

    it("shows a specific parse error with a correct example", async () => {
      const reply = await h.runCommand(ADMIN, `enroll ${m(CLIENT)} ${m(THERAPIST)} someday`, { admin: true });
      expect(reply).toMatch(/Usage: \/checkin enroll/);
    });

    it("sends consent, then the prompt with three 1–5 rows, and records button answers", async () => {
      const prompt = await enrollAndPrompt();
      for (const item of ["goal", "task", "bond"]) {
        const id = prompt.actionIds.find((a) => a.endsWith(`:${item}:4`))!;
        await h.pressButton(CLIENT, prompt.ref, id);
      }
      const checkInId = prompt.actionIds[0]!.split(":")[1]!;
      const response = await f.store.getResponse(checkInId);
      expect([response?.goal, response?.task, response?.bond]).toEqual([4, 4, 4]);
    });

    it("routes a rupture alert to the therapist and lets them acknowledge it", async () => {
      const prompt = await enrollAndPrompt();
      for (const [item, value] of [["goal", 2], ["task", 3], ["bond", 3]] as const) {
        await h.pressButton(CLIENT, prompt.ref, prompt.actionIds.find((a) => a.endsWith(`:${item}:${value}`))!);
      }
      const alert = latest(THERAPIST);
      expect(alert?.text).toMatch(/Goals 2\/5/);
      const ack = alert!.actionIds.find((id) => id.endsWith(":ack"))!;
      await h.pressButton(THERAPIST, alert!.ref, ack);
      const alertId = ack.split(":")[1]!;
      expect((await f.store.getAlert(alertId))?.status).toBe("acknowledged");
    });

    it("stores a comment from the comment modal, encrypted", async () => {
      const prompt = await enrollAndPrompt();
      const checkInId = prompt.actionIds[0]!.split(":")[1]!;
      await h.submitComment(CLIENT, checkInId, "contract comment text");
      const rows = await f.db.sql.query<{ commentCipher: string | null }>(`SELECT "commentCipher" FROM "Response" WHERE "checkInId" = ?`, [checkInId]);
      expect(rows[0]?.commentCipher).toBeTruthy();
      expect(rows[0]?.commentCipher).not.toContain("contract comment");
    });

    it("refuses a press on another client's check-in and stores nothing", async () => {
      const prompt = await enrollAndPrompt();
      const id = prompt.actionIds.find((a) => a.endsWith(":goal:1"))!;
      const receipts = (await f.db.sql.query(`SELECT * FROM "InboundEvent"`)).length;
      // The press reaches the engine, which refuses it: the refusal is the engine's own wording.
      const reply = await h.pressButton(OTHER, prompt.ref, id);
      expect(reply).toBe("That check-in isn't yours, so nothing was saved.");
      const checkInId = id.split(":")[1]!;
      expect(await f.store.getResponse(checkInId)).toBeNull();
      expect(await f.db.sql.query(`SELECT * FROM "InboundEvent"`)).toHaveLength(receipts);
      expect(shown(prompt)?.actionIds).toEqual(prompt.actionIds);
    });

    /** The prompt message as it is now (it is edited in place). */
    const shown = (prompt: ObservedMessage): ObservedMessage | undefined => h.messagesTo(CLIENT).find((msg) => msg.ref.messageId === prompt.ref.messageId);
    const pressOn = async (prompt: ObservedMessage, suffix: string) => {
      const id = shown(prompt)!.actionIds.find((a) => a.endsWith(suffix));
      expect(id, suffix).toBeTruthy();
      return h.pressButton(CLIENT, prompt.ref, id!);
    };

    it("keeps an \"Edit my answers\" button for the edit window, re-opens the prompt with it, and says plainly when the window has closed", async () => {
      const prompt = await enrollAndPrompt();
      const checkInId = prompt.actionIds[0]!.split(":")[1]!;
      for (const item of ["goal", "task", "bond"]) await pressOn(prompt, `:${item}:4`);
      await pressOn(prompt, ":tension:no");
      expect(shown(prompt)?.text).toMatch(/Thank you, your check-in is saved\. Your answers are not shown here\. You can change them until/);
      expect(shown(prompt)?.actionIds).toEqual([`ci:${checkInId}:edit`]);

      f.clock.set("2026-03-02T10:10:00Z");
      expect(await pressOn(prompt, ":edit")).toMatch(/^Here is your check-in again\. Change any answer until/);
      expect(shown(prompt)?.actionIds.filter((id) => /:(goal|task|bond):\d$/.test(id))).toHaveLength(15);
      await pressOn(prompt, ":bond:2");
      expect((await f.store.getResponse(checkInId))?.bond).toBe(2);
      expect(shown(prompt)?.actionIds).toEqual([`ci:${checkInId}:edit`]);

      f.clock.set("2026-03-02T10:15:01Z"); // 15 minutes after the check-in was first completed
      expect(await pressOn(prompt, ":edit")).toBe("The time to change these answers has closed (answers can be changed for 15 minutes after you finish). Nothing was changed.");
      expect(shown(prompt)?.actionIds).toEqual([]);
      expect(shown(prompt)?.text).toMatch(/Thank you/);
      expect((await f.store.getResponse(checkInId))?.bond).toBe(2);
    });

    it("asks \"Was it talked through?\" only after tension was answered \"a little\" or \"yes\"", async () => {
      const prompt = await enrollAndPrompt();
      expect(prompt.actionIds.some((id) => id.includes(":talked:"))).toBe(false);
      expect(prompt.actionIds.filter((id) => id.includes(":tension:"))).toHaveLength(3);
      await pressOn(prompt, ":tension:a_little");
      expect(shown(prompt)?.actionIds.filter((id) => id.includes(":talked:"))).toHaveLength(3);
      await pressOn(prompt, ":talked:partly");
      const checkInId = prompt.actionIds[0]!.split(":")[1]!;
      expect(await f.store.getResponse(checkInId)).toMatchObject({ tension: "a_little", talkedThrough: "partly" });
    });

    it("sends, edits and reports platform messages through the port", async () => {
      // A numeric id is a valid user id on every platform (Discord needs a snowflake here).
      const DIRECT = "512345678901234567";
      // The person first uses the bot, so every fake platform knows them.
      expect(await h.runCommand(DIRECT, "help")).toMatch(/check-in/);
      const to = { workspaceId: h.workspaceId, userId: DIRECT };
      const sent = await h.platform.sendDirect(to, { kind: "notice", text: "first version" });
      expect(sent.ok).toBe(true);
      if (!sent.ok) return;
      const updated = await h.platform.update(to, sent.ref, { kind: "closed", text: "second version" });
      expect(updated.ok).toBe(true);
      expect(h.messagesTo(DIRECT).at(-1)?.text).toContain("second version");
      expect(h.messagesTo(DIRECT).at(-1)?.text).not.toContain("first version");
    });
  });
}
