// Table rows: each table has one zod schema of its columns (ROW_SCHEMAS); every
// read path (raw SQLite, raw PostgreSQL, PostgreSQL row_to_json, the Prisma client) parses its
// rows with it, and the column lists of joined reads are derived from it. SQLite hands back dates
// as epoch milliseconds and booleans as 0/1; PostgreSQL hands back Date and boolean, or inside
// row_to_json an ISO timestamp without zone. A value that fits none of these is a corrupt row:
// StoreError `corrupt_row`, naming the table and column (never the value).

import { z } from "zod";
import { LOCALES, TALKED_THROUGH_ANSWERS, TENSION_ANSWERS } from "../core/model.ts";
import type { Alert, CheckIn } from "../core/model.ts";
import { StoreError } from "./errors.ts";

export type Row = Record<string, unknown>;

/** A stored time as a Date; null for SQL NULL; undefined when the value is not a time at all. */
function decodeDate(value: unknown): Date | null | undefined {
  if (value === null || value === undefined) return null;
  let date: Date | undefined;
  if (value instanceof Date) date = value;
  else if (typeof value === "number" || typeof value === "bigint") date = new Date(Number(value));
  else if (typeof value === "string") {
    if (/^\d+$/.test(value)) date = new Date(Number(value));
    // A PostgreSQL timestamp inside JSON carries no zone; stored timestamps are UTC.
    else date = new Date(/^\d{4}-\d\d-\d\dT[\d:.]+$/.test(value) ? `${value}Z` : value);
  }
  return date && !Number.isNaN(date.getTime()) ? date : undefined;
}

/** A stored time, leniently: null for NULL and for anything that is not a time. For derived columns (aggregates). */
export function toDate(value: unknown): Date | null {
  return decodeDate(value) ?? null;
}

// ---- column types ----
// Each validates a stored value without converting it (zod transforms cost several times more
// per row than a check); the mapping functions below convert the values a schema accepted.
// These general types accept every representation; parseRow tries a faster schema first.

/** A time as either database stores it: Date, epoch milliseconds, or ISO text. */
type StoredTime = Date | number | bigint | string;
/** An integer as stored: number, or bigint / digit text from an aggregate. */
type StoredInt = number | bigint | string;
/** A boolean as stored: boolean, or 0/1 on SQLite. */
type StoredBool = boolean | number | bigint;

const isTime = (value: unknown): value is StoredTime => decodeDate(value) instanceof Date;
const isInt = (value: unknown): value is StoredInt =>
  (typeof value === "number" && Number.isInteger(value)) || typeof value === "bigint" || (typeof value === "string" && /^-?\d+$/.test(value));
const isBool = (value: unknown): value is StoredBool => value === true || value === false || value === 1 || value === 0 || value === 1n || value === 0n;

const text = z.string();
const optText = z.string().nullable();
const date = z.custom<StoredTime>(isTime, "expected a time");
const optDate = z.custom<StoredTime | null>((value) => value === null || isTime(value), "expected a time or null");
const int = z.custom<StoredInt>(isInt, "expected an integer");
const optInt = z.custom<StoredInt | null>((value) => value === null || isInt(value), "expected an integer or null");
const bool = z.custom<StoredBool>(isBool, "expected a boolean");

export const time = (value: StoredTime): Date => decodeDate(value) as Date;
export const optTime = (value: StoredTime | null): Date | null => (value === null ? null : time(value));
export const num = (value: StoredInt): number => Number(value);
export const optNum = (value: StoredInt | null): number | null => (value === null ? null : Number(value));
export const flag = (value: StoredBool): boolean => value === true || value === 1 || value === 1n;

const oneOf = <const T extends readonly [string, ...string[]]>(values: T) => z.enum(values);
const optOneOf = <const T extends readonly [string, ...string[]]>(values: T) => z.enum(values).nullable();

const PLATFORMS = ["terminal", "slack", "discord"] as const;
const CHECKIN_STATUSES = ["scheduled", "sending", "sent", "answered", "expired", "skipped", "missed_by_system", "failed", "cancelled"] as const satisfies readonly CheckIn["status"][];
const ALERT_STATUSES = ["open", "acknowledged", "repaired", "dismissed", "withdrawn"] as const satisfies readonly Alert["status"][];

/**
 * Every column of every table the store decodes, in the schema's order, with its stored type.
 * test/store/row-schemas.test.ts checks these against prisma/schema.prisma and both migration trees.
 */
export const ROW_SCHEMAS = {
  Practice: z.object({
    id: text,
    platform: oneOf(PLATFORMS),
    externalId: text,
    locale: oneOf(LOCALES),
    timeZone: text,
    settings: text,
    sendIssueCode: optText,
    sendIssueAt: optDate,
    createdAt: date,
    updatedAt: date,
  }),
  Person: z.object({
    id: text,
    practiceId: text,
    platformUserId: text,
    isAdmin: bool,
    isTherapist: bool,
    isClient: bool,
    locale: optOneOf(LOCALES),
    consentVersion: optText,
    consentAt: optDate,
    consentDeclinedAt: optDate,
    stoppedAt: optDate,
    pausedUntil: optDate,
    undeliverableAt: optDate,
    undeliverableCode: optText,
    unreachableFailures: int,
    unreachableRetryAt: optDate,
    digestWeekday: optInt,
    digestTime: optText,
    createdAt: date,
    updatedAt: date,
  }),
  Enrollment: z.object({
    id: text,
    practiceId: text,
    clientId: text,
    therapistId: text,
    status: oneOf(["active", "paused", "ended"]),
    weekdays: text,
    startTime: text,
    sessionMinutes: int,
    timeZone: text,
    delayMinutes: int,
    reminderMinutes: int,
    windowMinutes: int,
    locale: optOneOf(LOCALES),
    /** Anything but chat or link follows the practice (read as null). */
    delivery: optText,
    pausedUntil: optDate,
    skipDates: text,
    createdAt: date,
    updatedAt: date,
    endedAt: optDate,
    /** Anything unknown reads as weekly. */
    scheduleSource: text,
    calendarCode: optText,
  }),
  CheckIn: z.object({
    id: text,
    enrollmentId: text,
    kind: oneOf(["scheduled", "now", "calendar"]),
    status: oneOf(CHECKIN_STATUSES),
    sessionEndAt: date,
    dueAt: date,
    remindAt: date,
    closesAt: date,
    attempt: int,
    leaseOwner: optText,
    leaseExpiresAt: optDate,
    sentAt: optDate,
    reminderSentAt: optDate,
    answeredAt: optDate,
    closedAt: optDate,
    platformChannelId: optText,
    platformMessageId: optText,
    lastErrorCode: optText,
    calendarEventHash: optText,
    createdAt: date,
    updatedAt: date,
  }),
  Response: z.object({
    id: text,
    checkInId: text,
    goal: optInt,
    task: optInt,
    bond: optInt,
    tension: optOneOf(TENSION_ANSWERS),
    talkedThrough: optOneOf(TALKED_THROUGH_ANSWERS),
    commentCipher: optText,
    commentKeyId: optText,
    completedAt: optDate,
    createdAt: date,
    updatedAt: date,
  }),
  Alert: z.object({
    id: text,
    enrollmentId: text,
    checkInId: optText,
    status: oneOf(ALERT_STATUSES),
    severity: oneOf(["normal", "urgent"]),
    signals: text,
    createdAt: date,
    updatedAt: date,
    acknowledgedAt: optDate,
    resolvedAt: optDate,
    snoozedUntil: optDate,
    remindedAt: optDate,
    escalatedAt: optDate,
    platformChannelId: optText,
    platformMessageId: optText,
  }),
  AuditEntry: z.object({
    id: text,
    practiceId: text,
    actorPersonId: optText,
    action: text,
    subjectPersonId: optText,
    detail: text,
    createdAt: date,
  }),
  Calendar: z.object({
    id: text,
    practiceId: text,
    therapistId: text,
    urlCipher: text,
    urlKeyId: text,
    host: text,
    etag: optText,
    lastModified: optText,
    nextPollAt: date,
    attempt: int,
    leaseOwner: optText,
    leaseExpiresAt: optDate,
    lastFetchAt: optDate,
    lastSuccessAt: optDate,
    lastErrorCode: optText,
    lastErrorAt: optDate,
    failingSince: optDate,
    failures: int,
    failureNoticeAt: optDate,
    connectedAt: date,
    createdAt: date,
    updatedAt: date,
  }),
  LinkToken: z.object({
    id: text,
    tokenHash: text,
    checkInId: text,
    personId: text,
    expiresAt: date,
    revokedAt: optDate,
    createdAt: date,
  }),
} as const;

export type Table = keyof typeof ROW_SCHEMAS;
export type TableRow<T extends Table> = z.output<(typeof ROW_SCHEMAS)[T]>;

/**
 * How a read path hands back times and booleans: the raw SQLite connection as epoch milliseconds
 * and 0/1, PostgreSQL and the Prisma client as Date and boolean, PostgreSQL's row_to_json as ISO
 * text and boolean. Each has a schema of plain zod types per table (a few hundred nanoseconds a
 * row, where the general schemas' custom checks cost several microseconds); a row that does not
 * fit its fast schema is parsed again with the general one, which accepts every representation
 * and names the column when a value fits none.
 */
type Representation = "sqlite" | "native" | "json";

const FAST_COLUMNS = new Map<z.ZodType, Record<Representation, z.ZodType>>([
  [date, { sqlite: z.number(), native: z.date(), json: z.string() }],
  [optDate, { sqlite: z.number().nullable(), native: z.date().nullable(), json: z.string().nullable() }],
  [int, { sqlite: z.number(), native: z.number(), json: z.number() }],
  [optInt, { sqlite: z.number().nullable(), native: z.number().nullable(), json: z.number().nullable() }],
  [bool, { sqlite: z.literal([0, 1]), native: z.boolean(), json: z.boolean() }],
]);

const fastSchemas: Record<Representation, Partial<Record<Table, z.ZodType>>> = { sqlite: {}, native: {}, json: {} };

function fastSchema(table: Table, representation: Representation): z.ZodType {
  const built = fastSchemas[representation][table];
  if (built) return built;
  const shape = ROW_SCHEMAS[table].shape as Record<string, z.ZodType>;
  const schema = z.object(Object.fromEntries(Object.entries(shape).map(([column, type]) => [column, FAST_COLUMNS.get(type)?.[representation] ?? type])));
  fastSchemas[representation][table] = schema;
  return schema;
}

/** One table's row, parsed with its schema; a value that does not fit is StoreError `corrupt_row`. */
export function parseRow<T extends Table>(table: T, row: unknown): TableRow<T> {
  if (typeof row === "object" && row !== null) {
    // Every table decoded here has createdAt; its type says which read path the row came from.
    const createdAt = (row as Row).createdAt;
    const representation: Representation = typeof createdAt === "number" ? "sqlite" : createdAt instanceof Date ? "native" : "json";
    const fast = fastSchema(table, representation).safeParse(row);
    if (fast.success) return fast.data as TableRow<T>;
  }
  const result = ROW_SCHEMAS[table].safeParse(row);
  if (result.success) return result.data as TableRow<T>;
  const column = result.error.issues[0]?.path[0];
  throw new StoreError(
    "corrupt_row",
    column === undefined ? `a "${table}" row could not be read` : `a "${table}" row holds an unreadable value in column "${String(column)}"`,
    { cause: result.error },
  );
}

/** Column names per table, in schema order, for joins that must alias every column. */
export const COLUMNS = Object.fromEntries(Object.entries(ROW_SCHEMAS).map(([table, schema]) => [table, Object.keys(schema.shape)])) as unknown as Record<Table, readonly string[]>;
