// Button presses and comment submissions from clients and therapists. Every action is
// re-authorised against the platform workspace + user id; naming a check-in or an alert in an
// action id grants nothing. Nothing is stored for a refused or invalid action.

import type { Action } from "../ports/action-ids.ts";
import type { EngineContext } from "./context.ts";
import { localeFor } from "./context.ts";
import { markReachable } from "./reachability.ts";
import { openForActor, ownsCheckIn } from "./answer-rule.ts";
import type { Alert, CheckIn, Enrollment, Item, Locale, Person, Practice, ResponseRecord } from "./model.ts";
import { consentIsCurrent, ITEMS } from "./model.ts";
import type { Actor, Reply } from "../ports/inbound.ts";
import type { AnswerPatch, CheckInContext, EvaluationInputs, Receipt, SavedAnswer } from "../ports/checkin-store.ts";
import { translator } from "../i18n/index.ts";
import { commentModalTexts, buildPromptView, buildThanksView } from "./views.ts";
import type { PromptOptions } from "./views.ts";
import type { OutboundView } from "../ports/chat-platform.ts";
import { evaluateCheckIn, EVALUATION_LIMIT } from "./alerts.ts";
import { deliverAlert } from "./alert-delivery.ts";
import { screenCommentForCrisis } from "./loop/crisis.ts";
import { formatLocalDate, formatLocalDateTime } from "./context.ts";
import { linkModeFor } from "./links.ts";
import { reminderAfterSend } from "./dispatch.ts";

interface OwnedCheckIn {
  checkIn: CheckIn;
  enrollment: Enrollment;
  practice: Practice;
  client: Person;
  locale: Locale;
}

const refused = (text: string): Reply => ({ text, refused: true });

/** Loads a check-in and checks it belongs to the actor. Unknown and foreign look different only in wording. */
export async function loadOwnCheckIn(ctx: EngineContext, actor: Actor, checkInId: string, preloaded?: CheckInContext): Promise<OwnedCheckIn | Reply> {
  const fallback = translator("en");
  // The engine's pre-check may already have read it (same event, moments ago).
  const found = preloaded?.checkIn.id === checkInId ? preloaded : await ctx.store.checkInContext(checkInId);
  if (!found) return refused(fallback("answer.unknown"));
  if (!ownsCheckIn(found, actor)) {
    ctx.logger.warn({ checkInId, platform: actor.platform }, "action on a check-in that is not the actor's refused");
    return refused(fallback("answer.not_yours"));
  }
  return ownedFrom(found);
}

function ownedFrom(found: CheckInContext): OwnedCheckIn {
  const { checkIn, enrollment, practice, client } = found;
  return { checkIn, enrollment, practice, client, locale: localeFor(practice, client, enrollment) };
}

export function isReply(value: OwnedCheckIn | Reply): value is Reply {
  return "text" in value;
}

/**
 * Whether a change to this check-in's answers is still allowed now. When it is and the check-in
 * was answered already (an edit), also the stored response, read for the edit window.
 */
export async function answerGate(ctx: EngineContext, owned: OwnedCheckIn): Promise<{ refusal: Reply } | { answered: ResponseRecord | null }> {
  const t = translator(owned.locale);
  const now = ctx.clock.now();
  const { checkIn } = owned;
  const no = (key: Parameters<typeof t>[0]) => ({ refusal: refused(t(key)) });
  if (!owned.client.consentAt) return no("consent.needed");
  if (owned.client.stoppedAt) return no("answer.closed");
  if (checkIn.status === "skipped") return no("answer.skipped_already");
  if (checkIn.status !== "sent" && checkIn.status !== "answered") return no(checkIn.status === "scheduled" || checkIn.status === "sending" ? "answer.unknown" : "answer.closed");
  if (now >= checkIn.closesAt) return no("answer.closed");
  if (checkIn.status !== "answered") return { answered: null };
  const response = await ctx.store.getResponse(checkIn.id);
  const completedAt = response?.completedAt ?? checkIn.answeredAt;
  if (completedAt && now.getTime() - completedAt.getTime() > ctx.options.answerEditMinutes * 60_000) return { refusal: refused(t("answer.locked", { minutes: ctx.options.answerEditMinutes })) };
  return { answered: response };
}

/**
 * Tidy mode: the answered or skipped prompt is deleted from the chat rather than edited, so the
 * platform keeps as little as possible. False when the platform cannot delete (the caller then
 * falls back to replacing the prompt with a neutral text).
 */
async function deletePrompt(ctx: EngineContext, owned: OwnedCheckIn): Promise<boolean> {
  const { checkIn, practice, client } = owned;
  const platform = ctx.platform(practice.platform);
  if (!platform?.delete || !checkIn.platformChannelId || !checkIn.platformMessageId) return false;
  const result = await platform.delete({ workspaceId: practice.externalId, userId: client.platformUserId }, { channelId: checkIn.platformChannelId, messageId: checkIn.platformMessageId });
  if (!result.ok) ctx.logger.warn({ checkInId: checkIn.id, code: result.code }, "tidy mode: prompt not deleted");
  return result.ok;
}

/** All questions shown on the prompt have an answer: the message can be replaced by a thank-you. */
function promptFinished(owned: OwnedCheckIn, r: { goal: number | null; task: number | null; bond: number | null; tension: string | null; talkedThrough: string | null }): boolean {
  if (r.goal === null || r.task === null || r.bond === null) return false;
  if (!owned.practice.settings.tensionQuestion) return true;
  if (r.tension === null) return false;
  return r.tension === "no" || r.talkedThrough !== null;
}

/** The prompt as the client should see it now: "Was it talked through?" only after tension was reported. */
export function promptOptions(ctx: EngineContext, response: { tension: string | null } | null): PromptOptions {
  return {
    commentMaxLength: ctx.options.commentMaxLength,
    editMinutes: ctx.options.answerEditMinutes,
    showTalkedThrough: response?.tension === "a_little" || response?.tension === "yes",
  };
}

/** Until when a completed response can be changed: the edit window, cut short by the check-in's close. */
function editUntil(ctx: EngineContext, owned: OwnedCheckIn, completedAt: Date): Date {
  const end = completedAt.getTime() + ctx.options.answerEditMinutes * 60_000;
  return new Date(Math.min(end, owned.checkIn.closesAt.getTime()));
}

/** Edits the client's prompt message (stored ref) into `view`; false when there is none or the edit failed. */
async function editPrompt(ctx: EngineContext, owned: OwnedCheckIn, view: OutboundView): Promise<boolean> {
  const { checkIn, practice, client } = owned;
  const platform = ctx.platform(practice.platform);
  if (!platform || !checkIn.platformChannelId || !checkIn.platformMessageId) return false;
  const result = await platform.update({ workspaceId: practice.externalId, userId: client.platformUserId }, { channelId: checkIn.platformChannelId, messageId: checkIn.platformMessageId }, view);
  if (!result.ok) ctx.logger.warn({ checkInId: checkIn.id, code: result.code }, "prompt message not edited");
  return result.ok;
}

async function recordAnswer(ctx: EngineContext, actor: Actor, checkInId: string, patch: AnswerPatch, preloaded?: CheckInContext, receipt?: Receipt): Promise<Reply> {
  const owned = await loadOwnCheckIn(ctx, actor, checkInId, preloaded);
  if (isReply(owned)) return owned;
  const gate = await answerGate(ctx, owned);
  if ("refusal" in gate) return gate.refusal;
  const now = ctx.clock.now();
  // The receipt is written with the answer, so a crash between the two cannot turn a
  // redelivered press into a lost answer.
  const result = await ctx.store.saveAnswer(checkInId, patch, now, receipt);
  return answerRecorded(ctx, owned, patch, gate.answered, result);
}

/**
 * After an answer was saved (`result` null: the delivery was a duplicate): evaluates the rules
 * when the response is complete and something that matters changed, and words the reply.
 * `before` is the stored response when the check-in was answered already (an edit), else null:
 * while it is `sent` its response is not complete, because the store marks the check-in answered
 * in the same transaction that completes the response.
 * `from`: a press in chat updates the chat prompt (next question, thank-you); an answer from the
 * web page leaves the chat alone (its message is the neutral link; the page words its own).
 */
export async function answerRecorded(
  ctx: EngineContext,
  owned: OwnedCheckIn,
  patch: AnswerPatch,
  before: ResponseRecord | null,
  result: SavedAnswer | null,
  evaluation: EvaluationInputs | null = null,
  from: "chat" | "web" = "chat",
): Promise<Reply> {
  const t = translator(owned.locale);
  if (!result) return { text: t("command.duplicate"), duplicate: true };
  const saved = result.response;
  const checkInId = owned.checkIn.id;
  ctx.logger.debug({ checkInId, complete: Boolean(saved.completedAt) }, "answer recorded");
  const scoresChanged = ITEMS.some((item) => patch[item] !== undefined && before?.[item] !== patch[item]);
  if (saved.completedAt) {
    if (!before?.completedAt || scoresChanged || patch.tension !== undefined || patch.talkedThrough !== undefined) {
      await evaluateCheckIn(ctx, owned.enrollment, owned.practice, checkInId, evaluation);
    }
  }
  if (from === "web") return { text: t("answer.complete") };
  if (promptFinished(owned, saved)) {
    // The thank-you keeps an "Edit my answers" button for the edit window.
    const until = editUntil(ctx, owned, saved.completedAt ?? ctx.clock.now());
    const thanks = buildThanksView(checkInId, owned.locale, owned.enrollment.timeZone, until > ctx.clock.now() ? until : null);
    if (owned.practice.settings.tidyMode && (await deletePrompt(ctx, owned))) {
      // Tidy mode: the prompt is gone from the chat; the button rides on the private reply
      // instead (ephemeral on Slack and Discord), so nothing stays behind in the conversation.
      return thanks.buttons?.length ? { text: thanks.text, buttons: thanks.buttons } : { text: t("answer.complete") };
    }
    if (await editPrompt(ctx, owned, thanks)) return { text: t("answer.complete") };
    return { text: t("answer.complete"), replaceMessageText: t("prompt.thanks") };
  }
  if (patch.tension !== undefined && owned.practice.settings.tensionQuestion) {
    // "Was it talked through?" appears with a tension answer of "a little" or "yes", and goes
    // when it changes back to "no" (known here for an edit, or once talked-through was answered).
    const shows = (tension: string | null | undefined) => tension === "a_little" || tension === "yes";
    if (shows(saved.tension) || shows(before?.tension) || saved.talkedThrough !== null) await showTalkedThrough(ctx, owned, saved);
  }
  const remaining = ITEMS.filter((item) => saved[item] === null).length +
    (owned.practice.settings.tensionQuestion && saved.tension === null ? 1 : 0) +
    (saved.tension && saved.tension !== "no" && saved.talkedThrough === null ? 1 : 0);
  return { text: saved.completedAt && remaining === 0 ? t("answer.complete") : t("answer.saved", { remaining }) };
}

/**
 * Edits the prompt so it asks "Was it talked through?" exactly when tension was reported. Where
 * the prompt cannot be edited, the question is sent as a message of its own.
 */
async function showTalkedThrough(ctx: EngineContext, owned: OwnedCheckIn, saved: { tension: string | null }): Promise<void> {
  const view = buildPromptView(owned.checkIn, owned.enrollment, owned.practice, owned.locale, promptOptions(ctx, saved));
  if (await editPrompt(ctx, owned, view)) return;
  if (!view.talkedThrough) return;
  const platform = ctx.platform(owned.practice.platform);
  await platform?.sendDirect(
    { workspaceId: owned.practice.externalId, userId: owned.client.platformUserId },
    { kind: "notice", text: view.talkedThrough.question, buttons: view.talkedThrough.options.map((o) => ({ actionId: o.actionId, label: o.label })) },
  );
}

/**
 * "Edit my answers": re-opens the answered prompt in the client's DM while the edit window lasts;
 * after it, says plainly that it has closed and takes the button away.
 */
async function reopenForEdit(ctx: EngineContext, actor: Actor, checkInId: string, preloaded?: CheckInContext): Promise<Reply> {
  const owned = await loadOwnCheckIn(ctx, actor, checkInId, preloaded);
  if (isReply(owned)) return owned;
  const t = translator(owned.locale);
  const gate = await answerGate(ctx, owned);
  if ("refusal" in gate) {
    const closed = t("answer.edit_closed", { minutes: ctx.options.answerEditMinutes });
    if (owned.checkIn.status === "answered" && (await editPrompt(ctx, owned, buildThanksView(checkInId, owned.locale, owned.enrollment.timeZone, null)))) return { text: closed, refused: true };
    return { text: closed, refused: true, ...(owned.checkIn.status === "answered" ? { replaceMessageText: t("prompt.thanks") } : {}) };
  }
  const response = gate.answered ?? (await ctx.store.getResponse(checkInId));
  const view = buildPromptView(owned.checkIn, owned.enrollment, owned.practice, owned.locale, promptOptions(ctx, response));
  const completedAt = response?.completedAt ?? owned.checkIn.answeredAt;
  const until = completedAt ? editUntil(ctx, owned, completedAt) : owned.checkIn.closesAt;
  const text = t("answer.edit_open", { until: formatLocalDateTime(until, owned.enrollment.timeZone, owned.locale) });
  if (await editPrompt(ctx, owned, view)) return { text };
  // The message is gone (deleted, tidy mode): the prompt comes again as a new private message.
  const platform = ctx.platform(owned.practice.platform);
  const sent = await platform?.sendDirect({ workspaceId: owned.practice.externalId, userId: owned.client.platformUserId }, view);
  if (!sent?.ok) return { text: t("consent.prompt_failed"), refused: true };
  await ctx.store.setCheckInMessage(checkInId, sent.ref, ctx.clock.now());
  return { text };
}

/** Actions that record an answer; they write their delivery receipt together with the answer. */
export type AnswerAction = Extract<Action, { op: "score" | "tension" | "talked" }>;

export function isAnswerAction(action: Action): action is AnswerAction {
  return action.op === "score" || action.op === "tension" || action.op === "talked";
}

function patchOf(action: AnswerAction): AnswerPatch {
  if (action.op === "score") return { [action.item as Item]: action.value };
  if (action.op === "tension") return { tension: action.value };
  return { talkedThrough: action.value };
}

/**
 * A press that answers. The common case, the client's own open prompt (openForActor), is decided
 * here on the context store.answerIfOpen reads, and saved by it in the same call when the
 * decision is yes. Anything else (someone else's check-in, no consent, closed, an edit after
 * answering) goes through the full checks, on the context that call read.
 */
export async function handleAnswer(ctx: EngineContext, actor: Actor, action: AnswerAction, receipt?: Receipt): Promise<Reply> {
  const patch = patchOf(action);
  const now = ctx.clock.now();
  // The press that completes the response also brings back what rule evaluation reads.
  const open = await ctx.store.answerIfOpen(action.checkInId, (context) => openForActor(context, actor, now), patch, now, receipt, EVALUATION_LIMIT);
  if (!open.context) return refused(translator("en")("answer.unknown"));
  const reply = open.allowed ? await answerRecorded(ctx, ownedFrom(open.context), patch, null, open.saved, open.evaluation) : await recordAnswer(ctx, actor, action.checkInId, patch, open.context, receipt);
  // The client pressed a button: they are reachable again.
  if (!reply.refused && open.context.client.undeliverableAt) await markReachable(ctx, open.context.practice, open.context.client);
  return reply;
}

export async function handleComment(ctx: EngineContext, actor: Actor, checkInId: string, text: unknown, preloaded?: CheckInContext, receipt?: Receipt): Promise<Reply> {
  const owned = await loadOwnCheckIn(ctx, actor, checkInId, preloaded);
  if (isReply(owned)) return owned;
  const t = translator(owned.locale);
  if (typeof text !== "string" || text.trim().length === 0) return refused(t("answer.comment_empty"));
  const max = ctx.options.commentMaxLength;
  if ([...text].length > max) return refused(t("answer.comment_too_long", { length: [...text].length, max }));
  const gate = await answerGate(ctx, owned);
  if ("refusal" in gate) return gate.refusal;
  const { cipher, keyId } = ctx.cipher.encrypt(text.trim());
  const saved = await ctx.store.saveComment(checkInId, cipher, keyId, ctx.clock.now(), receipt);
  if (!saved) return { text: t("command.duplicate"), duplicate: true };
  ctx.logger.debug({ checkInId, keyId, complete: Boolean(saved.completedAt) }, "comment stored encrypted");
  const crisisText = await screenCommentForCrisis(ctx, owned, checkInId, text);
  if (saved.completedAt) await evaluateCheckIn(ctx, owned.enrollment, owned.practice, checkInId);
  return crisisText ? { text: crisisText, crisis: true } : { text: t("answer.comment_saved") };
}

async function openComment(ctx: EngineContext, actor: Actor, checkInId: string, preloaded?: CheckInContext): Promise<Reply> {
  const owned = await loadOwnCheckIn(ctx, actor, checkInId, preloaded);
  if (isReply(owned)) return owned;
  const gate = await answerGate(ctx, owned);
  if ("refusal" in gate) return gate.refusal;
  const modal = commentModalTexts(owned.locale, ctx.options.commentMaxLength);
  return { text: modal.title, openCommentModal: { checkInId, ...modal } };
}

async function skip(ctx: EngineContext, actor: Actor, checkInId: string, preloaded?: CheckInContext): Promise<Reply> {
  const owned = await loadOwnCheckIn(ctx, actor, checkInId, preloaded);
  if (isReply(owned)) return owned;
  const t = translator(owned.locale);
  if (owned.checkIn.status !== "sent" || ctx.clock.now() >= owned.checkIn.closesAt) return refused(t("answer.closed"));
  await ctx.store.transitionCheckIn(checkInId, ["sent"], "skipped", ctx.clock.now());
  if (owned.practice.settings.tidyMode && (await deletePrompt(ctx, owned))) return { text: t("prompt.skipped") };
  return { text: t("prompt.skipped"), replaceMessageText: t("prompt.skipped") };
}

async function consent(ctx: EngineContext, actor: Actor, checkInId: string, accept: boolean, preloaded?: CheckInContext): Promise<Reply> {
  const owned = await loadOwnCheckIn(ctx, actor, checkInId, preloaded);
  if (isReply(owned)) return owned;
  const t = translator(owned.locale);
  const now = ctx.clock.now();
  if (!accept) {
    await ctx.store.updatePerson(owned.client.id, { consentDeclinedAt: now, consentAt: null });
    await ctx.store.transitionCheckIn(checkInId, ["sent"], "cancelled", now);
    await ctx.store.appendAudit({ practiceId: owned.practice.id, actorPersonId: owned.client.id, action: "consent.declined", subjectPersonId: owned.client.id, detail: { version: ctx.options.consentVersion }, createdAt: now });
    return { text: t("consent.declined"), replaceMessageText: t("consent.declined") };
  }
  // Agreeing to a new version of the consent text (they had agreed to an earlier one).
  const again = owned.client.consentAt !== null && owned.client.consentVersion !== ctx.options.consentVersion;
  if (!consentIsCurrent(owned.client, ctx.options.consentVersion)) {
    await ctx.store.updatePerson(owned.client.id, { consentAt: now, consentVersion: ctx.options.consentVersion, consentDeclinedAt: null });
    await ctx.store.appendAudit({
      practiceId: owned.practice.id,
      actorPersonId: owned.client.id,
      action: "consent.given",
      subjectPersonId: owned.client.id,
      detail: { version: ctx.options.consentVersion, ...(owned.client.consentVersion ? { previousVersion: owned.client.consentVersion } : {}) },
      createdAt: now,
    });
  }
  // Link mode: consent was given on the web page, which shows the questions next; the chat gets nothing.
  if (linkModeFor(ctx, owned.practice, owned.enrollment)) return { text: t("consent.accepted_web") };
  // The consent message stood in for the prompt; now send the prompt itself if still open.
  if (owned.checkIn.status === "sent" && now < owned.checkIn.closesAt) {
    const platform = ctx.platform(owned.practice.platform);
    const view = buildPromptView(owned.checkIn, owned.enrollment, owned.practice, owned.locale, promptOptions(ctx, null));
    const result = await platform?.sendDirect({ workspaceId: owned.practice.externalId, userId: owned.client.platformUserId }, view);
    if (!result?.ok) {
      // Rate-limited or down: keep the consent message and its buttons, so "Yes" sends the prompt again.
      ctx.logger.warn({ checkInId, code: result?.code ?? "platform_unavailable" }, "first prompt not sent after consent");
      return { text: t("consent.prompt_failed") };
    }
    await ctx.store.setCheckInMessage(checkInId, result.ref, now, reminderAfterSend(owned.enrollment, now));
  }
  const accepted = t(again ? "consent.accepted_again" : "consent.accepted");
  return { text: accepted, replaceMessageText: accepted };
}

async function changeAlert(ctx: EngineContext, actor: Actor, alertId: string, change: "ack" | "repaired" | "snooze" | "dismiss"): Promise<Reply> {
  const fallback = translator("en");
  const alert = await ctx.store.getAlert(alertId);
  const enrollment = alert ? await ctx.store.getEnrollment(alert.enrollmentId) : null;
  const practice = enrollment ? await ctx.store.getPractice(enrollment.practiceId) : null;
  if (!alert || !enrollment || !practice) return refused(fallback("alert.unknown"));
  const therapist = await ctx.store.getPerson(enrollment.therapistId);
  const samePractice = practice.platform === actor.platform && practice.externalId === actor.workspaceId;
  const isTherapist = samePractice && therapist?.platformUserId === actor.userId;
  if (!isTherapist && !(samePractice && actor.isPlatformAdmin)) return refused(fallback("alert.not_yours"));
  const t = translator(localeFor(practice, therapist));
  if (alert.status === "repaired" || alert.status === "dismissed" || alert.status === "withdrawn") return refused(t("alert.already_closed"));
  const now = ctx.clock.now();
  let patch: Partial<Alert> = {};
  let text: string;
  if (change === "ack") {
    patch = { status: "acknowledged", acknowledgedAt: alert.acknowledgedAt ?? now };
    text = t("alert.done.ack");
  } else if (change === "repaired") {
    patch = { status: "repaired", resolvedAt: now, acknowledgedAt: alert.acknowledgedAt ?? now };
    text = t("alert.done.repaired");
  } else if (change === "dismiss") {
    patch = { status: "dismissed", resolvedAt: now };
    text = t("alert.done.dismiss");
  } else {
    const until = new Date(now.getTime() + 7 * 24 * 3600_000);
    // Snooze pauses the reminder and the escalation; the status stays as it was.
    patch = { snoozedUntil: until };
    text = t("alert.done.snooze", { until: formatLocalDate(until, enrollment.timeZone, localeFor(practice, therapist)) });
  }
  const updated = await ctx.store.updateAlert(alert.id, { ...patch, updatedAt: now });
  const actorPerson = await ctx.store.findPerson(practice.id, actor.userId);
  await ctx.store.appendAudit({ practiceId: practice.id, actorPersonId: actorPerson?.id ?? null, action: `alert.${change}`, subjectPersonId: enrollment.clientId, detail: { alertId: alert.id }, createdAt: now });
  await deliverAlert(ctx, updated, enrollment, practice);
  return { text };
}

/** Routes a decoded button action other than an answer (see handleAnswer); its receipt is written already. */
/** `preloaded`: the check-in's context as the engine's ownership pre-check read it moments ago. */
export async function handleAction(ctx: EngineContext, actor: Actor, action: Exclude<Action, AnswerAction>, preloaded?: CheckInContext): Promise<Reply | null> {
  switch (action.op) {
    case "comment":
      return openComment(ctx, actor, action.checkInId, preloaded);
    case "skip":
      return skip(ctx, actor, action.checkInId, preloaded);
    case "edit":
      return reopenForEdit(ctx, actor, action.checkInId, preloaded);
    case "consent":
      return consent(ctx, actor, action.checkInId, action.accept, preloaded);
    case "alert":
      return changeAlert(ctx, actor, action.alertId, action.change);
    case "self":
    case "in":
      return null;
  }
}

