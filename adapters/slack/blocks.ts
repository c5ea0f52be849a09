// Block Kit layouts for the engine's view models. The engine supplies every visible word;
// this file only arranges them and keeps them inside Slack's size limits.

import type { types } from "@slack/bolt";
import type {
  AlertView,
  ButtonView,
  ChoiceRowView,
  ClosedPromptView,
  ConsentView,
  LinkMessageView,
  NoticeView,
  OutboundView,
  PromptView,
  ScaleRowView,
} from "../../src/ports/chat-platform.ts";
import type { HomeView, Reply } from "../../src/ports/inbound.ts";
import { SlackAdapterError } from "./errors.ts";

type KnownBlock = types.KnownBlock;
type Button = types.Button;
type ModalView = types.ModalView;
type SlackHomeView = types.HomeView;

/** Slack's documented limits. */
export const LIMITS = {
  actionId: 255,
  blockId: 255,
  buttonText: 75,
  sectionText: 3000,
  contextText: 3000,
  headerText: 150,
  modalTitle: 24,
  modalSubmit: 24,
  inputLabel: 2000,
  placeholder: 150,
  inputMaxLength: 3000,
  privateMetadata: 3000,
  messageBlocks: 50,
  viewBlocks: 100,
  actionsElements: 25,
  notificationText: 3000,
} as const;

export const COMMENT_CALLBACK_ID = "checkin_comment";
export const COMMENT_BLOCK_ID = "comment";
export const COMMENT_INPUT_ID = "comment_text";

export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join("")}…`;
}

/** Escapes engine text for mrkdwn, keeping user and channel mentions the engine wrote on purpose. */
export function toMrkdwn(text: string): string {
  return text
    .split(/(<[@#][UWC][A-Z0-9]{2,30}>)/)
    .map((part, index) => (index % 2 === 1 ? part : part.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")))
    .join("");
}

function mention(userId: string): string {
  return /^[UW][A-Z0-9]{2,30}$/.test(userId) ? `<@${userId}>` : toMrkdwn(userId);
}

function plain(text: string, max: number): types.PlainTextElement {
  return { type: "plain_text", text: truncate(text.length > 0 ? text : " ", max), emoji: true };
}

function section(text: string, blockId?: string): KnownBlock {
  const block: types.SectionBlock = { type: "section", text: { type: "mrkdwn", text: truncate(toMrkdwn(text) || " ", LIMITS.sectionText) } };
  if (blockId) block.block_id = blockId;
  return block;
}

function context(text: string): KnownBlock {
  return { type: "context", elements: [{ type: "mrkdwn", text: truncate(toMrkdwn(text) || " ", LIMITS.contextText) }] };
}

function button(view: { actionId: string; label: string; style?: "primary" | "danger" }): Button {
  if (view.actionId.length > LIMITS.actionId) throw new SlackAdapterError("action_id_too_long", "action id exceeds Slack's 255-character limit");
  const element: Button = { type: "button", action_id: view.actionId, text: plain(view.label, LIMITS.buttonText) };
  if (view.style) element.style = view.style;
  return element;
}

function actions(blockId: string, buttons: Button[]): KnownBlock[] {
  const rows: KnownBlock[] = [];
  for (let start = 0; start < buttons.length; start += LIMITS.actionsElements) {
    const suffix = start === 0 ? "" : `_${start / LIMITS.actionsElements}`;
    rows.push({ type: "actions", block_id: truncate(`${blockId}${suffix}`, LIMITS.blockId), elements: buttons.slice(start, start + LIMITS.actionsElements) });
  }
  return rows;
}

function scaleRow(row: ScaleRowView): KnownBlock[] {
  return [
    section(`*${row.question}*`),
    ...actions(`score_${row.item}`, row.options.map((option) => button({ actionId: option.actionId, label: option.label }))),
    context(row.hint),
  ];
}

function choiceRow(blockId: string, row: ChoiceRowView): KnownBlock[] {
  return [section(`*${row.question}*`), ...actions(blockId, row.options.map((option) => button({ actionId: option.actionId, label: option.label })))];
}

export function promptBlocks(view: PromptView): KnownBlock[] {
  const closing = [view.commentButton, view.skipButton].filter((b): b is ButtonView => b !== null);
  return [
    section(view.intro),
    ...view.rows.flatMap(scaleRow),
    ...(view.tension ? choiceRow("tension", view.tension) : []),
    ...(view.talkedThrough ? choiceRow("talked", view.talkedThrough) : []),
    ...actions("finish", closing.map(button)),
    context(view.footer),
  ];
}

export function consentBlocks(view: ConsentView): KnownBlock[] {
  return [section(view.text), ...actions("consent", [button(view.accept), button(view.decline)])];
}

export function alertBlocks(view: AlertView): KnownBlock[] {
  const marker = view.urgent ? ":rotating_light: " : "";
  const reasons = view.reasons.map((reason) => `• ${toMrkdwn(reason)}`).join("\n");
  const blocks: KnownBlock[] = [
    // The engine's title names the client already; the mention is added only when it does not.
    { type: "section", text: { type: "mrkdwn", text: truncate(`${marker}*${toMrkdwn(view.title)}*${view.title.includes(mention(view.clientUserId)) ? "" : `  ${mention(view.clientUserId)}`}`, LIMITS.sectionText) } },
  ];
  if (reasons) blocks.push({ type: "section", text: { type: "mrkdwn", text: truncate(reasons, LIMITS.sectionText) } });
  if (view.trendLine) blocks.push(section(view.trendLine, "trend"));
  if (view.status) blocks.push(context(view.status));
  blocks.push(...actions(`alert`, view.buttons.map(button)));
  return blocks;
}

export function noticeBlocks(view: NoticeView): KnownBlock[] {
  return [section(view.text), ...actions("notice", (view.buttons ?? []).map(button))];
}

/** The action id of link buttons: Slack reports their clicks too; the handler acknowledges and ignores them. */
export const LINK_BUTTON_ACTION_ID = "link:open";

/** Link mode: neutral text and one URL button to the practice's page. */
export function linkBlocks(view: LinkMessageView): KnownBlock[] {
  const element: Button = { type: "button", action_id: LINK_BUTTON_ACTION_ID, text: plain(view.link.label, LIMITS.buttonText), url: view.link.url, style: "primary" };
  return [section(view.text), { type: "actions", block_id: "link", elements: [element] }];
}

export function closedBlocks(view: ClosedPromptView): KnownBlock[] {
  return [section(view.text)];
}

/** The Block Kit blocks plus the notification fallback Slack shows in alerts and screen readers. */
export function renderMessage(view: OutboundView): { text: string; blocks: KnownBlock[] } {
  const blocks = layout(view).slice(0, LIMITS.messageBlocks);
  return { text: truncate(fallbackText(view), LIMITS.notificationText), blocks };
}

function layout(view: OutboundView): KnownBlock[] {
  switch (view.kind) {
    case "prompt":
      return promptBlocks(view);
    case "consent":
      return consentBlocks(view);
    case "alert":
      return alertBlocks(view);
    case "notice":
      return noticeBlocks(view);
    case "closed":
      return closedBlocks(view);
    case "link":
      return linkBlocks(view);
  }
}

function fallbackText(view: OutboundView): string {
  switch (view.kind) {
    case "prompt":
      return view.intro;
    case "alert":
      return view.title;
    default:
      return view.text;
  }
}

export function commentModal(spec: NonNullable<Reply["openCommentModal"]>): ModalView {
  const element: types.PlainTextInput = {
    type: "plain_text_input",
    action_id: COMMENT_INPUT_ID,
    multiline: true,
    max_length: Math.max(1, Math.min(spec.maxLength, LIMITS.inputMaxLength)),
  };
  if (spec.placeholder) element.placeholder = plain(spec.placeholder, LIMITS.placeholder);
  return {
    type: "modal",
    callback_id: COMMENT_CALLBACK_ID,
    private_metadata: truncate(spec.checkInId, LIMITS.privateMetadata),
    title: plain(spec.title, LIMITS.modalTitle),
    submit: plain(spec.submit, LIMITS.modalSubmit),
    blocks: [{ type: "input", block_id: COMMENT_BLOCK_ID, label: plain(spec.label, LIMITS.inputLabel), element }],
  };
}

/** The modal shown after a comment was accepted, reusing the comment modal's own title. */
export function confirmationModal(title: types.PlainTextElement, text: string): ModalView {
  return { type: "modal", title: plain(title.text, LIMITS.modalTitle), blocks: [section(text)] };
}

export function homeTab(home: HomeView): SlackHomeView {
  const blocks: KnownBlock[] = [];
  home.sections.forEach((part, index) => {
    if (index > 0) blocks.push({ type: "divider" });
    blocks.push({ type: "header", text: plain(part.title, LIMITS.headerText) });
    for (const chunk of chunkLines(part.lines)) blocks.push(section(chunk));
    blocks.push(...actions(`home_${index}`, (part.buttons ?? []).map(button)));
  });
  return { type: "home", blocks: blocks.slice(0, LIMITS.viewBlocks) };
}

/** Groups lines into section-sized chunks without splitting a line. */
function chunkLines(lines: string[]): string[] {
  const chunks: string[] = [];
  let current = "";
  for (const line of lines) {
    const next = current ? `${current}\n${line}` : line;
    if (toMrkdwn(next).length > LIMITS.sectionText && current) {
      chunks.push(current);
      current = line;
    } else {
      current = next;
    }
  }
  if (current) chunks.push(current);
  return chunks;
}
