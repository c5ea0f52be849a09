// The ticker's work: claim due check-ins under a lease, send them through the platform, and
// finish each claim with its fencing attempt. Also sends reminders and closes expired prompts.

import type { EngineContext } from "./context.ts";
import { localeFor, mention } from "./context.ts";
import type { CheckIn, Enrollment } from "./model.ts";
import { consentIsCurrent } from "./model.ts";
import type { ClaimOutcome } from "../ports/checkin-store.ts";
import type { MessageRef } from "../ports/chat-platform.ts";
import { buildConsentView, buildPromptView } from "./views.ts";
import { checkInLinkView, deliveryOf, linkModeFor } from "./links.ts";
import { deferForQuietHours } from "./schedule.ts";
import { materialiseNext, SAME_SESSION_MS } from "./scheduling.ts";
import { notifyAdmins } from "./notify.ts";
import { clearBotIssue, holdForBackoff, markReachable, markUnreachable, reportBotIssue } from "./reachability.ts";
import { translate } from "../i18n/index.ts";
import { formatLocalDateTime } from "./context.ts";

export interface DispatchStats {
  claimed: number;
  sent: number;
  rescheduled: number;
  missedBySystem: number;
  failed: number;
  cancelled: number;
  lost: number;
  /** Milliseconds from dueAt to the send completing, one entry per sent check-in. */
  lateness: number[];
}

const emptyStats = (): DispatchStats => ({ claimed: 0, sent: 0, rescheduled: 0, missedBySystem: 0, failed: 0, cancelled: 0, lost: 0, lateness: [] });

/** Backoff for transient send errors: 30 s, 60 s, 120 s … capped at 15 min. */
const backoffMs = (attempt: number): number => Math.min(15 * 60_000, 30_000 * 2 ** Math.max(0, attempt - 1));

/** A prompt went out now: its reminder is measured from this send, not from when it was due. */
function sentOutcome(ctx: EngineContext, enrollment: Enrollment, ref: MessageRef): ClaimOutcome {
  const sentAt = ctx.clock.now();
  return { status: "sent", ref, sentAt, remindAt: reminderAfterSend(enrollment, sentAt) };
}

/** When the one reminder is due for a prompt sent at `sentAt`. */
export function reminderAfterSend(enrollment: Pick<Enrollment, "reminderMinutes">, sentAt: Date): Date {
  return new Date(sentAt.getTime() + enrollment.reminderMinutes * 60_000);
}

/** Decides and performs what happens to one claimed check-in; returns the outcome to record. */
async function dispatchOne(ctx: EngineContext, checkIn: CheckIn): Promise<ClaimOutcome> {
  const { store } = ctx;
  const now = ctx.clock.now();
  const enrollment = await store.getEnrollment(checkIn.enrollmentId);
  if (!enrollment || enrollment.status === "ended") return { status: "cancelled", code: "enrollment_ended" };
  if (checkIn.kind === "scheduled") await materialiseNext(store, enrollment, checkIn.sessionEndAt);
  if (checkIn.kind === "scheduled" && !checkIn.calendarEventHash && (await calendarCoversSession(ctx, enrollment, checkIn))) {
    return { status: "cancelled", code: "calendar_session" };
  }
  if (enrollment.status === "paused" || (enrollment.pausedUntil && enrollment.pausedUntil > now)) {
    return { status: "cancelled", code: "paused" };
  }
  const [client, practice] = await Promise.all([store.getPerson(enrollment.clientId), store.getPractice(enrollment.practiceId)]);
  if (!client || !practice) return { status: "cancelled", code: "missing_person" };
  if (client.stoppedAt || client.consentDeclinedAt) return { status: "cancelled", code: "client_stopped" };
  if (client.pausedUntil && client.pausedUntil > now) return { status: "cancelled", code: "paused" };
  // An unreachable client is tried again on the next scheduled check-in after a back-off, and by /checkin now.
  if (holdForBackoff(client, checkIn, now)) return { status: "cancelled", code: client.undeliverableCode ?? "undeliverable" };
  // Downtime catch-up: a prompt whose answer window already closed is not sent late.
  if (now >= checkIn.closesAt) return { status: "missed_by_system" };
  // One prompt per session: another check-in for the same session already reached the client.
  if (await store.sessionPrompted(enrollment.id, checkIn.id, checkIn.sessionEndAt, SAME_SESSION_MS)) return { status: "cancelled", code: "same_session" };
  const notBefore = deferForQuietHours(now, practice.settings.quietHours, enrollment.timeZone);
  if (notBefore > now) {
    return notBefore < checkIn.closesAt ? { status: "scheduled", dueAt: notBefore, code: "quiet_hours" } : { status: "missed_by_system" };
  }
  const platform = ctx.platform(practice.platform);
  if (!platform) return { status: "scheduled", dueAt: new Date(now.getTime() + backoffMs(checkIn.attempt)), code: "platform_unavailable" };

  const locale = localeFor(practice, client, enrollment);
  const recipient = { workspaceId: practice.externalId, userId: client.platformUserId };
  // Link mode never falls back to the chat: without PUBLIC_URL the check-in waits.
  if (deliveryOf(practice, enrollment) === "link" && !ctx.links) {
    ctx.logger.warn({ checkInId: checkIn.id }, "link mode without PUBLIC_URL: check-in held back");
    return { status: "scheduled", dueAt: new Date(now.getTime() + backoffMs(checkIn.attempt)), code: "link_unavailable" };
  }
  const links = linkModeFor(ctx, practice, enrollment);
  // A reclaimed link-mode claim asks the platform before it issues another link.
  if (links && checkIn.attempt > 1 && platform.findSent) {
    const prior = await platform.findSent(recipient, checkIn.id);
    if (prior) return sentOutcome(ctx, enrollment, prior);
  }
  // Link mode: a neutral message and a link; consent, the questions and the answers stay on the page.
  // A client who agreed to an earlier consent version is asked again; the request stands in for the prompt.
  const view = links
    ? await checkInLinkView(ctx, links, checkIn, enrollment, client, locale, "link.prompt")
    : consentIsCurrent(client, ctx.options.consentVersion)
      ? buildPromptView(checkIn, enrollment, practice, locale, { commentMaxLength: ctx.options.commentMaxLength, editMinutes: ctx.options.answerEditMinutes, showTalkedThrough: false })
      : buildConsentView(checkIn.id, locale, ctx.options.consentVersion, client.consentAt !== null);
  // A reclaimed claim may follow a crash between the send and its record: ask the platform first.
  if (checkIn.attempt > 1 && platform.findSent) {
    const prior = await platform.findSent(recipient, checkIn.id);
    if (prior) return sentOutcome(ctx, enrollment, prior);
  }
  const result = await platform.sendDirect(recipient, view);
  if (result.ok) {
    await markReachable(ctx, practice, client);
    await clearBotIssue(ctx, practice);
    return sentOutcome(ctx, enrollment, result.ref);
  }

  ctx.logger.warn({ checkInId: checkIn.id, code: result.code, failure: result.failure, attempt: checkIn.attempt }, "check-in send failed");
  // Only the platform's word that this person cannot get DMs marks the client; bot-side failures keep the retries.
  if (result.failure === "recipient_unreachable") {
    await markUnreachable(ctx, practice, enrollment, client, result.code);
    return { status: "failed", code: result.code };
  }
  if (result.failure === "bot_misconfigured" || result.failure === "payload_rejected") await reportBotIssue(ctx, practice, client, result.code);
  if (result.retryAfterMs !== undefined) {
    return { status: "scheduled", dueAt: new Date(now.getTime() + Math.max(1000, result.retryAfterMs)), code: result.code };
  }
  if (checkIn.attempt >= ctx.options.maxAttempts) {
    await notifyAdmins(ctx, practice, "notice.send_failed", { client: mention(practice.platform, client.platformUserId), code: result.code });
    return { status: "failed", code: result.code };
  }
  return { status: "scheduled", dueAt: new Date(now.getTime() + backoffMs(checkIn.attempt)), code: result.code };
}

/**
 * schedule=both: whether the calendar has this weekly session already (scheduled, sent or
 * cancelled there), so the weekly rule does not send a second prompt for it.
 */
async function calendarCoversSession(ctx: EngineContext, enrollment: Enrollment, checkIn: CheckIn): Promise<boolean> {
  if (enrollment.scheduleSource !== "both" || !ctx.calendars) return false;
  const end = checkIn.sessionEndAt.getTime();
  const start = end - Math.max(1, enrollment.sessionMinutes) * 60_000;
  const rows = await ctx.calendars.store.checkInsForCalendar([enrollment.id], new Date(start - 7 * 3600_000));
  return rows.some((row) => {
    if (row.id === checkIn.id || !row.calendarEventHash) return false;
    // A calendar row knows its end only; sessions up to 6 h long are compared by that end.
    const otherEnd = row.sessionEndAt.getTime();
    return otherEnd > start && otherEnd - 6 * 3600_000 < end;
  });
}

async function runClaim(ctx: EngineContext, checkIn: CheckIn, stats: DispatchStats): Promise<void> {
  let outcome: ClaimOutcome;
  try {
    outcome = await dispatchOne(ctx, checkIn);
  } catch (error) {
    ctx.logger.error({ checkInId: checkIn.id, err: errorCode(error) }, "dispatch failed");
    outcome = { status: "scheduled", dueAt: new Date(ctx.clock.now().getTime() + backoffMs(checkIn.attempt)), code: "internal_error" };
  }
  const recorded = await ctx.store.completeClaim(checkIn.id, checkIn.attempt, outcome, ctx.clock.now());
  if (!recorded) {
    stats.lost++;
    ctx.logger.warn({ checkInId: checkIn.id, attempt: checkIn.attempt }, "claim lost to a newer claimant; result discarded");
    return;
  }
  ctx.logger.debug({ checkInId: checkIn.id, attempt: checkIn.attempt, outcome: outcome.status, code: "code" in outcome ? (outcome.code ?? null) : null }, "check-in claim finished");
  switch (outcome.status) {
    case "sent":
      stats.sent++;
      stats.lateness.push(outcome.sentAt.getTime() - checkIn.dueAt.getTime());
      break;
    case "scheduled":
      stats.rescheduled++;
      break;
    case "missed_by_system":
      stats.missedBySystem++;
      break;
    case "failed":
      stats.failed++;
      break;
    case "cancelled":
      stats.cancelled++;
      break;
  }
}

export function errorCode(error: unknown): string {
  if (error && typeof error === "object" && "code" in error && typeof (error as { code: unknown }).code === "string") {
    return (error as { code: string }).code;
  }
  return error instanceof Error ? error.name : "unknown";
}

/** Runs `task` over `items` with at most `limit` in flight. */
async function eachLimited<T>(items: T[], limit: number, task: (item: T) => Promise<void>, shouldStop?: () => boolean): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length && !shouldStop?.()) {
      const item = items[next++] as T;
      await task(item);
    }
  });
  await Promise.all(workers);
}

/**
 * Claims and sends due check-ins until none are left or `maxBatches` batches ran.
 * `shouldStop` lets graceful shutdown stop claiming between batches.
 */
export async function dispatchDue(ctx: EngineContext, opts: { maxBatches?: number; shouldStop?: () => boolean } = {}): Promise<DispatchStats> {
  const stats = emptyStats();
  const maxBatches = opts.maxBatches ?? 1000;
  for (let batch = 0; batch < maxBatches && !opts.shouldStop?.(); batch++) {
    const claimed = await ctx.store.claimDueCheckIns(ctx.clock.now(), ctx.options.ownerId, ctx.options.leaseMs, ctx.options.batchSize);
    stats.claimed += claimed.length;
    // On shutdown, sends already started finish; claimed rows not yet started keep their lease
    // until releaseLeases() hands them back.
    await eachLimited(claimed, ctx.options.sendConcurrency, (checkIn) => runClaim(ctx, checkIn, stats), opts.shouldStop);
    if (claimed.length < ctx.options.batchSize) break;
  }
  return stats;
}

/**
 * Sends one reminder for each unanswered prompt whose reminder time has come (measured from the
 * prompt's actual send). A reminder due in quiet hours or while the client is paused is deferred
 * to their end, if the check-in is still open then; one that fails to send is retried with the
 * prompts' backoff, or at the platform's retry-after, until the window closes. None goes out for
 * a check-in that was answered, skipped or closed.
 */
export async function sendReminders(ctx: EngineContext, limit = 500): Promise<number> {
  const due = await ctx.store.claimDueReminders(ctx.clock.now(), limit);
  let sent = 0;
  for (const checkIn of due) {
    try {
      if (await remindOne(ctx, checkIn)) sent++;
    } catch (error) {
      ctx.logger.error({ checkInId: checkIn.id, err: errorCode(error) }, "reminder failed");
      await ctx.store.deferReminder(checkIn.id, reminderRetryAt(ctx, checkIn.remindAt), ctx.clock.now()).catch(() => false);
    }
  }
  return sent;
}

/**
 * The next try for a reminder that could not be sent: the platform's retry-after, else a backoff
 * like the prompts' (30 s, then doubling, at most 15 min), grown from how long the reminder has
 * been overdue since `firstDue` so no attempt counter is needed.
 */
function reminderRetryAt(ctx: EngineContext, firstDue: Date, retryAfterMs?: number): Date {
  const now = ctx.clock.now().getTime();
  if (retryAfterMs !== undefined) return new Date(now + Math.max(1000, retryAfterMs));
  const overdue = Math.max(0, now - firstDue.getTime());
  return new Date(now + Math.min(15 * 60_000, Math.max(30_000, overdue)));
}

/** Defers a claimed reminder to `at` if the check-in is still open then; otherwise it is dropped. */
async function deferReminderTo(ctx: EngineContext, checkIn: CheckIn, at: Date, code: string): Promise<false> {
  if (at < checkIn.closesAt) await ctx.store.deferReminder(checkIn.id, at, ctx.clock.now());
  ctx.logger.debug({ checkInId: checkIn.id, code, deferred: at < checkIn.closesAt }, "reminder held back");
  return false;
}

async function remindOne(ctx: EngineContext, claimed: CheckIn): Promise<boolean> {
  const now = ctx.clock.now();
  // Read again: the client may have answered or skipped since the claim's candidates were chosen.
  const checkIn = await ctx.store.getCheckIn(claimed.id);
  if (!checkIn || checkIn.status !== "sent" || now >= checkIn.closesAt) return false;
  const enrollment = await ctx.store.getEnrollment(checkIn.enrollmentId);
  if (!enrollment || enrollment.status === "ended") return false;
  const [client, practice, response] = await Promise.all([
    ctx.store.getPerson(enrollment.clientId),
    ctx.store.getPractice(enrollment.practiceId),
    ctx.store.getResponse(checkIn.id),
  ]);
  if (!client || !practice || !consentIsCurrent(client, ctx.options.consentVersion) || client.stoppedAt || client.consentDeclinedAt || client.undeliverableAt) return false;
  if (response?.completedAt) return false;
  if (enrollment.status === "paused") {
    // Paused with no end date: the reminder is parked at the close (so no tick picks it up) and
    // brought back by a resume while the check-in is open (restoreReminderAfterPause).
    await ctx.store.deferReminder(checkIn.id, checkIn.closesAt, now);
    ctx.logger.debug({ checkInId: checkIn.id, code: "paused" }, "reminder held back");
    return false;
  }
  const pausedUntil = [enrollment.pausedUntil, client.pausedUntil].filter((d): d is Date => d !== null && d > now).sort((a, b) => b.getTime() - a.getTime())[0];
  if (pausedUntil) return deferReminderTo(ctx, checkIn, pausedUntil, "paused");
  const notBefore = deferForQuietHours(now, practice.settings.quietHours, enrollment.timeZone);
  if (notBefore > now) return deferReminderTo(ctx, checkIn, notBefore, "quiet_hours");
  const firstDue = checkIn.sentAt ? reminderAfterSend(enrollment, checkIn.sentAt) : checkIn.remindAt;
  const platform = ctx.platform(practice.platform);
  if (!platform) return deferReminderTo(ctx, checkIn, reminderRetryAt(ctx, firstDue), "platform_unavailable");
  const locale = localeFor(practice, client, enrollment);
  const links = linkModeFor(ctx, practice, enrollment);
  const text = translate(locale, "prompt.reminder", { closes: formatLocalDateTime(checkIn.closesAt, enrollment.timeZone, locale) });
  const view = links ? await checkInLinkView(ctx, links, checkIn, enrollment, client, locale, "link.reminder") : { kind: "notice" as const, text };
  const result = await platform.sendDirect({ workspaceId: practice.externalId, userId: client.platformUserId }, view);
  if (result.ok) return true;
  ctx.logger.warn({ checkInId: checkIn.id, code: result.code }, "reminder send failed");
  if (result.failure === "recipient_unreachable") return false;
  return deferReminderTo(ctx, checkIn, reminderRetryAt(ctx, firstDue, result.retryAfterMs), result.code);
}

/**
 * After a resume: the open check-in's reminder, if not sent yet, is due at its usual time
 * (`reminder_after` after the send), or at once when that time passed during the pause. It still
 * honours quiet hours and is never sent after the check-in closes.
 */
export async function restoreReminderAfterPause(ctx: EngineContext, enrollment: Enrollment): Promise<void> {
  const now = ctx.clock.now();
  const open = await ctx.store.openCheckIn(enrollment.id, now);
  if (!open || open.reminderSentAt || !open.sentAt) return;
  const usual = reminderAfterSend(enrollment, open.sentAt);
  const at = usual > now ? usual : now;
  if (at < open.closesAt && at.getTime() !== open.remindAt.getTime()) await ctx.store.deferReminder(open.id, at, now);
}

/** Closes prompts whose answer window ended and replaces them with a "closed" note. */
export async function closeExpired(ctx: EngineContext, limit = 500): Promise<CheckIn[]> {
  const expired = await ctx.store.expireClosed(ctx.clock.now(), limit);
  for (const checkIn of expired) {
    try {
      if (!checkIn.platformChannelId || !checkIn.platformMessageId) continue;
      const enrollment = await ctx.store.getEnrollment(checkIn.enrollmentId);
      if (!enrollment) continue;
      const [client, practice] = await Promise.all([ctx.store.getPerson(enrollment.clientId), ctx.store.getPractice(enrollment.practiceId)]);
      if (!client || !practice) continue;
      const text = translate(localeFor(practice, client, enrollment), "prompt.closed");
      await ctx.platform(practice.platform)?.update(
        { workspaceId: practice.externalId, userId: client.platformUserId },
        { channelId: checkIn.platformChannelId, messageId: checkIn.platformMessageId },
        { kind: "closed", text },
      );
    } catch (error) {
      ctx.logger.error({ checkInId: checkIn.id, err: errorCode(error) }, "closing prompt failed");
    }
  }
  return expired;
}

