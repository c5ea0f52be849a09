// Row → domain mapping shared by the Prisma and raw-SQL paths. SQLite hands back dates as
// epoch milliseconds and booleans as 0/1; PostgreSQL hands back Date and boolean, or inside
// row_to_json an ISO timestamp without zone.

import { DEFAULT_SETTINGS, DEFAULT_THRESHOLDS, SCHEDULE_SOURCES } from "../core/model.ts";
import type {
  Alert,
  AuditEntry,
  CheckIn,
  Enrollment,
  FiredSignal,
  Locale,
  Person,
  PlatformName,
  Practice,
  PracticeSettings,
  ResponseRecord,
  ScheduleSource,
  TalkedThroughAnswer,
  TensionAnswer,
} from "../core/model.ts";

type Row = Record<string, unknown>;

export function toDate(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  if (typeof value === "number" || typeof value === "bigint") return new Date(Number(value));
  if (typeof value === "string") {
    if (/^\d+$/.test(value)) return new Date(Number(value));
    // A PostgreSQL timestamp inside JSON carries no zone; stored timestamps are UTC.
    return new Date(/^\d{4}-\d\d-\d\dT[\d:.]+$/.test(value) ? `${value}Z` : value);
  }
  return null;
}

function mustDate(value: unknown): Date {
  const date = toDate(value);
  if (!date) throw new Error("expected a date column");
  return date;
}

const bool = (value: unknown): boolean => value === true || value === 1 || value === 1n;
const str = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));

export function parseSettings(json: string): PracticeSettings {
  let parsed: Partial<PracticeSettings> = {};
  try {
    parsed = JSON.parse(json) as Partial<PracticeSettings>;
  } catch {
    parsed = {};
  }
  return {
    ...DEFAULT_SETTINGS,
    ...parsed,
    thresholds: { ...DEFAULT_THRESHOLDS, ...(parsed.thresholds ?? {}) },
  };
}

export function toPractice(row: Row): Practice {
  return {
    id: String(row.id),
    platform: String(row.platform) as PlatformName,
    externalId: String(row.externalId),
    locale: String(row.locale) as Locale,
    timeZone: String(row.timeZone),
    settings: parseSettings(String(row.settings ?? "{}")),
    sendIssueCode: str(row.sendIssueCode),
  };
}

export function toPerson(row: Row): Person {
  return {
    id: String(row.id),
    practiceId: String(row.practiceId),
    platformUserId: String(row.platformUserId),
    isAdmin: bool(row.isAdmin),
    isTherapist: bool(row.isTherapist),
    isClient: bool(row.isClient),
    locale: str(row.locale) as Locale | null,
    consentVersion: str(row.consentVersion),
    consentAt: toDate(row.consentAt),
    consentDeclinedAt: toDate(row.consentDeclinedAt),
    stoppedAt: toDate(row.stoppedAt),
    pausedUntil: toDate(row.pausedUntil),
    undeliverableAt: toDate(row.undeliverableAt),
    undeliverableCode: str(row.undeliverableCode),
    unreachableFailures: row.unreachableFailures === null || row.unreachableFailures === undefined ? 0 : Number(row.unreachableFailures),
    unreachableRetryAt: toDate(row.unreachableRetryAt),
    digestWeekday: row.digestWeekday === null || row.digestWeekday === undefined ? null : Number(row.digestWeekday),
    digestTime: str(row.digestTime),
  };
}

export function toEnrollment(row: Row): Enrollment {
  const weekdays = String(row.weekdays ?? "")
    .split(",")
    .filter(Boolean)
    .map(Number);
  const skip = String(row.skipDates ?? "");
  return {
    id: String(row.id),
    practiceId: String(row.practiceId),
    clientId: String(row.clientId),
    therapistId: String(row.therapistId),
    status: String(row.status) as Enrollment["status"],
    weekdays,
    startTime: String(row.startTime),
    sessionMinutes: Number(row.sessionMinutes),
    timeZone: String(row.timeZone),
    delayMinutes: Number(row.delayMinutes),
    reminderMinutes: Number(row.reminderMinutes),
    windowMinutes: Number(row.windowMinutes),
    locale: str(row.locale) as Locale | null,
    delivery: row.delivery === "link" || row.delivery === "chat" ? row.delivery : null,
    pausedUntil: toDate(row.pausedUntil),
    skipDates: skip ? skip.split(",") : [],
    createdAt: mustDate(row.createdAt),
    endedAt: toDate(row.endedAt),
    scheduleSource: (SCHEDULE_SOURCES as readonly string[]).includes(String(row.scheduleSource)) ? (String(row.scheduleSource) as ScheduleSource) : "weekly",
    calendarCode: str(row.calendarCode),
  };
}

export function toCheckIn(row: Row): CheckIn {
  return {
    id: String(row.id),
    enrollmentId: String(row.enrollmentId),
    kind: String(row.kind) as CheckIn["kind"],
    status: String(row.status) as CheckIn["status"],
    sessionEndAt: mustDate(row.sessionEndAt),
    dueAt: mustDate(row.dueAt),
    remindAt: mustDate(row.remindAt),
    closesAt: mustDate(row.closesAt),
    attempt: Number(row.attempt),
    leaseOwner: str(row.leaseOwner),
    leaseExpiresAt: toDate(row.leaseExpiresAt),
    sentAt: toDate(row.sentAt),
    reminderSentAt: toDate(row.reminderSentAt),
    answeredAt: toDate(row.answeredAt),
    platformChannelId: str(row.platformChannelId),
    platformMessageId: str(row.platformMessageId),
    calendarEventHash: str(row.calendarEventHash),
  };
}

const optInt = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

export function toResponse(row: Row): ResponseRecord {
  return {
    checkInId: String(row.checkInId),
    goal: optInt(row.goal),
    task: optInt(row.task),
    bond: optInt(row.bond),
    tension: str(row.tension) as TensionAnswer | null,
    talkedThrough: str(row.talkedThrough) as TalkedThroughAnswer | null,
    hasComment: row.commentCipher !== null && row.commentCipher !== undefined,
    createdAt: mustDate(row.createdAt),
    completedAt: toDate(row.completedAt),
  };
}

export function toAlert(row: Row): Alert {
  let signals: FiredSignal[] = [];
  try {
    signals = JSON.parse(String(row.signals ?? "[]")) as FiredSignal[];
  } catch {
    signals = [];
  }
  return {
    id: String(row.id),
    enrollmentId: String(row.enrollmentId),
    checkInId: str(row.checkInId),
    status: String(row.status) as Alert["status"],
    severity: String(row.severity) as Alert["severity"],
    signals,
    createdAt: mustDate(row.createdAt),
    updatedAt: mustDate(row.updatedAt),
    acknowledgedAt: toDate(row.acknowledgedAt),
    resolvedAt: toDate(row.resolvedAt),
    snoozedUntil: toDate(row.snoozedUntil),
    remindedAt: toDate(row.remindedAt),
    escalatedAt: toDate(row.escalatedAt),
    platformChannelId: str(row.platformChannelId),
    platformMessageId: str(row.platformMessageId),
  };
}

export function toAudit(row: Row): AuditEntry {
  let detail: AuditEntry["detail"] = {};
  try {
    detail = JSON.parse(String(row.detail ?? "{}")) as AuditEntry["detail"];
  } catch {
    detail = {};
  }
  return {
    id: String(row.id),
    practiceId: String(row.practiceId),
    actorPersonId: str(row.actorPersonId),
    action: String(row.action),
    subjectPersonId: str(row.subjectPersonId),
    detail,
    createdAt: mustDate(row.createdAt),
  };
}

/** Column names per table, for joins that must alias every column (names repeat across tables). */
export const COLUMNS = {
  CheckIn: ["id", "enrollmentId", "kind", "status", "sessionEndAt", "dueAt", "remindAt", "closesAt", "attempt", "leaseOwner", "leaseExpiresAt", "sentAt", "reminderSentAt", "answeredAt", "closedAt", "platformChannelId", "platformMessageId", "lastErrorCode", "calendarEventHash", "createdAt", "updatedAt"],
  Enrollment: ["id", "practiceId", "clientId", "therapistId", "status", "weekdays", "startTime", "sessionMinutes", "timeZone", "delayMinutes", "reminderMinutes", "windowMinutes", "locale", "delivery", "pausedUntil", "skipDates", "createdAt", "updatedAt", "endedAt", "scheduleSource", "calendarCode"],
  Practice: ["id", "platform", "externalId", "locale", "timeZone", "settings", "sendIssueCode", "sendIssueAt", "createdAt", "updatedAt"],
  Person: ["id", "practiceId", "platformUserId", "isAdmin", "isTherapist", "isClient", "locale", "consentVersion", "consentAt", "consentDeclinedAt", "stoppedAt", "pausedUntil", "undeliverableAt", "undeliverableCode", "unreachableFailures", "unreachableRetryAt", "digestWeekday", "digestTime", "createdAt", "updatedAt"],
} as const;

/** `alias."col" AS "alias__col", …` for one table in a join. */
export function aliasedColumns(table: keyof typeof COLUMNS, alias: string): string {
  return COLUMNS[table].map((column) => `${alias}."${column}" AS "${alias}__${column}"`).join(", ");
}

const aliasedKeys = new Map<string, readonly (readonly [column: string, key: string])[]>();

/** One table's columns from a joined row (see aliasedColumns), with the alias prefix removed. */
export function pickAliased(row: Row, table: keyof typeof COLUMNS, alias: string): Row {
  // Every button press on SQLite reads a joined row: the key pairs are built once per alias.
  const cacheKey = `${table}:${alias}`;
  let keys = aliasedKeys.get(cacheKey);
  if (!keys) aliasedKeys.set(cacheKey, (keys = COLUMNS[table].map((column) => [column, `${alias}__${column}`] as const)));
  const out: Row = {};
  for (const [column, key] of keys) out[column] = row[key];
  return out;
}
