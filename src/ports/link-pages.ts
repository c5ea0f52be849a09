// The read port behind link mode's web pages. The web adapter asks it what a presented token
// opens; the engine answers with plain domain data (never HTML, never HTTP). Every change the
// pages make goes through InboundPort.receive with the actor returned here, so web answers get
// the same idempotency, authorization, rules and audit as chat presses.

import type { Actor, FormAnswers } from "./inbound.ts";
import type { AlertView } from "./chat-platform.ts";
import type { Locale, TalkedThroughAnswer, TensionAnswer } from "../core/model.ts";

/** What a client's check-in page shows. */
export type CheckInPageState =
  /** Consent has not been given yet: the page asks for it first (same versioned record as chat). */
  | "consent"
  /** The client declined check-ins. */
  | "declined"
  /** Open, not yet complete: the questions. */
  | "open"
  /** Complete and still within the edit window: a thank-you and a way to change answers. */
  | "answered"
  /** Complete and past the edit window, skipped, or otherwise closed. */
  | "closed";

export interface CheckInPage {
  /** The check-in's client as their platform knows them; the token vouches for it. */
  actor: Actor;
  checkInId: string;
  locale: Locale;
  state: CheckInPageState;
  /** The practice asks the tension question / invites a comment. */
  askTension: boolean;
  askComment: boolean;
  commentMaxLength: number;
  /** Stored answers (for editing), without the comment text. */
  answers: { goal: number | null; task: number | null; bond: number | null; tension: TensionAnswer | null; talkedThrough: TalkedThroughAnswer | null; hasComment: boolean } | null;
  /** When the check-in closes and, once complete, until when answers may change (client's time zone, client's language). */
  closesAtText: string;
  editableUntilText: string | null;
  /** The client's time zone, in which the texts above are given. */
  timeZone: string;
  consentVersion: string;
}

/** What a therapist's alert page shows. */
export interface AlertPage {
  /** The therapist the signed link names, as their platform knows them. */
  actor: Actor;
  alertId: string;
  locale: Locale;
  /** The same view the chat alert is built from: title, reasons, trend line, status, actions. */
  view: AlertView;
  /** The enrollment's schedule in words, so the therapist knows which client it is without a name. */
  scheduleText: string;
  /** Recent completed check-ins, oldest first. */
  trend: { dateText: string; goal: number; task: number; bond: number; total: number }[];
}

/** Implemented by the engine; called by the web adapter. Both return null for any token that opens nothing. */
export interface LinkPagesPort {
  /** The check-in a client token opens: unknown, expired (the check-in closed) and revoked all give null. */
  checkInPage(token: string): Promise<CheckInPage | null>;
  /**
   * The page once InboundPort.receive has stored these answers on `page`'s check-in: the thank-you
   * within the edit window, without reading the check-in again. A first completion starts the
   * window now; an edit keeps the window it had. Only for answers the engine stored (or had
   * stored: a repeated delivery); after a refusal nothing was stored and the page is read again.
   */
  answeredPage(page: CheckInPage, answers: FormAnswers): CheckInPage;
  /** The alert a therapist token opens: forged, expired, or no longer that therapist's all give null. */
  alertPage(token: string): Promise<AlertPage | null>;
}
