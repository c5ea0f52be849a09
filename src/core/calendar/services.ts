// What the engine needs to follow appointment calendars (the store, the fetcher, the options and
// this process's cached readings), kept apart from the polling so the engine context can name it.

import type { CalendarFetcher, CalendarStore } from "../../ports/calendar.ts";
import type { PackedSessions } from "./packed-sessions.ts";

export interface CalendarOptions {
  /** Seconds between polls of one calendar (CALENDAR_POLL_SECONDS). */
  pollSeconds: number;
  /** How long a poll holds its calendar before another process may take it. */
  leaseMs: number;
  /** A calendar failing this long notifies the therapist and admins once. */
  noticeAfterMs: number;
  /** How far ahead sessions become check-ins. */
  horizonDays: number;
  /** Calendars polled per tick by one process. */
  batchSize: number;
}

export const DEFAULT_CALENDAR_OPTIONS: CalendarOptions = {
  pollSeconds: 300,
  leaseMs: 120_000,
  noticeAfterMs: 3600_000,
  horizonDays: 35,
  batchSize: 20,
};

/** What the engine needs to follow calendars; absent when calendars are not wired in. */
export interface CalendarServices {
  store: CalendarStore;
  fetcher: CalendarFetcher;
  options: CalendarOptions;
  /** This process's last full reading of each feed (hashes and times only), for 304 answers. */
  readings: Map<string, CachedReading>;
}

export function createCalendarServices(store: CalendarStore, fetcher: CalendarFetcher, options: Partial<CalendarOptions> = {}): CalendarServices {
  return { store, fetcher, options: { ...DEFAULT_CALENDAR_OPTIONS, ...options }, readings: new Map() };
}

export interface CachedReading {
  etag: string | null;
  lastModified: string | null;
  codesKey: string;
  coveredUntil: number;
  sessions: PackedSessions;
}
