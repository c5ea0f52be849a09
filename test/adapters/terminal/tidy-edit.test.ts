// Tidy mode in the terminal: the finished prompt is deleted, and the "Edit my answers" button
// comes under the private reply with a code that /press accepts, like any message's button.

import { PassThrough } from "node:stream";
import { afterEach, expect, it } from "vitest";
import { TerminalAdapter, TERMINAL_WORKSPACE } from "../../../adapters/terminal/index.ts";
import type { InboundEvent, Reply } from "../../../src/ports/inbound.ts";
import { createEngineFixture } from "../../support/engine-fixture.ts";
import type { EngineFixture } from "../../support/engine-fixture.ts";

let f: EngineFixture | undefined;
afterEach(async () => f?.dispose());

/** The /press code of a button on a rendered terminal message: codes are shown in button order. */
function codeOf(message: { text: string; actionIds: string[] }, test: (actionId: string) => boolean): string {
  const codes = [...message.text.matchAll(/\[(b\d+)\]/g)].map((m) => m[1] as string);
  const index = message.actionIds.findIndex(test);
  expect(index).toBeGreaterThanOrEqual(0);
  return codes[index] as string;
}

it("tidy mode: the reply's Edit my answers has a /press code and re-opens the prompt as a new DM", async () => {
  const output = new PassThrough();
  let written = "";
  output.on("data", (chunk: Buffer) => (written += chunk.toString("utf8")));
  const late: { receive: ((event: InboundEvent) => Promise<Reply>) | null } = { receive: null };
  const terminal = new TerminalAdapter({ inbound: { receive: (event) => late.receive!(event) }, output });
  f = await createEngineFixture({ platform: terminal, workspaceId: TERMINAL_WORKSPACE, start: "2026-03-02T08:00:00Z" });
  late.receive = (event) => f!.engine.receive(event);
  for (const line of ["settings tidy on", "settings tension off", "enroll alice bob mon 09:00 50m UTC"]) {
    expect((await f.command("admin", line, { admin: true })).refused).toBeFalsy();
  }
  f.clock.set("2026-03-02T10:00:00Z");
  await f.engine.tick();
  const consent = terminal.messagesTo("alice").at(-1)!;
  await terminal.press("alice", consent.ref, consent.actionIds.find((a) => a.endsWith(":yes"))!);
  const prompt = terminal.messagesTo("alice").at(-1)!;
  expect(prompt.actionIds.filter((a) => /:(goal|task|bond):\d$/.test(a))).toHaveLength(15);

  await terminal.handleLine("/as client alice");
  for (const [item, value] of [["goal", 4], ["task", 4], ["bond", 5]] as const) {
    const current = terminal.messagesTo("alice").find((m) => m.ref.messageId === prompt.ref.messageId)!;
    await terminal.handleLine(`/press ${codeOf(current, (a) => a.endsWith(`:${item}:${value}`))}`);
  }
  expect(terminal.messagesTo("alice").find((m) => m.ref.messageId === prompt.ref.messageId)!.deleted).toBe(true);
  const offered = /\(only you\) Thank you, your check-in is saved\.[^\n]*\n\s*\[(b\d+)\] Edit my answers/.exec(written);
  expect(offered, written.slice(-600)).not.toBeNull();

  const before = terminal.messagesTo("alice").filter((m) => !m.deleted && m.ref.channelId !== "reply").length;
  await terminal.handleLine(`/press ${offered![1]}`);
  const open = terminal.messagesTo("alice").filter((m) => !m.deleted && m.ref.channelId !== "reply");
  expect(open).toHaveLength(before + 1);
  expect(open.at(-1)!.actionIds.filter((a) => /:(goal|task|bond):\d$/.test(a))).toHaveLength(15);
  expect(written).toMatch(/\(only you\) [^\n]*until/);
});
