// Boots the real Slack adapter (Bolt + verified receiver) against the local fake Web API,
// and adapts it to the shared contract harness.

import { createSlackAdapter } from "../../../adapters/slack/index.ts";
import type { SlackAdapter, SlackAdapterOptions } from "../../../adapters/slack/index.ts";
import { ADMIN_CACHE_MS } from "../../../adapters/slack/actors.ts";
import { silentLogger } from "../../../src/ports/logger.ts";
import type { InboundPort } from "../../../src/ports/inbound.ts";
import type { AdapterHarness, HarnessFactory, ObservedMessage } from "../../contract/harness.ts";
import { FakeSlack, buttonActionIds, unescapeMrkdwn, visibleText } from "../../support/fake-slack.ts";
import { SlackRequestSender, blockAction, commentSubmission, slashCommand } from "../../support/fake-slack-requests.ts";

export const TEST_SIGNING_SECRET = "test-signing-secret-0123456789";

export interface SlackRig {
  fake: FakeSlack;
  adapter: SlackAdapter;
  /** The adapter's clock; `advance` moves it (and request timestamps) forward. */
  clock: { now(): number; advance(ms: number): void };
  /** Signs requests with the adapter's clock; valid once the adapter is started. */
  sender(): SlackRequestSender;
  close(): Promise<void>;
}

export async function bootSlackRig(
  inbound: SlackAdapterOptions["inbound"],
  options: Partial<Omit<SlackAdapterOptions, "inbound">> = {},
): Promise<SlackRig> {
  const fake = await FakeSlack.start();
  let offset = 0;
  const clock = { now: () => Date.now() + offset, advance: (ms: number) => void (offset += ms) };
  const adapter = createSlackAdapter({
    inbound,
    logger: silentLogger,
    botToken: "xoxb-test-token",
    signingSecret: TEST_SIGNING_SECRET,
    apiUrl: fake.apiUrl,
    port: 0,
    adminUserIds: [],
    nowMilliseconds: clock.now,
    env: {},
    ...options,
  });
  let sender: SlackRequestSender | undefined;
  return {
    fake,
    adapter,
    clock,
    sender() {
      sender ??= new SlackRequestSender(`http://127.0.0.1:${adapter.receiverPort()}/slack/events`, TEST_SIGNING_SECRET, clock.now);
      return sender;
    },
    async close() {
      await adapter.stop();
      await fake.close();
    },
  };
}

function lastResponseText(fake: FakeSlack, responseUrl: string): string | null {
  const bodies = fake.responsesAt(responseUrl);
  const text = bodies[bodies.length - 1]?.text;
  return typeof text === "string" ? unescapeMrkdwn(text) : null;
}

export const makeSlackHarness: HarnessFactory = async (inbound: InboundPort): Promise<AdapterHarness> => {
  const rig = await bootSlackRig(inbound);
  const { fake, adapter } = rig;
  return {
    platform: adapter,
    workspaceId: fake.teamId,
    async runCommand(userId, text, opts) {
      fake.setUser(userId, { isAdmin: opts?.admin === true });
      rig.clock.advance(ADMIN_CACHE_MS + 1); // let the adapter see the admin flag just set
      const sender = rig.sender();
      const responseUrl = fake.responseUrl();
      await sender.send(slashCommand({ teamId: fake.teamId, userId, text, triggerId: sender.nextId("TR"), responseUrl }));
      await adapter.idle();
      return lastResponseText(fake, responseUrl) ?? "";
    },
    async pressButton(userId, ref, actionId) {
      const sender = rig.sender();
      const responseUrl = fake.responseUrl();
      await sender.send(
        blockAction({
          teamId: fake.teamId,
          userId,
          actionId,
          triggerId: sender.nextId("TR"),
          container: { type: "message", channelId: ref.channelId, messageTs: ref.messageId },
          responseUrl,
        }),
      );
      await adapter.idle();
      return lastResponseText(fake, responseUrl);
    },
    async submitComment(userId, checkInId, text) {
      const sender = rig.sender();
      const result = await sender.send(commentSubmission({ teamId: fake.teamId, userId, checkInId, text, triggerId: sender.nextId("TR") }));
      await adapter.idle();
      const body = result.json();
      if (body?.response_action === "errors") {
        const errors = Object.values((body.errors ?? {}) as Record<string, string>);
        return errors[0] ?? null;
      }
      if (body?.response_action === "update") {
        return visibleText({ text: "", blocks: ((body.view as { blocks?: unknown[] })?.blocks ?? []) as unknown[] }) || null;
      }
      return null;
    },
    messagesTo(userId): ObservedMessage[] {
      return fake.messagesTo(userId).map((message) => ({
        ref: { channelId: message.channel, messageId: message.ts },
        text: visibleText(message),
        actionIds: buttonActionIds(message.blocks),
        links: (message.blocks as { type?: string; elements?: { url?: string }[] }[]).flatMap((b) => (b.type === "actions" ? (b.elements ?? []).flatMap((e) => (e.url ? [e.url] : [])) : [])),
        deleted: message.deleted,
      }));
    },
    recordedOutbound: () => JSON.stringify({ calls: fake.calls, responses: fake.responses }),
    close: () => rig.close(),
  };
};
