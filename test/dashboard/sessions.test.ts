// Dashboard sign-in links and sessions on a real database: issued by `/checkin dashboard`,
// single use, 10 minutes, bound to one person in one practice; sessions end after 12 hours
// idle, at `/checkin signout`, and when the person loses their role.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEngineFixture } from "../support/engine-fixture.ts";
import type { EngineFixture } from "../support/engine-fixture.ts";
import { SESSION_IDLE_MS, SIGN_IN_TTL_MS } from "../../src/dashboard/sessions.ts";
import { hashSecret, newSecret } from "../../src/security/web-tokens.ts";

let f: EngineFixture;

beforeEach(async () => {
  f = await createEngineFixture();
  const enrolled = await f.command("dana", "enroll alice bob mon 09:00 50m UTC", { admin: true });
  expect(enrolled.refused).toBeFalsy();
});
afterEach(async () => f.dispose());

/** Runs `/checkin dashboard` as the user and returns the link's practice id and token. */
async function linkFor(userId: string, opts: { admin?: boolean } = {}): Promise<{ practiceId: string; token: string; text: string }> {
  const reply = await f.command(userId, "dashboard", opts);
  expect(reply.refused, reply.text).toBeFalsy();
  const match = /http:\/\/localhost:3000\/signin\/([A-Za-z0-9_-]+)\/([A-Za-z0-9_-]{43})/.exec(reply.text);
  expect(match, reply.text).not.toBeNull();
  return { practiceId: match![1]!, token: match![2]!, text: reply.text };
}

describe("sign-in links", () => {
  it("a therapist's link signs them in once, as themselves in their practice", async () => {
    const link = await linkFor("bob");
    const first = await f.dashboard.auth.redeem(link.practiceId, link.token);
    expect(first.ok).toBe(true);
    if (!first.ok) return;
    expect(first.viewer.person.platformUserId).toBe("bob");
    expect(first.viewer.isTherapist).toBe(true);
    expect(first.viewer.isAdmin).toBe(false);
    expect(first.viewer.practice.id).toBe(link.practiceId);
    const viewer = await f.dashboard.auth.viewer(first.sessionId);
    expect(viewer?.person.platformUserId).toBe("bob");
    // Reused: refused.
    expect((await f.dashboard.auth.redeem(link.practiceId, link.token)).ok).toBe(false);
  });

  it("an admin (platform admin without a stored flag) gets a link too; the reply is in their language", async () => {
    await f.command("dana", "settings locale ro", { admin: true });
    const link = await linkFor("erin", { admin: true });
    expect(link.text).toMatch(/Linkul tău de conectare/);
    const used = await f.dashboard.auth.redeem(link.practiceId, link.token);
    expect(used.ok && used.viewer.isAdmin).toBe(true);
  });

  it("refuses clients and strangers, and writes no link for them", async () => {
    for (const who of ["alice", "mallory"]) {
      const reply = await f.command(who, "dashboard");
      expect(reply.refused).toBe(true);
      expect(reply.text).toMatch(/can't do that/);
    }
    const rows = await f.db.sql.query(`SELECT COUNT(*) AS "n" FROM "WebSignIn"`);
    expect(Number(rows[0]?.n)).toBe(0);
  });

  it("expires after 10 minutes", async () => {
    const link = await linkFor("bob");
    f.clock.advance(SIGN_IN_TTL_MS);
    expect((await f.dashboard.auth.redeem(link.practiceId, link.token)).ok).toBe(false);
    const fresh = await linkFor("bob");
    f.clock.advance(SIGN_IN_TTL_MS - 1000);
    expect((await f.dashboard.auth.redeem(fresh.practiceId, fresh.token)).ok).toBe(true);
  });

  it("refuses forged and malformed tokens", async () => {
    const link = await linkFor("bob");
    for (const token of [newSecret(), link.token.slice(0, -1) + (link.token.endsWith("A") ? "B" : "A"), "", "x".repeat(43) + "y", "../../etc", link.token + "="]) {
      expect((await f.dashboard.auth.redeem(link.practiceId, token)).ok).toBe(false);
    }
    expect((await f.dashboard.auth.redeem(link.practiceId, link.token)).ok).toBe(true);
  });

  it("a link named with another practice is refused and used up", async () => {
    const link = await linkFor("bob");
    const other = await f.store.ensurePractice("terminal", "elsewhere");
    expect((await f.dashboard.auth.redeem(other.id, link.token)).ok).toBe(false);
    expect((await f.dashboard.auth.redeem(link.practiceId, link.token)).ok).toBe(false);
  });

  it("two redeems at once: one session", async () => {
    const link = await linkFor("bob");
    const results = await Promise.all([1, 2, 3].map(() => f.dashboard.auth.redeem(link.practiceId, link.token)));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
  });

  it("stores only hashes of tokens and session ids", async () => {
    const link = await linkFor("bob");
    const used = await f.dashboard.auth.redeem(link.practiceId, link.token);
    if (!used.ok) throw new Error("not signed in");
    const dump = JSON.stringify([...(await f.db.sql.query(`SELECT * FROM "WebSignIn"`)), ...(await f.db.sql.query(`SELECT * FROM "WebSession"`))]);
    expect(dump).not.toContain(link.token);
    expect(dump).not.toContain(used.sessionId);
    expect(dump).toContain(hashSecret(link.token));
    expect(dump).toContain(hashSecret(used.sessionId));
  });
});

describe("sessions", () => {
  async function signIn(userId = "bob", opts: { admin?: boolean } = {}): Promise<string> {
    const link = await linkFor(userId, opts);
    const used = await f.dashboard.auth.redeem(link.practiceId, link.token);
    if (!used.ok) throw new Error("sign-in failed");
    return used.sessionId;
  }

  it("end after 12 hours idle; activity keeps them alive", async () => {
    const session = await signIn();
    f.clock.advance(SESSION_IDLE_MS - 60_000);
    expect(await f.dashboard.auth.viewer(session)).not.toBeNull();
    f.clock.advance(SESSION_IDLE_MS - 60_000);
    expect(await f.dashboard.auth.viewer(session)).not.toBeNull();
    f.clock.advance(SESSION_IDLE_MS + 1);
    expect(await f.dashboard.auth.viewer(session)).toBeNull();
  });

  it("/checkin signout ends every session of the person, not other people's", async () => {
    const a = await signIn();
    const b = await signIn();
    const admin = await signIn("dana", { admin: true });
    const reply = await f.command("bob", "signout");
    expect(reply.text).toMatch(/2 sessions ended/);
    expect(await f.dashboard.auth.viewer(a)).toBeNull();
    expect(await f.dashboard.auth.viewer(b)).toBeNull();
    expect(await f.dashboard.auth.viewer(admin)).not.toBeNull();
  });

  it("a person who loses the role loses the session at the next request, for good", async () => {
    const session = await signIn();
    const bob = await f.store.findPerson((await f.store.ensurePractice("terminal", "local")).id, "bob");
    await f.store.updatePerson(bob!.id, { isTherapist: false });
    expect(await f.dashboard.auth.viewer(session)).toBeNull();
    await f.store.updatePerson(bob!.id, { isTherapist: true });
    expect(await f.dashboard.auth.viewer(session)).toBeNull();
  });

  it("unknown and malformed session ids resolve to no one", async () => {
    await signIn();
    for (const id of [newSecret(), "", undefined, 42, "a".repeat(500)]) expect(await f.dashboard.auth.viewer(id)).toBeNull();
  });
});

describe("roles from the platform at each request", () => {
  it("an admin whose platform role is taken away, or a therapist who left the workspace, is signed out", async () => {
    const { RecordingPlatform } = await import("../support/recording-platform.ts");
    await f.dispose();
    const platform = new RecordingPlatform("terminal");
    f = await createEngineFixture({ platform });
    await f.command("dana", "enroll alice bob mon 09:00 50m UTC", { admin: true });
    const admin = await linkFor("dana", { admin: true });
    const adminSession = await f.dashboard.auth.redeem(admin.practiceId, admin.token);
    const therapist = await linkFor("bob");
    const therapistSession = await f.dashboard.auth.redeem(therapist.practiceId, therapist.token);
    if (!adminSession.ok || !therapistSession.ok) throw new Error("sign-in failed");
    expect((await f.dashboard.auth.viewer(adminSession.sessionId))?.isAdmin).toBe(true);
    platform.roles.set("dana", "member");
    expect(await f.dashboard.auth.viewer(adminSession.sessionId)).toBeNull();
    platform.roles.set("dana", "admin");
    expect(await f.dashboard.auth.viewer(adminSession.sessionId)).toBeNull();
    expect((await f.dashboard.auth.viewer(therapistSession.sessionId))?.isTherapist).toBe(true);
    platform.roles.set("bob", "absent");
    expect(await f.dashboard.auth.viewer(therapistSession.sessionId)).toBeNull();
  });
});
