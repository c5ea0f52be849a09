// Socket Mode end to end: the app token switches the receiver, SLACK_API_URL is honoured for
// apps.connections.open, and envelopes reach the engine with their delivery ids.

import { afterEach, describe, expect, it } from "vitest";
import { createSlackAdapter } from "../../../adapters/slack/index.ts";
import type { SlackAdapter } from "../../../adapters/slack/index.ts";
import type { InboundEvent, InboundPort } from "../../../src/ports/inbound.ts";
import { silentLogger } from "../../../src/ports/logger.ts";
import { FakeSlack } from "../../support/fake-slack.ts";
import { FakeSlackSocket } from "../../support/fake-slack-socket.ts";

describe("Slack adapter in Socket Mode", () => {
  let fake: FakeSlack;
  let socket: FakeSlackSocket;
  let adapter: SlackAdapter | undefined;

  afterEach(async () => {
    await adapter?.stop();
    await socket.close();
    await fake.close();
  });

  async function boot(inbound: InboundPort, socketUrl: string | null) {
    fake = await FakeSlack.start();
    socket = await FakeSlackSocket.start();
    fake.socketUrl = socketUrl === null ? null : socket.url;
    adapter = createSlackAdapter({ inbound, logger: silentLogger, env: { SLACK_BOT_TOKEN: "xoxb-1", SLACK_APP_TOKEN: "xapp-1", SLACK_API_URL: fake.apiUrl } });
  }

  it("connects through the configured API URL and delivers a slash command", async () => {
    const events: InboundEvent[] = [];
    await boot({ receive: async (event) => (events.push(event), { text: "hello" }) }, "socket");
    await adapter!.start();
    expect(fake.callsTo("apps.connections.open")).toHaveLength(1);
    const responseUrl = fake.responseUrl();
    const ack = await socket.deliver("slash_commands", {
      team_id: fake.teamId,
      user_id: "UADMIN",
      command: "/checkin",
      text: "help",
      trigger_id: "TRSOCK",
      response_url: responseUrl,
      channel_id: "DUADMIN",
      api_app_id: "AFAKE",
    });
    expect(ack).toEqual({});
    await adapter!.idle();
    expect(events).toEqual([expect.objectContaining({ type: "command", text: "help", deliveryId: "slack:command:TRSOCK" })]);
    expect(fake.responsesAt(responseUrl)).toEqual([expect.objectContaining({ response_type: "ephemeral", text: "hello" })]);
  });

  it("fails start-up when Slack refuses the app token", async () => {
    await boot({ receive: async () => ({ text: "" }) }, null);
    await expect(adapter!.start()).rejects.toThrow();
    adapter = undefined;
    expect(fake.callsTo("apps.connections.open")).toHaveLength(1);
  });
});
