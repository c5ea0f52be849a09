// SQL shared by more than one store module. Every statement runs unchanged on SQLite and
// PostgreSQL (quoted identifiers, `?` placeholders); what differs lives in dialect/.

import type { ScoredRow } from "../ports/checkin-store.ts";
import type { SqlConnection } from "./database.ts";
import { toDate } from "./rows.ts";

export type Row = Record<string, unknown>;

/** The first row of a query, or null. */
export async function firstRow(sql: SqlConnection, statement: string, params: unknown[]): Promise<Row | null> {
  const rows = await sql.query<Row>(statement, params);
  return rows[0] ?? null;
}

/** A check-in (`c`) with its enrollment (`e`), practice (`p`) and client (`cl`). */
export const CONTEXT_JOINS = `"CheckIn" c JOIN "Enrollment" e ON e."id" = c."enrollmentId" JOIN "Practice" p ON p."id" = e."practiceId" JOIN "Person" cl ON cl."id" = e."clientId"`;

/** A check-in with its enrollment, practice and client; the one parameter is the check-in id. */
export const CONTEXT_FROM = `FROM ${CONTEXT_JOINS}
  WHERE c."id" = ?`;

export const SCORED_COLUMNS = `r."checkInId", c."sessionEndAt", r."goal", r."task", r."bond", r."tension", r."talkedThrough", r."commentCipher", r."commentKeyId", c."calendarEventHash"`;

/** Parameters: enrollment id, limit. */
export const RECENT_SCORED_SQL = `SELECT ${SCORED_COLUMNS}
  FROM "CheckIn" c JOIN "Response" r ON r."checkInId" = c."id"
  WHERE c."enrollmentId" = ? AND r."completedAt" IS NOT NULL
  ORDER BY c."sessionEndAt" DESC LIMIT ?`;

/** The enrollment's unresolved alert, from `"Alert" a`; `enrollment` is a parameter or a column. */
export const unresolvedAlertWhere = (enrollment: string) =>
  `a."enrollmentId" = ${enrollment} AND a."status" IN ('open', 'acknowledged') ORDER BY a."createdAt" DESC LIMIT 1`;

export const UNRESOLVED_ALERT_SQL = `SELECT a.* FROM "Alert" a WHERE ${unresolvedAlertWhere("?")}`;

export function toScoredRow(row: Row): ScoredRow {
  return {
    checkInId: String(row.checkInId),
    sessionEndAt: toDate(row.sessionEndAt) ?? new Date(0),
    goal: Number(row.goal),
    task: Number(row.task),
    bond: Number(row.bond),
    tension: (row.tension ?? null) as ScoredRow["tension"],
    talkedThrough: (row.talkedThrough ?? null) as ScoredRow["talkedThrough"],
    commentCipher: (row.commentCipher ?? null) as string | null,
    commentKeyId: (row.commentKeyId ?? null) as string | null,
    fromCalendar: row.calendarEventHash !== null && row.calendarEventHash !== undefined,
  };
}

/** Delivery ids are stored up to this length (platform ids are far shorter). */
export const RECEIPT_KEY_MAX = 200;

/** Parameters: id, platform, event key (see RECEIPT_KEY_MAX), received at. */
export const RECEIPT_SQL = `INSERT INTO "InboundEvent" ("id", "platform", "eventKey", "receivedAt") VALUES (?, ?, ?, ?) ON CONFLICT ("platform", "eventKey") DO NOTHING`;

/**
 * A check-in status test for statements that find their row by primary key, written so that no
 * index can serve it. After a burst of sends the planner's statistics may still say that few
 * check-ins are `sent` or `sending`; it would then walk the status index through all of them on
 * every call instead of using the key (seen on PostgreSQL: 5× slower answers at 10,000 sent).
 */
export const statusByKey = (list: string) => `("status" || '') IN (${list})`;
