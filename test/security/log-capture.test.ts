// Debug-level logs through whole end-to-end flows — the terminal adapter typed line by line, and
// the real Slack adapter driven by signed requests — must hold no comment text, no score, no
// name and no payload body. The capture is real pino output with the production redaction.

import { PassThrough, Writable } from "node:stream";
import { afterEach, expect, it } from "vitest";
import { createLogger } from "../../src/runtime/logger.ts";
import { TerminalAdapter } from "../../adapters/terminal/index.ts";
import type { InboundEvent, InboundPort, Reply } from "../../src/ports/inbound.ts";
import { createEngineFixture } from "../support/engine-fixture.ts";
import type { EngineFixture } from "../support/engine-fixture.ts";
import { bootSlackRig } from "../adapters/slack/harness.ts";
import type { SlackRig } from "../adapters/slack/harness.ts";
import { blockAction, commentSubmission, slashCommand } from "../support/fake-slack-requests.ts";
import { buttonActionIds } from "../support/fake-slack.ts";
import { randomBytes } from "node:crypto";
import { RecordingPlatform } from "../support/recording-platform.ts";
import { WebClient, hiddenField } from "../support/web-client.ts";
import { createWebServer, publicRoutes } from "../../adapters/web/index.ts";
import { Readiness } from "../../src/runtime/readiness.ts";
import type { LinkMessageView } from "../../src/ports/chat-platform.ts";

const COMMENT = "LOGCANARY you never listen and I am thinking of quitting ‏שלום‏ 🙂";
const NAME = "Zelda Quillfeather";
const SCORE_KEYS = /"(goal|task|bond|score|scores|total|tension|talkedThrough|comment|text|body|payload|name|real_name|displayName|blocks|view)":(?!"\[redacted\]")/;

class Capture extends Writable {
  lines: string[] = [];
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    this.lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
    done();
  }
}

function assertClean(lines: string[], extra: string[] = []): void {
  // Debug output was really captured: the engine logs each inbound event, answer and claim at debug.
  expect(lines.filter((line) => line.startsWith('{"level":20,')).length).toBeGreaterThan(5);
  const all = lines.join("\n");
  for (const needle of ["LOGCANARY", "never listen", "שלום", NAME, "Quillfeather", ...extra]) expect(all).not.toContain(needle);
  for (const line of lines) {
    expect(() => JSON.parse(line)).not.toThrow();
    expect(line, line).not.toMatch(SCORE_KEYS);
  }
}

let f: EngineFixture | undefined;
let rig: SlackRig | undefined;
afterEach(async () => {
  await rig?.close();
  await f?.dispose();
  rig = undefined;
  f = undefined;
});

it("terminal + engine: a whole check-in, comment, alert, trend, export and erasure log nothing clinical at debug level", async () => {
  const capture = new Capture();
  const logger = createLogger({ level: "debug", destination: capture });
  f = await createEngineFixture({ logger, start: "2026-03-02T08:00:00Z" });
  const output = new PassThrough();
  output.resume();
  const terminal = new TerminalAdapter({ inbound: f.engine, output, fileDir: `${f.dir}/exports` });
  f.platforms.set("terminal", terminal);
  const type = async (...lines: string[]) => {
    for (const line of lines) {
      await terminal.handleLine(line);
      await f!.engine.tick();
    }
  };
  await type("/as admin dana", "/checkin settings quiet_hours off", "/checkin enroll alice bob mon 09:00 50m UTC", "/as therapist bob", "/checkin now alice", "/as client alice");
  const consent = terminal.messagesTo("alice").at(-1)!;
  await terminal.press("alice", consent.ref, consent.actionIds.find((a) => a.endsWith(":yes"))!);
  const prompt = terminal.messagesTo("alice").at(-1)!;
  for (const suffix of [":goal:1", ":task:2", ":bond:5", ":tension:yes", ":talked:no"]) {
    // The prompt is edited in place ("Was it talked through?" appears after tension).
    const shown = terminal.messagesTo("alice").find((m) => m.ref.messageId === prompt.ref.messageId)!;
    const id = shown.actionIds.find((a) => a.endsWith(suffix));
    expect(id, suffix).toBeTruthy();
    await terminal.press("alice", prompt.ref, id!);
  }
  await type(`/comment ${COMMENT}`, "/checkin mydata", "/as therapist bob", "/checkin trend alice", "/checkin alerts", "/as admin dana", "/checkin export alice", "/checkin audit alice");
  const request = await terminal.runCommand("dana", "erase alice", true);
  const code = /confirm ([A-Z0-9]{6})/.exec(request.text)?.[1];
  expect(code).toBeTruthy();
  await type(`/checkin erase alice confirm ${code}`);
  expect(terminal.filesTo("alice")).toHaveLength(2);
  expect(terminal.filesTo("dana")).toHaveLength(2);
  assertClean(capture.lines);
  // The flow really produced the events the logs should mention by id.
  expect(capture.lines.some((l) => l.includes("rupture alert raised"))).toBe(true);
  expect(capture.lines.some((l) => l.includes("client data erased"))).toBe(true);
  for (const event of ["inbound event handled", "answer recorded", "comment stored encrypted", "check-in claim finished"]) {
    expect(capture.lines.some((l) => l.startsWith('{"level":20,') && l.includes(event)), event).toBe(true);
  }
});

it("Slack adapter + engine: signed requests, a comment modal and a mention with a display name log nothing clinical at debug level", async () => {
  const capture = new Capture();
  const logger = createLogger({ level: "debug", destination: capture });
  const late: { engine: InboundPort | null } = { engine: null };
  rig = await bootSlackRig({ receive: (event: InboundEvent): Promise<Reply> => late.engine!.receive(event) }, { logger });
  f = await createEngineFixture({ platform: rig.adapter, workspaceId: rig.fake.teamId, start: "2026-03-02T08:00:00Z", logger });
  late.engine = f.engine;
  await rig.adapter.start();
  const [ADMIN, CLIENT, THERAPIST] = ["UADMIN0001", "UCLIENT001", "UTHERAP001"];
  rig.fake.setUser(ADMIN, { isAdmin: true });
  const sender = rig.sender();
  const command = async (userId: string, text: string) => {
    await sender.send(slashCommand({ teamId: rig!.fake.teamId, userId, text, triggerId: sender.nextId("TR"), responseUrl: rig!.fake.responseUrl() }));
    await rig!.adapter.idle();
  };
  const press = async (userId: string, actionId: string) => {
    const message = rig!.fake.messagesTo(userId).at(-1)!;
    await sender.send(blockAction({ teamId: rig!.fake.teamId, userId, actionId, triggerId: sender.nextId("TR"), container: { type: "message", channelId: message.channel, messageTs: message.ts }, responseUrl: rig!.fake.responseUrl() }));
    await rig!.adapter.idle();
  };
  await command(ADMIN, `enroll <@${CLIENT}|${NAME}> <@${THERAPIST}|${NAME}> mon 09:00 50m UTC`);
  f.clock.set("2026-03-02T10:00:00Z");
  await f.engine.tick();
  const consent = buttonActionIds(rig.fake.messagesTo(CLIENT).at(-1)!.blocks).find((a) => a.endsWith(":yes"))!;
  await press(CLIENT, consent);
  const ids = buttonActionIds(rig.fake.messagesTo(CLIENT).at(-1)!.blocks);
  for (const suffix of [":goal:1", ":task:2", ":bond:5", ":tension:no"]) await press(CLIENT, ids.find((a) => a.endsWith(suffix))!);
  const checkInId = ids[0]!.split(":")[1]!;
  await sender.send(commentSubmission({ teamId: rig.fake.teamId, userId: CLIENT, checkInId, text: COMMENT, triggerId: sender.nextId("TR") }));
  await rig.adapter.idle();
  // A forged request with a body is refused and its body is not logged either.
  await sender.send(slashCommand({ teamId: rig.fake.teamId, userId: CLIENT, text: `trend <@${CLIENT}|${NAME}> LOGCANARY`, triggerId: "TRFORGED", responseUrl: rig.fake.responseUrl() }), { signing: "forged" });
  await command(THERAPIST, `trend <@${CLIENT}>`);
  await command(ADMIN, `export <@${CLIENT}>`);
  const stored = await f.db.sql.query<{ c: string; k: string }>(`SELECT "commentCipher" AS "c", "commentKeyId" AS "k" FROM "Response"`);
  expect(f.cipher.decrypt(stored[0]!.c, stored[0]!.k)).toBe(COMMENT); // the flow really carried the comment
  assertClean(capture.lines, ["xoxb-test-token", "TRFORGED", "test-signing-secret"]);
});

it("link mode web routes: the check-in page, consent, answers with a comment, and the alert page log no token, path, body or comment at debug level", async () => {
  const capture = new Capture();
  const logger = createLogger({ level: "debug", destination: capture });
  const platform = new RecordingPlatform("terminal");
  let base = "";
  f = await createEngineFixture({ logger, platform, start: "2026-03-02T08:00:00Z", links: { signingKey: randomBytes(32), publicUrl: () => base } });
  const server = await createWebServer({ port: 0, logger, routes: publicRoutes({ ops: { readiness: new Readiness([]) }, links: { pages: f.engine.linkPages, inbound: f.engine } }) });
  try {
    base = `http://127.0.0.1:${await server.listen()}`;
    await f.command("dana", "enroll alice bob mon 09:00 50m UTC delivery=link", { admin: true });
    f.clock.set("2026-03-02T10:00:00Z");
    await f.command("bob", "now alice");
    await f.engine.tick();
    const link = platform.messages.map((m) => m.view).find((v): v is LinkMessageView => v.kind === "link")!.link.url;
    const token = link.slice(link.lastIndexOf("/") + 1);
    const client = new WebClient(base);
    const consentPage = await client.get(link.slice(base.length));
    await client.post(`${link.slice(base.length)}/consent`, { _csrf: hiddenField(consentPage.body, "_csrf"), submission: hiddenField(consentPage.body, "submission"), choice: "yes" });
    const form = await client.get(link.slice(base.length));
    // A refused post (bad value) and an accepted one, both with the canary comment.
    await client.post(link.slice(base.length), { _csrf: hiddenField(form.body, "_csrf"), submission: hiddenField(form.body, "submission"), goal: "9", task: "1", bond: "1", comment: COMMENT });
    await client.post(link.slice(base.length), { _csrf: hiddenField(form.body, "_csrf"), submission: hiddenField(form.body, "submission"), goal: "1", task: "1", bond: "2", tension: "no", comment: COMMENT });
    await client.get(`/c/${token.slice(0, -1)}x`);
    const alertLink = platform.messages.map((m) => m.view).find((v): v is LinkMessageView => v.kind === "link" && v.link.url.includes("/a/"))!.link.url;
    const alertPage = await client.get(alertLink.slice(base.length));
    expect(alertPage.status).toBe(200);
    const alertToken = alertLink.slice(alertLink.lastIndexOf("/") + 1);
    const lines = capture.lines;
    expect(lines.some((line) => line.includes('"route":"/c/:token"'))).toBe(true);
    assertClean(lines, [token, token.slice(0, 20), alertToken, alertToken.slice(-20), "_csrf", "submission="]);
  } finally {
    await server.close();
  }
});
