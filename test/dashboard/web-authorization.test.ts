// The authorization table of the web routes: every dashboard route × {anonymous, client, other
// practice's therapist, the client's therapist, another therapist in the practice, admin} with
// the expected status, and for every refused state change: nothing changed. Then sign-in links
// (reused, expired, forged, another practice's), session fixation, and CSRF on every
// state-changing route.

import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDashboardHarness, csrfFrom, mergeCookies } from "../support/dashboard-harness.ts";
import type { DashboardHarness } from "../support/dashboard-harness.ts";
import { tellStory } from "../support/dashboard-story.ts";
import type { Story } from "../support/dashboard-story.ts";
import { hashSecret, newSecret } from "../../src/security/web-tokens.ts";
import { SIGN_IN_TTL_MS } from "../../src/dashboard/sessions.ts";

const ROLES = ["anonymous", "client", "other practice's therapist", "the client's therapist", "another therapist in the practice", "admin"] as const;
type Role = (typeof ROLES)[number];

interface Route {
  name: string;
  method: "GET" | "POST";
  url(s: Story): string;
  body?(s: Story): Record<string, string>;
  /** Expected status per role (anonymous and client: 401, their sessions are refused). */
  expect: Partial<Record<Role, number>>;
}

const SIGNED_OUT = { anonymous: 401, client: 401 } as const;
const OWN_CLIENT = { ...SIGNED_OUT, "other practice's therapist": 404, "the client's therapist": 200, "another therapist in the practice": 404, admin: 200 } as const;
const ADMIN_ONLY = { ...SIGNED_OUT, "other practice's therapist": 403, "the client's therapist": 403, "another therapist in the practice": 403, admin: 200 } as const;
const EVERY_SIGNED_IN = { ...SIGNED_OUT, "other practice's therapist": 200, "the client's therapist": 200, "another therapist in the practice": 200, admin: 200 } as const;

const ROUTES: Route[] = [
  { name: "caseload", method: "GET", url: () => "/dashboard", expect: EVERY_SIGNED_IN },
  { name: "client page", method: "GET", url: (s) => `/dashboard/clients/${s.aliceEnrollmentId}`, expect: OWN_CLIENT },
  { name: "show comments", method: "POST", url: (s) => `/dashboard/clients/${s.aliceEnrollmentId}/comments`, expect: { ...OWN_CLIENT, admin: 403 } },
  { name: "alert snooze", method: "POST", url: (s) => `/dashboard/alerts/${s.openAlertId}`, body: () => ({ change: "snooze", note: "seen", submission: randomUUID() }), expect: OWN_CLIENT },
  { name: "check in now", method: "POST", url: (s) => `/dashboard/clients/${s.aliceEnrollmentId}/now`, body: () => ({ submission: randomUUID() }), expect: OWN_CLIENT },
  { name: "pause", method: "POST", url: (s) => `/dashboard/clients/${s.aliceEnrollmentId}/pause`, body: () => ({ submission: randomUUID() }), expect: OWN_CLIENT },
  { name: "resume", method: "POST", url: (s) => `/dashboard/clients/${s.aliceEnrollmentId}/resume`, body: () => ({ submission: randomUUID() }), expect: OWN_CLIENT },
  { name: "overview", method: "GET", url: () => "/dashboard/overview", expect: ADMIN_ONLY },
  { name: "settings page", method: "GET", url: () => "/dashboard/settings", expect: ADMIN_ONLY },
  { name: "settings save", method: "POST", url: () => "/dashboard/settings", body: () => ({ low_total: "10" }), expect: ADMIN_ONLY },
  { name: "audit log", method: "GET", url: () => "/dashboard/audit?action=alert.snooze", expect: ADMIN_ONLY },
  { name: "export", method: "POST", url: () => "/dashboard/export", body: () => ({ client: "alice", format: "json" }), expect: ADMIN_ONLY },
  { name: "sign out", method: "POST", url: () => "/dashboard/signout", expect: EVERY_SIGNED_IN },
];

/** What a refused request must leave as it was. */
async function footprint(h: DashboardHarness, s: Story): Promise<unknown> {
  const practice = await h.f.store.ensurePractice("terminal", "local");
  return {
    alert: await h.f.store.getAlert(s.openAlertId),
    notes: await h.f.db.sql.query(`SELECT COUNT(*) AS "n" FROM "AlertNote"`),
    enrollment: await h.f.store.getEnrollment(s.aliceEnrollmentId),
    checkIns: await h.f.db.sql.query(`SELECT COUNT(*) AS "n" FROM "CheckIn"`),
    settings: practice.settings,
    audit: await h.f.db.sql.query(`SELECT COUNT(*) AS "n" FROM "AuditEntry"`),
    messages: h.platform.messages.length,
  };
}

/** A session for the role, made the way a browser gets one (or, for the client, a session row they could never get from a link). */
async function cookieFor(h: DashboardHarness, role: Role): Promise<string> {
  switch (role) {
    case "anonymous":
      return "";
    case "client": {
      const practice = await h.f.store.ensurePractice("terminal", "local");
      const alice = await h.f.store.findPerson(practice.id, "alice");
      const id = newSecret();
      await h.f.dashboard.webAuth.createSession({ idHash: hashSecret(id), practiceId: practice.id, personId: alice!.id, createdAt: h.f.clock.now(), lastSeenAt: h.f.clock.now() });
      return `checkin_session=${id}`;
    }
    case "other practice's therapist": {
      const reply = await h.f.engine.receive({ type: "command", actor: { platform: "terminal", workspaceId: "elsewhere", userId: "zoe", isPlatformAdmin: true }, text: "enroll yan zed mon 09:00 50m UTC" });
      expect(reply.refused, reply.text).toBeFalsy();
      const link = await h.f.engine.receive({ type: "command", actor: { platform: "terminal", workspaceId: "elsewhere", userId: "zed", isPlatformAdmin: false }, text: "dashboard" });
      const path = /(\/signin\/\S+)/.exec(link.text)![1]!;
      const page = await h.server.app.inject({ url: path });
      const cookie = mergeCookies("", page.headers["set-cookie"]);
      const done = await h.server.app.inject({ method: "POST", url: path, headers: { cookie, "content-type": "application/x-www-form-urlencoded" }, payload: `_csrf=${encodeURIComponent(csrfFrom(page.body))}` });
      expect(done.statusCode).toBe(303);
      return mergeCookies(cookie, done.headers["set-cookie"]);
    }
    case "the client's therapist":
      return h.signIn("bob");
    case "another therapist in the practice":
      return h.signIn("dan");
    case "admin":
      return h.signIn("dana", { admin: true });
  }
}

async function send(h: DashboardHarness, route: Route, s: Story, cookie: string, opts: { csrf?: "valid" | "missing" | string } = {}) {
  if (route.method === "GET") return h.server.app.inject({ url: route.url(s), headers: { cookie, accept: "text/html" } });
  let token = "";
  let jar = cookie;
  if (opts.csrf === undefined || opts.csrf === "valid") {
    // A browser's token: from a page of the same session (anonymous visitors get one from the sign-in page).
    const page = await h.server.app.inject({ url: cookie ? "/dashboard" : `/signin/x/${newSecret()}`, headers: { cookie } });
    token = csrfFrom(page.body);
    jar = mergeCookies(cookie, page.headers["set-cookie"]);
  } else if (opts.csrf !== "missing") {
    token = opts.csrf;
  }
  const form = new URLSearchParams({ ...(route.body?.(s) ?? {}), ...(token ? { _csrf: token } : {}) });
  return h.server.app.inject({ method: "POST", url: route.url(s), headers: { cookie: jar, accept: "text/html", "content-type": "application/x-www-form-urlencoded" }, payload: form.toString() });
}

describe("web authorization table", () => {
  const harnesses = new Map<Role, { h: DashboardHarness; story: Story; cookie: string }>();

  beforeAll(async () => {
    for (const role of ROLES) {
      const h = await createDashboardHarness();
      const story = await tellStory(h.f, h.platform);
      harnesses.set(role, { h, story, cookie: await cookieFor(h, role) });
    }
  }, 180_000);
  afterAll(async () => {
    for (const { h } of harnesses.values()) await h.dispose();
  });

  it("covers every route for every role", () => {
    for (const route of ROUTES) for (const role of ROLES) expect(route.expect[role], `${route.name} · ${role}`).toBeTypeOf("number");
  });

  for (const role of ROLES) {
    it(`${role}: every route answers as expected; a refusal changes nothing`, async () => {
      const { h, story, cookie } = harnesses.get(role)!;
      for (const route of ROUTES) {
        const expected = route.expect[role]!;
        const before = await footprint(h, story);
        const response = await send(h, route, story, cookie);
        expect(response.statusCode, `${route.name} · ${role}: ${response.body.slice(0, 300)}`).toBe(expected);
        if (expected !== 200) {
          expect(await footprint(h, story), `${route.name} · ${role} changed something`).toEqual(before);
          // A refusal names nobody.
          expect(response.body).not.toMatch(/@alice|@carol|I felt rushed/);
        }
        if (route.name === "client page" && expected === 200) expect(response.body).toContain("svg");
        if (route.name === "show comments") expect(response.body.includes("I felt rushed at the end today"), `${role} sees comment text`).toBe(expected === 200);
      }
    }, 120_000);
  }

  it("the client's therapist's actions reached the engine: snoozed, a note, paused and resumed, a check-in now", async () => {
    const { h, story } = harnesses.get("the client's therapist")!;
    expect((await h.f.store.getAlert(story.openAlertId))?.snoozedUntil).not.toBeNull();
    const actions = (await h.f.db.sql.query<{ action: string }>(`SELECT "action" FROM "AuditEntry" ORDER BY "createdAt"`)).map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(["alert.snooze", "checkin.now", "enrollment.paused", "enrollment.resumed", "comments.viewed"]));
    const settings = (await h.f.store.ensurePractice("terminal", "local")).settings;
    expect(settings.thresholds.lowTotal).toBe(12);
    const admin = harnesses.get("admin")!;
    expect((await admin.h.f.store.ensurePractice("terminal", "local")).settings.thresholds.lowTotal).toBe(10);
  });
});

describe("sign-in links over HTTP", () => {
  let h: DashboardHarness;
  beforeAll(async () => {
    h = await createDashboardHarness();
    await tellStory(h.f, h.platform);
  }, 60_000);
  afterAll(async () => h.dispose());

  async function post(path: string, cookie = "") {
    const page = await h.server.app.inject({ url: path, headers: { cookie } });
    expect(page.statusCode).toBe(200);
    const jar = mergeCookies(cookie, page.headers["set-cookie"]);
    return h.server.app.inject({ method: "POST", url: path, headers: { cookie: jar, accept: "text/html", "content-type": "application/x-www-form-urlencoded" }, payload: `_csrf=${encodeURIComponent(csrfFrom(page.body))}` });
  }

  it("opening (GET) a link does not use it; the POST does, once", async () => {
    const path = await h.linkPath("bob");
    for (let i = 0; i < 3; i++) expect((await h.server.app.inject({ url: path })).statusCode).toBe(200);
    expect((await post(path)).statusCode).toBe(303);
    const again = await post(path);
    expect(again.statusCode).toBe(410);
    expect(again.body).toContain("/checkin dashboard");
    expect(again.headers["set-cookie"] ?? "").not.toMatch(/checkin_session=[^;]/);
  });

  it("refuses expired, forged and another practice's links with the same page", async () => {
    const expired = await h.linkPath("bob");
    h.f.clock.advance(SIGN_IN_TTL_MS + 1);
    const forged = expired.replace(/[^/]+$/, newSecret());
    const other = await h.f.store.ensurePractice("terminal", "elsewhere");
    const fresh = await h.linkPath("bob");
    const foreign = fresh.replace(/\/signin\/[^/]+\//, `/signin/${other.id}/`);
    const bodies = new Set<string>();
    for (const path of [expired, forged, foreign, "/signin/x/short"]) {
      const response = await post(path);
      expect(response.statusCode, path).toBe(410);
      bodies.add(response.body.replace(/name="_csrf" value="[^"]*"/, ""));
    }
    expect(bodies.size).toBe(1);
    // The foreign presentation used the link up.
    expect((await post(fresh)).statusCode).toBe(410);
  });

  it("a session id planted before sign-in is not kept (no fixation), and an attacker's own session planted that way is ended", async () => {
    const attacker = await h.signIn("dan");
    const planted = attacker.split(/;\s*/).find((c) => c.startsWith("checkin_session="))!;
    const response = await post(await h.linkPath("bob"), planted);
    expect(response.statusCode).toBe(303);
    const issued = /checkin_session=([^;]+)/.exec([response.headers["set-cookie"] ?? []].flat().join("\n"))![1]!;
    expect(`checkin_session=${issued}`).not.toBe(planted);
    expect((await h.server.app.inject({ url: "/dashboard", headers: { cookie: planted } })).statusCode).toBe(401);
    const mine = await h.server.app.inject({ url: "/dashboard", headers: { cookie: `checkin_session=${issued}` } });
    expect(mine.body).toContain("Signed in as @bob");
    // A made-up id is ignored the same way.
    const madeUp = await post(await h.linkPath("bob"), `checkin_session=${newSecret()}`);
    expect(madeUp.statusCode).toBe(303);
  });

  it("the session cookie is HttpOnly and SameSite=Strict", async () => {
    const response = await post(await h.linkPath("bob"));
    const line = [response.headers["set-cookie"] ?? []].flat().find((c) => c.startsWith("checkin_session="))!;
    expect(line).toMatch(/HttpOnly/i);
    expect(line).toMatch(/SameSite=Strict/i);
    expect(line).toMatch(/Path=\//);
  });

  it("signing out on the web ends that session; /checkin signout ends the rest", async () => {
    const a = await h.signIn("bob");
    const b = await h.signIn("bob");
    const out = await send(h, ROUTES.find((r) => r.name === "sign out")!, {} as Story, a);
    expect(out.statusCode).toBe(200);
    expect((await h.server.app.inject({ url: "/dashboard", headers: { cookie: a } })).statusCode).toBe(401);
    expect((await h.server.app.inject({ url: "/dashboard", headers: { cookie: b } })).statusCode).toBe(200);
    await h.f.command("bob", "signout");
    expect((await h.server.app.inject({ url: "/dashboard", headers: { cookie: b } })).statusCode).toBe(401);
  });
});

describe("CSRF on every state-changing route", () => {
  let h: DashboardHarness;
  let story: Story;
  let bob: string;
  let dana: string;
  beforeAll(async () => {
    h = await createDashboardHarness();
    story = await tellStory(h.f, h.platform);
    bob = await h.signIn("bob");
    dana = await h.signIn("dana", { admin: true });
  }, 60_000);
  afterAll(async () => h.dispose());

  for (const route of ROUTES.filter((r) => r.method === "POST")) {
    it(`${route.name}: refused without a token and with another session's token; nothing changes`, async () => {
      const cookie = route.expect["the client's therapist"] === 200 ? bob : dana;
      const other = await h.csrf(cookie === bob ? dana : bob);
      for (const csrf of ["missing", other.token, "forged-token"]) {
        const before = await footprint(h, story);
        const response = await send(h, route, story, cookie, { csrf });
        expect(response.statusCode, `${route.name} with ${csrf}`).toBe(403);
        expect(await footprint(h, story)).toEqual(before);
      }
      // The sign-in POST is guarded the same way.
      const path = await h.linkPath("bob");
      const noToken = await h.server.app.inject({ method: "POST", url: path, headers: { "content-type": "application/x-www-form-urlencoded" }, payload: "" });
      expect(noToken.statusCode).toBe(403);
    });
  }
});
