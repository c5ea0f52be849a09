// Rate limits on link mode's pages: one budget per link and one per client address. Past either,
// the visitor gets 429 with the plain error page in their language (en, ro), nothing is stored,
// other links and other addresses are unaffected, and the server stays up. Addresses are told
// apart through X-Forwarded-For with TRUST_PROXY on, as behind the reverse proxy.

import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { createEngineFixture } from "../support/engine-fixture.ts";
import type { EngineFixture } from "../support/engine-fixture.ts";
import { RecordingPlatform } from "../support/recording-platform.ts";
import { WebClient, hiddenField } from "../support/web-client.ts";
import { createWebServer, publicRoutes } from "../../adapters/web/index.ts";
import type { WebServer } from "../../adapters/web/index.ts";
import type { LinkRateLimits } from "../../adapters/web/routes/limits.ts";
import { Readiness } from "../../src/runtime/readiness.ts";
import { silentLogger } from "../../src/ports/logger.ts";
import type { LinkMessageView } from "../../src/ports/chat-platform.ts";
import { en } from "../../src/i18n/locales/en.ts";
import { ro } from "../../src/i18n/locales/ro.ts";

let f: EngineFixture | undefined;
let server: WebServer | undefined;
let platform: RecordingPlatform;
let base = "";

async function boot(limits: LinkRateLimits): Promise<void> {
  platform = new RecordingPlatform("terminal");
  f = await createEngineFixture({ platform, links: { signingKey: randomBytes(32), publicUrl: () => base } });
  server = await createWebServer({
    port: 0,
    logger: silentLogger,
    trustProxy: true,
    routes: publicRoutes({ ops: { readiness: new Readiness([]) }, links: { pages: f.engine.linkPages, inbound: f.engine, limits } }),
  });
  base = `http://127.0.0.1:${await server.listen()}`;
}

afterEach(async () => {
  await server?.close();
  await f?.dispose();
  server = undefined;
  f = undefined;
});

/** Enrolls `client` in link mode and sends a check-in now; returns the link's path. */
async function linkFor(client: string, therapist = "bob"): Promise<string> {
  const fx = f!;
  expect((await fx.command("dana", `enroll ${client} ${therapist} mon 09:00 50m delivery=link`, { admin: true })).refused).toBeFalsy();
  fx.clock.set("2026-03-02T10:00:00Z");
  expect((await fx.command(therapist, `now ${client}`)).refused).toBeFalsy();
  await fx.engine.tick();
  const view = platform.messages.filter((m) => m.to.userId === client && m.view.kind === "link").at(-1)?.view as LinkMessageView | undefined;
  expect(view, "a link message").toBeDefined();
  return view!.link.url.slice(base.length);
}

const from = (address: string, extra: Record<string, string> = {}) => ({ "x-forwarded-for": address, ...extra });
const stored = async () => Number((await f!.db.sql.query<{ n: number }>(`SELECT COUNT(*) AS "n" FROM "Response"`))[0]!.n);
const consented = async (user: string) => (await f!.db.sql.query<{ consentAt: unknown }>(`SELECT "consentAt" FROM "Person" WHERE "platformUserId" = ?`, [user]))[0]!.consentAt;

function expectTooMany(page: { status: number; headers: Headers; body: string }, t: Record<"web.error.too_many", string>): void {
  expect(page.status).toBe(429);
  expect(Number(page.headers.get("retry-after"))).toBeGreaterThan(0);
  expect(page.body).toContain(t["web.error.too_many"].replace(/'/g, "&#39;"));
  expect(page.body).toContain(`<html lang="${t === ro ? "ro" : "en"}">`);
  // The plain page names no check-in, no form and no token.
  expect(page.body).not.toContain("<form");
  expect(page.body).not.toContain("/c/");
}

describe("per-link limit", () => {
  it("one link gets `perLink` requests a minute whatever the address; then 429 in the visitor's language, nothing stored, other links unaffected", async () => {
    await boot({ perLink: 4, perAddress: 1000 });
    const path = await linkFor("alice");
    const other = await linkFor("carla");
    const client = new WebClient(base);

    // Four requests from four addresses: the consent page, then a consent POST that goes through.
    const page = await client.get(path, from("203.0.113.1"));
    expect(page.status).toBe(200);
    expect((await client.get(path, from("203.0.113.2"))).status).toBe(200);
    expect((await client.get(path, from("203.0.113.3"))).status).toBe(200);
    const consent = await client.get(path, from("203.0.113.4"));
    expect(consent.status).toBe(200);

    // The fifth, from yet another address: refused before anything runs. A POST of consent
    // changes nothing, and neither does a POST of answers.
    expectTooMany(await client.get(path, from("203.0.113.5")), en);
    const refusedConsent = await client.post(`${path}/consent`, { _csrf: hiddenField(consent.body, "_csrf"), submission: hiddenField(consent.body, "submission"), choice: "yes" }, from("203.0.113.6"));
    expectTooMany(refusedConsent, en);
    expect(await consented("alice")).toBeNull();
    expectTooMany(await client.post(path, { _csrf: hiddenField(consent.body, "_csrf"), submission: hiddenField(consent.body, "submission"), goal: "4", task: "4", bond: "4" }, from("203.0.113.7")), en);
    expect(await stored()).toBe(0);
    // In Romanian for a Romanian browser.
    expectTooMany(await client.get(path, from("203.0.113.8", { "accept-language": "ro-RO,ro;q=0.9,en;q=0.5" })), ro);

    // Another client's link from the same addresses is untouched.
    expect((await client.get(other, from("203.0.113.5"))).status).toBe(200);
    expect((await client.get("/healthz", { accept: "application/json" })).status).toBe(200);
  });

  it("the therapist's alert link has its own budget too", async () => {
    await boot({ perLink: 2, perAddress: 1000 });
    const path = await linkFor("alice");
    const client = new WebClient(base);
    const page = await client.get(path, from("198.51.100.1"));
    const form = await client.post(`${path}/consent`, { _csrf: hiddenField(page.body, "_csrf"), submission: hiddenField(page.body, "submission"), choice: "yes" }, from("198.51.100.1"));
    expect(form.status).toBe(200);
    // The client's link has spent its two requests; the low answers go straight to the engine,
    // which raises the alert and sends the therapist their link.
    const alertLink = (): string | undefined => (platform.messages.find((m) => m.to.userId === "bob" && m.view.kind === "link")?.view as LinkMessageView | undefined)?.link.url;
    const checkInId = (await f!.db.sql.query<{ id: string }>(`SELECT "id" FROM "CheckIn" WHERE "status" = 'sent'`))[0]!.id;
    const actor = f!.actor("alice");
    const answered = await f!.engine.receive({ type: "answers", actor, checkInId, answers: { goal: 1, task: 2, bond: 2 }, deliveryId: "web:rate-limit-test-0001" });
    expect(answered.refused, answered.text).toBeFalsy();
    expect(alertLink(), "the therapist's alert link").toBeDefined();
    const alertPath = alertLink()!.slice(base.length);
    const therapist = new WebClient(base);
    expect((await therapist.get(alertPath, from("192.0.2.1"))).status).toBe(200);
    expect((await therapist.get(alertPath, from("192.0.2.2"))).status).toBe(200);
    expectTooMany(await therapist.get(alertPath, from("192.0.2.3")), en);
  });
});

describe("per-address limit", () => {
  it("one address gets `perAddress` link requests a minute across all links (a guessing run); then 429, while other addresses go on", async () => {
    await boot({ perLink: 1000, perAddress: 5 });
    const path = await linkFor("alice");
    const guesser = new WebClient(base);
    for (let i = 0; i < 5; i++) {
      const guess = await guesser.get(`/c/${randomBytes(32).toString("base64url")}`, from("203.0.113.50"));
      expect(guess.status, `guess ${i + 1}`).toBe(404);
    }
    // Budget spent: the next guess and even a real link get 429 from that address, in en and ro.
    expectTooMany(await guesser.get(`/c/${randomBytes(32).toString("base64url")}`, from("203.0.113.50")), en);
    expectTooMany(await guesser.get(path, from("203.0.113.50")), en);
    expectTooMany(await guesser.get(path, from("203.0.113.50", { "accept-language": "ro" })), ro);
    expectTooMany(await guesser.get(`/a/${randomBytes(40).toString("base64url")}`, from("203.0.113.50")), en);

    // The client, from their own address, opens the link and answers as usual.
    const client = new WebClient(base);
    const page = await client.get(path, from("198.51.100.20"));
    expect(page.status).toBe(200);
    const form = await client.post(`${path}/consent`, { _csrf: hiddenField(page.body, "_csrf"), submission: hiddenField(page.body, "submission"), choice: "yes" }, from("198.51.100.20"));
    expect(form.status).toBe(200);
    const thanks = await client.post(path, { _csrf: hiddenField(form.body, "_csrf"), submission: hiddenField(form.body, "submission"), goal: "4", task: "5", bond: "4", tension: "no" }, from("198.51.100.20"));
    expect(thanks.status).toBe(200);
    expect(await stored()).toBe(1);
  });
});
