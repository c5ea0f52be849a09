// Ports for appointment calendars: where a therapist's calendar is kept (CalendarStore, over the
// same database as check-ins) and how its ICS address is read (CalendarFetcher, over HTTP).
// The address is a secret: the store only ever holds its ciphertext and its host.

import type { CheckIn, CheckInStatus } from "../core/model.ts";

/** A therapist's connected calendar and where its polling stands. */
export interface Calendar {
  id: string;
  practiceId: string;
  therapistId: string;
  /** The ICS address, encrypted with the comment cipher. */
  urlCipher: string;
  urlKeyId: string;
  /** The address's host name, the only part shown to anyone. */
  host: string;
  etag: string | null;
  lastModified: string | null;
  nextPollAt: Date;
  /** Fencing token of the poll lease (like a check-in claim's attempt). */
  attempt: number;
  leaseOwner: string | null;
  leaseExpiresAt: Date | null;
  lastFetchAt: Date | null;
  lastSuccessAt: Date | null;
  lastErrorCode: string | null;
  lastErrorAt: Date | null;
  /** Start of the current run of failures; null while polls succeed. */
  failingSince: Date | null;
  /** Failed polls in a row (back-off). */
  failures: number;
  /** When the failure notice went out for the current run of failures. */
  failureNoticeAt: Date | null;
  connectedAt: Date;
}

export interface NewCalendar {
  practiceId: string;
  therapistId: string;
  urlCipher: string;
  urlKeyId: string;
  host: string;
  now: Date;
}

/** What a finished poll records; written only while the poll's lease (attempt) still holds. */
export type CalendarPollPatch = Partial<
  Pick<Calendar, "etag" | "lastModified" | "lastFetchAt" | "lastSuccessAt" | "lastErrorCode" | "lastErrorAt" | "failingSince" | "failures" | "failureNoticeAt">
> & { nextPollAt: Date };

/** A calendar session's check-in to insert: `cancelled` rows mark a cancelled session so a weekly rule does not send for it. */
export interface NewCalendarCheckIn {
  enrollmentId: string;
  eventHash: string;
  status: "scheduled" | "cancelled";
  sessionEndAt: Date;
  dueAt: Date;
  remindAt: Date;
  closesAt: Date;
  /** Why a cancelled row is cancelled (stored as its last error code). */
  code?: string;
}

/** A change to a check-in from the calendar; applied only while the row's status is one of `from`. */
export interface CalendarCheckInPatch {
  kind?: "calendar";
  status?: "scheduled" | "cancelled";
  eventHash?: string;
  sessionEndAt?: Date;
  dueAt?: Date;
  remindAt?: Date;
  closesAt?: Date;
  code?: string | null;
}

export interface CalendarStore {
  /** Connects (or replaces) the therapist's calendar; polling starts afresh at `now`. */
  saveCalendar(input: NewCalendar): Promise<Calendar>;
  calendarOfTherapist(therapistId: string): Promise<Calendar | null>;
  /** Removes the therapist's calendar; false if there was none. */
  deleteCalendar(therapistId: string): Promise<boolean>;
  /**
   * Claims up to `limit` calendars whose poll is due (nextPollAt ≤ now, no live lease): sets the
   * lease and increments `attempt`. Safe against concurrent claimants (PostgreSQL: FOR UPDATE
   * SKIP LOCKED), so one process polls a given calendar at a time.
   */
  claimDueCalendars(now: Date, owner: string, leaseMs: number, limit: number): Promise<Calendar[]>;
  /** Records a poll and releases the lease; false (nothing written) if another claimant took it since. */
  completeCalendarPoll(id: string, attempt: number, patch: CalendarPollPatch, now: Date): Promise<boolean>;
  /** Check-ins of these enrollments whose session ends after `after`, plus any still `scheduled`. */
  checkInsForCalendar(enrollmentIds: string[], after: Date): Promise<CheckIn[]>;
  /** Inserts a calendar check-in; false if the enrollment already has one for that event or that session end. */
  insertCalendarCheckIn(input: NewCalendarCheckIn, now: Date): Promise<boolean>;
  /** Conditional update (see CalendarCheckInPatch); false when the row was not in one of `from`. */
  updateCalendarCheckIn(id: string, from: CheckInStatus[], patch: CalendarCheckInPatch, now: Date): Promise<boolean>;
  /** Whether any enrollment (in any practice) already uses this code. */
  calendarCodeTaken(code: string): Promise<boolean>;
  /** Calendars whose address is encrypted under another key than `keyId` (key rotation). */
  calendarsNotUnder(keyId: string): Promise<Pick<Calendar, "id" | "urlCipher" | "urlKeyId">[]>;
  /** Replaces an encrypted address if it is still the one read (under `oldKeyId`); false otherwise. */
  replaceCalendarUrl(id: string, oldKeyId: string, urlCipher: string, urlKeyId: string, now: Date): Promise<boolean>;
}

export type CalendarFetchErrorCode =
  | "bad_address"
  | "private_address"
  | "dns_failed"
  | "connection_failed"
  | "timeout"
  | "too_large"
  | "too_many_redirects"
  | "not_ics"
  | `http_${number}`;

export type CalendarFetchResult =
  | { status: "ok"; body: string; etag: string | null; lastModified: string | null }
  /** 304: the feed did not change since the given ETag / Last-Modified. */
  | { status: "not_modified" }
  | { status: "error"; code: CalendarFetchErrorCode };

export interface CalendarFetcher {
  /**
   * Checks an address before it is stored: http(s) only, and (unless private addresses are
   * allowed) a host that resolves to no loopback, link-local or private address.
   * Returns the host name to show, or the reason it is refused.
   */
  check(url: string): Promise<{ ok: true; host: string } | { ok: false; code: CalendarFetchErrorCode }>;
  /** Reads the feed with the same checks on every redirect, a timeout and a size limit. Never throws. */
  fetch(url: string, conditions: { etag: string | null; lastModified: string | null }): Promise<CalendarFetchResult>;
}
