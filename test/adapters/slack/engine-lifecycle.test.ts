// Issue 3, item by item, through the real Bolt app and the real engine on SQLite: consent stored,
// the thank-you edit, one reminder, "closed" after the window, the alert's content and buttons,
// therapist-only commands, four concurrent deliveries, 429 rescheduling, people who left, and the
// 3-second acknowledgement. Every assertion is on the store and on the fake Web API's calls.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { InboundEvent, InboundPort, Reply } from "../../../src/ports/inbound.ts";
import { DEFAULT_ENGINE_OPTIONS } from "../../../src/core/context.ts";
import { createEngineFixture } from "../../support/engine-fixture.ts";
import type { EngineFixture } from "../../support/engine-fixture.ts";
import { appHomeOpened, blockAction, commentSubmission, slashCommand } from "../../support/fake-slack-requests.ts";
import { buttonActionIds, unescapeMrkdwn, visibleText } from "../../support/fake-slack.ts";
import type { FakeSlackMessage } from "../../support/fake-slack.ts";
import { bootSlackRig } from "./harness.ts";
import { findButton, pressButton, runSlashCommand } from "./drive.ts";
import type { SlackRig } from "./harness.ts";

const ADMIN = "UADMIN0001";
const CLIENT = "UCLIENT001";
const THERAPIST = "UTHERAP001";
const OTHER_THERAPIST = "UTHERAP002";
const OTHER_CLIENT = "UCLIENT002";

let rig: SlackRig;
let fixture: EngineFixture;
/** Lets a test hold the engine back, to prove Slack is acknowledged first. */
let gate: Promise<void> | null = null;

beforeEach(async () => {
  const late: { engine: EngineFixture["engine"] | null } = { engine: null };
  const inbound: InboundPort & { homeFor: EngineFixture["engine"]["homeFor"] } = {
    receive: async (event: InboundEvent): Promise<Reply> => {
      if (gate) await gate;
      return late.engine!.receive(event);
    },
    homeFor: (actor) => late.engine!.homeFor(actor),
  };
  rig = await bootSlackRig(inbound);
  fixture = await createEngineFixture({ platform: rig.adapter, workspaceId: rig.fake.teamId, start: "2026-03-02T08:00:00Z" });
  late.engine = fixture.engine;
  rig.fake.setUser(ADMIN, { isAdmin: true });
  await rig.adapter.start();
});

afterEach(async () => {
  gate = null;
  await rig.close();
  await fixture.dispose();
});

const command = (userId: string, text: string, triggerId?: string): Promise<string> => runSlashCommand(rig, userId, text, triggerId);
const press = (userId: string, message: FakeSlackMessage, actionId: string, triggerId?: string): Promise<string | null> => pressButton(rig, userId, message, actionId, triggerId);
const button = findButton;

const current = (message: FakeSlackMessage): FakeSlackMessage => rig.fake.message(message.channel, message.ts)!;

async function enrollAndPrompt(client = CLIENT, therapist = THERAPIST): Promise<FakeSlackMessage> {
  expect(await command(ADMIN, `enroll <@${client}> <@${therapist}> mon 09:00 50m UTC`)).toContain(`<@${client}>`);
  fixture.clock.set("2026-03-02T10:00:00Z");
  await fixture.engine.tick();
  const consent = rig.fake.messagesTo(client).at(-1)!;
  await press(client, consent, button(consent, (a) => a.startsWith("consent:") && a.endsWith(":yes")));
  return rig.fake.messagesTo(client).at(-1)!;
}

async function answer(prompt: FakeSlackMessage, scores: [number, number, number], tension = "no"): Promise<void> {
  for (const [item, value] of [["goal", scores[0]], ["task", scores[1]], ["bond", scores[2]]] as const) {
    await press(CLIENT, prompt, button(current(prompt), (a) => a.endsWith(`:${item}:${value}`)));
  }
  await press(CLIENT, prompt, button(current(prompt), (a) => a.endsWith(`:tension:${tension}`)));
}

const checkInIdOf = (prompt: FakeSlackMessage): string => button(prompt, (a) => a.endsWith(":skip")).split(":")[1]!;

async function count(sql: string, params: unknown[] = []): Promise<number> {
  const rows = await fixture.db.sql.query<{ n: number }>(sql, params);
  return Number(rows[0]?.n);
}

describe("client", () => {
  it("stores the consent version and time", async () => {
    await enrollAndPrompt();
    const practice = await fixture.store.ensurePractice("slack", rig.fake.teamId);
    const client = await fixture.store.findPerson(practice.id, CLIENT);
    expect(client?.consentAt?.toISOString()).toBe("2026-03-02T10:00:00.000Z");
    expect(client?.consentVersion).toBe(DEFAULT_ENGINE_OPTIONS.consentVersion);
    // The consent message itself is replaced, and it named the version the client agreed to.
    const [consent] = rig.fake.messagesTo(CLIENT);
    expect(buttonActionIds(consent!.blocks)).toEqual([]);
  });

  it("keeps the consent buttons when the first prompt is rate-limited, and sends it on the next press", async () => {
    expect(await command(ADMIN, `enroll <@${CLIENT}> <@${THERAPIST}> mon 09:00 50m UTC`)).toContain(`<@${CLIENT}>`);
    fixture.clock.set("2026-03-02T10:00:00Z");
    await fixture.engine.tick();
    const consent = rig.fake.messagesTo(CLIENT).at(-1)!;
    const yes = button(consent, (a) => a.startsWith("consent:") && a.endsWith(":yes"));
    rig.fake.fail("chat.postMessage", { status: 429, retryAfterSeconds: 30, when: (args) => args.channel === rig.fake.dmChannelOf(CLIENT) });
    expect(await press(CLIENT, consent, yes)).toMatch(/couldn't be sent just now/);
    expect(rig.fake.messagesTo(CLIENT)).toHaveLength(1);
    expect(buttonActionIds(current(consent).blocks)).toContain(yes);

    expect(await press(CLIENT, consent, yes)).toMatch(/Here is your first check-in/);
    const prompt = rig.fake.messagesTo(CLIENT).at(-1)!;
    expect(buttonActionIds(prompt.blocks).filter((a) => /:(goal|task|bond):\d$/.test(a))).toHaveLength(15);
    expect(buttonActionIds(current(consent).blocks)).toEqual([]);
    expect((await fixture.store.getCheckIn(checkInIdOf(prompt)))?.platformMessageId).toBe(prompt.ts);
  });

  it("replaces the answered prompt with a thank-you that carries no scores", async () => {
    const prompt = await enrollAndPrompt();
    const checkInId = checkInIdOf(prompt);
    await answer(prompt, [5, 4, 3]);
    const update = rig.fake.callsTo("chat.update").filter((c) => c.ts === prompt.ts).at(-1)!;
    const payload = JSON.stringify(update);
    expect(unescapeMrkdwn(String(update.text))).toMatch(/Thank you/);
    expect(payload).not.toMatch(/ci:[^"]*:(goal|task|bond|tension)/);
    expect(payload).not.toMatch(/[1-5]\/5|\b[345]\b/);
    // Only "Edit my answers" is left, and the only figures are the time the edit window ends.
    expect(buttonActionIds(current(prompt).blocks)).toEqual([`ci:${checkInId}:edit`]);
    const visible = visibleText(current(prompt));
    expect(visible).toMatch(/You can change them until Mon 2 Mar, \d\d:\d\d\./);
    expect(visible.replace(/until Mon 2 Mar, \d\d:\d\d/g, "")).not.toMatch(/\d/);
    expect((await fixture.store.getCheckIn(checkInId))?.status).toBe("answered");
  });

  it("sends one reminder while the prompt is unanswered", async () => {
    const prompt = await enrollAndPrompt();
    const before = rig.fake.messagesTo(CLIENT).length;
    fixture.clock.set("2026-03-02T14:01:00Z");
    await fixture.engine.tick();
    fixture.clock.set("2026-03-02T20:00:00Z");
    await fixture.engine.tick();
    const reminders = rig.fake.messagesTo(CLIENT).slice(before);
    expect(reminders.map((m) => visibleText(m))).toEqual([expect.stringMatching(/reminder/)]);
    expect(current(prompt).blocks.length).toBeGreaterThan(1);
  });

  it("shows the prompt as closed once the answer window ends", async () => {
    const prompt = await enrollAndPrompt();
    const checkInId = checkInIdOf(prompt);
    fixture.clock.set("2026-03-04T10:00:01Z");
    await fixture.engine.tick();
    expect((await fixture.store.getCheckIn(checkInId))?.status).toBe("expired");
    const update = rig.fake.callsTo("chat.update").filter((c) => c.ts === prompt.ts).at(-1);
    expect(update?.channel).toBe(prompt.channel);
    expect(visibleText(current(prompt))).toMatch(/closed/);
    expect(buttonActionIds(current(prompt).blocks)).toEqual([]);
  });
});

describe("therapist", () => {
  async function alertAfterLowAnswers(): Promise<FakeSlackMessage> {
    const prompt = await enrollAndPrompt();
    await answer(prompt, [2, 3, 3]);
    const alerts = rig.fake.messagesTo(THERAPIST).filter((m) => buttonActionIds(m.blocks).some((a) => a.startsWith("al:")));
    expect(alerts).toHaveLength(1);
    return alerts[0]!;
  }

  it("gets an alert with the client, the reasons with their numbers and a trend line", async () => {
    const alert = await alertAfterLowAnswers();
    const text = visibleText(alert);
    expect(text).toContain(`<@${CLIENT}>`);
    expect(text).toMatch(/Goals 2\/5 \(at or below 2\)/);
    expect(text).toMatch(/Total 8\/15 \(below 12\)/);
    expect(text).toMatch(/Recent totals: [▁▂▃▄▅▆▇█]+ \(8\)/);
    expect(buttonActionIds(alert.blocks).map((a) => a.split(":")[2])).toEqual(["ack", "repaired", "snooze", "dismiss"]);
  });

  it("acknowledges, snoozes for a week and marks repaired, each changing the store and the message", async () => {
    const alert = await alertAfterLowAnswers();
    const alertId = button(alert, (a) => a.endsWith(":ack")).split(":")[1]!;
    const updatesOfAlert = () => rig.fake.callsTo("chat.update").filter((c) => c.ts === alert.ts).length;

    expect(await press(THERAPIST, alert, button(current(alert), (a) => a.endsWith(":ack")))).toMatch(/acknowledged/);
    expect((await fixture.store.getAlert(alertId))?.status).toBe("acknowledged");
    expect(updatesOfAlert()).toBe(1);
    expect(visibleText(current(alert))).toMatch(/Acknowledged/);
    expect(buttonActionIds(current(alert).blocks).some((a) => a.endsWith(":ack"))).toBe(false);

    expect(await press(THERAPIST, alert, button(current(alert), (a) => a.endsWith(":snooze")))).toMatch(/snoozed until 9 Mar 2026/);
    expect((await fixture.store.getAlert(alertId))?.snoozedUntil?.toISOString()).toBe("2026-03-09T10:00:00.000Z");
    expect(updatesOfAlert()).toBe(2);
    expect(visibleText(current(alert))).toMatch(/Snoozed until 9 Mar 2026/);

    expect(await press(THERAPIST, alert, button(current(alert), (a) => a.endsWith(":repaired")))).toMatch(/marked repaired/);
    expect((await fixture.store.getAlert(alertId))?.status).toBe("repaired");
    expect(updatesOfAlert()).toBe(3);
    expect(visibleText(current(alert))).toMatch(/Marked repaired/);
    expect(buttonActionIds(current(alert).blocks)).toEqual([]);
  });

  it("runs now, trend and alerts for their own clients only", async () => {
    await alertAfterLowAnswers();
    // A second pair, so the other therapist is a therapist too.
    expect(await command(ADMIN, `enroll <@${OTHER_CLIENT}> <@${OTHER_THERAPIST}> tue 09:00 50m UTC`)).toContain(`<@${OTHER_CLIENT}>`);
    const checkInsBefore = await count(`SELECT COUNT(*) AS "n" FROM "CheckIn"`);

    expect(await command(OTHER_THERAPIST, `now <@${CLIENT}>`)).toMatch(/can't do that/);
    expect(await command(OTHER_THERAPIST, `trend <@${CLIENT}>`)).toMatch(/can't do that/);
    expect(await command(OTHER_THERAPIST, "alerts")).not.toContain(`<@${CLIENT}>`);
    expect(await count(`SELECT COUNT(*) AS "n" FROM "CheckIn"`)).toBe(checkInsBefore);

    expect(await command(THERAPIST, `trend <@${CLIENT}>`)).toMatch(/[▁▂▃▄▅▆▇█]/);
    expect(await command(THERAPIST, "alerts")).toContain(`<@${CLIENT}>`);
    fixture.clock.set("2026-03-02T11:00:00Z");
    expect(await command(THERAPIST, `now <@${CLIENT}>`)).toMatch(/on its way/);
    expect(await count(`SELECT COUNT(*) AS "n" FROM "CheckIn"`)).toBe(checkInsBefore + 1);
  });
});

describe("reliability", () => {
  it("stores one answer and sends one alert for four concurrent deliveries of the last press", async () => {
    const prompt = await enrollAndPrompt();
    for (const [item, value] of [["goal", 2], ["task", 3]] as const) await press(CLIENT, prompt, button(current(prompt), (a) => a.endsWith(`:${item}:${value}`)));
    await press(CLIENT, prompt, button(current(prompt), (a) => a.endsWith(":tension:no")));
    const responseUrl = rig.fake.responseUrl();
    const last = blockAction({
      teamId: rig.fake.teamId,
      userId: CLIENT,
      actionId: button(current(prompt), (a) => a.endsWith(":bond:3")),
      triggerId: "TRFOURFOLD",
      container: { type: "message", channelId: prompt.channel, messageTs: prompt.ts },
      responseUrl,
    });
    const results = await Promise.all([0, 1, 2, 3].map((retryNum) => rig.sender().send(last, { retryNum })));
    await rig.adapter.idle();
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);

    expect(await count(`SELECT COUNT(*) AS "n" FROM "Response" WHERE "bond" IS NOT NULL`)).toBe(1);
    expect(await count(`SELECT COUNT(*) AS "n" FROM "Alert"`)).toBe(1);
    expect(await count(`SELECT COUNT(*) AS "n" FROM "InboundEvent" WHERE "eventKey" LIKE '%TRFOURFOLD%'`)).toBe(1);
    const therapistChannel = rig.fake.dmChannelOf(THERAPIST);
    const alertSends = rig.fake.callsTo("chat.postMessage").filter((c) => c.channel === therapistChannel);
    expect(alertSends).toHaveLength(1);
    expect(rig.fake.callsTo("chat.update").filter((c) => c.channel === therapistChannel)).toHaveLength(0);
    // The client sees one confirmation and the prompt is replaced once.
    expect(rig.fake.responsesAt(responseUrl)).toHaveLength(1);
    expect(rig.fake.callsTo("chat.update").filter((c) => c.ts === prompt.ts)).toHaveLength(1);
  });

  it("acts once on four deliveries of a command and of a comment submission", async () => {
    const prompt = await enrollAndPrompt();
    fixture.clock.set("2026-03-02T11:00:00Z");
    const checkIns = await count(`SELECT COUNT(*) AS "n" FROM "CheckIn"`);
    const now = slashCommand({ teamId: rig.fake.teamId, userId: THERAPIST, text: `now <@${CLIENT}>`, triggerId: "TRNOW4", responseUrl: rig.fake.responseUrl() });
    await Promise.all([0, 1, 2, 3].map((retryNum) => rig.sender().send(now, { retryNum })));
    const comment = commentSubmission({ teamId: rig.fake.teamId, userId: CLIENT, checkInId: checkInIdOf(prompt), text: "four times", triggerId: "TRCOMMENT4" });
    const replies = await Promise.all([0, 1, 2, 3].map(() => rig.sender().send(comment)));
    await rig.adapter.idle();
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(await count(`SELECT COUNT(*) AS "n" FROM "CheckIn"`)).toBe(checkIns + 1);
    expect(await count(`SELECT COUNT(*) AS "n" FROM "AuditEntry" WHERE "action" = 'checkin.now'`)).toBe(1);
    expect(await count(`SELECT COUNT(*) AS "n" FROM "Response" WHERE "commentCipher" IS NOT NULL`)).toBe(1);
    expect(await count(`SELECT COUNT(*) AS "n" FROM "InboundEvent" WHERE "eventKey" LIKE '%TRNOW4' OR "eventKey" LIKE '%TRCOMMENT4'`)).toBe(2);
  });

  it("reschedules a rate-limited send after Retry-After instead of waiting inside the claim", async () => {
    expect(await command(ADMIN, `enroll <@${CLIENT}> <@${THERAPIST}> mon 09:00 50m UTC`)).toContain(`<@${CLIENT}>`);
    fixture.clock.set("2026-03-02T10:00:00Z");
    rig.fake.fail("chat.postMessage", { status: 429, retryAfterSeconds: 120, when: (args) => args.channel === rig.fake.dmChannelOf(CLIENT) });
    const started = Date.now();
    const report = await fixture.engine.tick();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(report.dispatch).toMatchObject({ claimed: 1, rescheduled: 1, sent: 0 });
    const rows = await fixture.db.sql.query<{ id: string; status: string; dueAt: unknown }>(`SELECT "id", "status", "dueAt" FROM "CheckIn" WHERE "kind" = 'scheduled' ORDER BY "dueAt" LIMIT 1`);
    const row = await fixture.store.getCheckIn(rows[0]!.id);
    expect(row?.status).toBe("scheduled");
    expect(row?.dueAt.toISOString()).toBe("2026-03-02T10:02:00.000Z");
    expect(rig.fake.callsTo("chat.postMessage").filter((c) => c.channel === rig.fake.dmChannelOf(CLIENT))).toHaveLength(1);

    fixture.clock.set("2026-03-02T10:01:59Z");
    expect((await fixture.engine.tick()).dispatch.claimed).toBe(0);
    fixture.clock.set("2026-03-02T10:02:00Z");
    expect((await fixture.engine.tick()).dispatch.sent).toBe(1);
    expect((await fixture.store.getCheckIn(rows[0]!.id))?.status).toBe("sent");
  });

  it("records a client who left, tells the therapist and the admin once, and backs off", async () => {
    expect(await command(ADMIN, `enroll <@${CLIENT}> <@${THERAPIST}> mon 09:00 50m UTC`)).toContain(`<@${CLIENT}>`);
    rig.fake.setUser(CLIENT, { deleted: true });
    // The DM with a deactivated member is archived (account_inactive would be about the bot's own token).
    rig.fake.fail("chat.postMessage", { error: "is_archived", times: Infinity, when: (args) => args.channel === rig.fake.dmChannelOf(CLIENT) });
    fixture.clock.set("2026-03-02T10:00:00Z");
    expect((await fixture.engine.tick()).dispatch.failed).toBe(1);

    const practice = await fixture.store.ensurePractice("slack", rig.fake.teamId);
    const client = await fixture.store.findPerson(practice.id, CLIENT);
    expect(client?.undeliverableAt?.toISOString()).toBe("2026-03-02T10:00:00.000Z");
    expect(client?.undeliverableCode).toBe("is_archived");
    const noticesTo = (userId: string) => rig.fake.messagesTo(userId).filter((m) => /can't be delivered \(is_archived\)/.test(visibleText(m)));
    expect(noticesTo(THERAPIST)).toHaveLength(1);
    expect(noticesTo(ADMIN)).toHaveLength(1);

    // The next week's check-in is tried once more (it fails again: nobody is told twice); the one after is skipped.
    const attempts = () => rig.fake.calls.filter((c) => c.args.channel === rig.fake.dmChannelOf(CLIENT) || c.args.users === CLIENT).length;
    const before = attempts();
    for (const at of ["2026-03-03T10:00:00Z", "2026-03-09T10:00:00Z", "2026-03-09T12:00:00Z"]) {
      fixture.clock.set(at);
      await fixture.engine.tick();
    }
    const retried = attempts();
    expect(retried).toBeGreaterThan(before);
    fixture.clock.set("2026-03-16T10:00:00Z");
    await fixture.engine.tick();
    expect(attempts()).toBe(retried);
    expect(noticesTo(THERAPIST)).toHaveLength(1);
    expect(noticesTo(ADMIN)).toHaveLength(1);
  });

  it("refuses to enroll someone Slack cannot reach, with a reason and nothing stored", async () => {
    rig.fake.setUser(OTHER_CLIENT, { exists: false });
    const reply = await command(ADMIN, `enroll <@${OTHER_CLIENT}> <@${THERAPIST}> mon 09:00 50m UTC`);
    expect(reply).toBe("I can't find <@UCLIENT002> in this workspace. Mention them with @ and pick them from the list.");
    expect(await count(`SELECT COUNT(*) AS "n" FROM "Enrollment"`)).toBe(0);
    rig.fake.fail("users.info", { error: "internal_error", when: (args) => args.user === CLIENT });
    expect(await command(ADMIN, `enroll <@${CLIENT}> <@${THERAPIST}> mon 09:00 50m UTC`)).toMatch(/couldn't check <@UCLIENT001> just now\. Nothing was changed/);
    // A person Slack knows but cannot DM is still refused by the reachability check.
    rig.fake.fail("conversations.open", { error: "cannot_dm_bot" });
    expect(await command(ADMIN, `enroll <@${CLIENT}> <@${THERAPIST}> mon 09:00 50m UTC`)).toMatch(/can't send direct messages to <@UCLIENT001> \(cannot_dm_bot\)\. Make sure they are a member of this workspace/);
    expect(await count(`SELECT COUNT(*) AS "n" FROM "Enrollment"`)).toBe(0);
  });

  it("acknowledges a command and a button press before the engine has answered", async () => {
    const prompt = await enrollAndPrompt();
    let release!: () => void;
    gate = new Promise<void>((resolve) => (release = resolve));
    try {
      const responseUrl = rig.fake.responseUrl();
      const commandAck = await rig.sender().send(slashCommand({ teamId: rig.fake.teamId, userId: ADMIN, text: "list", triggerId: "TRSLOW1", responseUrl }));
      const pressAck = await rig.sender().send(
        blockAction({ teamId: rig.fake.teamId, userId: CLIENT, actionId: button(prompt, (a) => a.endsWith(":goal:4")), triggerId: "TRSLOW2", container: { type: "message", channelId: prompt.channel, messageTs: prompt.ts }, responseUrl: rig.fake.responseUrl() }),
      );
      // Both HTTP acknowledgements came back while the engine was still held.
      expect([commandAck.status, pressAck.status]).toEqual([200, 200]);
      expect(rig.fake.responsesAt(responseUrl)).toEqual([]);
      expect(await count(`SELECT COUNT(*) AS "n" FROM "Response" WHERE "goal" IS NOT NULL`)).toBe(0);
    } finally {
      release();
    }
    await rig.adapter.idle();
    expect(await count(`SELECT COUNT(*) AS "n" FROM "Response" WHERE "goal" IS NOT NULL`)).toBe(1);
  });
});

describe("App Home", () => {
  async function homeOf(userId: string): Promise<{ text: string; actionIds: string[] }> {
    const before = rig.fake.callsTo("views.publish").length;
    await rig.sender().send(appHomeOpened({ teamId: rig.fake.teamId, userId, eventId: rig.sender().nextId("Ev") }));
    await rig.adapter.idle();
    const published = rig.fake.callsTo("views.publish").slice(before);
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({ user_id: userId, view: { type: "home" } });
    const blocks = (published[0]!.view as { blocks: unknown[] }).blocks;
    return { text: visibleText({ text: "", blocks }), actionIds: buttonActionIds(blocks) };
  }

  it("shows each role its own tab: next check-in and controls, open alerts and clients, enrollments and schedules", async () => {
    const prompt = await enrollAndPrompt();
    await answer(prompt, [2, 3, 3]);

    const client = await homeOf(CLIENT);
    expect(client.text).toMatch(/Your check-ins\nNext check-in: Mon 9 Mar, 10:00/);
    expect(client.actionIds).toEqual(["me:pause", "me:stop"]);
    expect(client.text).not.toMatch(/Your clients|Enrollments/);

    const therapist = await homeOf(THERAPIST);
    expect(therapist.text).toMatch(new RegExp(`Your clients\nOpen alerts: 1\n• <@${CLIENT}>: Open\nClients:\n<@${CLIENT}>`));
    expect(therapist.text).not.toMatch(/Your check-ins|Enrollments/);

    const admin = await homeOf(ADMIN);
    expect(admin.text).toMatch(new RegExp(`Enrollments\n.*<@${CLIENT}> with <@${THERAPIST}>: Mon 09:00 \\(50 min\\) UTC, active; next Mon 9 Mar, 10:00`, "s"));
    expect(admin.text).not.toMatch(/Your check-ins|Your clients/);

    // The client's Pause button on the Home tab pauses, and the tab is republished with Resume.
    await rig.sender().send(blockAction({ teamId: rig.fake.teamId, userId: CLIENT, actionId: "me:pause", triggerId: "TRHOMEPAUSE", container: { type: "home" } }));
    await rig.adapter.idle();
    const republished = rig.fake.callsTo("views.publish").at(-1)!;
    expect(buttonActionIds((republished.view as { blocks: unknown[] }).blocks)).toEqual(["me:resume", "me:stop"]);
    const enrollments = await fixture.db.sql.query<{ status: string }>(`SELECT "status" FROM "Enrollment"`);
    expect(enrollments.map((e) => e.status)).toEqual(["paused"]);
  });
});
