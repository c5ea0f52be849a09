// `/checkin help`: the commands a person may use, or the usage and an example of one subcommand.

import type { EngineContext } from "../context.ts";
import type { Reply } from "../../ports/inbound.ts";
import type { Command } from "./grammar.ts";
import { EXAMPLES, suggestSubcommand, USAGE } from "./grammar.ts";
import type { ActorContext } from "./guards.ts";

/** `help <subcommand>`: that subcommand's usage and a correct example; an unknown topic is refused specifically. */
function helpTopic(a: ActorContext, topic: string): Reply {
  const name = (Object.keys(USAGE) as Command["name"][]).find((candidate) => candidate === topic);
  if (name) return { text: `${a.t("command.usage", { usage: USAGE[name] })}\n${a.t("command.example", { example: EXAMPLES[name] })}` };
  const suggestion = suggestSubcommand(topic);
  return {
    text: [
      a.t("command.unknown", { got: topic.replace(/[^\p{L}\p{N}._-]/gu, "").slice(0, 40) }),
      ...(suggestion ? [a.t("command.did_you_mean", { suggestion })] : []),
      a.t("command.usage", { usage: USAGE.help }),
      a.t("command.example", { example: EXAMPLES.help }),
    ].join(" "),
    refused: true,
  };
}

/** `help`: the commands this person may use (client, therapist, admin), or one subcommand's usage. */
export async function help(_ctx: EngineContext, a: ActorContext, c: Extract<Command, { name: "help" }>): Promise<Reply> {
  if (c.topic) return helpTopic(a, c.topic);
  const lines = [a.t("help.header"), a.t("help.client")];
  if (a.isAdmin || a.person?.isTherapist) lines.push(a.t("help.therapist"));
  if (a.isAdmin) lines.push(a.t("help.admin"));
  return { text: lines.join("\n") };
}
