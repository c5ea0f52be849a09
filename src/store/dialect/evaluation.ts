// What rule evaluation reads: the enrollment's recent scored history and its unresolved alert.
// PostgreSQL reads both in one round trip (the alert rides along as a JSON column of every
// history row); SQLite reads them as two statements on its in-process connection.

import type { EvaluationInputs } from "../../ports/checkin-store.ts";
import type { Provider, SqlConnection } from "../database.ts";
import { toAlert } from "../rows.ts";
import { firstRow, RECENT_SCORED_SQL, toScoredRow, UNRESOLVED_ALERT_SQL, unresolvedAlertWhere } from "../statements.ts";
import type { Row } from "../statements.ts";

export type EvaluationRead = (sql: SqlConnection, enrollmentId: string, limit: number) => Promise<EvaluationInputs>;

const separately: EvaluationRead = async (sql, enrollmentId, limit) => {
  const [history, unresolved] = await Promise.all([sql.query<Row>(RECENT_SCORED_SQL, [enrollmentId, limit]), firstRow(sql, UNRESOLVED_ALERT_SQL, [enrollmentId])]);
  return { history: history.map(toScoredRow), unresolved: unresolved ? toAlert(unresolved) : null };
};

const postgresql: EvaluationRead = async (sql, enrollmentId, limit) => {
  const rows = await sql.query<Row>(
    `SELECT h.*, (SELECT row_to_json(a) FROM "Alert" a WHERE ${unresolvedAlertWhere("?")}) AS "unresolved"
     FROM (${RECENT_SCORED_SQL}) h`,
    [enrollmentId, enrollmentId, limit],
  );
  if (rows.length === 0) return separately(sql, enrollmentId, limit);
  const unresolved = rows[0]!.unresolved;
  return { history: rows.map(toScoredRow), unresolved: unresolved ? toAlert(unresolved as Row) : null };
};

export const evaluationDialects: Record<Provider, EvaluationRead> = { postgresql, sqlite: separately };
