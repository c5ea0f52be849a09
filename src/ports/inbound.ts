// The inbound port: the one call every adapter makes when a person does something.
// Adapters translate platform payloads into these events; the engine answers with a Reply.

import type { PlatformName, TalkedThroughAnswer, TensionAnswer } from "../core/model.ts";
import type { ButtonView } from "./chat-platform.ts";

/** Who acted, in which workspace, as the platform vouches for it (verified signature / gateway). */
export interface Actor {
  platform: PlatformName;
  /** Slack team id, Discord guild id, or "local". */
  workspaceId: string;
  userId: string;
  /** The platform says this user administers the workspace (Slack admin/owner, Discord Manage Server, configured ids). */
  isPlatformAdmin: boolean;
}

/**
 * An actor as an adapter reports it. `workspaceId` is null when the event came from a direct
 * message that names no workspace (a Discord DM: no guild id, and button ids carry none). The
 * engine then finds the practice itself: from the check-in or alert a press or comment names, or,
 * for a command, from the practices the person belongs to, asking "which practice?" when there
 * are several. Admin rights are then asked of the platform (`currentRole`) for that practice.
 *
 * @example
 *   // a button pressed in the bot DM on Discord
 *   { platform: "discord", workspaceId: null, userId: "720000000000000002", isPlatformAdmin: false }
 */
export interface InboundActor extends Omit<Actor, "workspaceId"> {
  workspaceId: string | null;
}

interface InboundBase<A extends InboundActor = InboundActor> {
  actor: A;
  /**
   * Platform delivery id (Slack envelope/trigger id, Discord interaction id). When set, the engine
   * records a receipt and ignores repeated deliveries of the same id.
   */
  deliveryId?: string;
}

/** `/checkin …` — `text` is everything after the command name, with mentions left in place. */
export interface CommandEvent<A extends InboundActor = InboundActor> extends InboundBase<A> {
  type: "command";
  text: string;
}

/** A button press. `actionId` is the opaque id the engine put on the button. */
export interface ActionEvent<A extends InboundActor = InboundActor> extends InboundBase<A> {
  type: "action";
  actionId: string;
  /** The message the button was on, so the engine can edit it. */
  messageRef?: { channelId: string; messageId: string };
}

/** The comment modal was submitted for a check-in. */
export interface CommentEvent<A extends InboundActor = InboundActor> extends InboundBase<A> {
  type: "comment";
  checkInId: string;
  text: string;
}

/** Answers given together on a web page (link mode); each field as a chat press would set it. */
export interface FormAnswers {
  goal?: number;
  task?: number;
  bond?: number;
  tension?: TensionAnswer;
  talkedThrough?: TalkedThroughAnswer;
  /** Stored encrypted, screened for crisis language like a chat comment. */
  comment?: string;
}

/**
 * A check-in page was submitted (link mode). The actor is the client the page's link token
 * vouches for; `deliveryId` is the form's one-time submission id, so a double submit or a
 * replayed request stores one response.
 *
 * @example
 *   { type: "answers", actor, checkInId, answers: { goal: 4, task: 5, bond: 4, comment: "…" }, deliveryId: "web:Q2x…" }
 */
export interface AnswersEvent<A extends InboundActor = InboundActor> extends InboundBase<A> {
  type: "answers";
  checkInId: string;
  answers: FormAnswers;
}

/** An event as adapters send it; `InboundEvent<Actor>` once the engine knows the workspace. */
export type InboundEvent<A extends InboundActor = InboundActor> = CommandEvent<A> | ActionEvent<A> | CommentEvent<A> | AnswersEvent<A>;

/** What the adapter shows the actor in response. Replies are private (ephemeral) unless said otherwise. */
export interface Reply {
  text: string;
  /** True when the event was a repeated delivery and nothing was done. */
  duplicate?: boolean;
  /** True when the request was refused or invalid. */
  refused?: boolean;
  /** For a button press: replace the message the button was on with this text (no scores). */
  replaceMessageText?: string;
  /** For "Add a comment": the adapter should open the comment modal for this check-in. */
  openCommentModal?: { checkInId: string; title: string; label: string; submit: string; placeholder: string; maxLength: number };
  /** The reply carries crisis resources (a comment held crisis language); pages show them at once. */
  crisis?: boolean;
  /** An attachment to send privately (exports). */
  file?: { filename: string; contentType: string; content: string };
  /**
   * Buttons to show under the private reply; each press comes back as an `action` event. Set for
   * the "which practice?" question (asked only for an actor whose workspace is null, today Discord
   * DMs) and, in tidy mode, for "Edit my answers" after the prompt was deleted. Every adapter shows them.
   */
  buttons?: ButtonView[];
}

/** Implemented by the engine; called by every adapter. */
export interface InboundPort {
  receive(event: InboundEvent): Promise<Reply>;
}

/** The App Home / overview for one person, built per role by the engine. */
export interface HomeView {
  sections: {
    title: string;
    lines: string[];
    buttons?: { actionId: string; label: string; style?: "primary" | "danger" }[];
  }[];
}

/** Optional inbound capability for platforms with a home tab (Slack App Home). */
export interface HomePort {
  /**
   * The overview for this person. With a `deliveryId` (Slack's event id), a repeated delivery of
   * the same event is recognised like every other inbound event and answered with null: nothing to publish.
   */
  homeFor(actor: Actor, deliveryId?: string): Promise<HomeView | null>;
}
