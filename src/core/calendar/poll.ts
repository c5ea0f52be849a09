// Polls connected calendars from the engine's tick. Each calendar is claimed under a lease (like a
// check-in), so exactly one process reads it at a time; the poll is recorded with the claim's
// attempt, and a poll whose lease was taken over records nothing and sends no notice.
//
// - Every CALENDAR_POLL_SECONDS (default 300) per calendar, with If-None-Match /
//   If-Modified-Since. A 304 reuses this process's last reading of the same feed while it still
//   covers the horizon; otherwise the feed is read again without conditions.
// - Errors back off: the poll interval doubled per failure in a row, at most one hour.
// - A calendar failing for longer than CALENDAR_NOTICE_AFTER (one hour) sends the therapist and
//   the practice admins one notice; the first success after that sends one recovery notice.
// - A failed read never changes check-ins: only a feed that was read completely does.

import type { EngineContext } from "../context.ts";
import { mention } from "../context.ts";
import type { Calendar } from "../../ports/calendar.ts";
import type { Enrollment, Person, Practice } from "../model.ts";
import { readCalendarFeed } from "./feed.ts";
import type { CalendarSession } from "./feed.ts";
import { followsCalendar, reconcileCalendar } from "./reconcile.ts";
import type { ReconcileStats } from "./reconcile.ts";
import { currentAdmins, notifyPerson } from "../notify.ts";
import { errorCode } from "../dispatch.ts";
import type { CachedReading, CalendarOptions, CalendarServices } from "./services.ts";
import { packSessions, unpackSessions } from "./packed-sessions.ts";

export interface CalendarPollStats {
  polled: number;
  succeeded: number;
  failed: number;
  /** Polls whose lease another process took over before they finished. */
  lost: number;
  changes: ReconcileStats;
}

/** How far back a feed is read: a session that ended up to a day ago may still have its prompt pending. */
const LOOKBACK_MS = 25 * 3600_000;
const MAX_BACKOFF_MS = 3600_000;

function backoffMs(options: CalendarOptions, failures: number): number {
  return Math.min(MAX_BACKOFF_MS, Math.max(options.pollSeconds * 1000, options.pollSeconds * 1000 * 2 ** Math.max(0, failures - 1)));
}

function codesKey(enrollments: Enrollment[]): string {
  return enrollments
    .map((e) => `${e.calendarCode}:${e.timeZone}`)
    .sort()
    .join(",");
}

const emptyChanges = (): ReconcileStats => ({ created: 0, moved: 0, cancelled: 0, restored: 0, merged: 0 });

/** Claims due calendars and polls each. Safe to run in every process at once. */
export async function pollCalendars(ctx: EngineContext, services: CalendarServices): Promise<CalendarPollStats> {
  const stats: CalendarPollStats = { polled: 0, succeeded: 0, failed: 0, lost: 0, changes: emptyChanges() };
  const claimed = await services.store.claimDueCalendars(ctx.clock.now(), ctx.options.ownerId, services.options.leaseMs, services.options.batchSize);
  for (const calendar of claimed) {
    stats.polled++;
    try {
      await pollOne(ctx, services, calendar, stats);
    } catch (error) {
      ctx.logger.error({ calendarId: calendar.id, err: errorCode(error) }, "calendar poll failed");
      await services.store
        .completeCalendarPoll(calendar.id, calendar.attempt, { nextPollAt: new Date(ctx.clock.now().getTime() + backoffMs(services.options, calendar.failures + 1)) }, ctx.clock.now())
        .catch(() => undefined);
    }
  }
  return stats;
}

async function pollOne(ctx: EngineContext, services: CalendarServices, calendar: Calendar, stats: CalendarPollStats): Promise<void> {
  const { options } = services;
  const started = ctx.clock.now();
  const enrollments = (await ctx.store.listEnrollments(calendar.practiceId, { therapistId: calendar.therapistId })).filter(followsCalendar);
  const key = codesKey(enrollments);
  const windowFrom = new Date(started.getTime() - LOOKBACK_MS);
  const windowTo = new Date(started.getTime() + options.horizonDays * 86_400_000);
  const { readings } = services;
  const cached = readings.get(calendar.id);
  const usable = cached && cached.codesKey === key && cached.coveredUntil >= windowTo.getTime() && cached.etag === calendar.etag && cached.lastModified === calendar.lastModified;

  let url: string;
  try {
    url = ctx.cipher.decrypt(calendar.urlCipher, calendar.urlKeyId);
  } catch {
    await recordFailure(ctx, services, calendar, "key_unavailable", stats);
    return;
  }
  const reading = await fetchSessions(services, calendar, url, usable ? cached : undefined, { key, enrollments, windowFrom, windowTo });
  if (reading.kind === "failed") {
    await recordFailure(ctx, services, calendar, reading.code, stats);
    return;
  }
  if (reading.kind === "stale") {
    // 304 without a reading of our own (another process read it last): read it in full next time.
    readings.delete(calendar.id);
    await services.store.completeCalendarPoll(calendar.id, calendar.attempt, { etag: null, lastModified: null, nextPollAt: started }, ctx.clock.now());
    return;
  }
  const { sessions, etag, lastModified } = reading;

  const changes = await reconcileCalendar(ctx.store, services.store, {
    enrollments,
    sessions: sessions.filter((s) => s.startAt.getTime() <= windowTo.getTime()),
    windowFrom,
    windowTo,
    connectedAt: calendar.connectedAt,
    now: started,
  });
  for (const k of Object.keys(changes) as (keyof ReconcileStats)[]) stats.changes[k] += changes[k];
  const now = ctx.clock.now();
  const recovered = calendar.failureNoticeAt !== null;
  const recorded = await services.store.completeCalendarPoll(
    calendar.id,
    calendar.attempt,
    {
      etag,
      lastModified,
      lastFetchAt: now,
      lastSuccessAt: now,
      lastErrorCode: null,
      failingSince: null,
      failures: 0,
      failureNoticeAt: null,
      nextPollAt: new Date(now.getTime() + options.pollSeconds * 1000),
    },
    now,
  );
  if (!recorded) {
    stats.lost++;
    return;
  }
  stats.succeeded++;
  ctx.logger.debug({ calendarId: calendar.id, ...changes }, "calendar read");
  if (recovered) await notifyCalendar(ctx, calendar, "notice.calendar_recovered");
}

type FeedReading = { kind: "read"; sessions: CalendarSession[]; etag: string | null; lastModified: string | null } | { kind: "failed"; code: string } | { kind: "stale" };

/**
 * Fetches a calendar's feed and reads it into sessions (or takes this process's last reading on
 * a 304). The body and its parse are gone when this returns, before the poll's next database
 * call, so they never outlive one feed.
 */
async function fetchSessions(
  services: CalendarServices,
  calendar: Calendar,
  url: string,
  cached: CachedReading | undefined,
  scope: { key: string; enrollments: Enrollment[]; windowFrom: Date; windowTo: Date },
): Promise<FeedReading> {
  const result = await services.fetcher.fetch(url, cached ? { etag: calendar.etag, lastModified: calendar.lastModified } : { etag: null, lastModified: null });
  if (result.status === "error") return { kind: "failed", code: result.code };
  if (result.status === "not_modified") return cached ? { kind: "read", sessions: unpackSessions(cached.sessions), etag: calendar.etag, lastModified: calendar.lastModified } : { kind: "stale" };
  // The reading covers a week past the horizon, so later 304 answers can reuse it.
  const coveredUntil = scope.windowTo.getTime() + 7 * 86_400_000;
  const read = readCalendarFeed(result.body, {
    calendarId: calendar.id,
    codes: new Map(scope.enrollments.map((e) => [e.calendarCode as string, e.timeZone])),
    window: { from: scope.windowFrom, to: new Date(coveredUntil) },
  });
  if (!read.ok) return { kind: "failed", code: read.code };
  services.readings.set(calendar.id, { etag: result.etag, lastModified: result.lastModified, codesKey: scope.key, coveredUntil, sessions: packSessions(read.sessions) });
  return { kind: "read", sessions: read.sessions, etag: result.etag, lastModified: result.lastModified };
}

async function recordFailure(ctx: EngineContext, services: CalendarServices, calendar: Calendar, code: string, stats: CalendarPollStats): Promise<void> {
  const now = ctx.clock.now();
  const failures = calendar.failures + 1;
  const failingSince = calendar.failingSince ?? now;
  const notify = calendar.failureNoticeAt === null && now.getTime() - failingSince.getTime() >= services.options.noticeAfterMs;
  const recorded = await services.store.completeCalendarPoll(
    calendar.id,
    calendar.attempt,
    {
      lastFetchAt: now,
      lastErrorCode: code,
      lastErrorAt: now,
      failingSince,
      failures,
      ...(notify ? { failureNoticeAt: now } : {}),
      nextPollAt: new Date(now.getTime() + backoffMs(services.options, failures)),
    },
    now,
  );
  if (!recorded) {
    stats.lost++;
    return;
  }
  stats.failed++;
  ctx.logger.warn({ calendarId: calendar.id, code, failures }, "calendar read failed");
  if (notify) await notifyCalendar(ctx, calendar, "notice.calendar_failing", { code });
}

/** Tells the calendar's therapist and the practice's admins (each once, the therapist first). */
async function notifyCalendar(ctx: EngineContext, calendar: Calendar, key: "notice.calendar_failing" | "notice.calendar_recovered", params: Record<string, string> = {}): Promise<void> {
  try {
    const [practice, therapist] = await Promise.all([ctx.store.getPractice(calendar.practiceId), ctx.store.getPerson(calendar.therapistId)]);
    if (!practice) return;
    const full = { ...params, host: calendar.host, therapist: therapist ? mention(practice.platform, therapist.platformUserId) : "?" };
    if (therapist) await notifyPerson(ctx, practice, therapist, key, full);
    await notifyAdminsExcept(ctx, practice, therapist, key, full);
  } catch (error) {
    ctx.logger.warn({ calendarId: calendar.id, err: errorCode(error) }, "calendar notice failed");
  }
}

/** Every current admin (resolved through the platform), except a therapist who is one and was told already. */
async function notifyAdminsExcept(ctx: EngineContext, practice: Practice, therapist: Person | null, key: "notice.calendar_failing" | "notice.calendar_recovered", params: Record<string, string>): Promise<void> {
  for (const userId of await currentAdmins(ctx, practice)) {
    if (userId === therapist?.platformUserId) continue;
    const admin = await ctx.store.ensurePerson(practice.id, userId);
    await notifyPerson(ctx, practice, admin, key, params);
  }
}
