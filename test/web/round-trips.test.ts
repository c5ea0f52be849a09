// How many statements the check-in page costs the database, counted on the store's connection
// (SQLite and PostgreSQL alike): opening the page is one read (the link with its check-in's
// context and response); answering is that read, one write that checks, saves and reads the rule
// inputs, and the read for the page shown after. Alerts add their own writes.

import { randomBytes } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEngineFixture } from "../support/engine-fixture.ts";
import type { EngineFixture } from "../support/engine-fixture.ts";
import { RecordingPlatform } from "../support/recording-platform.ts";
import { WebClient, hiddenField } from "../support/web-client.ts";
import { createWebServer, publicRoutes } from "../../adapters/web/index.ts";
import type { WebServer } from "../../adapters/web/index.ts";
import { Readiness } from "../../src/runtime/readiness.ts";
import { silentLogger } from "../../src/ports/logger.ts";
import type { LinkMessageView } from "../../src/ports/chat-platform.ts";
import { encodeAction } from "../../src/ports/action-ids.ts";

let f: EngineFixture;
let platform: RecordingPlatform;
let server: WebServer;
let base = "";
let statements: string[] = [];

beforeEach(async () => {
  platform = new RecordingPlatform("terminal");
  f = await createEngineFixture({ platform, links: { signingKey: randomBytes(32), publicUrl: () => base } });
  server = await createWebServer({
    port: 0,
    logger: silentLogger,
    routes: publicRoutes({ ops: { readiness: new Readiness([]) }, links: { pages: f.engine.linkPages, inbound: f.engine, limits: { perAddress: 10_000, perLink: 10_000 } } }),
  });
  base = `http://127.0.0.1:${await server.listen()}`;
  // Every statement and atomic unit the store sends over its connection, in order.
  const sql = f.db.sql as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const method of ["query", "execute", "transaction", "atomic"]) {
    const original = sql[method]?.bind(sql);
    if (!original) continue;
    sql[method] = (...args: unknown[]) => {
      statements.push(typeof args[0] === "string" ? args[0].replace(/\s+/g, " ").slice(0, 60) : method);
      return original(...args);
    };
  }
});
afterEach(async () => {
  await server.close();
  await f.dispose();
});

async function openPage(): Promise<string> {
  expect((await f.command("dana", "enroll alice bob mon 09:00 50m delivery=link", { admin: true })).refused).toBeFalsy();
  f.clock.set("2026-03-02T10:00:00Z");
  expect((await f.command("bob", "now alice")).refused).toBeFalsy();
  await f.engine.tick();
  const link = platform.messages.map((m) => m.view).filter((v): v is LinkMessageView => v.kind === "link").at(-1)!;
  expect((await f.press("alice", encodeAction({ op: "consent", checkInId: link.checkInId!, accept: true }))).refused).toBeFalsy();
  return link.link.url.slice(base.length);
}

describe("database round trips of the check-in page", () => {
  it("GET is one read; POST of answers that raise no alert is three statements", async () => {
    const path = await openPage();
    const client = new WebClient(base);
    statements = [];
    const page = await client.get(path);
    expect(page.status).toBe(200);
    expect(statements, statements.join("\n")).toHaveLength(1);
    statements = [];
    const answered = await client.post(path, { _csrf: hiddenField(page.body, "_csrf"), submission: hiddenField(page.body, "submission"), goal: "4", task: "4", bond: "4", tension: "no" });
    expect(answered.status).toBe(200);
    expect(answered.body).toContain("?edit=1");
    expect(statements, statements.join("\n")).toHaveLength(3);
    expect((await f.store.getResponse((await f.engine.linkPages.checkInPage(path.slice(3)))!.checkInId))?.completedAt).not.toBeNull();
  });
});
