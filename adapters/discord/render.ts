// Lays out the engine's localised view models as Discord message payloads.
// Discord allows at most 5 action rows of at most 5 buttons, 80 characters per label,
// 100 per custom id and 2000 per message content.

import { ButtonStyle, ComponentType } from "discord.js";
import type {
  APIActionRowComponent,
  APIAllowedMentions,
  APIButtonComponentWithCustomId,
  APIButtonComponentWithURL,
  APIEmbed,
  APIModalInteractionResponseCallbackData,
  RESTPostAPIChannelMessageJSONBody,
} from "discord.js";
import type {
  AlertView,
  ButtonView,
  ChoiceRowView,
  OutboundView,
  PromptView,
  ScaleRowView,
} from "../../src/ports/chat-platform.ts";

export const MAX_CONTENT = 2000;
const MAX_LABEL = 80;
const MAX_ROWS = 5;
const MAX_BUTTONS_PER_ROW = 5;
const ALERT_COLOR = 0xd98e04;
const URGENT_COLOR = 0xc0392b;

/** The text input inside the comment modal. */
export const COMMENT_INPUT_ID = "comment";

/** Message body for POST/PATCH; empty arrays clear earlier embeds and buttons on edit. */
export type MessagePayload = Pick<RESTPostAPIChannelMessageJSONBody, "content" | "embeds" | "allowed_mentions"> & {
  components: APIActionRowComponent<APIButtonComponentWithCustomId | APIButtonComponentWithURL>[];
};

/**
 * A button's custom id is its action id (src/ports/action-ids.ts), unchanged: the engine finds the
 * practice from the check-in or alert the id names. Buttons sent by earlier versions carry
 * `<guild id>|` in front; until the next release that prefix is accepted and ignored.
 */
export function actionIdOf(customId: string): string {
  const legacy = /^\d{15,21}\|(.+)$/s.exec(customId);
  return legacy ? (legacy[1] ?? "") : customId;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

type Button = APIButtonComponentWithCustomId;
type CustomIdStyle = Button["style"];

function button(actionId: string, label: string, style: CustomIdStyle = ButtonStyle.Secondary): Button {
  return { type: ComponentType.Button, custom_id: actionId, label: truncate(label || "·", MAX_LABEL), style };
}

function styleOf(view: ButtonView): CustomIdStyle {
  if (view.style === "primary") return ButtonStyle.Primary;
  if (view.style === "danger") return ButtonStyle.Danger;
  return ButtonStyle.Secondary;
}

function row(buttons: Button[]): APIActionRowComponent<Button> {
  return { type: ComponentType.ActionRow, components: buttons };
}

/** Packs loose buttons into rows of five, dropping any beyond 25 (never happens with engine views). */
function rowsOf(buttons: Button[]): APIActionRowComponent<Button>[] {
  const rows: APIActionRowComponent<Button>[] = [];
  for (let i = 0; i < buttons.length && rows.length < MAX_ROWS; i += MAX_BUTTONS_PER_ROW) {
    rows.push(row(buttons.slice(i, i + MAX_BUTTONS_PER_ROW)));
  }
  return rows;
}

const NO_MENTIONS: APIAllowedMentions = { parse: [] };

function scaleButtons(scale: ScaleRowView): Button[] {
  return scale.options.map((option) => button(option.actionId, option.label));
}

function choiceButtons(choice: ChoiceRowView): Button[] {
  return choice.options.map((option) => button(option.actionId, option.label));
}

/**
 * Prompt layout: one row per scale item, one for tension, one for "talked through", and one for
 * comment + skip. With all six present, "talked through" (3) shares the last row with comment and
 * skip (2), which keeps the prompt at Discord's five rows.
 */
export function promptRows(view: PromptView): APIActionRowComponent<Button>[] {
  const groups: Button[][] = view.rows.map((scale) => scaleButtons(scale));
  if (view.tension) groups.push(choiceButtons(view.tension));
  const talked = view.talkedThrough ? choiceButtons(view.talkedThrough) : null;
  const closing: Button[] = [];
  if (view.commentButton) closing.push(button(view.commentButton.actionId, view.commentButton.label, ButtonStyle.Primary));
  closing.push(button(view.skipButton.actionId, view.skipButton.label, styleOf(view.skipButton)));
  if (talked && groups.length + 2 > MAX_ROWS) {
    groups.push([...talked, ...closing]);
  } else {
    if (talked) groups.push(talked);
    groups.push(closing);
  }
  return groups.flatMap((group) => rowsOf(group)).slice(0, MAX_ROWS);
}

function promptContent(view: PromptView): string {
  const lines: string[] = [view.intro, ""];
  let number = 1;
  for (const scale of view.rows) {
    lines.push(`**${number++}. ${scale.question}**`, `-# ${scale.hint}`);
  }
  if (view.tension) lines.push(`**${number++}. ${view.tension.question}**`);
  if (view.talkedThrough) lines.push(`**${number++}. ${view.talkedThrough.question}**`);
  if (view.footer) lines.push("", `-# ${view.footer}`);
  return truncate(lines.join("\n"), MAX_CONTENT);
}

/** Mentions render in content but not in embed titles, so the title (which names the client) is the content. */
function alertContent(view: AlertView): string {
  const mention = `<@${view.clientUserId}>`;
  const title = `${view.urgent ? "🔴" : "🟠"} **${view.title}**`;
  return truncate(view.title.includes(mention) ? title : `${title}\n${mention}`, MAX_CONTENT);
}

function alertEmbed(view: AlertView): APIEmbed {
  const reasons = view.reasons.map((reason) => `• ${reason}`).join("\n");
  return {
    description: truncate([reasons, "", view.trendLine].join("\n"), 4096),
    color: view.urgent ? URGENT_COLOR : ALERT_COLOR,
    footer: { text: truncate(view.status, 2048) },
  };
}

/** Renders any outbound view. */
export function renderView(view: OutboundView): MessagePayload {
  switch (view.kind) {
    case "prompt":
      return { content: promptContent(view), embeds: [], components: promptRows(view), allowed_mentions: NO_MENTIONS };
    case "consent":
      return {
        content: truncate(view.text, MAX_CONTENT),
        embeds: [],
        components: [
          row([
            button(view.accept.actionId, view.accept.label, ButtonStyle.Success),
            button(view.decline.actionId, view.decline.label, styleOf(view.decline)),
          ]),
        ],
        allowed_mentions: NO_MENTIONS,
      };
    case "alert":
      return {
        content: alertContent(view),
        embeds: [alertEmbed(view)],
        components: rowsOf(view.buttons.map((b) => button(b.actionId, b.label, styleOf(b)))),
        allowed_mentions: NO_MENTIONS,
      };
    case "notice":
      return {
        content: truncate(view.text, MAX_CONTENT),
        embeds: [],
        components: rowsOf((view.buttons ?? []).map((b) => button(b.actionId, b.label, styleOf(b)))),
        allowed_mentions: NO_MENTIONS,
      };
    case "closed":
      return { content: truncate(view.text, MAX_CONTENT), embeds: [], components: [], allowed_mentions: NO_MENTIONS };
    case "link":
      // A link button opens the URL in the browser and sends no interaction to the bot.
      return {
        content: truncate(view.text, MAX_CONTENT),
        embeds: [],
        components: [{ type: ComponentType.ActionRow, components: [{ type: ComponentType.Button, style: ButtonStyle.Link, url: view.link.url, label: truncate(view.link.label, MAX_LABEL) }] }],
        allowed_mentions: NO_MENTIONS,
      };
  }
}

/** Buttons under a private reply (Reply.buttons), e.g. the "which practice?" choices. */
export function replyButtonRows(buttons: readonly ButtonView[]): APIActionRowComponent<Button>[] {
  return rowsOf(buttons.map((b) => button(b.actionId, b.label, styleOf(b))));
}

/** Text shown in place of a message whose buttons were used up (Reply.replaceMessageText). */
export function replacementPayload(text: string): MessagePayload {
  return { content: truncate(text, MAX_CONTENT), embeds: [], components: [], allowed_mentions: NO_MENTIONS };
}

/** Splits a long private reply into Discord-sized pieces, on line breaks where possible. */
export function splitContent(text: string, max = MAX_CONTENT): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const cut = rest.lastIndexOf("\n", max);
    const at = cut > max / 2 ? cut : max;
    pieces.push(rest.slice(0, at));
    rest = rest.slice(at).replace(/^\n/, "");
  }
  pieces.push(rest);
  return pieces;
}

export interface CommentModalSpec {
  title: string;
  label: string;
  placeholder?: string;
  maxLength: number;
}

/** The comment modal; its custom id is the comment button's custom id, so submit names the check-in. */
export function commentModal(customId: string, spec: CommentModalSpec): APIModalInteractionResponseCallbackData {
  const input = {
    type: ComponentType.TextInput,
    custom_id: COMMENT_INPUT_ID,
    style: 2,
    required: true,
    min_length: 1,
    max_length: Math.max(1, Math.min(4000, spec.maxLength)),
    ...(spec.placeholder ? { placeholder: truncate(spec.placeholder, 100) } : {}),
  };
  return {
    custom_id: customId,
    title: truncate(spec.title, 45),
    components: [{ type: ComponentType.Label, label: truncate(spec.label, 45), component: input }],
  } as APIModalInteractionResponseCallbackData;
}
