// Link mode: the chat carries only neutral text and a link; the client answers on the practice's
// own web page, and the therapist reads the alert there. This module issues the links, builds
// the neutral chat messages and answers the web adapter's read port (LinkPagesPort). Tokens are
// issued and checked through the LinkTokens port; nothing here knows HTTP.

import type { EngineContext } from "./context.ts";
import { formatLocalDate, formatLocalDateTime, localeFor, mention } from "./context.ts";
import type { Alert, CheckIn, Delivery, Enrollment, Locale, Person, Practice } from "./model.ts";
import type { LinkMessageView } from "../ports/chat-platform.ts";
import type { AlertPage, CheckInPage, LinkPagesPort } from "../ports/link-pages.ts";
import type { LinkSettings } from "../ports/link-tokens.ts";
import type { FormAnswers } from "../ports/inbound.ts";
import { translate, translator } from "../i18n/index.ts";
import { buildAlertView } from "./views.ts";
import { total } from "./rules/signals.ts";

/** Where a client's check-ins go: the enrollment's own choice, else the practice's, else chat. */
export function deliveryOf(practice: Practice, enrollment: Enrollment | null | undefined): Delivery {
  return enrollment?.delivery ?? practice.settings.delivery ?? "chat";
}

/** Link mode is in force for this enrollment and the bot can make links. */
export function linkModeFor(ctx: EngineContext, practice: Practice, enrollment: Enrollment | null | undefined): LinkSettings | null {
  return deliveryOf(practice, enrollment) === "link" && ctx.links ? ctx.links : null;
}

export const CHECKIN_LINK_PATH = "/c/";
export const ALERT_LINK_PATH = "/a/";

/**
 * A fresh link to the check-in for its client: a new token whose hash is stored, bound to this
 * check-in and client, expiring when the check-in closes.
 */
export async function issueCheckInLink(ctx: EngineContext, links: LinkSettings, checkIn: CheckIn, client: Person): Promise<string> {
  const { token, hash } = links.tokens.issue();
  await ctx.store.createLinkToken({ tokenHash: hash, checkInId: checkIn.id, personId: client.id, expiresAt: checkIn.closesAt, createdAt: ctx.clock.now() });
  return `${links.baseUrl()}${CHECKIN_LINK_PATH}${token}`;
}

/** The neutral chat message for a link-mode prompt or reminder: when it closes, and one link. */
export async function checkInLinkView(
  ctx: EngineContext,
  links: LinkSettings,
  checkIn: CheckIn,
  enrollment: Enrollment,
  client: Person,
  locale: Locale,
  textKey: "link.prompt" | "link.reminder",
): Promise<LinkMessageView> {
  const url = await issueCheckInLink(ctx, links, checkIn, client);
  return {
    kind: "link",
    text: translate(locale, textKey, { closes: formatLocalDateTime(checkIn.closesAt, enrollment.timeZone, locale) }),
    link: { url, label: translate(locale, "link.open") },
    checkInId: checkIn.id,
  };
}

/** The subject a therapist's alert token signs: the alert and the therapist, nothing else. */
const alertSubject = (alertId: string, therapistId: string): string => `${alertId}.${therapistId}`;

/**
 * The neutral chat alert in link mode: who, the status, and a signed short-lived link for this
 * therapist only. A snoozed alert says until when, as the chat-mode alert does (`timeZone`: the
 * enrollment's).
 */
export function alertLinkView(ctx: EngineContext, links: LinkSettings, alert: Alert, practice: Practice, therapist: Person, client: Person, locale: Locale, timeZone: string): LinkMessageView {
  const now = ctx.clock.now();
  const token = links.tokens.sign(alertSubject(alert.id, therapist.id), new Date(now.getTime() + links.alertLinkTtlMs));
  const who = mention(practice.platform, client.platformUserId);
  const snoozed = alert.snoozedUntil !== null && (alert.status === "open" || alert.status === "acknowledged") && alert.snoozedUntil > now;
  const status = snoozed
    ? translate(locale, "alert.status.snoozed", { until: formatLocalDate(alert.snoozedUntil as Date, timeZone, locale) })
    : translate(locale, `alert.status.${alert.status}` as "alert.status.open");
  return {
    kind: "link",
    text: alert.status === "open" && !snoozed ? translate(locale, "link.alert", { client: who }) : translate(locale, "link.alert_status", { client: who, status }),
    link: { url: `${links.baseUrl()}${ALERT_LINK_PATH}${token}`, label: translate(locale, "link.alert_open") },
    checkInId: null,
  };
}

function editableUntil(ctx: EngineContext, completedAt: Date | null): Date | null {
  return completedAt ? new Date(completedAt.getTime() + ctx.options.answerEditMinutes * 60_000) : null;
}

/** The check-in a client token opens, or null (unknown, expired, revoked, stopped, ended). */
export async function checkInPage(ctx: EngineContext, token: string): Promise<CheckInPage | null> {
  const links = ctx.links;
  const hash = links?.tokens.hash(token);
  if (!links || !hash) return null;
  const now = ctx.clock.now();
  // The link, its check-in's context and the response in one read; decided here.
  const found = await ctx.store.linkedCheckIn(hash);
  if (!found || found.link.revokedAt || now >= found.link.expiresAt) return null;
  const { checkIn, enrollment, practice, client } = found.context;
  if (client.id !== found.link.personId || enrollment.status === "ended" || client.stoppedAt || now >= checkIn.closesAt) return null;
  const declined = client.consentDeclinedAt !== null && client.consentAt === null;
  if (!declined && !["sent", "answered", "skipped"].includes(checkIn.status)) return null;
  const locale = localeFor(practice, client, enrollment);
  const response = checkIn.status === "answered" || checkIn.status === "sent" ? found.response : null;
  const until = editableUntil(ctx, response?.completedAt ?? null);
  let state: CheckInPage["state"];
  if (declined) state = "declined";
  else if (!client.consentAt) state = "consent";
  else if (checkIn.status === "skipped") state = "closed";
  else if (response?.completedAt) state = until && now <= until ? "answered" : "closed";
  else state = "open";
  return {
    actor: { platform: practice.platform, workspaceId: practice.externalId, userId: client.platformUserId, isPlatformAdmin: false },
    checkInId: checkIn.id,
    locale,
    state,
    askTension: practice.settings.tensionQuestion,
    askComment: practice.settings.commentQuestion,
    commentMaxLength: ctx.options.commentMaxLength,
    answers: response
      ? { goal: response.goal, task: response.task, bond: response.bond, tension: response.tension, talkedThrough: response.talkedThrough, hasComment: response.hasComment }
      : null,
    closesAtText: formatLocalDateTime(checkIn.closesAt, enrollment.timeZone, locale),
    editableUntilText: until ? formatLocalDateTime(until, enrollment.timeZone, locale) : null,
    timeZone: enrollment.timeZone,
    consentVersion: ctx.options.consentVersion,
  };
}

/**
 * The page after the engine stored `answers` on `page`'s check-in (see LinkPagesPort.answeredPage).
 * The web form always carries the three items, so the check-in is complete: an open page's
 * completion time is now (the time the engine stored it, within this request) and its edit window
 * starts there; an answered page was already complete and keeps its window. Stored values the
 * answers leave out stay as they were; the comment text is never part of a page.
 */
export function answeredPage(ctx: EngineContext, page: CheckInPage, answers: FormAnswers): CheckInPage {
  if (page.state !== "open" && page.state !== "answered") return page;
  const stored = page.answers;
  const merged = {
    goal: answers.goal ?? stored?.goal ?? null,
    task: answers.task ?? stored?.task ?? null,
    bond: answers.bond ?? stored?.bond ?? null,
    tension: answers.tension ?? stored?.tension ?? null,
    talkedThrough: answers.talkedThrough ?? stored?.talkedThrough ?? null,
    hasComment: answers.comment !== undefined || (stored?.hasComment ?? false),
  };
  if (page.state === "answered" || merged.goal === null || merged.task === null || merged.bond === null) return { ...page, answers: merged };
  const until = editableUntil(ctx, ctx.clock.now());
  return { ...page, state: "answered", answers: merged, editableUntilText: until ? formatLocalDateTime(until, page.timeZone, page.locale) : null };
}

/** How many recent check-ins the alert page's table shows. */
const ALERT_PAGE_TREND = 8;

/** The alert a therapist token opens, or null (forged, expired, or no longer this therapist's). */
export async function alertPage(ctx: EngineContext, token: string): Promise<AlertPage | null> {
  const links = ctx.links;
  if (!links) return null;
  const now = ctx.clock.now();
  const subject = links.tokens.verify(token, now);
  const [alertId, therapistId] = subject?.split(".") ?? [];
  if (!alertId || !therapistId) return null;
  const alert = await ctx.store.getAlert(alertId);
  const enrollment = alert ? await ctx.store.getEnrollment(alert.enrollmentId) : null;
  const practice = enrollment ? await ctx.store.getPractice(enrollment.practiceId) : null;
  if (!alert || !enrollment || !practice || enrollment.therapistId !== therapistId) return null;
  const [people, history] = await Promise.all([ctx.store.getPeople([enrollment.therapistId, enrollment.clientId]), ctx.store.recentScored(enrollment.id, ALERT_PAGE_TREND)]);
  const therapist = people.find((p) => p.id === enrollment.therapistId);
  const client = people.find((p) => p.id === enrollment.clientId);
  if (!therapist || !client) return null;
  const locale = localeFor(practice, therapist);
  const t = translator(locale);
  const oldestFirst = [...history].reverse();
  const view = buildAlertView(alert, practice.platform, client.platformUserId, oldestFirst.map((row) => total(row)), locale, enrollment.timeZone, now);
  const days = enrollment.weekdays.map((d) => t(`weekday.short.${d}` as "weekday.short.1")).join(", ");
  return {
    actor: { platform: practice.platform, workspaceId: practice.externalId, userId: therapist.platformUserId, isPlatformAdmin: false },
    alertId: alert.id,
    locale,
    view,
    scheduleText: t("schedule.summary", { days, time: enrollment.startTime, minutes: enrollment.sessionMinutes }),
    trend: oldestFirst.map((row) => ({ dateText: formatLocalDate(row.sessionEndAt, enrollment.timeZone, locale), goal: row.goal, task: row.task, bond: row.bond, total: total(row) })),
  };
}

/** The engine's LinkPagesPort. */
export function linkPages(ctx: EngineContext): LinkPagesPort {
  return {
    checkInPage: (token) => checkInPage(ctx, token),
    answeredPage: (page, answers) => answeredPage(ctx, page, answers),
    alertPage: (token) => alertPage(ctx, token),
  };
}

/** Revokes a client's check-in links (stop, erase-me, erase, end of the enrollment). */
export async function revokeClientLinks(ctx: EngineContext, personId: string): Promise<void> {
  const revoked = await ctx.store.revokeLinkTokens(personId, ctx.clock.now());
  if (revoked > 0) ctx.logger.debug({ personId, revoked }, "check-in links revoked");
}
