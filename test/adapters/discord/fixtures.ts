// View models and doubles shared by the Discord adapter tests.

import { encodeAction } from "../../../src/ports/action-ids.ts";
import type { AlertView, PromptView } from "../../../src/ports/chat-platform.ts";
import type { InboundEvent, InboundPort, Reply } from "../../../src/ports/inbound.ts";
import type { Logger } from "../../../src/ports/logger.ts";

export class RecordingInbound implements InboundPort {
  readonly events: InboundEvent[] = [];
  answer: (event: InboundEvent) => Reply = () => ({ text: "ok" });
  async receive(event: InboundEvent): Promise<Reply> {
    this.events.push(event);
    return this.answer(event);
  }
}

/** A logger that keeps every line, to prove nothing clinical is logged. */
export function capturingLogger(lines: unknown[] = []): Logger & { lines: unknown[] } {
  const log = (level: string) => (fields: Record<string, unknown>, msg: string) => void lines.push({ level, msg, ...fields });
  const logger: Logger & { lines: unknown[] } = {
    lines,
    debug: log("debug"),
    info: log("info"),
    warn: log("warn"),
    error: log("error"),
    child: (bindings) => {
      const child = capturingLogger(lines);
      const wrap = (level: "debug" | "info" | "warn" | "error") => (fields: Record<string, unknown>, msg: string) =>
        child[level]({ ...bindings, ...fields }, msg);
      return { ...child, debug: wrap("debug"), info: wrap("info"), warn: wrap("warn"), error: wrap("error") };
    },
  };
  return logger;
}

export function promptView(checkInId: string, opts: { tension?: boolean; talked?: boolean; comment?: boolean } = {}): PromptView {
  const scale = (item: "goal" | "task" | "bond", question: string) => ({
    item,
    question,
    hint: "1 = not at all … 5 = completely",
    options: [1, 2, 3, 4, 5].map((value) => ({ value, label: String(value), actionId: encodeAction({ op: "score", checkInId, item, value }) })),
  });
  return {
    kind: "prompt",
    checkInId,
    intro: "A short check-in about today's session.",
    rows: [scale("goal", "Goal question"), scale("task", "Task question"), scale("bond", "Bond question")],
    tension:
      opts.tension === false
        ? null
        : {
            question: "Tension question",
            options: (["no", "a_little", "yes"] as const).map((value) => ({ value, label: value, actionId: encodeAction({ op: "tension", checkInId, value }) })),
          },
    talkedThrough: opts.talked
      ? {
          question: "Talked-through question",
          options: (["yes", "partly", "no"] as const).map((value) => ({ value, label: value, actionId: encodeAction({ op: "talked", checkInId, value }) })),
        }
      : null,
    commentButton: opts.comment === false ? null : { actionId: encodeAction({ op: "comment", checkInId }), label: "Add a comment" },
    commentModal: opts.comment === false ? null : { title: "Your comment", label: "Anything to add?", submit: "Send", placeholder: "Optional", maxLength: 500 },
    skipButton: { actionId: encodeAction({ op: "skip", checkInId }), label: "Skip" },
    footer: "Only your therapist sees this.",
  };
}

export function alertView(alertId: string, clientUserId: string): AlertView {
  return {
    kind: "alert",
    alertId,
    urgent: false,
    title: "Possible rupture",
    clientUserId,
    reasons: ["low item"],
    trendLine: "trend",
    status: "open",
    buttons: (["ack", "repaired", "snooze"] as const).map((change) => ({ actionId: encodeAction({ op: "alert", alertId, change }), label: change })),
  };
}
