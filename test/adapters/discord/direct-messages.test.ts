// The bot DM on Discord, through the real discord.js client and the real engine: a client runs
// their own /checkin subcommands where check-ins arrive (the global command allowed in the bot
// DM); one enrolled with two practices (two servers) is asked which one, privately and in their
// language; button ids carry no guild, and a press is placed in its practice by its check-in.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { InboundEvent, InboundPort, Reply } from "../../../src/ports/inbound.ts";
import { decodeAction } from "../../../src/ports/action-ids.ts";
import { actionIdOf } from "../../../adapters/discord/render.ts";
import { DM_SUBCOMMANDS } from "../../../adapters/discord/commands.ts";
import { translate } from "../../../src/i18n/index.ts";
import type { EngineFixture } from "../../support/engine-fixture.ts";
import { createEngineFixture } from "../../support/engine-fixture.ts";
import { FakeDiscord } from "../../support/fake-discord.ts";
import type { FakeMessage, InteractionRecord } from "../../support/fake-discord.ts";
import type { CommandOption } from "../../support/fake-discord-payloads.ts";
import { ManageGuild, MemberPermissions } from "../../support/fake-discord-payloads.ts";
import { startDiscordRig } from "./harness.ts";
import type { DiscordRig } from "./harness.ts";

const GUILD_A = "100000000000000001";
const GUILD_B = "100000000000000021";
const ADMIN_A = "810000000000000001";
const ADMIN_B = "810000000000000011";
const CLIENT = "820000000000000002";
const THERAPIST_A = "830000000000000003";
const THERAPIST_B = "830000000000000013";
const STRANGER = "840000000000000004";

let fake: FakeDiscord;
let rig: DiscordRig;
let f: EngineFixture;
const late: { engine: InboundPort | null } = { engine: null };
const inbound: InboundPort = { receive: async (event: InboundEvent): Promise<Reply> => late.engine!.receive(event) };

beforeEach(async () => {
  fake = await FakeDiscord.start({ guildId: GUILD_A, guildName: "Riverside Practice", extraGuilds: [{ id: GUILD_B, name: "Hillside Clinic" }] });
  rig = await startDiscordRig(inbound, { existingFake: fake, roleCacheMs: 0 });
  f = await createEngineFixture({ platform: rig.platform, workspaceId: GUILD_A, start: "2026-03-02T08:00:00Z" });
  late.engine = f.engine;
  for (const [guild, admin, therapist] of [[GUILD_A, ADMIN_A, THERAPIST_A], [GUILD_B, ADMIN_B, THERAPIST_B]] as const) {
    fake.addMember({ userId: admin, permissions: MemberPermissions | ManageGuild }, guild);
    fake.addMember({ userId: therapist }, guild);
  }
  fake.addMember({ userId: STRANGER });
  await rig.platform.start();
});

afterEach(async () => {
  await rig.close();
  await fake.close();
  await f.dispose();
});

const user = (name: string, value: string): CommandOption => ({ name, type: "user", value });
const text = (name: string, value: string): CommandOption => ({ name, type: "string", value });
const replyOf = (record: InteractionRecord): string => [record.original?.content ?? "", ...record.followUps.map((m) => m.content)].join("\n").trim();
/** Buttons on the private reply (the deferred reply or its follow-ups). */
const replyButtons = (record: InteractionRecord): { label: string; customId: string }[] =>
  [record.original, ...record.followUps].flatMap((m) => (m?.components ?? []).flatMap((row) => row.components.map((c) => ({ label: c.label ?? "", customId: c.custom_id ?? "" }))));

async function enrollIn(guild: string, opts: { locale?: string } = {}): Promise<void> {
  const admin = guild === GUILD_A ? ADMIN_A : ADMIN_B;
  const therapist = guild === GUILD_A ? THERAPIST_A : THERAPIST_B;
  fake.addMember({ userId: CLIENT }, guild);
  const options = [user("client", CLIENT), user("therapist", therapist), text("schedule", "mon 09:00 50m"), text("tz", "UTC"), ...(opts.locale ? [text("locale", opts.locale)] : [])];
  const reply = replyOf(await rig.settled(fake.slashCommand(admin, "enroll", options, { guildId: guild })));
  expect(reply).toContain(`<@${CLIENT}>`);
}

async function enrollmentIn(guild: string) {
  const practice = await f.store.findPractice("discord", guild);
  const client = practice ? await f.store.findPerson(practice.id, CLIENT) : null;
  return client ? f.store.currentEnrollmentForClient(client.id) : null;
}

const dm = (subcommand: string, options: CommandOption[] = [], userId = CLIENT) => rig.settled(fake.dmSlashCommand(userId, subcommand, options));

function buttonWhere(message: FakeMessage | undefined, test: (actionId: string) => boolean): string {
  const id = message?.components.flatMap((row) => row.components).find((c) => c.custom_id && test(actionIdOf(c.custom_id)))?.custom_id;
  if (!id) throw new Error("button not found");
  return id;
}

describe("/checkin in the bot DM", () => {
  it("is registered as a global command allowed only in the bot DM, with the client's own subcommands and no person options", () => {
    const global = fake.globalCommands.find((c) => c.name === "checkin") as { contexts: number[]; integration_types: number[]; options: { name: string; options?: { type: number }[] }[] } | undefined;
    expect(global?.contexts).toEqual([1]);
    expect(global?.integration_types).toEqual([0]);
    const names = global?.options.map((o) => o.name) ?? [];
    expect(names.sort()).toEqual([...DM_SUBCOMMANDS].sort());
    for (const name of ["pause", "resume", "stop", "mydata", "erase-me", "privacy", "help"]) expect(names).toContain(name);
    expect(global?.options.flatMap((o) => o.options ?? []).some((o) => o.type === 6)).toBe(false);
    // The server command stays a guild command, in each server.
    for (const guild of [GUILD_A, GUILD_B]) expect(fake.commands.get(guild)?.map((c) => c.name)).toEqual(["checkin"]);
  });

  it("a client with one practice pauses, resumes, sees their data and starts an erasure from the DM", async () => {
    await enrollIn(GUILD_A);
    const until = await dm("pause", [text("until", "2026-04-01")]);
    expect(replyOf(until)).toContain("2026-04-01");
    expect((await enrollmentIn(GUILD_A))?.pausedUntil).not.toBeNull();
    const paused = await dm("pause");
    expect(replyOf(paused)).toBe(translate("en", "command.self.paused", { until: "" }));
    expect((await enrollmentIn(GUILD_A))?.status).toBe("paused");
    expect(replyOf(await dm("resume"))).toBe(translate("en", "command.self.resumed"));
    expect((await enrollmentIn(GUILD_A))?.status).toBe("active");
    const mine = await dm("mydata");
    expect(replyOf(mine).length).toBeGreaterThan(0);
    expect(replyOf(mine)).not.toContain(translate("en", "direct.no_practice"));
    const erase = replyOf(await dm("erase-me"));
    expect(erase).toMatch(/confirm/i);
    // Nothing is erased before the code is typed.
    expect(await enrollmentIn(GUILD_A)).not.toBeNull();
    expect(replyOf(await dm("privacy"))).toContain("/checkin");
  });

  it("someone the bot has no check-ins for is told to use their practice's server", async () => {
    expect(replyOf(await dm("pause", [], STRANGER))).toBe(translate("en", "direct.no_practice"));
  });
});

describe("which practice?", () => {
  it("a client with two practices is asked which one, with each server's name, and the answer acts in that practice only", async () => {
    await enrollIn(GUILD_A);
    await enrollIn(GUILD_B);
    const asked = await dm("pause");
    expect(replyOf(asked)).toBe(translate("en", "direct.pick_practice"));
    expect(asked.callbacks[0]).toEqual({ type: 5, data: { flags: 64 } });
    const choices = replyButtons(asked);
    expect(choices.map((c) => c.label)).toEqual(["Riverside Practice", "Hillside Clinic"]);
    // Nothing happened yet.
    expect((await enrollmentIn(GUILD_A))?.status).toBe("active");
    expect((await enrollmentIn(GUILD_B))?.status).toBe("active");

    const hillside = choices.find((c) => c.label === "Hillside Clinic")!;
    expect(decodeAction(hillside.customId)).toMatchObject({ op: "in", command: "pause" });
    const picked = await rig.settled(fake.pressCrafted(CLIENT, hillside.customId));
    expect(replyOf(picked)).toContain(translate("en", "command.self.paused", { until: "" }).replace(".", "").trim());
    expect((await enrollmentIn(GUILD_B))?.status).toBe("paused");
    expect((await enrollmentIn(GUILD_A))?.status).toBe("active");

    // The same button pressed by someone without check-ins in that practice is refused.
    const stranger = await rig.settled(fake.pressCrafted(STRANGER, hillside.customId));
    expect(replyOf(stranger)).toBe(translate("en", "direct.unknown_practice"));
  });

  it("asks in the client's language (ro)", async () => {
    await enrollIn(GUILD_A, { locale: "ro" });
    await enrollIn(GUILD_B, { locale: "ro" });
    const asked = await dm("stop");
    expect(replyOf(asked)).toBe(translate("ro", "direct.pick_practice"));
    expect(replyButtons(asked)).toHaveLength(2);
    // Stop is not run before a practice is picked.
    expect((await enrollmentIn(GUILD_A))?.status).not.toBe("ended");
    expect((await enrollmentIn(GUILD_B))?.status).not.toBe("ended");
  });

  it("a command that cannot ride on a button is sent back to the server, in the client's language", async () => {
    await enrollIn(GUILD_A);
    await enrollIn(GUILD_B);
    const long = await dm("help", [text("topic", `enroll ${"x".repeat(60)}`)]);
    expect(replyOf(long)).toBe(translate("en", "direct.pick_in_server"));
    expect(replyButtons(long)).toEqual([]);
  });
});

describe("button presses are placed by their check-in", () => {
  async function promptFrom(guild: string): Promise<FakeMessage> {
    await enrollIn(guild);
    const practice = await f.store.findPractice("discord", guild);
    f.clock.set("2026-03-02T10:00:00Z");
    await f.engine.tick();
    // Consent first: the last DM is the consent request of the practice that just sent.
    const consent = fake.messagesTo(CLIENT).at(-1);
    const yes = buttonWhere(consent, (a) => a.startsWith("consent:") && a.endsWith(":yes"));
    await rig.settled(fake.pressButton(CLIENT, consent!.id, yes));
    const prompt = fake.messagesTo(CLIENT).at(-1)!;
    expect(practice).not.toBeNull();
    return prompt;
  }

  it("a press on a prompt from the second server answers that server's check-in; no custom id carries a guild", async () => {
    // Only the second server's enrollment has a check-in due now.
    await enrollIn(GUILD_A);
    const a = await enrollmentIn(GUILD_A);
    await f.store.updateEnrollment(a!.id, { status: "paused" });
    await f.store.cancelScheduledCheckIns(a!.id, f.clock.now());
    const prompt = await promptFrom(GUILD_B);
    const ids = prompt.components.flatMap((row) => row.components.map((c) => c.custom_id ?? ""));
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.some((id) => id.includes(GUILD_A) || id.includes(GUILD_B) || id.includes("|"))).toBe(false);

    const goal = buttonWhere(prompt, (id) => id.endsWith(":goal:4"));
    const checkInId = (decodeAction(goal) as { checkInId: string }).checkInId;
    const context = await f.store.checkInContext(checkInId);
    expect(context?.practice.externalId).toBe(GUILD_B);
    await rig.settled(fake.pressButton(CLIENT, prompt.id, goal));
    expect((await f.store.getResponse(checkInId))?.goal).toBe(4);
  });

  it("a button sent by an earlier version (guild id in front) still works, and its guild is ignored", async () => {
    const prompt = await promptFrom(GUILD_B);
    const task = actionIdOf(buttonWhere(prompt, (id) => id.endsWith(":task:5")));
    const checkInId = (decodeAction(task) as { checkInId: string }).checkInId;
    // The old format named the guild; even a wrong one does not move the press to another practice.
    await rig.settled(fake.pressCrafted(CLIENT, `${GUILD_A}|${task}`));
    expect((await f.store.getResponse(checkInId))?.task).toBe(5);
    const other = await rig.settled(fake.pressCrafted(STRANGER, `${GUILD_B}|${task}`));
    expect(replyOf(other)).toBe(translate("en", "answer.not_yours"));
    expect((await f.store.getResponse(checkInId))?.task).toBe(5);
  });
});
