// People, roles and reachability through the real discord.js client and the real engine: rights
// follow Discord at each action, admin notices reach every current admin, people named in a
// command are resolved through a member lookup, and an unreachable client recovers.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { InboundEvent, InboundPort, Reply } from "../../../src/ports/inbound.ts";
import { ADMIN_LIST_TTL_MS } from "../../../src/core/notify.ts";
import type { EngineFixture } from "../../support/engine-fixture.ts";
import { FakeDiscord } from "../../support/fake-discord.ts";
import type { InteractionRecord } from "../../support/fake-discord.ts";
import type { CommandOption } from "../../support/fake-discord-payloads.ts";
import { MemberPermissions } from "../../support/fake-discord-payloads.ts";
import { attachEngine, startDiscordRig } from "./harness.ts";
import type { DiscordRig } from "./harness.ts";

const ADMIN = "710000000000000001";
const CLIENT = "720000000000000002";
const THERAPIST = "730000000000000003";
const ROLE_ADMIN = "750000000000000005";
const STRANGER = "740000000000000004";
const ADMIN_ROLE = "760000000000000006";

let fake: FakeDiscord;
let rig: DiscordRig;
let fixture: EngineFixture;
const late: { engine: InboundPort | null } = { engine: null };
const inbound: InboundPort = { receive: async (event: InboundEvent): Promise<Reply> => late.engine!.receive(event) };

beforeEach(async () => {
  fake = await FakeDiscord.start({ roleIds: [ADMIN_ROLE] });
  rig = await startDiscordRig(inbound, { existingFake: fake, adminRoleId: ADMIN_ROLE, roleCacheMs: 0 });
  fixture = await attachEngine(rig, late, { admin: ADMIN, client: CLIENT, therapist: THERAPIST });
  fake.addMember({ userId: STRANGER });
});

afterEach(async () => {
  await rig.close();
  await fake.close();
  await fixture.dispose();
});

const user = (name: string, value: string): CommandOption => ({ name, type: "user", value });
const text = (name: string, value: string): CommandOption => ({ name, type: "string", value });
const replyOf = (record: InteractionRecord): string => [record.original?.content ?? "", ...record.followUps.map((m) => m.content)].join("\n");
const run = async (userId: string, subcommand: string, options: CommandOption[] = []): Promise<string> => replyOf(await rig.settled(fake.slashCommand(userId, subcommand, options)));
const enroll = () => run(ADMIN, "enroll", [user("client", CLIENT), user("therapist", THERAPIST), text("schedule", "mon 09:00 50m"), text("tz", "UTC")]);
const dmTexts = (userId: string) => fake.messagesTo(userId).map((m) => m.content);

describe("roles follow Discord", () => {
  it("a member who loses Manage Server loses export, erase and audit at the next action", async () => {
    expect(await enroll()).toContain(`<@${CLIENT}>`);
    expect(await run(ADMIN, "audit", [user("client", CLIENT)])).not.toBe(await run(STRANGER, "audit", [user("client", CLIENT)]));
    fake.addMember({ userId: ADMIN, permissions: MemberPermissions });
    for (const sub of ["export", "erase", "audit"]) {
      expect(await run(ADMIN, sub, [user("client", CLIENT)]), sub).toBe(await run(STRANGER, sub, [user("client", CLIENT)]));
    }
    expect(await run(ADMIN, "list")).toBe(await run(STRANGER, "list"));
  });

  it("a member whose admin role is removed loses admin rights", async () => {
    fake.addMember({ userId: ROLE_ADMIN, roles: [ADMIN_ROLE] });
    expect(await run(ROLE_ADMIN, "settings", [text("key", "tidy"), text("value", "on")])).toContain("tidy");
    fake.addMember({ userId: ROLE_ADMIN, roles: [] });
    expect(await run(ROLE_ADMIN, "list")).toBe(await run(STRANGER, "list"));
  });

  it("sends admin notices to a role admin who only ran list, and not to one who lost the role", async () => {
    expect(await run(ADMIN, "settings", [text("key", "quiet_hours"), text("value", "off")])).toContain("quiet_hours");
    expect(await enroll()).toContain(`<@${CLIENT}>`);
    fake.addMember({ userId: ROLE_ADMIN, roles: [ADMIN_ROLE] });
    await run(ROLE_ADMIN, "list");
    // The admin loses Manage Server and has not acted since.
    fake.addMember({ userId: ADMIN, permissions: MemberPermissions });
    fixture.clock.advance(ADMIN_LIST_TTL_MS + 1);
    fake.failNext("POST", new RegExp(`^/channels/${fake.dmChannelOf(CLIENT) ?? "\\d+"}/messages$`), 403, { message: "Cannot send messages to this user", code: 50007 });
    fixture.clock.set("2026-03-02T10:00:00Z");
    await fixture.engine.tick();
    expect(dmTexts(ROLE_ADMIN).filter((t) => t.includes(`<@${CLIENT}>`))).toHaveLength(1);
    expect(dmTexts(ADMIN).filter((t) => t.includes(`<@${CLIENT}>`))).toEqual([]);
  });
});

/** The practice id and token of the sign-in link in a `/checkin dashboard` reply. */
function signInLink(reply: string): { practiceId: string; token: string } {
  const match = /\/signin\/([A-Za-z0-9_-]+)\/([A-Za-z0-9_-]{43})/.exec(reply);
  if (!match) throw new Error("no sign-in link in the reply");
  return { practiceId: match[1]!, token: match[2]! };
}

describe("demotion reaches dashboard sessions and sign-in links already issued", () => {
  it("a member who loses Manage Server, or the admin role, has no admin rights at the next dashboard request", async () => {
    fake.addMember({ userId: ROLE_ADMIN, roles: [ADMIN_ROLE] });
    // The role admin is also a therapist, so they keep a (non-admin) dashboard after demotion.
    expect(await run(ADMIN, "enroll", [user("client", CLIENT), user("therapist", ROLE_ADMIN), text("schedule", "mon 09:00 50m"), text("tz", "UTC")])).toContain(`<@${CLIENT}>`);
    const auth = fixture.dashboard.auth;
    const used = signInLink(await run(ADMIN, "dashboard"));
    const unused = signInLink(await run(ADMIN, "dashboard"));
    const roleLink = signInLink(await run(ROLE_ADMIN, "dashboard"));
    const roleUnused = signInLink(await run(ROLE_ADMIN, "dashboard"));
    const session = await auth.redeem(used.practiceId, used.token);
    const roleSession = await auth.redeem(roleLink.practiceId, roleLink.token);
    if (!session.ok || !roleSession.ok) throw new Error("sign-in failed");
    expect((await auth.viewer(session.sessionId))?.isAdmin).toBe(true);
    expect((await auth.viewer(roleSession.sessionId))?.isAdmin).toBe(true);

    fake.addMember({ userId: ADMIN, permissions: MemberPermissions });
    fake.addMember({ userId: ROLE_ADMIN, roles: [] });
    // Admin only: the session ends and the unused link signs no one in.
    expect(await auth.viewer(session.sessionId)).toBeNull();
    expect((await auth.redeem(unused.practiceId, unused.token)).ok).toBe(false);
    // Admin and therapist: still signed in, as a therapist only, by session or by the old link.
    expect(await auth.viewer(roleSession.sessionId)).toMatchObject({ isAdmin: false, isTherapist: true });
    const later = await auth.redeem(roleUnused.practiceId, roleUnused.token);
    expect(later.ok && later.viewer).toMatchObject({ isAdmin: false, isTherapist: true });
  });
});

describe("people named in a command are Discord members", () => {
  it("says server, not workspace, when a named person is not a member", async () => {
    fake.addUser("780000000000000008");
    const reply = await run(ADMIN, "enroll", [user("client", "780000000000000008"), user("therapist", THERAPIST), text("schedule", "mon 09:00 50m")]);
    expect(reply).toBe("I can't find <@780000000000000008> in this server. Mention them with @ and pick them from the list.");
    expect(reply).not.toMatch(/workspace/);
    expect(fake.callsTo("GET", /^\/guilds\/\d+\/members\/780000000000000008$/).length).toBeGreaterThan(0);
  });

  it("says server when a member cannot be sent DMs at enrolment", async () => {
    fake.failNext("POST", /^\/users\/@me\/channels$/, 403, { message: "Cannot send messages to this user", code: 50007 });
    const reply = await run(ADMIN, "enroll", [user("client", CLIENT), user("therapist", THERAPIST), text("schedule", "mon 09:00 50m")]);
    expect(reply).toMatch(/Make sure they are a member of this server and allow direct messages/);
  });
});

describe("reachability that recovers on Discord", () => {
  it("after a 50007 and DMs re-opened, /checkin now says the client could not be reached, sends, and everyone hears they are back", async () => {
    expect(await run(ADMIN, "settings", [text("key", "quiet_hours"), text("value", "off")])).toContain("quiet_hours");
    expect(await enroll()).toContain(`<@${CLIENT}>`);
    const channel = fake.dmChannelOf(CLIENT)!;
    fake.failNext("POST", new RegExp(`^/channels/${channel}/messages$`), 403, { message: "Cannot send messages to this user", code: 50007 });
    fixture.clock.set("2026-03-02T10:00:00Z");
    await fixture.engine.tick();
    expect(dmTexts(THERAPIST).filter((t) => /can't be delivered \(cannot_dm\)/.test(t))).toHaveLength(1);
    // The client re-opens DMs; the therapist asks for a check-in now.
    fixture.clock.set("2026-03-03T09:00:00Z");
    const reply = await run(THERAPIST, "now", [user("client", CLIENT)]);
    expect(reply).toMatch(new RegExp(`couldn't reach <@${CLIENT}> last time \\(cannot_dm\\).*allow direct messages from the bot in this server`));
    expect(reply).not.toMatch(/on its way/);
    const before = fake.messagesTo(CLIENT).length;
    await fixture.engine.tick();
    expect(fake.messagesTo(CLIENT).length).toBe(before + 1);
    expect(dmTexts(THERAPIST).filter((t) => /can be reached again/.test(t))).toHaveLength(1);
    const practice = await fixture.store.ensurePractice("discord", fake.guildId);
    expect((await fixture.store.findPerson(practice.id, CLIENT))?.undeliverableAt).toBeNull();
  });

  it("a missing permission (50013) is the bot's problem: the client is not marked and the admins are told once", async () => {
    expect(await enroll()).toContain(`<@${CLIENT}>`);
    const channel = fake.dmChannelOf(CLIENT)!;
    fake.failNext("POST", new RegExp(`^/channels/${channel}/messages$`), 403, { message: "Missing Permissions", code: 50013 }, undefined, 2);
    fixture.clock.set("2026-03-02T10:00:00Z");
    await fixture.engine.tick();
    const practice = await fixture.store.ensurePractice("discord", fake.guildId);
    expect((await fixture.store.findPerson(practice.id, CLIENT))?.undeliverableAt).toBeNull();
    const [row] = await fixture.db.sql.query<{ status: string; dueAt: string | Date }>(`SELECT "status", "dueAt" FROM "CheckIn" WHERE "kind" = 'scheduled' ORDER BY "dueAt" LIMIT 1`);
    expect(row?.status).toBe("scheduled");
    fixture.clock.set(new Date(row!.dueAt));
    await fixture.engine.tick();
    expect(dmTexts(ADMIN).filter((t) => /bot's own setup \(missing_permissions\)/.test(t))).toHaveLength(1);
    expect(dmTexts(THERAPIST).filter((t) => /can't be delivered/.test(t))).toEqual([]);
  });
});
