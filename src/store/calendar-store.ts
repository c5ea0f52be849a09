// CalendarStore over the raw SQL connection. The SQL runs unchanged on SQLite and PostgreSQL
// (quoted identifiers, `?` placeholders). Poll leases work like check-in claims: a conditional
// update sets the lease and increments the attempt, and only that attempt may record the poll.

import { randomUUID } from "node:crypto";
import type { CheckIn, CheckInStatus } from "../core/model.ts";
import type { Calendar, CalendarCheckInPatch, CalendarPollPatch, CalendarStore, NewCalendar, NewCalendarCheckIn } from "../ports/calendar.ts";
import type { SqlConnection } from "./database.ts";
import { claimDialects } from "./dialect/claims.ts";
import { toCalendar, toCheckIn, toDate } from "./rows.ts";

type Row = Record<string, unknown>;

const POLL_PATCH_COLUMNS = [
  "etag", "lastModified", "lastFetchAt", "lastSuccessAt", "lastErrorCode", "lastErrorAt", "failingSince", "failures", "failureNoticeAt", "nextPollAt",
] as const satisfies readonly (keyof CalendarPollPatch)[];

export class SqlCalendarStore implements CalendarStore {
  constructor(private readonly sql: SqlConnection) {}

  async saveCalendar(input: NewCalendar): Promise<Calendar> {
    const id = randomUUID();
    const now = input.now;
    // A new address starts polling afresh: no conditions, no error history, no lease.
    await this.sql.execute(
      `INSERT INTO "Calendar" ("id", "practiceId", "therapistId", "urlCipher", "urlKeyId", "host", "nextPollAt", "attempt", "failures", "connectedAt", "createdAt", "updatedAt")
       VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0, ?, ?, ?)
       ON CONFLICT ("therapistId") DO UPDATE SET "urlCipher" = excluded."urlCipher", "urlKeyId" = excluded."urlKeyId", "host" = excluded."host",
         "etag" = NULL, "lastModified" = NULL, "nextPollAt" = excluded."nextPollAt", "leaseOwner" = NULL, "leaseExpiresAt" = NULL,
         "lastFetchAt" = NULL, "lastSuccessAt" = NULL, "lastErrorCode" = NULL, "lastErrorAt" = NULL, "failingSince" = NULL, "failures" = 0,
         "failureNoticeAt" = NULL, "connectedAt" = excluded."connectedAt", "updatedAt" = excluded."updatedAt", "attempt" = "Calendar"."attempt" + 1`,
      [id, input.practiceId, input.therapistId, input.urlCipher, input.urlKeyId, input.host, now, now, now, now],
    );
    const saved = await this.calendarOfTherapist(input.therapistId);
    if (!saved) throw new Error("calendar not saved");
    return saved;
  }

  async calendarOfTherapist(therapistId: string): Promise<Calendar | null> {
    const rows = await this.sql.query<Row>(`SELECT * FROM "Calendar" WHERE "therapistId" = ?`, [therapistId]);
    return rows[0] ? toCalendar(rows[0]) : null;
  }

  async deleteCalendar(therapistId: string): Promise<boolean> {
    return (await this.sql.execute(`DELETE FROM "Calendar" WHERE "therapistId" = ?`, [therapistId])) > 0;
  }

  async claimDueCalendars(now: Date, owner: string, leaseMs: number, limit: number): Promise<Calendar[]> {
    const leaseExpiresAt = new Date(now.getTime() + leaseMs);
    const candidates = `SELECT "id" FROM "Calendar" WHERE "nextPollAt" <= ? AND ("leaseExpiresAt" IS NULL OR "leaseExpiresAt" < ?) ORDER BY "nextPollAt" ASC LIMIT ?`;
    const rows = await this.sql.query<Row>(
      claimDialects[this.sql.provider].claim("Calendar", `"attempt" = "attempt" + 1, "leaseOwner" = ?, "leaseExpiresAt" = ?, "updatedAt" = ?`, candidates),
      [owner, leaseExpiresAt, now, now, now, limit],
    );
    return rows.map(toCalendar);
  }

  async completeCalendarPoll(id: string, attempt: number, patch: CalendarPollPatch, now: Date): Promise<boolean> {
    const columns = POLL_PATCH_COLUMNS.filter((column) => patch[column] !== undefined);
    const sets = columns.map((column) => `"${column}" = ?`).join(", ");
    const values = columns.map((column) => patch[column]);
    const changed = await this.sql.execute(
      `UPDATE "Calendar" SET ${sets}, "leaseOwner" = NULL, "leaseExpiresAt" = NULL, "updatedAt" = ? WHERE "id" = ? AND "attempt" = ?`,
      [...values, now, id, attempt],
    );
    return changed === 1;
  }

  async checkInsForCalendar(enrollmentIds: string[], after: Date): Promise<CheckIn[]> {
    if (enrollmentIds.length === 0) return [];
    const rows: Row[] = [];
    // Chunks keep the parameter list far below every driver's limit.
    for (let i = 0; i < enrollmentIds.length; i += 500) {
      const chunk = enrollmentIds.slice(i, i + 500);
      rows.push(
        ...(await this.sql.query<Row>(
          `SELECT * FROM "CheckIn" WHERE "enrollmentId" IN (${chunk.map(() => "?").join(", ")}) AND ("sessionEndAt" > ? OR "status" = 'scheduled')`,
          [...chunk, after],
        )),
      );
    }
    return rows.map(toCheckIn);
  }

  async insertCalendarCheckIn(input: NewCalendarCheckIn, now: Date): Promise<boolean> {
    const id = randomUUID();
    // Nothing is read back: the caller needs only whether the row went in.
    const inserted = await this.sql.execute(
      `INSERT INTO "CheckIn" ("id", "enrollmentId", "kind", "status", "sessionEndAt", "dueAt", "remindAt", "closesAt", "attempt", "calendarEventHash", "lastErrorCode", "closedAt", "createdAt", "updatedAt")
       VALUES (?, ?, 'calendar', ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      [id, input.enrollmentId, input.status, input.sessionEndAt, input.dueAt, input.remindAt, input.closesAt, input.eventHash, input.code ?? null, input.status === "cancelled" ? now : null, now, now],
    );
    return inserted > 0;
  }

  async updateCalendarCheckIn(id: string, from: CheckInStatus[], patch: CalendarCheckInPatch, now: Date): Promise<boolean> {
    if (from.length === 0) return false;
    const sets: string[] = [];
    const values: unknown[] = [];
    const set = (column: string, value: unknown) => {
      sets.push(`"${column}" = ?`);
      values.push(value);
    };
    if (patch.kind) set("kind", patch.kind);
    if (patch.status) {
      set("status", patch.status);
      set("closedAt", patch.status === "cancelled" ? now : null);
    }
    if (patch.eventHash) set("calendarEventHash", patch.eventHash);
    if (patch.sessionEndAt) set("sessionEndAt", patch.sessionEndAt);
    if (patch.dueAt) set("dueAt", patch.dueAt);
    if (patch.remindAt) set("remindAt", patch.remindAt);
    if (patch.closesAt) set("closesAt", patch.closesAt);
    if (patch.code !== undefined) set("lastErrorCode", patch.code);
    set("updatedAt", now);
    try {
      const changed = await this.sql.execute(
        `UPDATE "CheckIn" SET ${sets.join(", ")} WHERE "id" = ? AND ("status" || '') IN (${from.map(() => "?").join(", ")})`,
        [...values, id, ...from],
      );
      return changed === 1;
    } catch (error) {
      // A moved session landing on another check-in's exact end time (unique per enrollment).
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  async calendarsNotUnder(keyId: string): Promise<Pick<Calendar, "id" | "urlCipher" | "urlKeyId">[]> {
    const rows = await this.sql.query<Row>(`SELECT "id", "urlCipher", "urlKeyId" FROM "Calendar" WHERE "urlKeyId" <> ? ORDER BY "id"`, [keyId]);
    return rows.map((r) => ({ id: String(r.id), urlCipher: String(r.urlCipher), urlKeyId: String(r.urlKeyId) }));
  }

  async replaceCalendarUrl(id: string, oldKeyId: string, urlCipher: string, urlKeyId: string, now: Date): Promise<boolean> {
    return (await this.sql.execute(`UPDATE "Calendar" SET "urlCipher" = ?, "urlKeyId" = ?, "updatedAt" = ? WHERE "id" = ? AND "urlKeyId" = ?`, [urlCipher, urlKeyId, now, id, oldKeyId])) === 1;
  }

  async calendarCodeTaken(code: string): Promise<boolean> {
    const rows = await this.sql.query<Row>(`SELECT 1 AS "n" FROM "Enrollment" WHERE "calendarCode" = ?`, [code]);
    return rows.length > 0;
  }
}

function isUniqueViolation(error: unknown): boolean {
  const code = error && typeof error === "object" && "code" in error ? String((error as { code: unknown }).code) : "";
  return code === "23505" || code === "SQLITE_CONSTRAINT_UNIQUE" || code === "unique_violation";
}
