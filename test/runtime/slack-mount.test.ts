// The Slack HTTP receiver mounted on the web server: Slack events, /healthz and /metrics share
// PORT, as in every replica. Signature checks still apply; the mount answers 503 once stopped.

import { afterEach, describe, expect, it } from "vitest";
import { createSlackAdapter } from "../../adapters/slack/index.ts";
import type { SlackAdapter } from "../../adapters/slack/index.ts";
import { createWebServer, publicRoutes } from "../../adapters/web/index.ts";
import type { WebServer } from "../../adapters/web/index.ts";
import { SLACK_EVENTS_PATH } from "../../adapters/slack/paths.ts";
import { Readiness } from "../../src/runtime/readiness.ts";
import { silentLogger } from "../../src/ports/logger.ts";
import type { InboundEvent, Reply } from "../../src/ports/inbound.ts";
import { SlackRequestSender } from "../support/fake-slack-requests.ts";
import { FakeSlack } from "../support/fake-slack.ts";

const SECRET = "test-signing-secret";
const METRICS_TOKEN = "metrics-token-for-this-test";

describe("Slack receiver mounted on the ops server", () => {
  let server: WebServer | undefined;
  let slack: SlackAdapter | undefined;
  let fake: FakeSlack | undefined;
  afterEach(async () => {
    await slack?.stop();
    await server?.close();
    await fake?.close();
  });

  it("serves /slack/events, /healthz and /metrics on one port", async () => {
    server = await createWebServer({
      port: 0,
      logger: silentLogger,
      mountPoints: [SLACK_EVENTS_PATH],
      routes: publicRoutes({ ops: { readiness: new Readiness([]), metrics: async () => ({ contentType: "text/plain", body: "checkin_up 1\n" }), token: METRICS_TOKEN } }),
    });
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
    // Before start the platform is not ready: Slack's url_verification and ssl_check get 503
    // (Slack retries), not 405.
    const early = await sender.send(challenge);
    expect(early.status).toBe(503);
    const sslCheck = await fetch(`http://127.0.0.1:${port}${SLACK_EVENTS_PATH}`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "ssl_check=1&token=x" });
    expect(sslCheck.status).toBe(503);
    await slack.start();
    const signed = await sender.send(challenge);
    expect(signed.status).toBe(200);
    expect(signed.json()).toEqual({ challenge: "abc123" });
    expect((await sender.send(challenge, { signing: "forged" })).status).toBe(401);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    // /metrics on the public port needs the bearer token.
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(401);
    expect((await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: "Bearer wrong-token-of-some-length" } })).status).toBe(401);
    expect(await (await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text()).toContain("checkin_up 1");
    await slack.stop();
    expect((await sender.send(challenge)).status).toBe(503);
  });
});
