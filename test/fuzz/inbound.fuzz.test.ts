// Fuzzing every way in: ≥10,000 generated command strings and malformed payloads into the
// grammar, engine.receive, the terminal adapter's handleLine, signed Slack HTTP requests through
// the real Bolt receiver, and Discord interactions through the fake gateway. Asserts: nothing
// throws, no unhandled rejection, no row is written to any table, and every reply is a specific
// error (never the generic internal-error text). Seeded, so a failure can be replayed.

import { PassThrough } from "node:stream";
import { randomBytes } from "node:crypto";
import { createWebServer, publicRoutes } from "../../adapters/web/index.ts";
import { Readiness } from "../../src/runtime/readiness.ts";
import { silentLogger } from "../../src/ports/logger.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCommand, USAGE } from "../../src/core/commands/grammar.ts";
import { translate } from "../../src/i18n/index.ts";
import { TerminalAdapter } from "../../adapters/terminal/index.ts";
import type { InboundEvent, InboundPort, Reply } from "../../src/ports/inbound.ts";
import { createEngineFixture } from "../support/engine-fixture.ts";
import type { EngineFixture } from "../support/engine-fixture.ts";
import { rowCounts } from "../privacy/support.ts";
import { bootSlackRig } from "../adapters/slack/harness.ts";
import { blockAction, commentSubmission, slashCommand } from "../support/fake-slack-requests.ts";
import { startDiscordRig } from "../adapters/discord/harness.ts";

const SEED = Number(process.env.FUZZ_SEED ?? 20261126);
const INTERNAL_ERROR = translate("en", "command.internal_error");
const SUBCOMMANDS = Object.keys(USAGE);

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = mulberry32(SEED);
const int = (n: number) => Math.floor(random() * n);
const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;

const INJECTIONS = [
  `'; DROP TABLE "CheckIn"; --`,
  `" OR 1=1 --`,
  "<script>alert(1)</script>",
  "${process.exit(1)}",
  "{{constructor.constructor('return process')()}}",
  "../../../../etc/passwd",
  "%00%0d%0a",
  "\u0000",
  "<@U000|<b>x</b>>",
  "<!channel>",
  "@everyone",
  "`rm -rf /`",
  "__proto__",
  "constructor",
  "ci:__proto__:goal:3",
  "\r\n\r\nHTTP/1.1 200 OK",
  "‮evil‬",
  "=cmd|' /C calc'!A0",
  "<@>",
  "<@U123",
  "2026-02-30",
  "25:99",
  "tz=../../x",
  "delay=-5m",
  "locale=xx",
];
const RANGES: [number, number][] = [
  [0x20, 0x7e], [0x00, 0x1f], [0xa0, 0xff], [0x300, 0x36f], [0x590, 0x5ff], [0x600, 0x6ff],
  [0x200b, 0x200f], [0x202a, 0x202e], [0x2066, 0x2069], [0x1f300, 0x1f64f], [0xfff0, 0xffff], [0x4e00, 0x4e80],
];
function unicode(length: number): string {
  let out = "";
  for (let i = 0; i < length; i++) {
    if (random() < 0.02) out += "\ud800"; // a lone surrogate
    else {
      const [lo, hi] = pick(RANGES);
      out += String.fromCodePoint(lo + int(hi - lo + 1));
    }
  }
  return out;
}
function huge(): string {
  return pick(["x", "🙂", "ş", " ", "<@U1>", "a b "]).repeat(1000 + int(120_000));
}
function token(): string {
  const r = random();
  if (r < 0.35) return unicode(1 + int(12));
  if (r < 0.6) return pick(INJECTIONS);
  if (r < 0.7) return pick(["@alice", "<@U0ABC>", "<@!123>", "mon", "tue,thu", "09:30", "50m", "UTC", "Europe/Bucharest", "2026-03-09", "ro"]);
  if (r < 0.72) return huge();
  return pick(SUBCOMMANDS) + unicode(int(3));
}
function commandString(): string {
  const parts: string[] = [];
  if (random() < 0.3) parts.push("/checkin");
  parts.push(random() < 0.7 ? pick(SUBCOMMANDS) : token());
  const args = int(7);
  for (let i = 0; i < args; i++) parts.push(token());
  return parts.join(pick([" ", "  ", "\t", "\n", " \u00a0 "]));
}
/** A command string the grammar refuses (what a malformed request looks like). */
function malformedCommand(): string {
  for (;;) {
    const text = commandString();
    if (!parseCommand(text).ok) return text;
  }
}
function junkValue(): unknown {
  return pick<() => unknown>([
    () => null,
    () => undefined,
    () => int(1e9) - 5e8,
    () => "",
    () => [],
    () => ({}),
    () => true,
    () => unicode(int(40)),
    () => huge(),
    () => pick(INJECTIONS),
    () => ({ toString: 1, __proto__: { evil: true } }),
    () => [unicode(3), { nested: [null] }],
  ])();
}
const STRANGER = { platform: "terminal", workspaceId: "local", userId: "eve", isPlatformAdmin: false };
function junkActor(): unknown {
  const r = random();
  if (r < 0.5) return STRANGER;
  if (r < 0.6) return junkValue();
  return { ...STRANGER, [pick(["platform", "workspaceId", "userId", "isPlatformAdmin"])]: junkValue() };
}
function junkActionId(): unknown {
  return pick<() => unknown>([
    () => `ci:${unicode(8)}:goal:${int(9)}`,
    () => `ci:${Math.random().toString(36).slice(2)}:${pick(["goal", "task", "bond", "tension", "talked", "comment", "skip", "xyz"])}:${pick(["1", "6", "no", "yes", "-1", "3.5", ""])}`,
    () => `al:${unicode(6)}:${pick(["ack", "repaired", "nuke"])}`,
    () => `al:${Math.random().toString(36).slice(2)}:ack`,
    () => `consent:${Math.random().toString(36).slice(2)}:yes`,
    () => `me:${pick(["delete", "admin", "", unicode(4)])}`,
    () => pick(INJECTIONS),
    () => junkValue(),
    () => `ci:${"a".repeat(65)}:goal:3`,
    () => "x".repeat(5000),
  ])();
}
/** A malformed inbound event (wrong types, junk ids, huge texts). */
function junkEvent(): unknown {
  const type = random() < 0.9 ? pick(["command", "action", "comment"]) : junkValue();
  const event: Record<string, unknown> = { type, actor: junkActor() };
  if (random() < 0.3) event.deliveryId = random() < 0.8 ? `fuzz-${int(1e9)}` : junkValue();
  if (type === "command") event.text = random() < 0.8 ? malformedCommand() : junkValue();
  if (type === "action") {
    event.actionId = junkActionId();
    if (random() < 0.3) event.messageRef = random() < 0.5 ? junkValue() : { channelId: unicode(4), messageId: huge() };
  }
  if (type === "comment") {
    event.checkInId = random() < 0.5 ? Math.random().toString(36).slice(2) : junkValue();
    event.text = random() < 0.7 ? (random() < 0.3 ? huge() : unicode(1 + int(300))) : junkValue();
  }
  if (random() < 0.05) return junkValue();
  return event;
}

/** Lone surrogates replaced: what a JSON/URL encoder (and so a real platform) can carry. */
const wellFormed = (text: string): string => text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd");

/** A refused reply with a specific, non-empty text. */
function expectSpecificError(reply: Reply, input: unknown): void {
  expect(reply && typeof reply.text === "string", JSON.stringify(input)?.slice(0, 200)).toBe(true);
  expect(reply.refused, `${JSON.stringify(input)?.slice(0, 200)} → ${reply.text}`).toBe(true);
  expect(reply.text.length).toBeGreaterThan(0);
  expect(reply.text).not.toBe(INTERNAL_ERROR);
}

let f: EngineFixture;
const counted = { parser: 0, engineCommands: 0, enginePayloads: 0, terminal: 0, slack: 0, discord: 0, web: 0 };
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

beforeAll(async () => {
  process.on("unhandledRejection", onUnhandled);
  f = await createEngineFixture({ start: "2026-03-02T10:00:00Z", links: { signingKey: randomBytes(32), publicUrl: () => "http://127.0.0.1" } });
  // Someone to be a stranger to: one enrolled client and a therapist.
  await f.command("admin", "enroll alice bob mon 09:00 50m UTC", { admin: true });
});
afterAll(async () => {
  process.off("unhandledRejection", onUnhandled);
  await f.dispose();
  const total = Object.values(counted).reduce((a, b) => a + b, 0);
  process.stdout.write(`fuzz seed ${SEED}: ${JSON.stringify(counted)} = ${total} inputs\n`);
});

describe("fuzz", () => {
  it("the grammar and engine.receive: 6,000 generated command strings", async () => {
    const before = await rowCounts(f);
    for (let i = 0; i < 6000; i++) {
      const text = commandString();
      const parsed = parseCommand(text);
      counted.parser++;
      if (!parsed.ok) expect(parsed.error.usage.length).toBeGreaterThan(0);
      const reply = await f.engine.receive({ type: "command", actor: STRANGER as InboundEvent["actor"], text });
      counted.engineCommands++;
      // A stranger may read help and the privacy note, and learns that nothing is stored about them.
      // `help <topic>` answers for a known subcommand and refuses any other topic specifically.
      const openToAll = parsed.ok && (["privacy", "mydata", "erase-me", "signout"].includes(parsed.command.name) || (parsed.command.name === "help" && (!parsed.command.topic || parsed.command.topic in USAGE)));
      if (openToAll) expect(reply.refused).toBeFalsy();
      else expectSpecificError(reply, text);
    }
    expect(await rowCounts(f)).toEqual(before);
    expect(unhandled).toEqual([]);
  }, 60_000);

  it("engine.receive: 2,500 malformed payloads (wrong types, junk ids, huge texts, injection)", async () => {
    const before = await rowCounts(f);
    for (let i = 0; i < 2500; i++) {
      const event = junkEvent();
      const reply = await f.engine.receive(event as InboundEvent);
      counted.enginePayloads++;
      expectSpecificError(reply, event);
    }
    expect(await rowCounts(f)).toEqual(before);
    expect(unhandled).toEqual([]);
  }, 60_000);

  it("the terminal adapter's handleLine: 1,000 generated lines", async () => {
    const output = new PassThrough();
    let printed = "";
    output.on("data", (chunk: Buffer) => (printed += chunk.toString("utf8")));
    const terminal = new TerminalAdapter({ inbound: f.engine, output });
    f.platforms.set("terminal", terminal);
    await terminal.handleLine("/as client eve");
    const before = await rowCounts(f);
    for (let i = 0; i < 1000; i++) {
      const line = pick<() => string>([
        () => `/checkin ${malformedCommand()}`,
        () => `/press ${token()}`,
        () => `/comment ${token()}`,
        () => `/as ${token()} ${token()}`,
        () => `${token()} ${token()}`,
        () => "/inbox",
        () => unicode(int(200)),
      ])();
      if (/^\s*\/(quit|exit)\b/i.test(line)) continue;
      await terminal.handleLine(line);
      counted.terminal++;
      // /as may switch to another handle; switch back to the stranger.
      if (line.startsWith("/as")) await terminal.handleLine("/as client eve");
    }
    expect(printed).not.toContain(INTERNAL_ERROR);
    expect(printed).toContain("(only you)");
    expect(await rowCounts(f)).toEqual(before);
    expect(unhandled).toEqual([]);
  }, 60_000);

  it("the Slack adapter: 200 signed requests with malformed commands, actions, modal submissions and payload bodies", async () => {
    const inbound: InboundPort = { receive: (event) => f.engine.receive(event) };
    const rig = await bootSlackRig(inbound);
    await rig.adapter.start();
    const teamId = rig.fake.teamId;
    f.platforms.set("slack", rig.adapter);
    await f.db.sql.query(`SELECT 1`);
    try {
      const practiceBefore = await rowCounts(f);
      // The practice row for this team is created on first contact by a well-formed command.
      const sender = rig.sender();
      const urls: string[] = [];
      for (let i = 0; i < 200; i++) {
        const responseUrl = rig.fake.responseUrl();
        urls.push(responseUrl);
        const userId = pick(["UEVE0001", "UADMIN01"]);
        const kind = int(4);
        let delivery;
        if (kind === 0) delivery = slashCommand({ teamId, userId, text: wellFormed(malformedCommand()), triggerId: sender.nextId("TR"), responseUrl });
        else if (kind === 1) {
          const actionId = junkActionId();
          delivery = blockAction({ teamId, userId, actionId: typeof actionId === "string" && !actionId.startsWith("me:") ? wellFormed(actionId) : "x", triggerId: sender.nextId("TR"), container: { type: "message", channelId: "D1", messageTs: "1.1" }, responseUrl });
        } else if (kind === 2) delivery = commentSubmission({ teamId, userId, checkInId: wellFormed(pick([unicode(10), pick(INJECTIONS), "x".repeat(300)])), text: wellFormed(random() < 0.2 ? "🙂ş".repeat(1500 + int(20_000)) : unicode(int(400))), triggerId: sender.nextId("TR") });
        else {
          // A signed body that is not what Slack sends: junk JSON, wrong types, truncated forms.
          const body = pick<() => string>([
            () => `payload=${encodeURIComponent(wellFormed(JSON.stringify({ type: "block_actions", user: junkValue(), team: junkValue(), actions: [{ type: "button", action_id: junkValue() }] })))}`,
            () => `payload=${encodeURIComponent(wellFormed(unicode(50)))}`,
            () => `payload=${encodeURIComponent(wellFormed(JSON.stringify({ type: "view_submission", user: { id: 7 }, view: { callback_id: "checkin_comment", private_metadata: junkValue(), state: { values: junkValue() } } })))}`,
            () => `command=%2Fcheckin&text=${encodeURIComponent(wellFormed(unicode(30)))}&user_id=&team_id=`,
            () => unicode(100),
          ])();
          delivery = { body: wellFormed(body), contentType: pick(["application/x-www-form-urlencoded", "application/json"] as const) };
        }
        counted.slack++;
        let status: number;
        try {
          status = (await sender.send(delivery)).status;
        } catch {
          // After a 413 the server drops that connection, and the client may have pooled it for
          // this request: send once more on a fresh connection, which must then be answered.
          status = (await sender.send(delivery)).status;
        }
        expect([200, 400, 401, 404, 413], `status ${status}`).toContain(status);
      }
      await rig.adapter.idle();
      for (const url of urls) {
        for (const body of rig.fake.responsesAt(url)) {
          expect(body.response_type).toBe("ephemeral");
          expect(String(body.text)).not.toContain(INTERNAL_ERROR);
        }
      }
      const after = await rowCounts(f);
      // Only the Slack practice record itself may appear (first contact), nothing else.
      expect({ ...after, Practice: practiceBefore.Practice }).toEqual(practiceBefore);
      expect(after.Practice! - practiceBefore.Practice!).toBeLessThanOrEqual(1);
    } finally {
      await rig.close();
    }
    expect(unhandled).toEqual([]);
  }, 60_000);

  it("the Discord adapter: 300 interactions with malformed subcommands, options, buttons and modals", async () => {
    const inbound: InboundPort = { receive: (event) => f.engine.receive(event) };
    const rig = await startDiscordRig(inbound);
    await rig.platform.start();
    f.platforms.set("discord", rig.platform);
    try {
      const eve = "690000000000000009";
      rig.fake.addMember({ userId: eve } as never);
      const dm = await rig.platform.sendDirect({ workspaceId: rig.fake.guildId, userId: eve }, { kind: "notice", text: "hello" });
      expect(dm.ok).toBe(true);
      const messageId = dm.ok ? dm.ref.messageId : "";
      const before = await rowCounts(f);
      const records = [];
      for (let i = 0; i < 300; i++) {
        const kind = int(3);
        let record;
        if (kind === 0) {
          let sub = unicode(1 + int(10));
          if (SUBCOMMANDS.includes(sub)) sub = `${sub}x`;
          record = rig.fake.slashCommand(eve, sub, [{ name: pick(["client", "text", "schedule", unicode(3)]), type: 3, value: token() } as never]);
        } else if (kind === 1) {
          const actionId = junkActionId();
          const customId = typeof actionId === "string" ? actionId.slice(0, 100) : "junk";
          record = rig.fake.pressButton(eve, messageId, customId.startsWith("me:") ? "junk" : customId);
        } else {
          record = rig.fake.submitModal(eve, null, pick([`${rig.fake.guildId}|ci:${unicode(5)}:comment`, unicode(20), pick(INJECTIONS)]), { comment: random() < 0.2 ? "x".repeat(4000) : unicode(int(300)) });
        }
        records.push(record);
        counted.discord++;
      }
      for (const record of records) await rig.settled(record, 10_000);
      for (const record of records) {
        const texts = [record.original?.content, ...record.followUps.map((m) => m.content)].filter((t): t is string => typeof t === "string");
        for (const text of texts) {
          expect(text).not.toContain(INTERNAL_ERROR);
          expect(text).not.toBe("⚠️");
        }
      }
      expect(await rowCounts(f)).toEqual(before);
    } finally {
      await rig.close();
    }
    expect(unhandled).toEqual([]);
  }, 60_000);

  it("the web routes: 600 requests with junk tokens, methods, content types, bodies and forms", async () => {
    const server = await createWebServer({
      port: 0,
      logger: silentLogger,
      routes: publicRoutes({ ops: { readiness: new Readiness([]) }, links: { pages: f.engine.linkPages, inbound: f.engine, limits: { perAddress: 100_000, perLink: 100_000 } } }),
    });
    const before = await rowCounts(f);
    try {
      for (let i = 0; i < 600; i++) {
        const prefix = pick(["/c/", "/a/", "/c/", "/assets/", "/", "/c//", "/a/x/"]);
        const token = random() < 0.3 ? randomBytes(32).toString("base64url") : encodeURIComponent(wellFormed(pick([unicode(1 + int(60)), pick(INJECTIONS), huge().slice(0, 500)])));
        const suffix = pick(["", "", "/consent", "?edit=1", "?edit=%00", "/../../etc/passwd"]);
        const method = pick(["GET", "POST", "POST", "HEAD", "PUT", "DELETE", "OPTIONS"]);
        const contentType = pick(["application/x-www-form-urlencoded", "application/json", "text/plain", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded; charset=utf-16", ""]);
        const form = new URLSearchParams({ _csrf: unicode(20), submission: unicode(22), goal: pick(["1", "6", "x", "-1", ""]), task: unicode(3), bond: pick(INJECTIONS), comment: random() < 0.2 ? "x".repeat(4000) : unicode(int(200)) });
        const payload = method === "GET" || method === "HEAD" ? undefined : random() < 0.8 ? form.toString() : wellFormed(String(JSON.stringify(junkValue()) ?? ""));
        const response = await server.app.inject({
          method: method as "GET",
          url: `${prefix}${token}${suffix}`,
          headers: { ...(contentType ? { "content-type": contentType } : {}), accept: pick(["text/html", "*/*", "application/json"]), cookie: random() < 0.5 ? `checkin_csrf=${unicode(10).replace(/[;\s]/g, "")}` : "" },
          ...(payload !== undefined ? { payload: String(payload) } : {}),
        });
        counted.web++;
        expect(response.statusCode, `${method} ${prefix}… ${contentType}`).toBeLessThan(500);
        expect(response.statusCode === 200 && prefix.startsWith("/c/") && token.length !== 43, "only a real token opens a page").toBe(false);
      }
      expect((await server.app.inject({ url: "/healthz" })).statusCode).toBe(200);
      expect(await rowCounts(f)).toEqual(before);
    } finally {
      await server.close();
    }
    expect(unhandled).toEqual([]);
  }, 60_000);
});
