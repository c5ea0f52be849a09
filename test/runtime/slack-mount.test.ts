// The Slack HTTP receiver mounted on the ops server: Slack events, /healthz and /metrics share
// PORT, as in every replica. Signature checks still apply; the mount answers 503 once stopped.

import { afterEach, describe, expect, it } from "vitest";
import { createSlackAdapter } from "../../adapters/slack/index.ts";
import type { SlackAdapter } from "../../adapters/slack/index.ts";
import { createOpsServer } from "../../src/runtime/http-server.ts";
import type { OpsServer } from "../../src/runtime/http-server.ts";
import { silentLogger } from "../../src/ports/logger.ts";
import type { InboundEvent, Reply } from "../../src/ports/inbound.ts";
import { SlackRequestSender } from "../support/fake-slack-requests.ts";
import { FakeSlack } from "../support/fake-slack.ts";

const SECRET = "test-signing-secret";

describe("Slack receiver mounted on the ops server", () => {
  let server: OpsServer | undefined;
  let slack: SlackAdapter | undefined;
  let fake: FakeSlack | undefined;
  afterEach(async () => {
    await slack?.stop();
    await server?.close();
    await fake?.close();
  });

  it("serves /slack/events, /healthz and /metrics on one port", async () => {
    server = createOpsServer({ port: 0, logger: silentLogger, readiness: [], metrics: async () => ({ contentType: "text/plain", body: "checkin_up 1\n" }) });
    const port = await server.listen();
    fake = await FakeSlack.start();
    const events: InboundEvent[] = [];
    slack = createSlackAdapter({
      inbound: { receive: async (event: InboundEvent): Promise<Reply> => (events.push(event), { text: "ok" }) },
      logger: silentLogger,
      botToken: "xoxb-test",
      signingSecret: SECRET,
      apiUrl: fake.apiUrl,
      port: 0,
      mountOn: server,
      env: {},
    });
    const sender = new SlackRequestSender(`http://127.0.0.1:${port}/slack/events`, SECRET);
    const challenge = { body: JSON.stringify({ type: "url_verification", token: "t", challenge: "abc123" }), contentType: "application/json" as const };
    // Before start nothing handles Slack on this port yet.
    expect((await sender.send(challenge)).status).not.toBe(200);
    await slack.start();
    const signed = await sender.send(challenge);
    expect(signed.status).toBe(200);
    expect(signed.json()).toEqual({ challenge: "abc123" });
    expect((await sender.send(challenge, { signing: "forged" })).status).toBe(401);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    expect(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).toContain("checkin_up 1");
    await slack.stop();
    expect((await sender.send(challenge)).status).toBe(503);
  });
});
