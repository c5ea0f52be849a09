// People, roles and reachability through the real Bolt app and the real engine: rights follow
// Slack at each action, admin notices reach every current admin, people named in a command are
// resolved through users.info, and an unreachable client recovers.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { HomePort, InboundEvent, InboundPort, Reply } from "../../../src/ports/inbound.ts";
import { appHomeOpened } from "../../support/fake-slack-requests.ts";
import { ADMIN_CACHE_MS } from "../../../adapters/slack/actors.ts";
import { ADMIN_LIST_TTL_MS } from "../../../src/core/notify.ts";
import { createEngineFixture } from "../../support/engine-fixture.ts";
import type { EngineFixture } from "../../support/engine-fixture.ts";
import { bootSlackRig } from "./harness.ts";
import { runSlashCommand } from "./drive.ts";
import type { SlackRig } from "./harness.ts";

const ADMIN = "UADMIN0001";
const LIST_ADMIN = "UADMIN0002";
const CLIENT = "UCLIENT001";
const THERAPIST = "UTHERAP001";

let rig: SlackRig;
let fixture: EngineFixture;

beforeEach(async () => {
  const late: { engine: EngineFixture["engine"] | null } = { engine: null };
  const inbound: InboundPort & HomePort = {
    receive: async (event: InboundEvent): Promise<Reply> => late.engine!.receive(event),
    homeFor: (actor, deliveryId) => late.engine!.homeFor(actor, deliveryId),
  };
  rig = await bootSlackRig(inbound);
  fixture = await createEngineFixture({ platform: rig.adapter, workspaceId: rig.fake.teamId, start: "2026-03-02T08:00:00Z" });
  late.engine = fixture.engine;
  rig.fake.setUser(ADMIN, { isAdmin: true });
  rig.fake.setUser(CLIENT, {});
  rig.fake.setUser(THERAPIST, {});
  await rig.adapter.start();
});

afterEach(async () => {
  await rig.close();
  await fixture.dispose();
});

const command = (userId: string, text: string): Promise<string> => runSlashCommand(rig, userId, text);
const dmTexts = (userId: string) => rig.fake.messagesTo(userId).map((m) => m.text);

describe("roles follow Slack", () => {
  it("a workspace admin who is demoted loses export, erase and audit at the next action", async () => {
    expect(await command(ADMIN, `enroll <@${CLIENT}> <@${THERAPIST}> mon 09:00 50m UTC`)).toContain(`<@${CLIENT}>`);
    expect(await command(ADMIN, `audit <@${CLIENT}>`)).not.toMatch(/only|not allowed/i);
    rig.fake.setUser(ADMIN, { isAdmin: false });
    rig.clock.advance(ADMIN_CACHE_MS + 1);
    const denied = await command(ADMIN, "list");
    expect(denied).toBe(await command("UNOBODY01", "list"));
    expect(await command(ADMIN, `export <@${CLIENT}>`)).toBe(await command("UNOBODY01", `export <@${CLIENT}>`));
    expect(await command(ADMIN, `erase <@${CLIENT}>`)).toBe(await command("UNOBODY01", `erase <@${CLIENT}>`));
    expect(await command(ADMIN, `audit <@${CLIENT}>`)).toBe(await command("UNOBODY01", `audit <@${CLIENT}>`));
  });

  it("sends admin notices to every current admin, including one who never acted, and not to a demoted one", async () => {
    expect(await command(ADMIN, "settings quiet_hours off")).toContain("quiet_hours");
    expect(await command(ADMIN, `enroll <@${CLIENT}> <@${THERAPIST}> mon 09:00 50m UTC`)).toContain(`<@${CLIENT}>`);
    rig.fake.setUser(LIST_ADMIN, { isOwner: true });
    rig.fake.setUser(ADMIN, { isAdmin: false });
    rig.clock.advance(ADMIN_CACHE_MS + 1);
    fixture.clock.advance(ADMIN_LIST_TTL_MS + 1);
    rig.fake.fail("chat.postMessage", { error: "user_disabled", when: (args) => args.channel === rig.fake.dmChannelOf(CLIENT) });
    fixture.clock.set("2026-03-02T10:00:00Z");
    await fixture.engine.tick();
    expect(dmTexts(LIST_ADMIN).filter((t) => t.includes(`<@${CLIENT}>`))).toHaveLength(1);
    expect(dmTexts(ADMIN).filter((t) => t.includes(`<@${CLIENT}>`))).toEqual([]);
    expect(dmTexts(THERAPIST).filter((t) => t.includes(`<@${CLIENT}>`))).toHaveLength(1);
  });
});

/** The practice id and token of the sign-in link in a `/checkin dashboard` reply. */
function signInLink(reply: string): { practiceId: string; token: string } {
  const match = /\/signin\/([A-Za-z0-9_-]+)\/([A-Za-z0-9_-]{43})/.exec(reply);
  if (!match) throw new Error("no sign-in link in the reply");
  return { practiceId: match[1]!, token: match[2]! };
}

describe("demotion reaches dashboard sessions and sign-in links already issued", () => {
  it("a workspace admin who is demoted has no admin rights at the next dashboard request, once Slack's answer is not cached", async () => {
    const BOTH = "UADMTHER01";
    rig.fake.setUser(BOTH, { isAdmin: true });
    // One admin is also a therapist, so they keep a (non-admin) dashboard after demotion.
    expect(await command(ADMIN, `enroll <@${CLIENT}> <@${BOTH}> mon 09:00 50m UTC`)).toContain(`<@${CLIENT}>`);
    const auth = fixture.dashboard.auth;
    const used = signInLink(await command(ADMIN, "dashboard"));
    const unused = signInLink(await command(ADMIN, "dashboard"));
    const bothLink = signInLink(await command(BOTH, "dashboard"));
    const bothUnused = signInLink(await command(BOTH, "dashboard"));
    const session = await auth.redeem(used.practiceId, used.token);
    const bothSession = await auth.redeem(bothLink.practiceId, bothLink.token);
    if (!session.ok || !bothSession.ok) throw new Error("sign-in failed");
    expect((await auth.viewer(session.sessionId))?.isAdmin).toBe(true);
    expect((await auth.viewer(bothSession.sessionId))?.isAdmin).toBe(true);

    rig.fake.setUser(ADMIN, { isAdmin: false });
    rig.fake.setUser(BOTH, { isAdmin: false });
    rig.clock.advance(ADMIN_CACHE_MS + 1);
    expect(await auth.viewer(session.sessionId)).toBeNull();
    expect((await auth.redeem(unused.practiceId, unused.token)).ok).toBe(false);
    expect(await auth.viewer(bothSession.sessionId)).toMatchObject({ isAdmin: false, isTherapist: true });
    const later = await auth.redeem(bothUnused.practiceId, bothUnused.token);
    expect(later.ok && later.viewer).toMatchObject({ isAdmin: false, isTherapist: true });
  });
});

describe("people named in a command are Slack accounts", () => {
  it("refuses a typed @handle with the mention error, and stores no one", async () => {
    const reply = await command(ADMIN, `enroll <@${CLIENT}|carla> @bob.new tue 17:00 50m`);
    expect(reply).toBe('"@bob.new" is typed text, not a mention. Mention them with @ and pick them from the list, so I know exactly who they are.');
    const rows = await fixture.db.sql.query<{ platformUserId: string }>(`SELECT "platformUserId" FROM "Person"`);
    expect(rows.map((r) => r.platformUserId)).not.toContain("bob.new");
    expect(rows.map((r) => r.platformUserId)).not.toContain(CLIENT);
  });

  it("looks each person up with users.info before enrolling, and refuses one Slack does not know", async () => {
    rig.fake.setUser("UNOSUCH01", { exists: false });
    const reply = await command(ADMIN, `enroll <@${CLIENT}> <@UNOSUCH01> tue 17:00 50m`);
    expect(reply).toBe("I can't find <@UNOSUCH01> in this workspace. Mention them with @ and pick them from the list.");
    expect(rig.fake.callsTo("users.info").map((a) => a.user)).toEqual(expect.arrayContaining([CLIENT, "UNOSUCH01"]));
    expect(await fixture.db.sql.query(`SELECT * FROM "Enrollment"`)).toEqual([]);
  });

  it("gives the typed-handle and parse refusals, and an over-long comment's, in the practice's language", async () => {
    expect(await command(ADMIN, "settings locale ro")).toContain("ro");
    expect(await command(ADMIN, `enroll <@${CLIENT}> @bob.new tue 17:00 50m`)).toMatch(/^„@bob\.new” este text scris, nu o mențiune\. Menționează persoana cu @/);
    expect(await command("UNOBODY01", "enrol")).toMatch(/^Nu cunosc subcomanda „enrol”\./);
    const tooLong = await fixture.engine.receive({ type: "comment", actor: fixture.actor("UNOBODY01"), checkInId: "ck1", text: "x".repeat(6001) });
    expect(tooLong.text).toMatch(/^Comentariul este prea lung/);
  });
});

describe("reachability that recovers on Slack", () => {
  it("a client who could not be reached is cleared by their own command, and the therapist is told once", async () => {
    expect(await command(ADMIN, `enroll <@${CLIENT}> <@${THERAPIST}> mon 09:00 50m UTC`)).toContain(`<@${CLIENT}>`);
    rig.fake.fail("chat.postMessage", { error: "is_archived", when: (args) => args.channel === rig.fake.dmChannelOf(CLIENT) });
    fixture.clock.set("2026-03-02T10:00:00Z");
    await fixture.engine.tick();
    expect(dmTexts(THERAPIST).filter((t) => /can't be delivered \(is_archived\)/.test(t))).toHaveLength(1);
    await command(CLIENT, "help");
    expect(dmTexts(THERAPIST).filter((t) => /can be reached again/.test(t))).toHaveLength(1);
    await command(CLIENT, "help");
    expect(dmTexts(THERAPIST).filter((t) => /can be reached again/.test(t))).toHaveLength(1);
  });

  it("a revoked token or missing scope never marks the client", async () => {
    expect(await command(ADMIN, `enroll <@${CLIENT}> <@${THERAPIST}> mon 09:00 50m UTC`)).toContain(`<@${CLIENT}>`);
    rig.fake.fail("chat.postMessage", { error: "missing_scope", when: (args) => args.channel === rig.fake.dmChannelOf(CLIENT) });
    fixture.clock.set("2026-03-02T10:00:00Z");
    await fixture.engine.tick();
    const practice = await fixture.store.ensurePractice("slack", rig.fake.teamId);
    expect((await fixture.store.findPerson(practice.id, CLIENT))?.undeliverableAt).toBeNull();
    expect(dmTexts(ADMIN).filter((t) => /bot's own setup \(missing_scope\)/.test(t))).toHaveLength(1);
  });
});

describe("Slack events are deduplicated", () => {
  it("publishes the Home view once for an app_home_opened event and its retries", async () => {
    const delivery = appHomeOpened({ teamId: rig.fake.teamId, userId: CLIENT, eventId: "EvHOME1" });
    for (let retry = 0; retry < 3; retry += 1) {
      const result = await rig.sender().send(delivery, retry > 0 ? { retryNum: retry } : {});
      expect(result.status).toBe(200);
    }
    await rig.adapter.idle();
    expect(rig.fake.callsTo("views.publish")).toHaveLength(1);
    // A new opening (a new event id) publishes again.
    await rig.sender().send(appHomeOpened({ teamId: rig.fake.teamId, userId: CLIENT, eventId: "EvHOME2" }));
    await rig.adapter.idle();
    expect(rig.fake.callsTo("views.publish")).toHaveLength(2);
  });
});
