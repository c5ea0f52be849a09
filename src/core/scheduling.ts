// Materialises check-ins as rows. Invariant: an active enrollment has one `scheduled` row for
// its next session; the dispatcher materialises the following one when it claims the current.

import type { CheckIn, Enrollment } from "./model.ts";
import type { CheckInStore } from "../ports/checkin-store.ts";
import { checkInTimes, nextSessionEnd } from "./schedule.ts";

/**
 * Check-ins whose session ends less than this apart are for the same session: a `/checkin now`
 * right after a scheduled session, or a second `now`. Only one of them is ever sent.
 */
export const SAME_SESSION_MS = 30 * 60_000;

/** Creates the row for the first session ending after `after`, if none exists. Returns it (or null if none). */
export async function materialiseNext(store: CheckInStore, enrollment: Enrollment, after: Date): Promise<CheckIn | null> {
  if (enrollment.status === "ended" || enrollment.scheduleSource === "calendar") return null;
  let from = after;
  for (let step = 0; step < MAX_TAKEN_SESSIONS; step++) {
    const sessionEndAt = nextSessionEnd(enrollment, enrollment.timeZone, from, {
      skipDates: enrollment.skipDates,
      pausedUntil: enrollment.pausedUntil,
    });
    if (!sessionEndAt) return null;
    const times = checkInTimes(sessionEndAt, enrollment);
    const created = await store.insertCheckIn({ enrollmentId: enrollment.id, kind: "scheduled", sessionEndAt, ...times });
    if (created) return created;
    // schedule=both: the calendar may already have a check-in ending exactly then. That session
    // is the calendar's; the weekly rule goes on from the next one, unless a row of its own from
    // then on is queued already.
    if (enrollment.scheduleSource !== "both") break;
    const queued = (await store.queuedCheckIns(enrollment.id)).find((row) => row.kind === "scheduled" && !row.calendarEventHash && row.sessionEndAt.getTime() >= sessionEndAt.getTime());
    if (queued) return queued;
    from = sessionEndAt;
  }
  return store.nextScheduledCheckIn(enrollment.id);
}

/** schedule=both: weekly sessions in a row the calendar already holds before the rule stops looking (about a year). */
const MAX_TAKEN_SESSIONS = 60;

/** Cancels pending rows and materialises afresh (after a schedule, pause or skip change). */
export async function rescheduleEnrollment(store: CheckInStore, enrollment: Enrollment, now: Date): Promise<CheckIn | null> {
  await store.cancelScheduledCheckIns(enrollment.id, now);
  if (enrollment.status !== "active") return null;
  return materialiseNext(store, enrollment, now);
}

/** An immediate check-in for an unscheduled session that just ended. */
export async function createImmediateCheckIn(store: CheckInStore, enrollment: Enrollment, now: Date): Promise<CheckIn | null> {
  const times = checkInTimes(now, { ...enrollment, delayMinutes: 0 });
  return store.insertCheckIn({ enrollmentId: enrollment.id, kind: "now", sessionEndAt: now, ...times });
}
