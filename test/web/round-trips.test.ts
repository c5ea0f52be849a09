// How many statements the check-in page costs the database, counted on the store's connection
// (SQLite and PostgreSQL alike): opening the page is one read (the link with its check-in's
// context and response); answering is that read, one write that checks, saves and reads the rule
// inputs; the thank-you is built from that read and the answers (LinkPagesPort.answeredPage).
// Alerts add their own writes. On SQLite the link read runs on the reader thread's connection
// (src/store/connection/sqlite-reader.ts), and is counted there.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startLinkWeb } from "../support/link-web.ts";
import type { LinkWeb } from "../support/link-web.ts";
import type { EngineFixture } from "../support/engine-fixture.ts";
import { WebClient, hiddenField } from "../support/web-client.ts";
import { encodeAction } from "../../src/ports/action-ids.ts";

let web: LinkWeb;
let f: EngineFixture;
let base = "";
let statements: string[] = [];

beforeEach(async () => {
  web = await startLinkWeb();
  ({ f, base } = web);
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
  const reader = f.db.reader;
  if (reader) {
    const read = reader.linkedCheckIn.bind(reader);
    reader.linkedCheckIn = (hash) => {
      statements.push("linkedCheckIn on the reader thread");
      return read(hash);
    };
  }
});
afterEach(async () => {
  await web.close();
});

/** A link-mode check-in sent to alice, who consented in chat; the path of its link. */
async function openPage(): Promise<string> {
  const path = await web.enrolAndPrompt();
  const link = web.linksTo("alice").at(-1)!;
  expect((await f.press("alice", encodeAction({ op: "consent", checkInId: link.checkInId!, accept: true }))).refused).toBeFalsy();
  return path;
}

describe("database round trips of the check-in page", () => {
  it("GET is one read; POST of answers that raise no alert is two statements", async () => {
    const path = await openPage();
    const client = new WebClient(base);
    statements = [];
    const page = await client.get(path);
    expect(page.status).toBe(200);
    expect(statements, statements.join("\n")).toHaveLength(1);
    if (f.db.reader) expect(statements).toEqual(["linkedCheckIn on the reader thread"]);
    statements = [];
    const answered = await client.post(path, { _csrf: hiddenField(page.body, "_csrf"), submission: hiddenField(page.body, "submission"), goal: "4", task: "4", bond: "4", tension: "no" });
    expect(answered.status).toBe(200);
    expect(answered.body).toContain("?edit=1");
    expect(statements, statements.join("\n")).toHaveLength(2);
    expect((await f.store.getResponse((await f.engine.linkPages.checkInPage(path.slice(3)))!.checkInId))?.completedAt).not.toBeNull();
  });
});
