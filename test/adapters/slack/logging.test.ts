// The adapter logs ids and codes only: no request body, comment text, score or name.

import { afterEach, describe, expect, it } from "vitest";
import type { Logger } from "../../../src/ports/logger.ts";
import type { InboundEvent, InboundPort } from "../../../src/ports/inbound.ts";
import { blockAction, commentSubmission, slashCommand } from "../../support/fake-slack-requests.ts";
import { bootSlackRig } from "./harness.ts";
import type { SlackRig } from "./harness.ts";

function recordingLogger(lines: string[], bindings: Record<string, unknown> = {}): Logger {
  const record = (level: string) => (fields: Record<string, unknown>, msg: string) => {
    lines.push(JSON.stringify({ level, ...bindings, ...fields, msg }));
  };
  return { debug: record("debug"), info: record("info"), warn: record("warn"), error: record("error"), child: (more) => recordingLogger(lines, { ...bindings, ...more }) };
}

const SECRET_COMMENT = "I am thinking of quitting therapy";
const SECRET_COMMAND = "enroll <@UJANE> Jane Doe";

describe("Slack adapter logging", () => {
  let rig: SlackRig | undefined;
  afterEach(async () => {
    await rig?.close();
  });

  it("never logs payload text, even when the engine fails or requests are refused", async () => {
    const lines: string[] = [];
    let calls = 0;
    const inbound: InboundPort = {
      async receive(event: InboundEvent) {
        calls += 1;
        if (calls === 1) throw new Error(`engine failed on ${event.type === "comment" ? event.text : SECRET_COMMAND}`);
        return { text: `echo ${SECRET_COMMENT}`, refused: true };
      },
    };
    rig = await bootSlackRig(inbound, { logger: recordingLogger(lines) });
    await rig.adapter.start();
    const { fake } = rig;
    const sender = rig.sender();
    await sender.send(slashCommand({ teamId: fake.teamId, userId: "UA", text: SECRET_COMMAND, triggerId: "T1", responseUrl: fake.responseUrl() }));
    await sender.send(slashCommand({ teamId: fake.teamId, userId: "UA", text: SECRET_COMMAND, triggerId: "T2", responseUrl: fake.responseUrl() }), { signing: "forged" });
    await sender.send(commentSubmission({ teamId: fake.teamId, userId: "UC", checkInId: "c1", text: SECRET_COMMENT, triggerId: "T3" }));
    fake.fail("chat.postEphemeral", { error: "channel_not_found" });
    await sender.send(blockAction({ teamId: fake.teamId, userId: "UC", actionId: "ci:c1:goal:1", triggerId: "T4", container: { type: "home" } }));
    fake.fail("chat.postMessage", { status: 429, retryAfterSeconds: 5 });
    await rig.adapter.sendDirect({ workspaceId: fake.teamId, userId: "UC" }, { kind: "notice", text: SECRET_COMMENT });
    await rig.adapter.idle();

    const log = lines.join("\n");
    expect(log).toContain("slack handler failed");
    expect(log).toContain("bad_signature");
    expect(log).toContain("rate_limited");
    for (const secret of ["thinking of quitting", "Jane Doe", "ci:c1:goal:1", "UJANE"]) expect(log).not.toContain(secret);
  });
});
