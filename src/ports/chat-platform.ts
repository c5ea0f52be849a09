// The ChatPlatform port: how the engine talks to Slack, Discord or the terminal.
// The engine hands over fully localised view models; an adapter only lays them out
// (Block Kit, Discord components, terminal text). No business rule lives in an adapter.

import type { Item, PlatformName, TalkedThroughAnswer, TensionAnswer } from "../core/model.ts";

/** Who a direct message goes to. Authorization never relies on display names. */
export interface Recipient {
  /** Slack team id, Discord guild id, or "local". */
  workspaceId: string;
  /** Platform user id. */
  userId: string;
}

/** Where a message the bot posted lives, so it can be edited or deleted later. */
export interface MessageRef {
  channelId: string;
  messageId: string;
}

export interface ButtonView {
  /** Action id (src/ports/action-ids.ts) the adapter sends back unchanged in an `action` event. */
  actionId: string;
  label: string;
  style?: "primary" | "danger";
}

export interface ScaleRowView {
  item: Item;
  question: string;
  /** Five buttons, values 1..5. */
  options: { value: number; label: string; actionId: string }[];
  /** Caption under the row, e.g. "1 = not at all … 5 = completely". */
  hint: string;
}

export interface ChoiceRowView {
  question: string;
  options: { value: TensionAnswer | TalkedThroughAnswer; label: string; actionId: string }[];
}

/** The check-in prompt a client receives. */
export interface PromptView {
  kind: "prompt";
  checkInId: string;
  intro: string;
  rows: ScaleRowView[];
  tension: ChoiceRowView | null;
  talkedThrough: ChoiceRowView | null;
  /** Opens the comment modal; null when the practice turned comments off. */
  commentButton: ButtonView | null;
  /** Title, label and submit text of the comment modal. */
  commentModal: { title: string; label: string; submit: string; placeholder: string; maxLength: number } | null;
  skipButton: ButtonView;
  footer: string;
}

/** The one-time consent request sent before the first prompt. */
export interface ConsentView {
  kind: "consent";
  text: string;
  accept: ButtonView;
  decline: ButtonView;
}

/** A rupture alert for the therapist. */
export interface AlertView {
  kind: "alert";
  alertId: string;
  urgent: boolean;
  title: string;
  /** The client, as a platform mention target. */
  clientUserId: string;
  reasons: string[];
  trendLine: string;
  status: string;
  buttons: ButtonView[];
}

/** Plain text with optional buttons: replies, notices, reminders, digests. */
export interface NoticeView {
  kind: "notice";
  text: string;
  buttons?: ButtonView[];
}

/** What replaces a prompt after it is answered or closed: never shows scores. */
export interface ClosedPromptView {
  kind: "closed";
  text: string;
}

/**
 * Link mode: neutral text and one button that opens a page on the practice's own server. It
 * carries no scale, item text, score, comment or alert reason; adapters show the text and a link
 * button (a URL button in Slack, a link button in Discord, the address in the terminal).
 *
 * @example
 *   { kind: "link", text: "Your short check-in after today's session is ready. It closes on Thu 3 Dec, 18:00.",
 *     link: { url: "https://checkin.example.org/c/3q2…", label: "Open the check-in" }, checkInId: "c1" }
 */
export interface LinkMessageView {
  kind: "link";
  text: string;
  link: { url: string; label: string };
  /** The check-in a prompt link is for (so a reclaimed send can find it: findSent); null otherwise. */
  checkInId: string | null;
}

export type OutboundView = PromptView | ConsentView | AlertView | NoticeView | ClosedPromptView | LinkMessageView;

/** A file sent to a user, e.g. a data export. */
export interface FileView {
  filename: string;
  contentType: string;
  content: string;
  comment: string;
}

/**
 * Why a send failed, in one vocabulary for every platform. Each adapter maps its own errors onto it
 * in one place (Slack: send-result.ts, Discord: results.ts); the engine decides from it alone.
 * - `recipient_unreachable`: this person cannot get the bot's DMs (DMs closed, gone, deactivated, a bot).
 * - `bot_misconfigured`: the bot's token, scopes, permissions or app settings are wrong; not the person's fault.
 * - `payload_rejected`: the platform refused what the bot sent (invalid body, message gone).
 * - `rate_limited`: try again after `retryAfterMs`.
 * - `transient`: network or platform outage; try again later.
 */
export type SendFailure = "recipient_unreachable" | "bot_misconfigured" | "payload_rejected" | "rate_limited" | "transient";

/** Result of a send. `code` is the platform's short error code (safe to log); `retryAfterMs` is set when rate-limited. */
export type SendResult = { ok: true; ref: MessageRef } | { ok: false; code: string; failure: SendFailure; retryAfterMs?: number };

/**
 * A person's standing in a workspace right now, as the platform reports it.
 * - `admin`: Slack workspace admin/owner or in SLACK_ADMIN_USER_IDS; Discord Manage Server (or Administrator, or owner) or DISCORD_ADMIN_ROLE_ID.
 * - `member`: in the workspace, without admin rights.
 * - `absent`: not (or no longer) in the workspace, deactivated, unknown, or a bot.
 * - `unknown`: the platform could not be asked; callers must fail closed (treat as no rights).
 */
export type PlatformRole = "admin" | "member" | "absent" | "unknown";

export interface ChatPlatform {
  /** Which platform this adapter speaks to; practices are keyed by it. */
  readonly name: PlatformName;
  /** Connects (gateway, HTTP receiver …) and starts delivering inbound events. */
  start(): Promise<void>;
  /** Stops receiving and closes connections. Idempotent. */
  stop(): Promise<void>;
  /**
   * Sends a direct message to one person. Never throws for platform errors: returns them, already
   * classified (see SendFailure), so the caller decides from `failure` alone.
   * @example
   *   const sent = await platform.sendDirect({ workspaceId: "T0123", userId: "U0456" }, view);
   *   if (sent.ok) await store.setCheckInMessage(id, sent.ref, now);
   *   else if (sent.failure === "rate_limited") retryAt(now + (sent.retryAfterMs ?? 30_000));
   *   else if (sent.failure === "recipient_unreachable") markUnreachable(); // only this marks the person
   */
  sendDirect(to: Recipient, view: OutboundView): Promise<SendResult>;
  /**
   * Replaces a message the bot posted earlier, keeping its place in the DM. Errors are returned,
   * not thrown; a message that is gone is `payload_rejected`, and callers then send a new one.
   * @example await platform.update(to, { channelId: "D1", messageId: "m1" }, { kind: "closed", text: "Thank you." });
   */
  update(to: Recipient, ref: MessageRef, view: OutboundView): Promise<SendResult>;
  /**
   * Deletes a message the bot posted earlier (tidy mode, erasure).
   * Optional: without it, tidy mode falls back to `update` with a closed view.
   */
  delete?(to: Recipient, ref: MessageRef): Promise<SendResult>;
  /** Sends a file to one person in a DM. Optional: without it, exports are refused with a clear reply. */
  sendFile?(to: Recipient, file: FileView): Promise<SendResult>;
  /**
   * Resolves a person's current role in a workspace from the platform, at request time (adapters cache it for at most a minute); never throws.
   * @example if ((await platform.currentRole({ workspaceId: "T0123", userId: "U0456" })) !== "admin") return deny();
   */
  currentRole(who: Recipient): Promise<PlatformRole>;
  /**
   * The admins the platform can list for a workspace (Slack: admins and owners, plus SLACK_ADMIN_USER_IDS;
   * Discord: the server owner). The engine adds people it has seen act as admins and checks each with
   * `currentRole`. Optional: without it, only those people are asked.
   */
  listAdmins?(workspaceId: string): Promise<string[]>;
  /**
   * The workspace's display name (Slack team name, Discord server name), for labels such as the
   * "which practice?" buttons; null when unknown. Optional: without it, practices are numbered.
   * @example await platform.workspaceName?.("100000000000000001") // "Riverside Practice"
   */
  workspaceName?(workspaceId: string): Promise<string | null>;
  /**
   * Checks that a person exists and can receive DMs before they are enrolled. A pass is not a
   * promise: Discord, for one, only reveals closed DMs when a message is sent.
   * Optional: without it, reachability is learnt at the first send.
   * @example (await platform.checkReachable?.(to)) ?? { ok: true } // { ok: false, code: "not_in_guild" }
   */
  checkReachable?(to: Recipient): Promise<{ ok: true } | { ok: false; code: string }>;
  /**
   * Finds a check-in prompt (or consent request) already delivered for `checkInId`, e.g. by a
   * process that crashed before recording the send. The engine asks before re-sending a
   * reclaimed check-in. Optional: without it, a reclaimed check-in is sent again
   * (at-least-once delivery; see docs/operations.md).
   * @example
   *   const earlier = await platform.findSent?.(to, checkIn.id);
   *   if (earlier) return recordSent(earlier); // do not send the prompt twice
   */
  findSent?(to: Recipient, checkInId: string): Promise<MessageRef | null>;
}
