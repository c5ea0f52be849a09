// Makes an enrollment's check-ins agree with what the calendar says now. Runs after every
// successful read of a feed, for the enrollments of the calendar's therapist that follow it.
//
// Rules:
// - A session ending after the calendar was connected whose answer window is still open gets a
//   check-in due at its end + the enrollment's delay.
// - A moved session moves its check-in (same event identity, new times) while it is `scheduled`.
// - A cancelled session (STATUS:CANCELLED) or one gone from the feed (removed event, EXDATE,
//   rule shortened) cancels a `scheduled` check-in with a calendar code: never a client miss.
//   A session that comes back (un-cancelled, or moved back into the horizon) is scheduled again.
// - Anything past `scheduled` (sending, sent, answered, expired …) is never changed: a prompt
//   is never sent twice for one session.
// - Paused and ended enrollments, sessions before a pause ends and skipped local dates get none.
// - A session the feed has under a new identity at the same end as one that left it (an event
//   deleted and made again, a series split at "this and following") takes over that row.
// - schedule=both: the calendar decides every week it has read a session for. A session the
//   weekly rule also produced is one check-in: a weekly row still `scheduled` becomes the
//   calendar's (the weekly rule then goes on from its next session, and that row is matched in
//   the same run); one already sent keeps the event's identity so nothing new is created. A
//   cancelled or EXDATE'd occurrence, or one deleted after it was read, keeps a cancelled row, so
//   the weekly rule's check-in for that session is cancelled when it comes due (see dispatch).
//   A week the calendar never had a session for follows the weekly rule.

import type { CheckIn, CheckInStatus, Enrollment } from "../model.ts";
import type { CalendarStore } from "../../ports/calendar.ts";
import type { CheckInStore } from "../../ports/checkin-store.ts";
import type { CalendarSession } from "./feed.ts";
import { checkInTimes, localDate } from "../schedule.ts";
import { materialiseNext } from "../scheduling.ts";

export interface ReconcileStats {
  created: number;
  moved: number;
  cancelled: number;
  restored: number;
  /** Weekly check-ins taken over by a calendar session (schedule=both). */
  merged: number;
}

export interface ReconcileInput {
  enrollments: Enrollment[];
  sessions: CalendarSession[];
  /** Sessions ending at or before this were not read: their check-ins are left alone. */
  windowFrom: Date;
  /** Sessions starting after this were not read. */
  windowTo: Date;
  connectedAt: Date;
  now: Date;
}

/** Statuses after which the calendar changes nothing. */
const SETTLED: CheckInStatus[] = ["sending", "sent", "answered", "expired", "skipped", "missed_by_system", "failed"];

const emptyStats = (): ReconcileStats => ({ created: 0, moved: 0, cancelled: 0, restored: 0, merged: 0 });

/** Whether the calendar can still give an enrollment check-ins. */
export function followsCalendar(enrollment: Enrollment): boolean {
  return enrollment.status !== "ended" && enrollment.calendarCode !== null && (enrollment.scheduleSource === "calendar" || enrollment.scheduleSource === "both");
}

function sessionWanted(enrollment: Enrollment, session: CalendarSession, input: ReconcileInput): boolean {
  if (session.cancelled || enrollment.status !== "active") return false;
  const end = session.endAt.getTime();
  if (end <= input.connectedAt.getTime()) return false;
  if (enrollment.pausedUntil && end < enrollment.pausedUntil.getTime()) return false;
  if (enrollment.skipDates.length > 0 && enrollment.skipDates.includes(localDate(session.startAt, enrollment.timeZone))) return false;
  return checkInTimes(session.endAt, enrollment).closesAt.getTime() > input.now.getTime();
}

/** Weekly-rule session [end - length, end] overlaps the calendar session. */
function overlapsWeekly(row: CheckIn, enrollment: Enrollment, session: CalendarSession): boolean {
  const end = row.sessionEndAt.getTime();
  const start = end - Math.max(1, enrollment.sessionMinutes) * 60_000;
  return start < session.endAt.getTime() && end > session.startAt.getTime();
}

export async function reconcileCalendar(store: CheckInStore, calendars: CalendarStore, input: ReconcileInput): Promise<ReconcileStats> {
  const stats = emptyStats();
  const byCode = new Map(input.enrollments.filter(followsCalendar).map((e) => [e.calendarCode as string, e]));
  if (byCode.size === 0) return stats;
  const rows = await calendars.checkInsForCalendar([...byCode.values()].map((e) => e.id), input.windowFrom);
  const rowsByEnrollment = new Map<string, CheckIn[]>();
  for (const row of rows) {
    const list = rowsByEnrollment.get(row.enrollmentId);
    if (list) list.push(row);
    else rowsByEnrollment.set(row.enrollmentId, [row]);
  }
  const seen = new Set<string>();
  const now = input.now;
  // Every session of this reading, by enrollment and event: a row whose event is not among them is gone from the feed.
  const present = new Set<string>();
  for (const session of input.sessions) {
    const enrollment = byCode.get(session.code);
    if (enrollment) present.add(`${enrollment.id}:${session.eventHash}`);
  }
  // Rows this run re-keyed to another event: the removal pass below must not take them for gone.
  const rekeyed = new Set<string>();

  for (const session of input.sessions) {
    const enrollment = byCode.get(session.code);
    if (!enrollment) continue;
    const key = `${enrollment.id}:${session.eventHash}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const context = { store, calendars, input, stats, present, rekeyed, rowsByEnrollment };
    // A row made since the rows were read (by the weekly rule, or another process) makes the
    // insert conflict: read this enrollment's rows again and decide once more.
    if ((await reconcileSession(context, enrollment, session)) === "conflict") {
      rowsByEnrollment.set(enrollment.id, await calendars.checkInsForCalendar([enrollment.id], input.windowFrom));
      await reconcileSession(context, enrollment, session);
    }
  }

  // Calendar check-ins whose session the feed no longer has (within what was read).
  for (const row of rows) {
    if (row.status !== "scheduled" || !row.calendarEventHash || rekeyed.has(row.id)) continue;
    if (seen.has(`${row.enrollmentId}:${row.calendarEventHash}`)) continue;
    const end = row.sessionEndAt.getTime();
    if (end <= input.windowFrom.getTime() || end > input.windowTo.getTime()) continue;
    if (await calendars.updateCalendarCheckIn(row.id, ["scheduled"], { status: "cancelled", code: "calendar_removed" }, now)) stats.cancelled++;
  }
  return stats;
}

interface SessionContext {
  store: CheckInStore;
  calendars: CalendarStore;
  input: ReconcileInput;
  stats: ReconcileStats;
  /** `enrollmentId:eventHash` of every session in this reading. */
  present: Set<string>;
  rekeyed: Set<string>;
  rowsByEnrollment: Map<string, CheckIn[]>;
}

/** Makes one session's check-in agree with the calendar; "conflict" when a row the list did not have is in the way. */
async function reconcileSession(c: SessionContext, enrollment: Enrollment, session: CalendarSession): Promise<"done" | "conflict"> {
  const { calendars, input, stats } = c;
  const now = input.now;
  const own = c.rowsByEnrollment.get(enrollment.id) ?? [];
  const times = checkInTimes(session.endAt, enrollment);
  const existing = own.find((row) => row.calendarEventHash === session.eventHash);
  const wanted = sessionWanted(enrollment, session, input);

  if (existing) {
    if (existing.status === "scheduled") {
      if (!wanted) {
        const code = session.cancelled ? "calendar_cancelled" : "calendar_not_due";
        if (await calendars.updateCalendarCheckIn(existing.id, ["scheduled"], { status: "cancelled", code }, now)) stats.cancelled++;
      } else if (existing.sessionEndAt.getTime() !== session.endAt.getTime()) {
        if (await calendars.updateCalendarCheckIn(existing.id, ["scheduled"], { sessionEndAt: session.endAt, ...times }, now)) stats.moved++;
      }
    } else if (existing.status === "cancelled" && wanted) {
      const restored = await calendars.updateCalendarCheckIn(existing.id, ["cancelled"], { status: "scheduled", sessionEndAt: session.endAt, ...times, code: null }, now);
      if (restored) stats.restored++;
    }
    return "done";
  }

  // The same session under another event identity: an event deleted and made again at the same
  // time (a series split at "this and following"). Its row takes the new identity.
  const replaced = own.find(
    (row) => Boolean(row.calendarEventHash) && row.sessionEndAt.getTime() === session.endAt.getTime() && !c.present.has(`${enrollment.id}:${row.calendarEventHash}`) && !c.rekeyed.has(row.id),
  );
  if (replaced) {
    c.rekeyed.add(replaced.id);
    if (SETTLED.includes(replaced.status)) {
      // Already prompted for this session: it keeps its row, and nothing new is sent.
      await calendars.updateCalendarCheckIn(replaced.id, SETTLED, { eventHash: session.eventHash }, now);
      return "done";
    }
    const patch = wanted
      ? { eventHash: session.eventHash, status: "scheduled" as const, sessionEndAt: session.endAt, ...times, code: null }
      : { eventHash: session.eventHash, status: "cancelled" as const, code: session.cancelled ? "calendar_cancelled" : "calendar_not_due" };
    if (await calendars.updateCalendarCheckIn(replaced.id, ["scheduled", "cancelled"], patch, now)) {
      if (wanted && replaced.status === "cancelled") stats.restored++;
      if (!wanted && replaced.status === "scheduled") stats.cancelled++;
    }
    return "done";
  }

  // schedule=both: the weekly rule's check-in for the same session.
  const weekly =
    enrollment.scheduleSource === "both"
      ? own.find((row) => row.kind === "scheduled" && !row.calendarEventHash && row.status !== "cancelled" && overlapsWeekly(row, enrollment, session))
      : undefined;
  if (weekly) {
    if (SETTLED.includes(weekly.status)) {
      // Already sent (or closed) for this session: keep the event's identity on it, send nothing new.
      await calendars.updateCalendarCheckIn(weekly.id, SETTLED, { eventHash: session.eventHash }, now);
      weekly.calendarEventHash = session.eventHash;
      stats.merged++;
      return "done";
    }
    const patch = wanted
      ? { kind: "calendar" as const, eventHash: session.eventHash, sessionEndAt: session.endAt, ...times }
      : { kind: "calendar" as const, eventHash: session.eventHash, status: "cancelled" as const, code: "calendar_cancelled" };
    if (await calendars.updateCalendarCheckIn(weekly.id, ["scheduled"], patch, now)) {
      stats.merged++;
      weekly.kind = "calendar";
      weekly.calendarEventHash = session.eventHash;
      // The weekly rule goes on from the session it no longer owns; later sessions of this
      // reading see the new row, so one the calendar also has is merged too.
      const next = await materialiseNext(c.store, enrollment, weekly.sessionEndAt);
      if (next && !own.some((row) => row.id === next.id)) {
        own.push(next);
        c.rowsByEnrollment.set(enrollment.id, own);
      }
    }
    return "done";
  }
  if (wanted) {
    if (await calendars.insertCalendarCheckIn({ enrollmentId: enrollment.id, eventHash: session.eventHash, status: "scheduled", sessionEndAt: session.endAt, ...times }, now)) {
      stats.created++;
      return "done";
    }
    return "conflict";
  }
  if (session.cancelled && enrollment.scheduleSource === "both") {
    // A marker, so the weekly rule's check-in for this cancelled session is cancelled too.
    const marker = await calendars.insertCalendarCheckIn({ enrollmentId: enrollment.id, eventHash: session.eventHash, status: "cancelled", sessionEndAt: session.endAt, ...times, code: "calendar_cancelled" }, now);
    if (!marker) return "conflict";
  }
  return "done";
}
