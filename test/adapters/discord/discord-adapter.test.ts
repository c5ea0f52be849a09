import { afterEach, describe, expect, it } from "vitest";
import type { InboundEvent, InboundPort, Reply } from "../../../src/ports/inbound.ts";
import { startDiscordRig } from "./harness.ts";
import type { DiscordRig } from "./harness.ts";

class RecordingInbound implements InboundPort {
  readonly events: InboundEvent[] = [];
  replies: ((event: InboundEvent) => Reply) = () => ({ text: "ok" });
  async receive(event: InboundEvent): Promise<Reply> {
    this.events.push(event);
    return this.replies(event);
  }
}

let rig: DiscordRig | null = null;
afterEach(async () => {
  await rig?.close();
  rig = null;
});

describe("discord adapter", () => {
  it("connects and registers the command", async () => {
    const inbound = new RecordingInbound();
    rig = await startDiscordRig(inbound);
    await rig.platform.start();
    expect(rig.fake.callsTo("PUT", /commands$/)).toHaveLength(1);
  });
});
