import { PassThrough } from "node:stream";
import { TerminalAdapter, TERMINAL_WORKSPACE } from "../../../adapters/terminal/index.ts";
import type { HarnessFactory } from "../../contract/harness.ts";

export const makeTerminalHarness: HarnessFactory = async (inbound) => {
  const output = new PassThrough();
  let written = "";
  output.on("data", (chunk: Buffer) => (written += chunk.toString("utf8")));
  const platform = new TerminalAdapter({ inbound, output });
  return {
    platform,
    workspaceId: TERMINAL_WORKSPACE,
    async runCommand(userId, text, opts) {
      return (await platform.runCommand(userId, text, opts?.admin ?? false)).text;
    },
    async pressButton(userId, ref, actionId) {
      return (await platform.press(userId, ref, actionId))?.text ?? null;
    },
    async submitComment(userId, checkInId, text) {
      return (await platform.comment(userId, checkInId, text)).text;
    },
    messagesTo: (userId) => platform.messagesTo(userId).map((m) => ({ ...m, links: [...m.text.matchAll(/https?:\/\/\S+/g)].map((match) => match[0]) })),
    recordedOutbound: () => JSON.stringify({ output: written }),
    async close() {
      await platform.stop();
    },
  };
};
