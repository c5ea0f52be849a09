// Checks the contract harness itself, so the shared suite fails only for adapter reasons.

import { describe, expect, it } from "vitest";
import type { InboundEvent, InboundPort, Reply } from "../../../src/ports/inbound.ts";
import { makeSlackHarness } from "./harness.ts";

describe("makeSlackHarness", () => {
  it("drives commands, buttons, comments and reports DM messages", async () => {
    const events: InboundEvent[] = [];
    const inbound: InboundPort = {
      async receive(event): Promise<Reply> {
        events.push(event);
        if (event.type === "command") return { text: event.actor.isPlatformAdmin ? "admin ok" : "refused", refused: !event.actor.isPlatformAdmin };
        if (event.type === "action") return { text: "", replaceMessageText: "Thanks" };
        return { text: "Comment saved" };
      },
    };
    const harness = await makeSlackHarness(inbound);
    try {
      await harness.platform.start();
      expect(await harness.runCommand("UA", "list", { admin: true })).toBe("admin ok");
      expect(await harness.runCommand("UA", "list")).toBe("refused");
      const sent = await harness.platform.sendDirect({ workspaceId: harness.workspaceId, userId: "UC" }, { kind: "notice", text: "Hi", buttons: [{ actionId: "ci:c1:skip", label: "Skip" }] });
      if (!sent.ok) throw new Error(sent.code);
      expect(harness.messagesTo("UC")).toEqual([{ ref: sent.ref, text: "Hi\nSkip", actionIds: ["ci:c1:skip"], links: [], deleted: false }]);
      expect(await harness.pressButton("UC", sent.ref, "ci:c1:skip")).toBeNull();
      expect(harness.messagesTo("UC")[0]).toMatchObject({ text: "Thanks", actionIds: [] });
      expect(await harness.submitComment("UC", "c1", "hello")).toBe("Comment saved");
      expect(events.map((e) => e.type)).toEqual(["command", "command", "action", "comment"]);
      expect(events.every((e) => e.actor.workspaceId === harness.workspaceId)).toBe(true);
    } finally {
      await harness.close();
    }
  });
});
