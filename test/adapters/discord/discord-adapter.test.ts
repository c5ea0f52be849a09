// End-to-end tests of the Discord adapter: the real discord.js client against the fake Discord.

import { afterEach, describe, expect, it } from "vitest";
import { encodeAction } from "../../../src/ports/action-ids.ts";
import { DEFAULT_ENGINE_OPTIONS } from "../../../src/core/context.ts";
import type { ActionEvent, CommandEvent, CommentEvent } from "../../../src/ports/inbound.ts";
import { actionIdOf } from "../../../adapters/discord/render.ts";
import { FakeDiscord } from "../../support/fake-discord.ts";
import { ManageGuild, MemberPermissions } from "../../support/fake-discord-payloads.ts";
import { alertView, capturingLogger, promptView, RecordingInbound } from "./fixtures.ts";
import { startDiscordRig } from "./harness.ts";
import type { DiscordRig, RigOptions } from "./harness.ts";

const ADMIN = "510000000000000001";
const CLIENT = "520000000000000002";
const THERAPIST = "530000000000000003";
const STRANGER = "540000000000000004";
const ADMIN_ROLE = "550000000000000005";

const rigs: DiscordRig[] = [];
const fakes: FakeDiscord[] = [];
afterEach(async () => {
  for (const rig of rigs.splice(0)) await rig.close();
  for (const fake of fakes.splice(0)) await fake.close();
});

async function started(inbound: RecordingInbound, options: RigOptions = {}): Promise<DiscordRig> {
  const rig = await startDiscordRig(inbound, options);
  rigs.push(rig);
  rig.fake.addMember({ userId: ADMIN, permissions: MemberPermissions | ManageGuild });
  rig.fake.addMember({ userId: CLIENT });
  rig.fake.addMember({ userId: THERAPIST });
  await rig.platform.start();
  return rig;
}

const recipient = (rig: DiscordRig, userId: string) => ({ workspaceId: rig.fake.guildId, userId });

describe("Discord adapter: start-up", () => {
  it("identifies with the Guilds intent only and registers /checkin by bulk overwrite", async () => {
    const rig = await started(new RecordingInbound());
    expect(rig.fake.identifies).toEqual([expect.objectContaining({ intents: 1 })]);
    const puts = rig.fake.callsTo("PUT", /^\/applications\/\d+\/guilds\/\d+\/commands$/);
    expect(puts).toHaveLength(1);
    expect(puts[0]?.path).toBe(`/applications/${rig.fake.applicationId}/guilds/${rig.fake.guildId}/commands`);
    const [command] = puts[0]?.body as { name: string; options: { name: string; type: number; options: { name: string; type: number; autocomplete?: boolean }[] }[] }[];
    expect(command?.name).toBe("checkin");
    const enroll = command?.options.find((o) => o.name === "enroll");
    expect(enroll?.type).toBe(1);
    expect(enroll?.options.map((o) => [o.name, o.type])).toEqual([
      ["client", 6],
      ["therapist", 6],
      ["schedule", 3],
      ["tz", 3],
      ["delay", 3],
      ["locale", 3],
      ["delivery", 3],
    ]);
    expect(enroll?.options.find((o) => o.name === "tz")?.autocomplete).toBe(true);
    expect(command?.options.map((o) => o.name)).toEqual(expect.arrayContaining(["pause", "erase-me", "settings", "help", "audit"]));
  });

  it("re-registers idempotently on restart", async () => {
    const fake = await FakeDiscord.start();
    fakes.push(fake);
    const first = await startDiscordRig(new RecordingInbound(), { existingFake: fake });
    await first.platform.start();
    const firstId = fake.commands.get(fake.guildId)?.[0]?.id;
    await first.platform.stop();
    await first.platform.stop(); // idempotent
    const second = await startDiscordRig(new RecordingInbound(), { existingFake: fake });
    rigs.push(second);
    await second.platform.start();
    // Each start puts the guild command and the bot DM's global command once.
    expect(fake.callsTo("PUT", /guilds\/\d+\/commands$/)).toHaveLength(2);
    expect(fake.callsTo("PUT", /applications\/\d+\/commands$/)).toHaveLength(2);
    expect(fake.commands.get(fake.guildId)).toHaveLength(1);
    expect(fake.commands.get(fake.guildId)?.[0]?.id).toBe(firstId);
    expect(fake.globalCommands.map((c) => c.name)).toEqual(["checkin"]);
  });
});

describe("Discord adapter: gateway", () => {
  it("resumes after a dropped connection and keeps handling interactions", async () => {
    const inbound = new RecordingInbound();
    const rig = await started(inbound);
    rig.fake.dropConnections();
    const deadline = Date.now() + 5000;
    while (rig.fake.resumes.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(rig.fake.resumes).toHaveLength(1);
    expect(rig.fake.identifies).toHaveLength(1);
    await rig.settled(rig.fake.slashCommand(ADMIN, "list"));
    expect(inbound.events).toHaveLength(1);
  });
});

describe("Discord adapter: slash commands", () => {
  it("turns typed options into the grammar text, defers ephemerally and edits the reply", async () => {
    const inbound = new RecordingInbound();
    inbound.answer = () => ({ text: "Enrolled." });
    const rig = await started(inbound);
    const record = await rig.settled(
      rig.fake.slashCommand(ADMIN, "enroll", [
        { name: "client", type: "user", value: CLIENT },
        { name: "therapist", type: "user", value: THERAPIST },
        { name: "schedule", type: "string", value: "tue 17:00 50m" },
        { name: "tz", type: "string", value: "Europe/Bucharest" },
        { name: "locale", type: "string", value: "ro" },
      ]),
    );
    const event = inbound.events[0] as CommandEvent;
    expect(event).toEqual({
      type: "command",
      text: `enroll <@${CLIENT}> <@${THERAPIST}> tue 17:00 50m tz=Europe/Bucharest locale=ro`,
      actor: { platform: "discord", workspaceId: rig.fake.guildId, userId: ADMIN, isPlatformAdmin: true },
      deliveryId: record.id,
    });
    expect(record.callbacks[0]).toEqual({ type: 5, data: { flags: 64 } });
    expect(record.original?.content).toBe("Enrolled.");
  });

  it("writes pause until as until=", async () => {
    const inbound = new RecordingInbound();
    const rig = await started(inbound);
    await rig.settled(rig.fake.slashCommand(CLIENT, "pause", [{ name: "until", type: "string", value: "2030-01-31" }]));
    expect((inbound.events[0] as CommandEvent).text).toBe("pause until=2030-01-31");
  });

  it("marks a member without Manage Server as not admin, and the admin role as admin", async () => {
    const inbound = new RecordingInbound();
    const rig = await started(inbound, { adminRoleId: ADMIN_ROLE, fake: { roleIds: [ADMIN_ROLE] } });
    rig.fake.addMember({ userId: STRANGER });
    await rig.settled(rig.fake.slashCommand(STRANGER, "list"));
    rig.fake.addMember({ userId: STRANGER, roles: [ADMIN_ROLE] });
    await rig.settled(rig.fake.slashCommand(STRANGER, "list"));
    await rig.settled(rig.fake.slashCommand(ADMIN, "list"));
    expect(inbound.events.map((e) => e.actor.isPlatformAdmin)).toEqual([false, true, true]);
  });

  it("delivers the same interaction id twice with the same delivery id", async () => {
    const inbound = new RecordingInbound();
    inbound.answer = () => (inbound.events.length > 1 ? { text: "Already done.", duplicate: true } : { text: "Done." });
    const rig = await started(inbound);
    const record = await rig.settled(rig.fake.slashCommand(ADMIN, "list"));
    await rig.settled(rig.fake.redeliver(rig.fake.payloads.get(record.id) ?? {}));
    expect(inbound.events).toHaveLength(2);
    expect(inbound.events.map((e) => e.deliveryId)).toEqual([record.id, record.id]);
  });

  it("does not ask the engine again when Discord refuses a second acknowledgement, and logs that at debug", async () => {
    const inbound = new RecordingInbound();
    const logger = capturingLogger();
    const rig = await started(inbound, { fake: { rejectRepeatedAcks: true }, logger });
    const record = await rig.settled(rig.fake.slashCommand(ADMIN, "list"));
    const button = await rig.settled(rig.fake.slashCommand(ADMIN, "help"));
    await rig.settled(rig.fake.redeliver(rig.fake.payloads.get(record.id) ?? {}));
    await rig.settled(rig.fake.redeliver(rig.fake.payloads.get(button.id) ?? {}));
    expect(inbound.events).toHaveLength(2);
    const lines = logger.lines as { level: string; msg: string; discordCode?: number }[];
    expect(lines.filter((l) => l.discordCode === 40060).map((l) => l.level)).toEqual(["debug", "debug"]);
    expect(lines.filter((l) => l.level === "error")).toEqual([]);
  });

  it("splits a reply longer than 2000 characters into follow-ups", async () => {
    const inbound = new RecordingInbound();
    inbound.answer = () => ({ text: `${"a".repeat(1500)}\n${"b".repeat(1500)}` });
    const rig = await started(inbound);
    const record = await rig.settled(rig.fake.slashCommand(ADMIN, "list"));
    expect(record.original?.content).toBe("a".repeat(1500));
    expect(record.followUps.map((m) => [m.content, m.flags])).toEqual([["b".repeat(1500), 64]]);
  });

  it("answers autocomplete for time zones and locales without asking the engine", async () => {
    const inbound = new RecordingInbound();
    const rig = await started(inbound);
    const tz = await rig.settled(
      rig.fake.slashCommand(ADMIN, "enroll", [{ name: "tz", type: "string", value: "europe/buc", focused: true }], { autocomplete: true }),
    );
    expect(tz.callbacks[0]?.type).toBe(8);
    const choices = (tz.callbacks[0]?.data as { choices: { value: string }[] }).choices;
    expect(choices.map((c) => c.value)).toContain("Europe/Bucharest");
    const all = await rig.settled(
      rig.fake.slashCommand(ADMIN, "enroll", [{ name: "tz", type: "string", value: "", focused: true }], { autocomplete: true }),
    );
    expect((all.callbacks[0]?.data as { choices: unknown[] }).choices).toHaveLength(25);
    const locale = await rig.settled(
      rig.fake.slashCommand(ADMIN, "enroll", [{ name: "locale", type: "string", value: "r", focused: true }], { autocomplete: true }),
    );
    expect((locale.callbacks[0]?.data as { choices: { value: string }[] }).choices.map((c) => c.value)).toEqual(["ro"]);
    expect(inbound.events).toHaveLength(0);
  });
});

describe("Discord adapter: direct messages", () => {
  it("sends a prompt DM whose buttons fit Discord's limits", async () => {
    const rig = await started(new RecordingInbound());
    const result = await rig.platform.sendDirect(recipient(rig, CLIENT), promptView("ck1", { talked: true }));
    expect(result.ok).toBe(true);
    const [message] = rig.fake.messagesTo(CLIENT);
    expect(message?.components.length).toBeLessThanOrEqual(5);
    for (const row of message?.components ?? []) expect(row.components.length).toBeLessThanOrEqual(5);
    const ids = message?.components.flatMap((r) => r.components.map((c) => c.custom_id ?? "")) ?? [];
    expect(ids).toHaveLength(3 * 5 + 3 + 3 + 2);
    // The custom id is the action id itself: no guild rides on it (the engine finds the practice).
    expect(ids.every((id) => id.length <= 100 && id === actionIdOf(id) && !id.includes(rig.fake.guildId))).toBe(true);
    expect(message?.content).toContain("Talked-through question");
  });

  it("maps Discord 50007 to a permanent cannot_dm", async () => {
    const rig = await started(new RecordingInbound());
    rig.fake.failNext("POST", /^\/channels\/\d+\/messages$/, 403, { message: "Cannot send messages to this user", code: 50007 });
    const result = await rig.platform.sendDirect(recipient(rig, CLIENT), promptView("ck1"));
    expect(result).toEqual({ ok: false, code: "cannot_dm", failure: "recipient_unreachable" });
  });

  it("returns rate_limited with retryAfterMs at once on a 429", async () => {
    const rig = await started(new RecordingInbound());
    rig.fake.rateLimitNext("POST", /^\/channels\/\d+\/messages$/, 3);
    const began = Date.now();
    const result = await rig.platform.sendDirect(recipient(rig, CLIENT), alertView("al1", CLIENT));
    expect(Date.now() - began).toBeLessThan(1000);
    expect(result).toMatchObject({ ok: false, code: "rate_limited", failure: "rate_limited" });
    const retryAfterMs = result.ok ? 0 : (result.retryAfterMs ?? 0);
    expect(retryAfterMs).toBeGreaterThanOrEqual(3000);
    expect(retryAfterMs).toBeLessThan(3500);
  });

  it("checks reachability: guild membership and an openable DM", async () => {
    const rig = await started(new RecordingInbound());
    expect(await rig.platform.checkReachable?.(recipient(rig, CLIENT))).toEqual({ ok: true });
    expect(await rig.platform.checkReachable?.(recipient(rig, STRANGER))).toEqual({ ok: false, code: "not_in_guild" });
    rig.fake.failNext("POST", /^\/users\/@me\/channels$/, 403, { message: "Cannot send messages to this user", code: 50007 });
    expect(await rig.platform.checkReachable?.(recipient(rig, THERAPIST))).toEqual({ ok: false, code: "cannot_dm" });
  });

  it("updates and deletes its own messages, and sends files", async () => {
    const rig = await started(new RecordingInbound());
    const sent = await rig.platform.sendDirect(recipient(rig, CLIENT), promptView("ck1"));
    if (!sent.ok) throw new Error(sent.code);
    expect(await rig.platform.update(recipient(rig, CLIENT), sent.ref, { kind: "closed", text: "Closed." })).toEqual(sent);
    expect(rig.fake.messagesTo(CLIENT)[0]).toMatchObject({ content: "Closed.", components: [] });
    expect(await rig.platform.delete?.(recipient(rig, CLIENT), sent.ref)).toEqual(sent);
    expect(rig.fake.messagesTo(CLIENT)[0]?.deleted).toBe(true);
    expect(await rig.platform.update(recipient(rig, CLIENT), sent.ref, { kind: "closed", text: "x" })).toMatchObject({ ok: false, code: "unknown_message", failure: "payload_rejected" });
    const file = await rig.platform.sendFile?.(recipient(rig, CLIENT), { filename: "export.json", contentType: "application/json", content: "{}", comment: "Your export" });
    expect(file?.ok).toBe(true);
    expect(rig.fake.messagesTo(CLIENT)[1]?.attachments.map((a) => a.filename)).toEqual(["export.json"]);
  });
});

describe("Discord adapter: buttons and the comment modal", () => {
  it("defers a score press, passes the action id unchanged and replaces the message", async () => {
    const inbound = new RecordingInbound();
    inbound.answer = () => ({ text: "", replaceMessageText: "Thank you." });
    const rig = await started(inbound);
    const sent = await rig.platform.sendDirect(recipient(rig, CLIENT), promptView("ck1"));
    if (!sent.ok) throw new Error(sent.code);
    const message = rig.fake.messagesTo(CLIENT)[0];
    const customId = message?.components[0]?.components[3]?.custom_id ?? "";
    const record = await rig.settled(rig.fake.pressButton(CLIENT, sent.ref.messageId, customId));
    expect(record.callbacks[0]?.type).toBe(6);
    const event = inbound.events[0] as ActionEvent;
    expect(event).toEqual({
      type: "action",
      actionId: encodeAction({ op: "score", checkInId: "ck1", item: "goal", value: 4 }),
      // A DM names no guild: the engine finds the practice from the check-in.
      actor: { platform: "discord", workspaceId: null, userId: CLIENT, isPlatformAdmin: false },
      deliveryId: record.id,
      messageRef: sent.ref,
    });
    expect(rig.fake.messagesTo(CLIENT)[0]).toMatchObject({ content: "Thank you.", components: [], embeds: [] });
  });

  it("shows a refusal privately for a foreign check-in id", async () => {
    const inbound = new RecordingInbound();
    inbound.answer = () => ({ text: "That check-in is not yours.", refused: true });
    const rig = await started(inbound);
    const sent = await rig.platform.sendDirect(recipient(rig, CLIENT), { kind: "notice", text: "hi", buttons: [{ actionId: "ci:other:skip", label: "Skip" }] });
    if (!sent.ok) throw new Error(sent.code);
    const record = await rig.settled(rig.fake.pressButton(CLIENT, sent.ref.messageId, `${rig.fake.guildId}|ci:other:skip`));
    expect(record.followUps.map((m) => [m.content, m.flags])).toEqual([["That check-in is not yours.", 64]]);
    expect(rig.fake.messagesTo(CLIENT)[0]?.content).toBe("hi");
  });

  it("opens the comment modal with the engine's limit when another process sent the prompt", async () => {
    const rig = await started(new RecordingInbound());
    // A prompt this process never sent: it holds no modal texts for it (another replica sent it).
    const sent = await rig.platform.sendDirect(recipient(rig, CLIENT), { ...promptView("ck9"), commentModal: null });
    if (!sent.ok) throw new Error(sent.code);
    const commentId = rig.fake.messagesTo(CLIENT)[0]?.components.flatMap((r) => r.components).find((c) => c.label === "Add a comment")?.custom_id ?? "";
    const press = await rig.settled(rig.fake.pressButton(CLIENT, sent.ref.messageId, commentId));
    const modal = press.callbacks[0]?.data as { components: { label: string; component: { max_length: number } }[] };
    expect(modal.components[0]?.component.max_length).toBe(DEFAULT_ENGINE_OPTIONS.commentMaxLength);
    expect(modal.components[0]?.label.length).toBeLessThanOrEqual(45);
  });

  it("opens the comment modal as the first response, then submits a CommentEvent", async () => {
    const inbound = new RecordingInbound();
    inbound.answer = () => ({ text: "Comment saved." });
    const logger = capturingLogger();
    const rig = await started(inbound, { logger });
    const sent = await rig.platform.sendDirect(recipient(rig, CLIENT), promptView("ck1"));
    if (!sent.ok) throw new Error(sent.code);
    const commentId = rig.fake.messagesTo(CLIENT)[0]?.components.flatMap((r) => r.components).find((c) => c.label === "Add a comment")?.custom_id ?? "";
    const press = await rig.settled(rig.fake.pressButton(CLIENT, sent.ref.messageId, commentId));
    expect(inbound.events).toHaveLength(0);
    expect(press.callbacks).toHaveLength(1);
    expect(press.callbacks[0]?.type).toBe(9);
    const modal = press.callbacks[0]?.data as { custom_id: string; title: string; components: { label: string; component: { max_length: number } }[] };
    expect(modal.title).toBe("Your comment");
    expect(modal.components[0]?.label).toBe("Anything to add?");
    expect(modal.components[0]?.component.max_length).toBe(500);

    const secret = "I am thinking of quitting";
    const submit = await rig.settled(rig.fake.submitModal(CLIENT, sent.ref.messageId, modal.custom_id, { comment: secret }));
    const event = inbound.events[0] as CommentEvent;
    expect(event).toEqual({
      type: "comment",
      checkInId: "ck1",
      text: secret,
      // A DM names no guild: the engine finds the practice from the check-in.
      actor: { platform: "discord", workspaceId: null, userId: CLIENT, isPlatformAdmin: false },
      deliveryId: submit.id,
    });
    expect(submit.callbacks[0]).toEqual({ type: 5, data: { flags: 64 } });
    expect(submit.original?.content).toBe("Comment saved.");
    expect(JSON.stringify(logger.lines)).not.toContain("quitting");
  });

  it("falls back to the button's label for the modal after a restart forgot the prompt", async () => {
    const inbound = new RecordingInbound();
    const rig = await started(inbound);
    const sent = await rig.platform.sendDirect(recipient(rig, CLIENT), { kind: "notice", text: "hi", buttons: [{ actionId: "ci:ck9:comment", label: "Add a comment" }] });
    if (!sent.ok) throw new Error(sent.code);
    const customId = rig.fake.messagesTo(CLIENT)[0]?.components[0]?.components[0]?.custom_id ?? "";
    const press = await rig.settled(rig.fake.pressButton(CLIENT, sent.ref.messageId, customId));
    expect(press.callbacks[0]).toMatchObject({ type: 9, data: { title: "Add a comment" } });
  });

  it("logs and survives an engine failure, showing a neutral mark", async () => {
    const inbound = new RecordingInbound();
    inbound.answer = () => {
      throw new Error("boom");
    };
    const logger = capturingLogger();
    const rig = await started(inbound, { logger });
    const record = await rig.settled(rig.fake.slashCommand(ADMIN, "list"));
    expect(record.original?.content).toBe("⚠️");
    expect(logger.lines).toContainEqual(expect.objectContaining({ level: "error", msg: "inbound port failed", deliveryId: record.id }));
  });
});

describe("Discord adapter: roles and send failures from Discord at request time", () => {
  it("resolves a member's current role from Discord and sees a demotion and a departure", async () => {
    const rig = await startDiscordRig(new RecordingInbound(), { adminRoleId: ADMIN_ROLE, fake: { roleIds: [ADMIN_ROLE], ownerId: STRANGER }, roleCacheMs: 0 });
    rigs.push(rig);
    rig.fake.addMember({ userId: ADMIN, permissions: MemberPermissions | ManageGuild });
    rig.fake.addMember({ userId: THERAPIST, roles: [ADMIN_ROLE] });
    rig.fake.addMember({ userId: CLIENT });
    await rig.platform.start();
    const role = (userId: string) => rig.platform.currentRole(recipient(rig, userId));
    expect([await role(ADMIN), await role(THERAPIST), await role(CLIENT)]).toEqual(["admin", "admin", "member"]);
    // Manage Server taken away, the admin role removed, the client left the server.
    rig.fake.addMember({ userId: ADMIN, permissions: MemberPermissions });
    rig.fake.addMember({ userId: THERAPIST, roles: [] });
    rig.fake.removeMember(CLIENT);
    expect([await role(ADMIN), await role(THERAPIST), await role(CLIENT)]).toEqual(["member", "member", "absent"]);
    expect(await rig.platform.listAdmins?.(rig.fake.guildId)).toEqual([STRANGER]);
  });

  it("answers unknown, never admin, when Discord cannot be asked", async () => {
    const rig = await started(new RecordingInbound(), { roleCacheMs: 0 });
    // discord.js retries a 5xx itself a few times before giving up.
    rig.fake.failNext("GET", /^\/guilds\/\d+\/members\/\d+$/, 500, { message: "oops", code: 0 }, undefined, 4);
    expect(await rig.platform.currentRole(recipient(rig, ADMIN))).toBe("unknown");
    expect(await rig.platform.currentRole(recipient(rig, ADMIN))).toBe("admin");
  });

  it.each([
    [401, 0, "bot_misconfigured"],
    [403, 50001, "bot_misconfigured"],
    [403, 50013, "bot_misconfigured"],
    [404, 0, "bot_misconfigured"],
    [400, 50035, "payload_rejected"],
    [503, 0, "transient"],
  ])("classifies HTTP %i / code %i as %s, never as the recipient's fault", async (status, code, failure) => {
    const rig = await started(new RecordingInbound());
    rig.fake.failNext("POST", /^\/channels\/\d+\/messages$/, status, { message: "failed", code }, undefined, status >= 500 ? 4 : 1);
    const result = await rig.platform.sendDirect(recipient(rig, CLIENT), promptView("ck1"));
    expect(result).toMatchObject({ ok: false, failure });
  });
});
