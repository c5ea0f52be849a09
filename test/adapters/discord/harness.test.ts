// The contract harness itself, until the shared suite (test/contract/adapter-contract.ts) lands.

import { afterEach, expect, it } from "vitest";
import type { AdapterHarness } from "../../contract/harness.ts";
import type { CommandEvent, CommentEvent } from "../../../src/ports/inbound.ts";
import { encodeAction } from "../../../src/ports/action-ids.ts";
import { makeDiscordHarness } from "./harness.ts";
import { promptView, RecordingInbound } from "./fixtures.ts";

let harness: AdapterHarness | null = null;
afterEach(async () => {
  await harness?.close();
  harness = null;
});

it("drives commands, buttons and comments through the real adapter", async () => {
  const inbound = new RecordingInbound();
  inbound.answer = (event) => (event.type === "action" ? { text: "Saved.", replaceMessageText: "Thanks." } : { text: `got ${event.type}` });
  harness = await makeDiscordHarness(inbound);
  await harness.platform.start();

  expect(await harness.runCommand("admin", "enroll <@alice> <@bob> tue 17:00 50m tz=Europe/Bucharest", { admin: true })).toBe("got command");
  const command = inbound.events[0] as CommandEvent;
  expect(command.actor.isPlatformAdmin).toBe(true);
  expect(command.text).toMatch(/^enroll <@\d+> <@\d+> tue 17:00 50m tz=Europe\/Bucharest$/);
  expect(await harness.runCommand("alice", "help")).toBe("got command");
  expect((inbound.events[1] as CommandEvent).actor.isPlatformAdmin).toBe(false);

  const alice = command.text.split(" ")[1]?.slice(2, -1) ?? "";
  const sent = await harness.platform.sendDirect({ workspaceId: harness.workspaceId, userId: alice }, promptView("ck1"));
  if (!sent.ok) throw new Error(sent.code);
  const [message] = harness.messagesTo("alice");
  expect(message?.text).toContain("Goal question");
  expect(message?.actionIds).toContain(encodeAction({ op: "skip", checkInId: "ck1" }));

  expect(await harness.submitComment("alice", "ck1", "hello")).toBe("got comment");
  expect((inbound.events.at(-1) as CommentEvent).checkInId).toBe("ck1");

  expect(await harness.pressButton("alice", sent.ref, encodeAction({ op: "score", checkInId: "ck1", item: "goal", value: 3 }))).toBe("Saved.");
  expect(harness.messagesTo("alice")[0]).toMatchObject({ text: "Thanks.", actionIds: [] });
});
