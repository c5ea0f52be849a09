// Retention purge (driven by the engine's ticks and a manual clock), consent and stop ending
// prompts at once, and tidy mode deleting answered prompts.

import { afterEach, describe, expect, it } from "vitest";
import type { EngineFixture } from "../support/engine-fixture.ts";
import type { ConsentView, NoticeView, PromptView } from "../../src/ports/chat-platform.ts";
import { answer, comment, enrollAndPrompt, privacyFixture, rowCounts } from "./support.ts";

let f: EngineFixture;
afterEach(async () => f?.dispose());

const DAY = 24 * 3600_000;
const audit = async () => (await f.db.sql.query<{ action: string; detail: string }>(`SELECT "action", "detail" FROM "AuditEntry" ORDER BY "createdAt"`));

describe("retention", () => {
  it("the daily purge deletes answers, comments and closed alerts older than RETENTION_DAYS and keeps newer ones", async () => {
    const made = await privacyFixture();
    f = made.f;
    const old = await enrollAndPrompt(f, made.platform);
    await answer(f, "alice", old, [2, 4, 4]);
    await comment(f, "alice", old.checkInId, "an old comment");
    const alert = await f.store.unresolvedAlert((await f.store.getCheckIn(old.checkInId))!.enrollmentId);
    await f.store.updateAlert(alert!.id, { status: "repaired", resolvedAt: f.clock.now(), updatedAt: f.clock.now() });
    expect((await f.engine.tick()).expired).toBe(0); // today's purge has run: nothing is old enough

    // 729 days later a fresh check-in is answered; the old one is still inside the window.
    f.clock.set(new Date(Date.parse("2026-03-02T09:50:00Z") + 729 * DAY).toISOString());
    await f.command("therapist-less-admin", "now alice", { admin: true });
    await f.engine.tick();
    const recent = made.platform.lastTo("alice")!.view as PromptView;
    expect(recent.kind).toBe("prompt");
    await answer(f, "alice", recent, [5, 5, 5]);
    expect(await f.store.getResponse(old.checkInId)).not.toBeNull();

    // Two more days: the first check-in is now older than 730 days and the next tick purges it.
    f.clock.advance(2 * DAY);
    await f.engine.tick();
    expect(await f.store.getCheckIn(old.checkInId)).toBeNull();
    expect(await f.store.getResponse(old.checkInId)).toBeNull();
    expect(await f.store.getAlert(alert!.id)).toBeNull();
    expect(await f.store.getResponse(recent.checkInId)).not.toBeNull();
    const purged = (await audit()).filter((r) => r.action === "retention.purged");
    expect(purged).toHaveLength(1);
    expect(JSON.parse(purged[0]!.detail)).toMatchObject({ checkIns: expect.any(Number), responses: 1, comments: 1, alerts: 1, retentionDays: 730 });
  });

  it("runs at most once a day, and again after a day has passed", async () => {
    const made = await privacyFixture();
    f = made.f;
    const first = await f.retention.runIfDue();
    expect(first).toEqual([]);
    expect(await f.retention.runIfDue()).toBeNull();
    f.clock.advance(DAY - 1000);
    expect(await f.retention.runIfDue()).toBeNull();
    f.clock.advance(2000);
    expect(await f.retention.runIfDue()).toEqual([]);
  });

  it("keeps open alerts however old they are, while their answered check-in is purged", async () => {
    const made = await privacyFixture();
    f = made.f;
    const prompt = await enrollAndPrompt(f, made.platform);
    await answer(f, "alice", prompt, [1, 1, 1]);
    const enrollmentId = (await f.store.getCheckIn(prompt.checkInId))!.enrollmentId;
    const alert = await f.store.unresolvedAlert(enrollmentId);
    f.clock.advance(800 * DAY);
    await f.retention.run();
    expect(await f.store.getAlert(alert!.id)).not.toBeNull();
    expect(await f.store.getCheckIn(prompt.checkInId)).toBeNull();
  });
});

describe("consent", () => {
  it("asks before the first prompt and records the consent version", async () => {
    const made = await privacyFixture();
    f = made.f;
    await enrollAndPrompt(f, made.platform);
    const alice = await f.store.findPerson((await f.store.ensurePractice("terminal", "local")).id, "alice");
    expect(alice?.consentVersion).toBe("2026-11");
    expect(alice?.consentAt).not.toBeNull();
    expect((await audit()).map((r) => r.action)).toContain("consent.given");
    expect(JSON.parse((await audit()).find((r) => r.action === "consent.given")!.detail)).toEqual({ version: "2026-11" });
  });

  it("declining ends prompts at once: the check-in is cancelled and later sessions send nothing", async () => {
    const made = await privacyFixture();
    f = made.f;
    await f.command("admin", "enroll alice bob mon 09:00 50m UTC", { admin: true });
    f.clock.set("2026-03-02T10:00:00Z");
    await f.engine.tick();
    const consent = made.platform.lastTo("alice")!.view as ConsentView;
    const reply = await f.press("alice", consent.decline.actionId);
    expect(reply.replaceMessageText).toMatch(/won't receive check-ins/);
    expect((await f.store.getCheckIn(consent.accept.actionId.split(":")[1]!))?.status).toBe("cancelled");
    const sent = made.platform.to("alice").length;
    for (const day of ["2026-03-09T10:01:00Z", "2026-03-16T10:01:00Z"]) {
      f.clock.set(day);
      await f.engine.tick();
    }
    expect(made.platform.to("alice")).toHaveLength(sent);
    expect((await audit()).map((r) => r.action)).toContain("consent.declined");
  });

  it("stop ends prompts at once: the open prompt closes, a press on it is refused, nothing more is sent", async () => {
    const made = await privacyFixture();
    f = made.f;
    const prompt = await enrollAndPrompt(f, made.platform);
    const reply = await f.command("alice", "stop");
    expect(reply.text).toMatch(/stopped/);
    expect((await f.store.getCheckIn(prompt.checkInId))?.status).toBe("cancelled");
    const message = made.platform.to("alice").find((m) => m.history.some((v) => v.kind === "prompt"))!;
    expect(message.view).toEqual({ kind: "closed", text: "This check-in has closed." });
    const late = await f.press("alice", prompt.rows[0]!.options[2]!.actionId);
    expect(late.refused).toBe(true);
    expect(await f.store.getResponse(prompt.checkInId)).toBeNull();
    const sent = made.platform.to("alice").length;
    f.clock.set("2026-03-09T10:01:00Z");
    await f.engine.tick();
    expect(made.platform.to("alice")).toHaveLength(sent);
    expect((await audit()).map((r) => r.action)).toContain("consent.withdrawn");
  });
});

describe("tidy mode", () => {
  it("deletes an answered prompt from the chat instead of editing it", async () => {
    const made = await privacyFixture();
    f = made.f;
    expect((await f.command("admin", "settings tidy on", { admin: true })).text).toBe("Saved: tidy = on.");
    const prompt = await enrollAndPrompt(f, made.platform);
    const replies = await answer(f, "alice", prompt, [4, 4, 5]);
    const message = made.platform.to("alice").find((m) => m.view.kind === "prompt")!;
    expect(message.deleted).toBe(true);
    expect(message.history).toHaveLength(1); // never edited to show anything else
    // The "Edit my answers" button rides on the private reply, since the prompt is gone.
    const done = replies.at(-1)!;
    expect(done.text).toMatch(/^Thank you, your check-in is saved\. Your answers are not shown here\. You can change them until /);
    expect(done.buttons?.map((b) => b.label)).toEqual(["Edit my answers"]);
  });

  it("the reply's Edit my answers re-opens the prompt privately during the edit window, and says it has closed after it", async () => {
    const made = await privacyFixture();
    f = made.f;
    await f.command("admin", "settings tidy on", { admin: true });
    const prompt = await enrollAndPrompt(f, made.platform);
    const edit = (await answer(f, "alice", prompt, [4, 4, 5])).at(-1)!.buttons![0]!;
    const sentBefore = made.platform.to("alice").length;

    f.clock.advance(5 * 60_000);
    const opened = await f.press("alice", edit.actionId);
    expect(opened.refused).toBeUndefined();
    expect(opened.text).toMatch(/until/);
    const again = made.platform.to("alice");
    expect(again).toHaveLength(sentBefore + 1);
    const reopened = again.at(-1)!;
    expect(reopened.view.kind).toBe("prompt");
    const view = reopened.view as PromptView;
    expect(view.checkInId).toBe(prompt.checkInId);
    // A changed answer is stored, and the re-opened prompt is deleted again once finished.
    const changed = (await f.press("alice", view.rows[2]!.options[1]!.actionId));
    expect(changed.buttons?.map((b) => b.label)).toEqual(["Edit my answers"]);
    expect((await f.store.getResponse(prompt.checkInId))!.bond).toBe(2);
    expect(made.platform.to("alice").at(-1)!.deleted).toBe(true);

    // 15 minutes after finishing, the same button says plainly that the time has passed.
    f.clock.advance(16 * 60_000);
    const late = await f.press("alice", edit.actionId);
    expect(late.refused).toBe(true);
    expect(late.text).toMatch(/closed|15 minutes/);
    expect(late.buttons).toBeUndefined();
    expect(made.platform.to("alice")).toHaveLength(sentBefore + 1);
    expect((await f.store.getResponse(prompt.checkInId))!.bond).toBe(2);
  });

  it("deletes a skipped prompt too, and without tidy mode the prompt is edited instead", async () => {
    const made = await privacyFixture();
    f = made.f;
    await f.command("admin", "settings tidy on", { admin: true });
    const prompt = await enrollAndPrompt(f, made.platform);
    await f.press("alice", prompt.skipButton.actionId);
    expect(made.platform.to("alice").find((m) => m.view.kind === "prompt")!.deleted).toBe(true);

    await f.command("admin", "settings tidy off", { admin: true });
    f.clock.set("2026-03-09T10:00:00Z");
    await f.engine.tick();
    const next = made.platform.lastTo("alice")!;
    expect(next.view.kind).toBe("prompt");
    const replies = await answer(f, "alice", next.view as PromptView, [4, 4, 4]);
    expect(next.deleted).toBe(false);
    // The prompt is edited to a neutral thank-you whose one button re-opens it during the edit window.
    expect(replies.at(-1)).toEqual({ text: "Thank you, your check-in is complete." });
    expect(next.view).toMatchObject({ kind: "notice", text: expect.stringMatching(/^Thank you, your check-in is saved\. Your answers are not shown here\. You can change them until /) });
    expect((next.view as NoticeView).buttons?.map((b) => b.label)).toEqual(["Edit my answers"]);
    expect((await rowCounts(f)).Response).toBe(1);
  });
});
