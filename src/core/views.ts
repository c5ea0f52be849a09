// Builds the localised view models the ChatPlatform port renders. No scores ever appear in
// prompt replacements; alerts show reasons and a trend line to the therapist only.

import { encodeAction } from "../ports/action-ids.ts";
import type { Alert, CheckIn, Enrollment, FiredSignal, Item, Locale, PlatformName, Practice, TalkedThroughAnswer, TensionAnswer } from "./model.ts";
import { ITEMS, TALKED_THROUGH_ANSWERS, TENSION_ANSWERS } from "./model.ts";
import type { AlertView, ChoiceRowView, ConsentView, NoticeView, PromptView } from "../ports/chat-platform.ts";
import { translator } from "../i18n/index.ts";
import type { MessageKey } from "../i18n/index.ts";
import { formatLocalDateTime, formatLocalDate, mention } from "./context.ts";

export interface PromptOptions {
  commentMaxLength: number;
  /** Minutes after finishing during which answers can still be changed. */
  editMinutes: number;
  /**
   * Show "Was it talked through?": only once tension was answered "a little" or "yes", since the
   * prompt is edited to add it then. Platforms that cannot edit a message would show it at once.
   */
  showTalkedThrough: boolean;
}

/** The tension or talked-through question: its text and one button per answer. */
function choiceRow<V extends TensionAnswer | TalkedThroughAnswer>(t: ReturnType<typeof translator>, op: "tension" | "talked", checkInId: string, values: readonly V[]): ChoiceRowView {
  return {
    question: t(`${op}.question` as MessageKey),
    options: values.map((value) => ({
      value,
      label: t(`${op}.${value}` as MessageKey),
      actionId: encodeAction(op === "tension" ? { op, checkInId, value: value as TensionAnswer } : { op, checkInId, value: value as TalkedThroughAnswer }),
    })),
  };
}

export function buildPromptView(checkIn: CheckIn, enrollment: Enrollment, practice: Practice, locale: Locale, options: PromptOptions): PromptView {
  const t = translator(locale);
  const { commentMaxLength } = options;
  const tension = practice.settings.tensionQuestion;
  return {
    kind: "prompt",
    checkInId: checkIn.id,
    intro: t("prompt.intro"),
    rows: ITEMS.map((item) => ({
      item,
      question: t(`item.${item}.question` as MessageKey),
      hint: t("scale.hint"),
      options: [1, 2, 3, 4, 5].map((value) => ({
        value,
        label: String(value),
        actionId: encodeAction({ op: "score", checkInId: checkIn.id, item, value }),
      })),
    })),
    tension: tension ? choiceRow(t, "tension", checkIn.id, TENSION_ANSWERS) : null,
    talkedThrough: tension && options.showTalkedThrough ? choiceRow(t, "talked", checkIn.id, TALKED_THROUGH_ANSWERS) : null,
    commentButton: practice.settings.commentQuestion
      ? { actionId: encodeAction({ op: "comment", checkInId: checkIn.id }), label: t("prompt.comment") }
      : null,
    commentModal: practice.settings.commentQuestion ? commentModalTexts(locale, commentMaxLength) : null,
    skipButton: { actionId: encodeAction({ op: "skip", checkInId: checkIn.id }), label: t("prompt.skip") },
    footer: t("prompt.footer", { closes: formatLocalDateTime(checkIn.closesAt, enrollment.timeZone, locale), minutes: options.editMinutes }),
  };
}

/** What an answered prompt becomes: a thank-you without answers and, until `editUntil`, a button that re-opens it. */
export function buildThanksView(checkInId: string, locale: Locale, timeZone: string, editUntil: Date | null): NoticeView {
  const t = translator(locale);
  if (!editUntil) return { kind: "notice", text: t("prompt.thanks") };
  return {
    kind: "notice",
    text: t("prompt.thanks_editable", { until: formatLocalDateTime(editUntil, timeZone, locale) }),
    buttons: [{ actionId: encodeAction({ op: "edit", checkInId }), label: t("prompt.edit") }],
  };
}

export function commentModalTexts(locale: Locale, maxLength: number) {
  const t = translator(locale);
  return {
    title: t("prompt.comment_modal.title"),
    label: t("prompt.comment_modal.label"),
    submit: t("prompt.comment_modal.submit"),
    placeholder: t("prompt.comment_modal.placeholder"),
    maxLength,
  };
}

/** The consent request; `again` when the client agreed to an earlier version of the text. */
export function buildConsentView(checkInId: string, locale: Locale, version: string, again = false): ConsentView {
  const t = translator(locale);
  return {
    kind: "consent",
    text: t(again ? "consent.request_again" : "consent.request", { version }),
    accept: { actionId: encodeAction({ op: "consent", checkInId, accept: true }), label: t("consent.accept"), style: "primary" },
    decline: { actionId: encodeAction({ op: "consent", checkInId, accept: false }), label: t("consent.decline") },
  };
}

/** One plain sentence per fired signal, with its numbers. */
export function explainSignal(signal: FiredSignal, locale: Locale): string {
  const t = translator(locale);
  const params = { ...signal.params };
  if (typeof params.item === "string" && (ITEMS as readonly string[]).includes(params.item)) {
    params.item = t(`item.${params.item as Item}.name` as MessageKey);
  }
  // Answer values and marker categories are stored as codes; show them in the reader's language.
  if (typeof params.tension === "string") params.tension = t(`tension.${params.tension}` as MessageKey);
  if (typeof params.talked === "string") params.talked = t(`talked.${params.talked}` as MessageKey);
  if (typeof params.category === "string") params.category = t(`marker.${params.category}` as MessageKey);
  // Level signals say whether the low level was first reached or got worse (see rules/level.ts).
  const key = (signal.params.level === "worse" ? `signal.${signal.code}_worse` : `signal.${signal.code}`) as MessageKey;
  return t(key, params);
}

const BARS = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"];

/** Sparkline of totals (3..15), oldest first. */
export function trendLine(totals: number[]): string {
  return totals
    .map((value) => BARS[Math.min(BARS.length - 1, Math.max(0, Math.round(((value - 3) / 12) * (BARS.length - 1))))])
    .join("");
}

/** Signals of a low level (a state; src/core/rules/level.ts) and non-urgent notes: not rupture events. */
export const LEVEL_SIGNALS: readonly string[] = ["low_total", "low_item"];
export const NOTE_SIGNALS: readonly string[] = ["crisis_denial"];

export type AlertKind = "crisis" | "event" | "level" | "note";

/** Which kind of alert this is, for its title: crisis, a rupture event (a change), a low level (a state), or a note. */
export function alertKind(alert: Pick<Alert, "severity" | "signals">): AlertKind {
  if (alert.severity === "urgent") return "crisis";
  const codes = alert.signals.map((s) => s.code);
  if (codes.some((c) => !LEVEL_SIGNALS.includes(c) && !NOTE_SIGNALS.includes(c))) return "event";
  return codes.some((c) => LEVEL_SIGNALS.includes(c)) ? "level" : "note";
}

const TITLE: Record<AlertKind, MessageKey> = { crisis: "alert.title_urgent", event: "alert.title", level: "alert.title_level", note: "alert.title_note" };
const alertTitleKey = (alert: Pick<Alert, "severity" | "signals">): MessageKey => TITLE[alertKind(alert)];

export function buildAlertView(
  alert: Alert,
  platform: PlatformName,
  clientUserId: string,
  totalsOldestFirst: number[],
  locale: Locale,
  timeZone: string,
  now: Date,
): AlertView {
  const t = translator(locale);
  const client = mention(platform, clientUserId);
  // Snooze pauses reminders and escalation; it does not change the status (see src/core/loop).
  const snoozed = alert.snoozedUntil !== null && (alert.status === "open" || alert.status === "acknowledged") && alert.snoozedUntil > now;
  const status = snoozed
    ? t("alert.status.snoozed", { until: formatLocalDate(alert.snoozedUntil as Date, timeZone, locale) })
    : t(`alert.status.${alert.status}` as MessageKey);
  const active = alert.status === "open" || alert.status === "acknowledged";
  if (alert.status === "withdrawn") {
    // Nothing of the earlier answers is repeated: no reasons, no scores, no trend.
    return { kind: "alert", alertId: alert.id, urgent: false, title: t("alert.title", { client }), clientUserId, reasons: [t("alert.withdrawn")], trendLine: "", status, buttons: [] };
  }
  return {
    kind: "alert",
    alertId: alert.id,
    urgent: alert.severity === "urgent",
    title: t(alertTitleKey(alert), { client }),
    clientUserId,
    reasons: alert.signals.map((signal) => explainSignal(signal, locale)),
    trendLine: t("alert.trend", { trend: `${trendLine(totalsOldestFirst)} (${totalsOldestFirst.join(", ")})` }),
    status,
    buttons: active
      ? [
          ...(alert.status === "open" ? [{ actionId: encodeAction({ op: "alert", alertId: alert.id, change: "ack" }), label: t("alert.ack"), style: "primary" as const }] : []),
          { actionId: encodeAction({ op: "alert", alertId: alert.id, change: "repaired" }), label: t("alert.repaired") },
          { actionId: encodeAction({ op: "alert", alertId: alert.id, change: "snooze" }), label: t("alert.snooze") },
          { actionId: encodeAction({ op: "alert", alertId: alert.id, change: "dismiss" }), label: t("alert.dismiss") },
        ]
      : [],
  };
}
