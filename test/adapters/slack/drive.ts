// Drives a Slack rig the way a person would: a slash command or a button press, signed and sent
// into the real receiver, then what Slack would show them. Shared by the engine-backed tests.

import { expect } from "vitest";
import { blockAction, slashCommand } from "../../support/fake-slack-requests.ts";
import { buttonActionIds, unescapeMrkdwn } from "../../support/fake-slack.ts";
import type { FakeSlackMessage } from "../../support/fake-slack.ts";
import type { SlackRig } from "./harness.ts";

/** Runs `/checkin <text>`; every reply must be ephemeral. Returns the last reply's text. */
export async function runSlashCommand(rig: SlackRig, userId: string, text: string, triggerId = rig.sender().nextId("TR")): Promise<string> {
  const responseUrl = rig.fake.responseUrl();
  const result = await rig.sender().send(slashCommand({ teamId: rig.fake.teamId, userId, text, triggerId, responseUrl }));
  expect(result.status).toBe(200);
  await rig.adapter.idle();
  const bodies = rig.fake.responsesAt(responseUrl);
  expect(bodies.every((b) => b.response_type === "ephemeral")).toBe(true);
  return unescapeMrkdwn(String(bodies.at(-1)?.text ?? ""));
}

/** Presses a button on a message the bot posted; returns the private reply text, if any. */
export async function pressButton(rig: SlackRig, userId: string, message: FakeSlackMessage, actionId: string, triggerId = rig.sender().nextId("TR")): Promise<string | null> {
  const responseUrl = rig.fake.responseUrl();
  await rig.sender().send(blockAction({ teamId: rig.fake.teamId, userId, actionId, triggerId, container: { type: "message", channelId: message.channel, messageTs: message.ts }, responseUrl }));
  await rig.adapter.idle();
  const text = rig.fake.responsesAt(responseUrl).at(-1)?.text;
  return typeof text === "string" ? unescapeMrkdwn(text) : null;
}

/** The action id of the first button on the message that passes `test`. */
export function findButton(message: FakeSlackMessage | undefined, test: (actionId: string) => boolean): string {
  const id = buttonActionIds(message?.blocks ?? []).find(test);
  if (!id) throw new Error("button not found");
  return id;
}
