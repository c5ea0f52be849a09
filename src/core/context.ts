// What every engine module depends on: the ports, a clock, a logger and the options.
// Built once in src/main.ts (or a test) and passed around; no module reaches for globals.

import { LRUCache } from "lru-cache";
import { format } from "date-fns";
import { enGB, ro as roLocale } from "date-fns/locale";
import { TZDate } from "@date-fns/tz";
import type { CheckInStore } from "../ports/checkin-store.ts";
import type { ChatPlatform } from "../ports/chat-platform.ts";
import type { Clock } from "../ports/clock.ts";
import type { CommentCipher } from "../ports/comment-cipher.ts";
import type { Logger } from "../ports/logger.ts";
import type { LinkSettings } from "../ports/link-tokens.ts";
import type { AlertEvent, Enrollment, Locale, Person, PlatformName, Practice } from "./model.ts";
import type { CalendarServices } from "./calendar/services.ts";

export interface EngineOptions {
  /** Identifies this process as a lease owner. */
  ownerId: string;
  /** How long a claim holds a check-in before another process may reclaim it. */
  leaseMs: number;
  /** Check-ins claimed per batch. */
  batchSize: number;
  /** Parallel sends within a batch. */
  sendConcurrency: number;
  /** After this many claims without success a check-in is marked failed and an admin told. */
  maxAttempts: number;
  /** Current consent text version; stored with each client's consent. */
  consentVersion: string;
  /** Minutes after completion during which a client may change an answer. */
  answerEditMinutes: number;
  /** Longest comment accepted. */
  commentMaxLength: number;
  /** An open (unacknowledged, unsnoozed) alert gets one reminder to the therapist after this long (ALERT_REMIND_AFTER). */
  alertRemindAfterMs: number;
  /** An alert still unacknowledged after this long is escalated to the practice admins (ALERT_ESCALATE_AFTER). */
  alertEscalateAfterMs: number;
  /** The caseload page of the web dashboard (PUBLIC_URL/dashboard), linked from the weekly digest; absent = no link. */
  dashboardUrl?: string;
}

export const DEFAULT_ENGINE_OPTIONS: Omit<EngineOptions, "ownerId"> = {
  leaseMs: 60_000,
  batchSize: 200,
  sendConcurrency: 16,
  maxAttempts: 5,
  consentVersion: "2026-11",
  answerEditMinutes: 15,
  commentMaxLength: 3000,
  alertRemindAfterMs: 24 * 3600_000,
  alertEscalateAfterMs: 72 * 3600_000,
};

export interface EngineContext {
  store: CheckInStore;
  platform(name: PlatformName): ChatPlatform | undefined;
  clock: Clock;
  logger: Logger;
  cipher: CommentCipher;
  options: EngineOptions;
  /** Connected appointment calendars (issue 18); absent in builds without them. */
  calendars?: CalendarServices;
  /** Link mode (PUBLIC_URL and the link-token issuer); absent: link mode is not available. */
  links?: LinkSettings;
  /** Told of every alert lifecycle step once it is stored (the back-test and tests listen). */
  onAlertEvent?: (event: AlertEvent) => void;
}

/** Enrollment locale, else the person's, else the practice default. */
export function localeFor(practice: Practice, person?: Person | null, enrollment?: Enrollment | null): Locale {
  return enrollment?.locale ?? person?.locale ?? practice.locale;
}

/** How a person is referred to in text: a platform mention, never a stored name. */
export function mention(platform: PlatformName, userId: string): string {
  return platform === "terminal" ? `@${userId}` : `<@${userId}>`;
}

const DATE_LOCALES = { en: enGB, ro: roLocale };

/**
 * Formatted date-times kept for reuse, the last 1,024 (a page and its answer show the same closing
 * time). They are kept by the minute: the text shows no seconds, and every time zone's offset since
 * 1972 is a whole number of minutes, so one UTC minute is one local minute. An edit window that
 * starts now thus reads one kept text for every answer in the same minute.
 */
const dateTimeTexts = new LRUCache<string, string>({ max: 1024 });

/** Local date and time for messages, e.g. "Tue 3 Mar, 17:10". */
export function formatLocalDateTime(at: Date, timeZone: string, locale: Locale): string {
  const key = `${locale} ${timeZone} ${Math.floor(at.getTime() / 60_000)}`;
  let text = dateTimeTexts.get(key);
  if (text === undefined) {
    text = format(new TZDate(at.getTime(), timeZone), "EEE d MMM, HH:mm", { locale: DATE_LOCALES[locale] });
    dateTimeTexts.set(key, text);
  }
  return text;
}

export function formatLocalDate(at: Date, timeZone: string, locale: Locale): string {
  return format(new TZDate(at.getTime(), timeZone), "d MMM yyyy", { locale: DATE_LOCALES[locale] });
}
