// Table rows → domain objects: each mapper parses its row with the table's schema
// (row-schemas.ts) and builds the domain type; plus the aliasing helpers of joined reads.

import { LRUCache } from "lru-cache";
import { DEFAULT_SETTINGS, DEFAULT_THRESHOLDS, DELIVERIES, SCHEDULE_SOURCES } from "../core/model.ts";
import type { Alert, AuditEntry, CheckIn, Enrollment, FiredSignal, Person, Practice, PracticeSettings, ResponseRecord } from "../core/model.ts";
import type { Calendar } from "../ports/calendar.ts";
import type { LinkTokenRecord } from "../ports/checkin-store.ts";
import { flag, num, optNum, optTime, parseRow, time, type TableRow } from "./row-schemas.ts";

export { COLUMNS, parseRow, ROW_SCHEMAS, toDate } from "./row-schemas.ts";
export type { Table, TableRow } from "./row-schemas.ts";

function parseJson<T>(json: string, fallback: T): T {
  try {
    return JSON.parse(json) as T;
  } catch {
    return fallback;
  }
}

/** Parsed settings by their stored JSON text (the last 256 texts): every press reads its practice's row. */
const settingsByJson = new LRUCache<string, PracticeSettings>({ max: 256 });

/**
 * The practice settings stored as `json`, over the defaults. The object is shared by every read
 * of the same text, so it is frozen: a change builds new settings (see commands/settings.ts).
 */
export function parseSettings(json: string): PracticeSettings {
  const cached = settingsByJson.get(json);
  if (cached) return cached;
  const parsed = parseJson<Partial<PracticeSettings> | null>(json, {}) ?? {};
  const settings = deepFreeze({
    ...DEFAULT_SETTINGS,
    ...parsed,
    thresholds: { ...DEFAULT_THRESHOLDS, ...(parsed.thresholds ?? {}) },
  });
  settingsByJson.set(json, settings);
  return settings;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const nested of Object.values(value)) deepFreeze(nested);
  }
  return value;
}

export function toPractice(input: unknown): Practice {
  return practiceOf(parseRow("Practice", input));
}

/** The practice of a row that parseRow accepted. */
export function practiceOf(row: TableRow<"Practice">): Practice {
  return {
    id: row.id,
    platform: row.platform,
    externalId: row.externalId,
    locale: row.locale,
    timeZone: row.timeZone,
    settings: parseSettings(row.settings),
    sendIssueCode: row.sendIssueCode,
  };
}

export function toPerson(input: unknown): Person {
  return personOf(parseRow("Person", input));
}

/** The person of a row that parseRow accepted. */
export function personOf(row: TableRow<"Person">): Person {
  return {
    id: row.id,
    practiceId: row.practiceId,
    platformUserId: row.platformUserId,
    isAdmin: flag(row.isAdmin),
    isTherapist: flag(row.isTherapist),
    isClient: flag(row.isClient),
    locale: row.locale,
    consentVersion: row.consentVersion,
    consentAt: optTime(row.consentAt),
    consentDeclinedAt: optTime(row.consentDeclinedAt),
    stoppedAt: optTime(row.stoppedAt),
    pausedUntil: optTime(row.pausedUntil),
    undeliverableAt: optTime(row.undeliverableAt),
    undeliverableCode: row.undeliverableCode,
    unreachableFailures: num(row.unreachableFailures),
    unreachableRetryAt: optTime(row.unreachableRetryAt),
    digestWeekday: optNum(row.digestWeekday),
    digestTime: row.digestTime,
  };
}

export function toEnrollment(input: unknown): Enrollment {
  return enrollmentOf(parseRow("Enrollment", input));
}

/** The enrollment of a row that parseRow accepted. */
export function enrollmentOf(row: TableRow<"Enrollment">): Enrollment {
  return {
    id: row.id,
    practiceId: row.practiceId,
    clientId: row.clientId,
    therapistId: row.therapistId,
    status: row.status,
    weekdays: row.weekdays.split(",").filter(Boolean).map(Number),
    startTime: row.startTime,
    sessionMinutes: num(row.sessionMinutes),
    timeZone: row.timeZone,
    delayMinutes: num(row.delayMinutes),
    reminderMinutes: num(row.reminderMinutes),
    windowMinutes: num(row.windowMinutes),
    locale: row.locale,
    delivery: (DELIVERIES as readonly (string | null)[]).includes(row.delivery) ? (row.delivery as Enrollment["delivery"]) : null,
    pausedUntil: optTime(row.pausedUntil),
    skipDates: row.skipDates ? row.skipDates.split(",") : [],
    createdAt: time(row.createdAt),
    endedAt: optTime(row.endedAt),
    scheduleSource: (SCHEDULE_SOURCES as readonly string[]).includes(row.scheduleSource) ? (row.scheduleSource as Enrollment["scheduleSource"]) : "weekly",
    calendarCode: row.calendarCode,
  };
}

export function toCheckIn(input: unknown): CheckIn {
  return checkInOf(parseRow("CheckIn", input));
}

/** The check-in of a row that parseRow accepted. */
export function checkInOf(row: TableRow<"CheckIn">): CheckIn {
  return {
    id: row.id,
    enrollmentId: row.enrollmentId,
    kind: row.kind,
    status: row.status,
    sessionEndAt: time(row.sessionEndAt),
    dueAt: time(row.dueAt),
    remindAt: time(row.remindAt),
    closesAt: time(row.closesAt),
    attempt: num(row.attempt),
    leaseOwner: row.leaseOwner,
    leaseExpiresAt: optTime(row.leaseExpiresAt),
    sentAt: optTime(row.sentAt),
    reminderSentAt: optTime(row.reminderSentAt),
    answeredAt: optTime(row.answeredAt),
    platformChannelId: row.platformChannelId,
    platformMessageId: row.platformMessageId,
    calendarEventHash: row.calendarEventHash,
  };
}

/** The response with its encrypted comment, for the few readers that need the ciphertext. */
export function toResponseWithComment(input: unknown): ResponseRecord & { commentCipher: string | null; commentKeyId: string | null } {
  const row = parseRow("Response", input);
  return { ...responseOf(row), commentCipher: row.commentCipher, commentKeyId: row.commentKeyId };
}

/** The response without its ciphertext; built field by field (every press reads one back). */
export function toResponse(input: unknown): ResponseRecord {
  return responseOf(parseRow("Response", input));
}

function responseOf(row: TableRow<"Response">): ResponseRecord {
  return {
    checkInId: row.checkInId,
    goal: optNum(row.goal),
    task: optNum(row.task),
    bond: optNum(row.bond),
    tension: row.tension,
    talkedThrough: row.talkedThrough,
    hasComment: row.commentCipher !== null,
    createdAt: time(row.createdAt),
    completedAt: optTime(row.completedAt),
  };
}

export function toAlert(input: unknown): Alert {
  const row = parseRow("Alert", input);
  return {
    id: row.id,
    enrollmentId: row.enrollmentId,
    checkInId: row.checkInId,
    status: row.status,
    severity: row.severity,
    signals: parseJson<FiredSignal[]>(row.signals, []),
    createdAt: time(row.createdAt),
    updatedAt: time(row.updatedAt),
    acknowledgedAt: optTime(row.acknowledgedAt),
    resolvedAt: optTime(row.resolvedAt),
    snoozedUntil: optTime(row.snoozedUntil),
    remindedAt: optTime(row.remindedAt),
    escalatedAt: optTime(row.escalatedAt),
    platformChannelId: row.platformChannelId,
    platformMessageId: row.platformMessageId,
  };
}

export function toAudit(input: unknown): AuditEntry {
  const row = parseRow("AuditEntry", input);
  return {
    id: row.id,
    practiceId: row.practiceId,
    actorPersonId: row.actorPersonId,
    action: row.action,
    subjectPersonId: row.subjectPersonId,
    detail: parseJson<AuditEntry["detail"]>(row.detail, {}),
    createdAt: time(row.createdAt),
  };
}

export function toCalendar(input: unknown): Calendar {
  const row = parseRow("Calendar", input);
  return {
    id: row.id,
    practiceId: row.practiceId,
    therapistId: row.therapistId,
    urlCipher: row.urlCipher,
    urlKeyId: row.urlKeyId,
    host: row.host,
    etag: row.etag,
    lastModified: row.lastModified,
    nextPollAt: time(row.nextPollAt),
    attempt: num(row.attempt),
    leaseOwner: row.leaseOwner,
    leaseExpiresAt: optTime(row.leaseExpiresAt),
    lastFetchAt: optTime(row.lastFetchAt),
    lastSuccessAt: optTime(row.lastSuccessAt),
    lastErrorCode: row.lastErrorCode,
    lastErrorAt: optTime(row.lastErrorAt),
    failingSince: optTime(row.failingSince),
    failures: num(row.failures),
    failureNoticeAt: optTime(row.failureNoticeAt),
    connectedAt: time(row.connectedAt),
  };
}

export function toLinkToken(input: unknown): LinkTokenRecord {
  const row = parseRow("LinkToken", input);
  return { tokenHash: row.tokenHash, checkInId: row.checkInId, personId: row.personId, expiresAt: time(row.expiresAt), revokedAt: optTime(row.revokedAt) };
}
