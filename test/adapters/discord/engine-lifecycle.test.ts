// Issue 4, item by item, through the real discord.js client and the real engine on SQLite: the
// thank-you edit, one reminder, "closed" after the window, the alert's content and buttons,
// enrolment reachability, 50007, 429 rescheduling, duplicate and replayed interactions, and the
// 3-second acknowledgement. Every assertion is on the store and on the fake's REST calls.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { InboundEvent, InboundPort, Reply } from "../../../src/ports/inbound.ts";
import { DEFAULT_ENGINE_OPTIONS } from "../../../src/core/context.ts";
import { actionIdOf } from "../../../adapters/discord/render.ts";
import type { EngineFixture } from "../../support/engine-fixture.ts";
import { FakeDiscord } from "../../support/fake-discord.ts";
import type { FakeMessage, InteractionRecord } from "../../support/fake-discord.ts";
import type { CommandOption } from "../../support/fake-discord-payloads.ts";
import { attachEngine, startDiscordRig } from "./harness.ts";
import type { DiscordRig } from "./harness.ts";

const ADMIN = "710000000000000001";
const CLIENT = "720000000000000002";
const THERAPIST = "730000000000000003";
const STRANGER = "740000000000000004";

let fake: FakeDiscord;
let rig: DiscordRig;
let fixture: EngineFixture;
/** Lets a test hold the engine back, to prove Discord is acknowledged first. */
let gate: Promise<void> | null = null;
const late: { engine: InboundPort | null } = { engine: null };
const inbound: InboundPort = {
  receive: async (event: InboundEvent): Promise<Reply> => {
    if (gate) await gate;
    return late.engine!.receive(event);
  },
};

beforeEach(async () => {
  fake = await FakeDiscord.start();
  rig = await startDiscordRig(inbound, { existingFake: fake });
  fixture = await attachEngine(rig, late, { admin: ADMIN, client: CLIENT, therapist: THERAPIST });
});

afterEach(async () => {
  gate = null;
  await rig.close();
  await fake.close();
  await fixture.dispose();
});

const user = (name: string, value: string): CommandOption => ({ name, type: "user", value });
const text = (name: string, value: string): CommandOption => ({ name, type: "string", value });

async function enroll(client = CLIENT): Promise<InteractionRecord> {
  return rig.settled(fake.slashCommand(ADMIN, "enroll", [user("client", client), user("therapist", THERAPIST), text("schedule", "mon 09:00 50m"), text("tz", "UTC")]));
}

function buttonWhere(message: FakeMessage | undefined, test: (actionId: string) => boolean): string {
  const id = message?.components.flatMap((row) => row.components).find((c) => c.custom_id && test(actionIdOf(c.custom_id)))?.custom_id;
  if (!id) throw new Error("button not found");
  return id;
}

const actionIds = (message: FakeMessage | undefined): string[] =>
  message?.components.flatMap((row) => row.components.flatMap((c) => (c.custom_id ? [actionIdOf(c.custom_id)] : []))) ?? [];

async function enrollAndPrompt(): Promise<FakeMessage> {
  expect((await enroll()).original?.content).toContain(`<@${CLIENT}>`);
  fixture.clock.set("2026-03-02T10:00:00Z");
  await fixture.engine.tick();
  const consent = fake.messagesTo(CLIENT).at(-1);
  await rig.settled(fake.pressButton(CLIENT, consent!.id, buttonWhere(consent, (a) => a.startsWith("consent:") && a.endsWith(":yes"))));
  return fake.messagesTo(CLIENT).at(-1)!;
}

async function press(userId: string, message: FakeMessage, test: (actionId: string) => boolean): Promise<InteractionRecord> {
  return rig.settled(fake.pressButton(userId, message.id, buttonWhere(message, test)));
}

async function answer(prompt: FakeMessage, scores: [number, number, number]): Promise<void> {
  for (const [item, value] of [["goal", scores[0]], ["task", scores[1]], ["bond", scores[2]]] as const) await press(CLIENT, prompt, (a) => a.endsWith(`:${item}:${value}`));
  await press(CLIENT, prompt, (a) => a.endsWith(":tension:no"));
}

const checkInIdOf = (prompt: FakeMessage): string => actionIds(prompt).find((a) => a.endsWith(":skip"))!.split(":")[1]!;
const patchesOf = (message: FakeMessage) => fake.callsTo("PATCH", new RegExp(`^/channels/${message.channel_id}/messages/${message.id}$`));

async function count(sql: string): Promise<number> {
  const rows = await fixture.db.sql.query<{ n: number }>(sql);
  return Number(rows[0]?.n);
}

describe("client", () => {
  it("stores consent with its version and time, and edits the answered prompt to a thank-you without scores", async () => {
    const prompt = await enrollAndPrompt();
    const practice = await fixture.store.ensurePractice("discord", fake.guildId);
    const client = await fixture.store.findPerson(practice.id, CLIENT);
    expect([client?.consentAt?.toISOString(), client?.consentVersion]).toEqual(["2026-03-02T10:00:00.000Z", DEFAULT_ENGINE_OPTIONS.consentVersion]);

    const checkInId = checkInIdOf(prompt);
    await answer(prompt, [5, 4, 3]);
    // The prompt message is edited once into the thank-you; its one button re-opens the prompt.
    const thanks = patchesOf(prompt).map((c) => c.body as Record<string, unknown>).filter((body) => typeof body.content === "string" && /check-in is saved/.test(body.content));
    expect(thanks).toHaveLength(1);
    expect(thanks[0]).toMatchObject({ embeds: [] });
    const text = String(thanks[0]!.content);
    expect(text).toMatch(/You can change them until Mon 2 Mar, \d\d:\d\d\./);
    expect(text.replace(/until Mon 2 Mar, \d\d:\d\d/g, "")).not.toMatch(/\d/);
    expect(JSON.stringify(thanks[0]!.components)).not.toMatch(/:(goal|task|bond|tension|talked):/);
    const now = fake.messagesTo(CLIENT).find((m) => m.id === prompt.id);
    expect(now?.content).toMatch(/check-in is saved/);
    expect(JSON.stringify(now?.components)).toContain(`ci:${checkInId}:edit`);
    expect((await fixture.store.getCheckIn(checkInId))?.status).toBe("answered");
  });

  it("sends one reminder, then shows the prompt as closed when the window ends", async () => {
    const prompt = await enrollAndPrompt();
    const checkInId = checkInIdOf(prompt);
    const before = fake.messagesTo(CLIENT).length;
    for (const at of ["2026-03-02T14:01:00Z", "2026-03-02T20:00:00Z", "2026-03-03T20:00:00Z"]) {
      fixture.clock.set(at);
      await fixture.engine.tick();
    }
    expect(fake.messagesTo(CLIENT).slice(before).map((m) => m.content)).toEqual([expect.stringMatching(/reminder/)]);
    expect(patchesOf(prompt)).toHaveLength(0);

    fixture.clock.set("2026-03-04T10:00:01Z");
    await fixture.engine.tick();
    expect(patchesOf(prompt)).toHaveLength(1);
    expect(patchesOf(prompt)[0]?.body).toMatchObject({ content: "This check-in has closed.", components: [], embeds: [] });
    expect((await fixture.store.getCheckIn(checkInId))?.status).toBe("expired");
  });
});

describe("therapist", () => {
  it("gets an alert with reasons, numbers and a trend line, and its buttons change the store and the message", async () => {
    const prompt = await enrollAndPrompt();
    await answer(prompt, [2, 3, 3]);
    const alerts = fake.messagesTo(THERAPIST).filter((m) => actionIds(m).some((a) => a.startsWith("al:")));
    expect(alerts).toHaveLength(1);
    const alert = alerts[0]!;
    expect(alert.content).toContain(`<@${CLIENT}>`);
    const description = alert.embeds[0]?.description ?? "";
    expect(description).toMatch(/Goals 2\/5 \(at or below 2\)/);
    expect(description).toMatch(/Total 8\/15 \(below 12\)/);
    expect(description).toMatch(/Recent totals: [▁▂▃▄▅▆▇█]+ \(8\)/);
    const alertId = actionIds(alert).find((a) => a.endsWith(":ack"))!.split(":")[1]!;

    const ack = await press(THERAPIST, alert, (a) => a.endsWith(":ack"));
    expect(ack.callbacks[0]?.type).toBe(6);
    expect(ack.followUps.map((m) => [m.content, m.flags])).toEqual([["Alert acknowledged.", 64]]);
    expect((await fixture.store.getAlert(alertId))?.status).toBe("acknowledged");
    expect(patchesOf(alert)).toHaveLength(1);
    expect(alert.embeds[0]?.footer?.text).toBe("Acknowledged");
    expect(actionIds(alert).some((a) => a.endsWith(":ack"))).toBe(false);

    await press(THERAPIST, alert, (a) => a.endsWith(":snooze"));
    expect((await fixture.store.getAlert(alertId))?.snoozedUntil?.toISOString()).toBe("2026-03-09T10:00:00.000Z");
    expect(patchesOf(alert)).toHaveLength(2);
    expect(alert.embeds[0]?.footer?.text).toBe("Snoozed until 9 Mar 2026");

    await press(THERAPIST, alert, (a) => a.endsWith(":repaired"));
    expect((await fixture.store.getAlert(alertId))?.status).toBe("repaired");
    expect(patchesOf(alert)).toHaveLength(3);
    expect(alert.embeds[0]?.footer?.text).toBe("Marked repaired");
    expect(alert.components).toEqual([]);
  });
});

describe("enrolment and delivery failures", () => {
  it("refuses to enroll someone who shares no guild with the bot, saying what to do", async () => {
    fake.addUser(STRANGER);
    const record = await enroll(STRANGER);
    expect(record.original?.content).toBe(`I can't find <@${STRANGER}> in this server. Mention them with @ and pick them from the list.`);
    expect(record.original?.flags ?? 64).toBe(64);
    expect(await count(`SELECT COUNT(*) AS "n" FROM "Enrollment"`)).toBe(0);
  });

  it("records a 50007 as undeliverable, tells the therapist and the admin once, and backs off", async () => {
    expect((await enroll()).original?.content).toContain(`<@${CLIENT}>`);
    const clientChannel = fake.dmChannelOf(CLIENT)!;
    fake.failNext("POST", new RegExp(`^/channels/${clientChannel}/messages$`), 403, { message: "Cannot send messages to this user", code: 50007 }, undefined, 1000);
    fixture.clock.set("2026-03-02T10:00:00Z");
    expect((await fixture.engine.tick()).dispatch.failed).toBe(1);

    const practice = await fixture.store.ensurePractice("discord", fake.guildId);
    const client = await fixture.store.findPerson(practice.id, CLIENT);
    expect([client?.undeliverableAt?.toISOString(), client?.undeliverableCode]).toEqual(["2026-03-02T10:00:00.000Z", "cannot_dm"]);
    const notices = (userId: string) => fake.messagesTo(userId).filter((m) => /can't be delivered \(cannot_dm\)/.test(m.content));
    expect(notices(THERAPIST)).toHaveLength(1);
    expect(notices(ADMIN)).toHaveLength(1);

    // The next week's check-in is tried once more (it fails again: nobody is told twice); the one after is skipped.
    const attempts = fake.callsTo("POST", new RegExp(`^/channels/${clientChannel}/messages$`)).length;
    for (const at of ["2026-03-03T10:00:00Z", "2026-03-09T10:00:00Z", "2026-03-09T12:00:00Z", "2026-03-16T10:00:00Z"]) {
      fixture.clock.set(at);
      await fixture.engine.tick();
    }
    expect(fake.callsTo("POST", new RegExp(`^/channels/${clientChannel}/messages$`))).toHaveLength(attempts + 1);
    expect(notices(THERAPIST)).toHaveLength(1);
    expect(notices(ADMIN)).toHaveLength(1);
  });

  it("reschedules a rate-limited send after retry_after instead of waiting inside the claim", async () => {
    expect((await enroll()).original?.content).toContain(`<@${CLIENT}>`);
    fake.rateLimitNext("POST", new RegExp(`^/channels/${fake.dmChannelOf(CLIENT)}/messages$`), 90);
    fixture.clock.set("2026-03-02T10:00:00Z");
    const began = Date.now();
    const report = await fixture.engine.tick();
    expect(Date.now() - began).toBeLessThan(2000);
    expect(report.dispatch).toMatchObject({ claimed: 1, rescheduled: 1, sent: 0 });
    const [row] = await fixture.db.sql.query<{ id: string }>(`SELECT "id" FROM "CheckIn" WHERE "kind" = 'scheduled' ORDER BY "dueAt" LIMIT 1`);
    const checkIn = await fixture.store.getCheckIn(row!.id);
    expect(checkIn?.status).toBe("scheduled");
    // retry_after is 90 s; discord.js adds its small reset offset.
    const delayMs = checkIn!.dueAt.getTime() - Date.parse("2026-03-02T10:00:00Z");
    expect(delayMs).toBeGreaterThanOrEqual(90_000);
    expect(delayMs).toBeLessThan(91_000);

    fixture.clock.set("2026-03-02T10:01:00Z");
    expect((await fixture.engine.tick()).dispatch.claimed).toBe(0);
    fixture.clock.set("2026-03-02T10:01:31Z");
    expect((await fixture.engine.tick()).dispatch.sent).toBe(1);
    expect((await fixture.store.getCheckIn(row!.id))?.status).toBe("sent");
  });
});

describe("interactions", () => {
  it("stores one answer when the same interaction arrives twice, even after a restart", async () => {
    const prompt = await enrollAndPrompt();
    const first = await press(CLIENT, prompt, (a) => a.endsWith(":goal:2"));
    const payload = fake.payloads.get(first.id)!;
    await rig.settled(fake.redeliver(payload));

    // A new process (new discord.js client, nothing in memory) gets the same interaction again.
    await rig.platform.stop();
    rig = await startDiscordRig(inbound, { existingFake: fake });
    fixture.platforms.set("discord", rig.platform);
    await rig.platform.start();
    await rig.settled(fake.redeliver(payload));

    expect(await count(`SELECT COUNT(*) AS "n" FROM "Response" WHERE "goal" IS NOT NULL`)).toBe(1);
    // The engine acted on the first delivery only; both repeats were recognised by their receipt.
    expect(first.followUps.map((m) => m.content)).toEqual([expect.stringMatching(/^Saved \(\d to go\)\.$/), "Already done.", "Already done."]);
    expect(await count(`SELECT COUNT(*) AS "n" FROM "InboundEvent" WHERE "eventKey" = 'action:${first.id}'`)).toBe(1);
  });

  it("handles an interaction Discord re-sends after a gateway resume", async () => {
    const prompt = await enrollAndPrompt();
    fake.dropConnections();
    // Sent while the connection is down: Discord replays it when the client resumes.
    const record = fake.pressButton(CLIENT, prompt.id, buttonWhere(prompt, (a) => a.endsWith(":goal:3")));
    await rig.settled(record);
    expect(fake.resumes).toHaveLength(1);
    expect(record.callbacks[0]?.type).toBe(6);
    expect((await fixture.store.getResponse(checkInIdOf(prompt)))?.goal).toBe(3);
  });

  it("acknowledges commands and buttons before the engine has answered", async () => {
    const prompt = await enrollAndPrompt();
    let release!: () => void;
    gate = new Promise<void>((resolve) => (release = resolve));
    const command = fake.slashCommand(ADMIN, "list");
    const button = fake.pressButton(CLIENT, prompt.id, buttonWhere(prompt, (a) => a.endsWith(":goal:4")));
    try {
      const deadline = Date.now() + 2000;
      while ((command.callbacks.length === 0 || button.callbacks.length === 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(command.callbacks).toEqual([{ type: 5, data: { flags: 64 } }]);
      expect(button.callbacks).toEqual([{ type: 6 }]);
      expect(command.original?.content).toBe("");
      expect(await fixture.store.getResponse(checkInIdOf(prompt))).toBeNull();
    } finally {
      release();
    }
    await rig.settled(command);
    await rig.settled(button);
    expect((await fixture.store.getResponse(checkInIdOf(prompt)))?.goal).toBe(4);
  });
});
