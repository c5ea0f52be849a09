// The proof: the real engine on SQLite behind the real Bolt app, driven through the
// fake Slack — enroll, consent and prompt DMs, button answers, the comment modal, the
// therapist's alert and its acknowledgement, the App Home — plus refusals and duplicates.

import { afterEach, beforeEach, expect, it } from "vitest";
import type { InboundEvent, InboundPort, Reply } from "../../../src/ports/inbound.ts";
import { createEngineFixture } from "../../support/engine-fixture.ts";
import type { EngineFixture } from "../../support/engine-fixture.ts";
import { appHomeOpened, blockAction, commentSubmission } from "../../support/fake-slack-requests.ts";
import { buttonActionIds, unescapeMrkdwn, visibleText } from "../../support/fake-slack.ts";
import type { FakeSlackMessage } from "../../support/fake-slack.ts";
import { bootSlackRig } from "./harness.ts";
import { findButton, pressButton, runSlashCommand } from "./drive.ts";
import type { SlackRig } from "./harness.ts";

const ADMIN = "UADMIN0001";
const CLIENT = "UCLIENT001";
const OTHER_CLIENT = "UCLIENT002";
const THERAPIST = "UTHERAP001";

let rig: SlackRig;
let fixture: EngineFixture;

beforeEach(async () => {
  const late: { engine: (InboundPort & { homeFor?: EngineFixture["engine"]["homeFor"] }) | null } = { engine: null };
  rig = await bootSlackRig({
    receive: (event: InboundEvent): Promise<Reply> => late.engine!.receive(event),
    homeFor: (actor) => late.engine!.homeFor!(actor),
  });
  fixture = await createEngineFixture({ platform: rig.adapter, workspaceId: rig.fake.teamId, start: "2026-03-02T08:00:00Z" });
  late.engine = fixture.engine;
  rig.fake.setUser(ADMIN, { isAdmin: true });
  await rig.adapter.start();
});

afterEach(async () => {
  await rig.close();
  await fixture.dispose();
});

const command = (userId: string, text: string, triggerId?: string): Promise<string> => runSlashCommand(rig, userId, text, triggerId);
const press = (userId: string, message: FakeSlackMessage, actionId: string, triggerId?: string): Promise<string | null> => pressButton(rig, userId, message, actionId, triggerId);
const button = findButton;

async function enrollAndPrompt(client = CLIENT): Promise<FakeSlackMessage> {
  const reply = await command(ADMIN, `enroll <@${client}|someone> <@${THERAPIST}> mon 09:00 50m UTC`);
  expect(reply).toContain(`<@${client}>`);
  fixture.clock.set("2026-03-02T10:00:00Z");
  await fixture.engine.tick();
  const consent = rig.fake.messagesTo(client).at(-1);
  await press(client, consent!, button(consent, (a) => a.startsWith("consent:") && a.endsWith(":yes")));
  const prompt = rig.fake.messagesTo(client).at(-1);
  expect(prompt?.ts).not.toBe(consent?.ts);
  return prompt!;
}

async function countResponses(): Promise<number> {
  const rows = await fixture.db.sql.query<{ n: number }>(`SELECT COUNT(*) AS "n" FROM "Response" WHERE "goal" IS NOT NULL`);
  return Number(rows[0]?.n);
}

it("runs a whole check-in through Slack", async () => {
  // 1–3. enroll, consent, prompt
  const prompt = await enrollAndPrompt();
  expect(buttonActionIds(prompt.blocks).filter((a) => /:(goal|task|bond):\d$/.test(a))).toHaveLength(15);

  // answers by button: a low goal score
  for (const [item, value] of [["goal", 2], ["task", 4], ["bond", 4]] as const) {
    await press(CLIENT, prompt, button(rig.fake.message(prompt.channel, prompt.ts), (a) => a.endsWith(`:${item}:${value}`)));
  }

  // 4. the comment modal
  const commentButton = button(rig.fake.message(prompt.channel, prompt.ts), (a) => a.endsWith(":comment"));
  await press(CLIENT, prompt, commentButton, "TRCOMMENT");
  const opened = rig.fake.callsTo("views.open").at(-1) as { trigger_id: string; view: { private_metadata: string } };
  expect(opened.trigger_id).toBe("TRCOMMENT");
  const submitted = await rig.sender().send(
    commentSubmission({ teamId: rig.fake.teamId, userId: CLIENT, checkInId: opened.view.private_metadata, text: "It felt rushed today", triggerId: "TRSUBMIT" }),
  );
  await rig.adapter.idle();
  expect(submitted.status).toBe(200);
  expect(submitted.json()?.response_action).not.toBe("errors");
  const rows = await fixture.db.sql.query<{ n: number }>(`SELECT COUNT(*) AS "n" FROM "Response" WHERE "commentCipher" IS NOT NULL`);
  expect(Number(rows[0]?.n)).toBe(1);

  // 5. the alert reaches the therapist
  const alert = rig.fake.messagesTo(THERAPIST).at(-1);
  expect(visibleText(alert!)).toContain(`<@${CLIENT}>`);
  expect(visibleText(alert!)).toContain("2/5");
  const ackButton = button(alert, (a) => a.startsWith("al:") && a.endsWith(":ack"));
  const alertId = ackButton.split(":")[1] ?? "";

  // 6. the therapist acknowledges it
  await press(THERAPIST, alert!, ackButton);
  expect((await fixture.store.getAlert(alertId))?.status).toBe("acknowledged");

  // the prompt never marks which score was chosen, so the history shows no answers
  const afterAnswers = rig.fake.message(prompt.channel, prompt.ts);
  expect(JSON.stringify(afterAnswers?.blocks)).not.toContain('"style"');

  // 7. the App Home renders for the therapist
  await rig.sender().send(appHomeOpened({ teamId: rig.fake.teamId, userId: THERAPIST, eventId: "EvHome1" }));
  await rig.adapter.idle();
  const published = rig.fake.callsTo("views.publish").at(-1) as { user_id: string; view: { type: string; blocks: unknown[] } };
  expect(published.user_id).toBe(THERAPIST);
  expect(published.view.blocks.length).toBeGreaterThan(0);
});

it("stores one answer for four deliveries of the same press", async () => {
  const prompt = await enrollAndPrompt();
  const goal = button(prompt, (a) => a.endsWith(":goal:3"));
  for (let i = 0; i < 4; i += 1) await press(CLIENT, prompt, goal, "TRSAME");
  expect(await countResponses()).toBe(1);
});

it("refuses an admin command from a non-admin, privately", async () => {
  const reply = await command(OTHER_CLIENT, `enroll <@${CLIENT}> <@${THERAPIST}> mon 09:00 50m UTC`);
  expect(reply.length).toBeGreaterThan(0);
  expect((await fixture.db.sql.query<{ n: number }>(`SELECT COUNT(*) AS "n" FROM "Enrollment"`))[0]?.n).toBe(0);
});

it("refuses a client pressing a button on another client's check-in", async () => {
  const prompt = await enrollAndPrompt();
  const reply = await press(OTHER_CLIENT, prompt, button(prompt, (a) => a.endsWith(":goal:1")));
  expect(reply?.length).toBeGreaterThan(0);
  expect(await countResponses()).toBe(0);
});

it("tidy mode: the finished prompt is deleted and Edit my answers rides on the ephemeral reply; pressing it re-opens the prompt in the DM", async () => {
  expect(await command(ADMIN, "settings tidy on")).toContain("tidy");
  expect(await command(ADMIN, "settings tension off")).toContain("tension");
  const prompt = await enrollAndPrompt();
  let last: Record<string, unknown> | undefined;
  for (const [item, value] of [["goal", 4], ["task", 4], ["bond", 5]] as const) {
    const responseUrl = rig.fake.responseUrl();
    const actionId = button(rig.fake.message(prompt.channel, prompt.ts), (a) => a.endsWith(`:${item}:${value}`));
    await rig.sender().send(blockAction({ teamId: rig.fake.teamId, userId: CLIENT, actionId, triggerId: rig.sender().nextId("TR"), container: { type: "message", channelId: prompt.channel, messageTs: prompt.ts }, responseUrl }));
    await rig.adapter.idle();
    last = rig.fake.responsesAt(responseUrl).at(-1);
  }
  expect(rig.fake.message(prompt.channel, prompt.ts)?.deleted).toBe(true);
  expect(last?.response_type).toBe("ephemeral");
  const edit = buttonActionIds((last?.blocks ?? []) as never).find((a) => a.endsWith(":edit"));
  expect(edit, JSON.stringify(last)).toBeDefined();
  expect(unescapeMrkdwn(String(last?.text))).toMatch(/You can change them until/);

  // The press comes from the ephemeral message; the prompt comes again as a new DM.
  const before = rig.fake.messagesTo(CLIENT).length;
  const reply = await press(CLIENT, { ...prompt, ts: "1700000000.000999" }, edit!);
  expect(reply).toMatch(/until/);
  const reopened = rig.fake.messagesTo(CLIENT);
  expect(reopened).toHaveLength(before + 1);
  expect(buttonActionIds(reopened.at(-1)!.blocks).filter((a) => /:(goal|task|bond):\d$/.test(a))).toHaveLength(15);
});
