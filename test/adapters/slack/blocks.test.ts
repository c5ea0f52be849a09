import { describe, expect, it } from "vitest";
import { encodeAction } from "../../../src/ports/action-ids.ts";
import { buildAlertView } from "../../../src/core/views.ts";
import type { AlertView, PromptView } from "../../../src/ports/chat-platform.ts";
import { commentModal, homeTab, LIMITS, renderMessage, toMrkdwn } from "../../../adapters/slack/blocks.ts";
import { buttonActionIds, visibleText } from "../../support/fake-slack.ts";

type Block = { type: string; block_id?: string; elements?: { type: string; action_id?: string; text?: { text: string }; style?: string }[] };

function prompt(overrides: Partial<PromptView> = {}): PromptView {
  const checkInId = "c1";
  return {
    kind: "prompt",
    checkInId,
    intro: "Intro",
    rows: (["goal", "task", "bond"] as const).map((item) => ({
      item,
      question: `Q-${item}`,
      options: [1, 2, 3, 4, 5].map((value) => ({ value, label: String(value), actionId: encodeAction({ op: "score", checkInId, item, value }) })),
      hint: `hint-${item}`,
    })),
    tension: { question: "Q-tension", options: (["no", "a_little", "yes"] as const).map((value) => ({ value, label: `t-${value}`, actionId: encodeAction({ op: "tension", checkInId, value }) })) },
    talkedThrough: { question: "Q-talked", options: (["yes", "partly", "no"] as const).map((value) => ({ value, label: `k-${value}`, actionId: encodeAction({ op: "talked", checkInId, value }) })) },
    commentButton: { actionId: encodeAction({ op: "comment", checkInId }), label: "Comment" },
    commentModal: null,
    skipButton: { actionId: encodeAction({ op: "skip", checkInId }), label: "Skip" },
    footer: "Footer",
    ...overrides,
  };
}

describe("Block Kit renderers", () => {
  it("lays out a prompt: one row of five buttons per item, tension and talked rows, comment and skip", () => {
    const { text, blocks } = renderMessage(prompt());
    expect(text).toBe("Intro");
    const rows = (blocks as Block[]).filter((b) => b.type === "actions");
    expect(rows.map((r) => r.block_id)).toEqual(["score_goal", "score_task", "score_bond", "tension", "talked", "finish"]);
    expect(rows.slice(0, 3).map((r) => r.elements?.length)).toEqual([5, 5, 5]);
    expect(rows[5]?.elements?.map((e) => e.action_id)).toEqual(["ci:c1:comment", "ci:c1:skip"]);
    const visible = visibleText({ text, blocks });
    for (const word of ["Intro", "Q-goal", "hint-bond", "Q-tension", "t-a_little", "Q-talked", "Comment", "Skip", "Footer"]) expect(visible).toContain(word);
    expect(blocks.length).toBeLessThanOrEqual(LIMITS.messageBlocks);
  });

  it("omits the optional rows and the comment button when the practice turned them off", () => {
    const { blocks } = renderMessage(prompt({ tension: null, talkedThrough: null, commentButton: null }));
    expect(buttonActionIds(blocks)).toHaveLength(16);
    expect(buttonActionIds(blocks).at(-1)).toBe("ci:c1:skip");
  });

  it("lays out consent with accept and decline", () => {
    const { text, blocks } = renderMessage({
      kind: "consent",
      text: "May we check in?",
      accept: { actionId: "consent:c1:yes", label: "Accept", style: "primary" },
      decline: { actionId: "consent:c1:no", label: "Decline" },
    });
    expect(text).toBe("May we check in?");
    expect(buttonActionIds(blocks)).toEqual(["consent:c1:yes", "consent:c1:no"]);
    expect((blocks as Block[]).find((b) => b.type === "actions")?.elements?.[0]?.style).toBe("primary");
  });

  it("lays out an alert with the client mention, reasons, trend line, status and buttons", () => {
    const alert: AlertView = {
      kind: "alert",
      alertId: "a1",
      urgent: true,
      title: "Possible rupture",
      clientUserId: "UCLIENT1",
      reasons: ["Bond was 2 (≤ 2)", "Total 9 < 12"],
      trendLine: "▂▅▇▃",
      status: "Open",
      buttons: [
        { actionId: "al:a1:ack", label: "Acknowledge", style: "primary" },
        { actionId: "al:a1:repaired", label: "Mark repaired" },
        { actionId: "al:a1:snooze", label: "Snooze 1 week" },
      ],
    };
    const { text, blocks } = renderMessage(alert);
    expect(text).toBe("Possible rupture");
    const visible = visibleText({ text, blocks });
    expect(visible).toContain("<@UCLIENT1>");
    expect(visible).toContain("• Bond was 2 (≤ 2)\n• Total 9 < 12");
    expect(visible).toContain("▂▅▇▃");
    expect(visible).toContain(":rotating_light:");
    expect(buttonActionIds(blocks)).toEqual(["al:a1:ack", "al:a1:repaired", "al:a1:snooze"]);
  });

  it("names the client once at the top of an alert built by the engine", () => {
    const alert = { id: "a1", enrollmentId: "e", checkInId: "c", status: "open", severity: "normal", signals: [{ code: "low_item", params: { item: "bond", value: 2, threshold: 2 } }],
      createdAt: new Date(0), updatedAt: new Date(0), acknowledgedAt: null, resolvedAt: null, snoozedUntil: null, platformChannelId: null, platformMessageId: null } as const;
    for (const severity of ["normal", "urgent"] as const) {
      const view = buildAlertView({ ...alert, signals: [...alert.signals], severity }, "slack", "UCLIENT1", [9, 12], "en", "UTC", new Date(0));
      const { blocks } = renderMessage(view);
      const top = JSON.stringify(blocks[0]);
      expect(top.split("<@UCLIENT1>")).toHaveLength(2);
    }
    // A title that does not name the client still gets the mention.
    const { blocks } = renderMessage({ kind: "alert", alertId: "a", urgent: false, title: "T", clientUserId: "UCLIENT1", reasons: [], trendLine: "", status: "", buttons: [] });
    expect(JSON.stringify(blocks[0])).toContain("<@UCLIENT1>");
  });

  it("does not turn a malformed client id into a mention", () => {
    const { blocks } = renderMessage({ kind: "alert", alertId: "a", urgent: false, title: "T", clientUserId: "<!channel>", reasons: [], trendLine: "", status: "", buttons: [] });
    expect(JSON.stringify(blocks)).not.toContain("<!channel>");
  });

  it("lays out notices with optional buttons and closed prompts without any", () => {
    expect(buttonActionIds(renderMessage({ kind: "notice", text: "Reminder", buttons: [{ actionId: "me:resume", label: "Resume" }] }).blocks)).toEqual(["me:resume"]);
    const closed = renderMessage({ kind: "closed", text: "Thanks" });
    expect(closed.blocks).toEqual([{ type: "section", text: { type: "mrkdwn", text: "Thanks" } }]);
  });

  it("escapes mrkdwn control characters but keeps deliberate mentions", () => {
    expect(toMrkdwn("a <b> & <@U123ABC> <!here>")).toBe("a &lt;b&gt; &amp; <@U123ABC> &lt;!here&gt;");
  });

  it("keeps texts inside Slack's limits", () => {
    const long = "x".repeat(5000);
    const { text, blocks } = renderMessage({ kind: "notice", text: long, buttons: [{ actionId: "me:stop", label: long }] });
    expect(text.length).toBeLessThanOrEqual(LIMITS.notificationText);
    const json = blocks as { text?: { text: string }; elements?: { text: { text: string } }[] }[];
    expect(json[0]?.text?.text.length).toBeLessThanOrEqual(LIMITS.sectionText);
    expect(Array.from(json[1]?.elements?.[0]?.text.text ?? "").length).toBeLessThanOrEqual(LIMITS.buttonText);
  });

  it("refuses an action id longer than Slack allows rather than sending a broken message", () => {
    expect(() => renderMessage({ kind: "notice", text: "t", buttons: [{ actionId: "x".repeat(256), label: "b" }] })).toThrow(/255/);
  });

  it("builds the comment modal from the engine's reply", () => {
    const modal = commentModal({ checkInId: "c1", title: "A title longer than twenty-four", label: "Label", submit: "Send", placeholder: "Optional", maxLength: 99_999 });
    expect(modal.callback_id).toBe("checkin_comment");
    expect(modal.private_metadata).toBe("c1");
    expect(Array.from(modal.title.text).length).toBeLessThanOrEqual(LIMITS.modalTitle);
    expect(JSON.stringify(modal.blocks)).toContain(`"max_length":${LIMITS.inputMaxLength}`);
  });

  it("lays out the App Home per section", () => {
    const view = homeTab({
      sections: [
        { title: "Open alerts", lines: ["<@U1> — low bond", "<@U2> — decline"], buttons: [{ actionId: "al:a1:ack", label: "Acknowledge" }] },
        { title: "Clients", lines: [] },
      ],
    });
    expect(view.type).toBe("home");
    expect(view.blocks.map((b) => b.type)).toEqual(["header", "section", "actions", "divider", "header"]);
    expect(visibleText({ text: "", blocks: view.blocks })).toContain("<@U1> — low bond\n<@U2> — decline");
  });
});
