// The answer write on PostgreSQL. saveAnswer is one statement: receipt, upsert and status change.
// answerIfOpen reads the check-in's context with the row version (`xmin`) of the check-in, its
// enrollment, practice and client, calls the engine's decision on it, and then runs the same
// statement behind a guard: it writes only if none of the four rows has changed since the read,
// as the statement's snapshot sees them. A stop, consent withdrawal, close or completing press
// committed in between changes a version, so nothing is written and the press is read and
// decided again (at most MAX_ATTEMPTS times, then `answer_contended`). A change committed while
// the write itself runs is concurrent with it, as it was when the rule was part of the
// statement: the press counts as first, and the status change to `answered` still re-checks
// the check-in's newest row. The guard takes no row lock (FOR UPDATE OF c cost about a fifth
// more CPU per response on the ingestion bench: a locked tuple is written on every press).
//
// The read and the guarded write both travel through the pipeline, and the write is
// group-committed with the others. A context read lately on the same connection (context-memo.ts:
// the previous press on the same prompt, as a client answers the items one by one, or the
// check-in page's link read) stands in for the read: the versions still guard the write.

import type { CheckInContext, OpenAnswer } from "../../ports/checkin-store.ts";
import type { SqlConnection } from "../database.ts";
import { StoreError } from "../errors.ts";
import { toAlert, toResponse } from "../rows.ts";
import { CONTEXT_FROM, CONTEXT_JOINS, RECEIPT_SQL, SCORED_COLUMNS, statusByKey, toScoredRow, unresolvedAlertWhere } from "../statements.ts";
import type { Row } from "../statements.ts";
import { contextDialects } from "./context.ts";
import { contextMemo, VERSION_COLUMNS, versionsOf } from "./context-memo.ts";
import type { VersionedContext } from "./context-memo.ts";
import type { AnswerWrite, AnswerWriter, Typed } from "./answers.ts";
import { markAnsweredSql, notWritten, parameters, upsertSql } from "./answers.ts";

/** Reads and decisions per press before it gives up with `answer_contended`. */
export const MAX_ATTEMPTS = 4;
const READ_SQL = `SELECT ${contextDialects.postgresql.columns}, ${VERSION_COLUMNS} ${CONTEXT_FROM}`;

async function readVersioned(sql: SqlConnection, checkInId: string): Promise<VersionedContext | null> {
  const [row] = await sql.query<Row>(READ_SQL, [checkInId]);
  if (!row) return null;
  return { context: contextDialects.postgresql.decode(row), versions: versionsOf(row) };
}

const typed: Typed = (type) => `CAST(? AS ${type})`;
const statements = new Map<string, string>();

/** Built once per shape (columns, receipt, guard, evaluation): every button press runs one. */
function statement(write: AnswerWrite): string {
  const guarded = write.decide !== null;
  const key = `${write.columns.join(",")}:${Boolean(write.receipt)}:${guarded}:${write.evaluationLimit !== null}`;
  const cached = statements.get(key);
  if (cached) return cached;
  const withReceipt = Boolean(write.receipt);
  const current = `EXISTS (SELECT 1 FROM guard)`;
  const version = (alias: string) => `${alias}."xmin" = CAST(? AS xid)`;
  const parts = [
    guarded ? `guard AS (SELECT c."id", c."enrollmentId" FROM ${CONTEXT_JOINS} WHERE c."id" = ? AND ${["c", "e", "p", "cl"].map(version).join(" AND ")})` : null,
    withReceipt
      ? guarded
        ? `receipt AS (INSERT INTO "InboundEvent" ("id", "platform", "eventKey", "receivedAt") SELECT ${typed("TEXT")}, ${typed("TEXT")}, ${typed("TEXT")}, ${typed("TIMESTAMP(3)")} WHERE ${current} ON CONFLICT ("platform", "eventKey") DO NOTHING RETURNING 1)`
        : `receipt AS (${RECEIPT_SQL} RETURNING 1)`
      : null,
    `saved AS (${upsertSql(write.columns, typed, withReceipt ? "WHERE EXISTS (SELECT 1 FROM receipt)" : guarded ? `WHERE ${current}` : "")})`,
    `answered AS (${markAnsweredSql(typed)} WHERE "id" = ? AND ${statusByKey("'sent'")} AND EXISTS (SELECT 1 FROM saved WHERE "completedAt" IS NOT NULL) RETURNING 1)`,
  ].filter((part): part is string => part !== null);
  // The statement's snapshot predates its own writes: the history is the saved row (complete
  // now, incomplete in the snapshot) followed by the enrollment's other completed responses.
  const evaluation =
    write.evaluationLimit !== null
      ? `, CASE WHEN EXISTS (SELECT 1 FROM answered) THEN (SELECT json_agg(h ORDER BY h."sessionEndAt" DESC) FROM (
           SELECT * FROM (SELECT ${SCORED_COLUMNS} FROM saved r JOIN "CheckIn" c ON c."id" = r."checkInId"
             UNION ALL (SELECT ${SCORED_COLUMNS} FROM "CheckIn" c JOIN "Response" r ON r."checkInId" = c."id"
               WHERE c."enrollmentId" = guard."enrollmentId" AND r."completedAt" IS NOT NULL AND r."checkInId" <> ? ORDER BY c."sessionEndAt" DESC LIMIT ?)) u
           ORDER BY u."sessionEndAt" DESC LIMIT ?) h) END AS "history",
         CASE WHEN EXISTS (SELECT 1 FROM answered) THEN (SELECT row_to_json(a) FROM "Alert" a
           WHERE ${unresolvedAlertWhere(`guard."enrollmentId"`)}) END AS "unresolved"`
      : "";
  // Guarded: no row at all when a version changed since the read.
  const sql = guarded
    ? `WITH ${parts.join(",\n")} SELECT (SELECT row_to_json(s) FROM saved s) AS "saved", (SELECT COUNT(*) FROM answered) AS "answeredNow"${evaluation} FROM guard`
    : `WITH ${parts.join(",\n")} SELECT saved.*, (SELECT COUNT(*) FROM answered) AS "answeredNow" FROM saved`;
  statements.set(key, sql);
  return sql;
}

/** The write; with `versions`, null when one of the four rows changed since they were read. */
async function run(sql: SqlConnection, write: AnswerWrite, versions: string[] | null): Promise<Row | undefined | null> {
  const params = parameters(write);
  const { now, checkInId } = write;
  const limit = write.evaluationLimit;
  const guard = versions ? [checkInId, ...versions] : [];
  const evaluationParams = limit !== null ? [checkInId, limit, limit] : [];
  const rows = await sql.query<Row>(statement(write), [...guard, ...params.receipt, ...params.upsert, now, now, now, checkInId, ...evaluationParams]);
  if (versions && rows.length === 0) return null;
  return rows[0];
}

/** saveAnswer: no decision, one statement. */
async function unguarded(sql: SqlConnection, write: AnswerWrite): Promise<OpenAnswer> {
  const row = await run(sql, write, null);
  if (!row) {
    if (write.receipt) return { context: null, allowed: true, saved: null, evaluation: null };
    throw new StoreError("answer_lost", "the answer could not be read back");
  }
  return { context: null, allowed: true, saved: { response: toResponse(row), answeredNow: Number(row.answeredNow) > 0 }, evaluation: null };
}

export function postgresAnswers(sql: SqlConnection): AnswerWriter {
  const memo = contextMemo(sql);
  return async (write) => {
    const { decide, checkInId } = write;
    if (!decide) return unguarded(sql, write);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      // A remembered context is used only when the decision on it is yes; a no is decided again
      // on a fresh read, since the remembered rows may be out of date.
      const known = attempt === 0 ? memo.get(checkInId) : undefined;
      let read: VersionedContext | null = known && decide(known.context) ? known : null;
      if (!read) {
        memo.forget(checkInId);
        read = await readVersioned(sql, checkInId);
        if (!read) return notWritten(null);
        if (!decide(read.context)) return notWritten(read.context);
      }
      const row = await run(sql, write, read.versions);
      if (row === null) {
        memo.forget(checkInId);
        continue;
      }
      const saved = row?.saved ? { response: toResponse(row.saved as Row), answeredNow: Number(row.answeredNow) > 0 } : null;
      const evaluation = Array.isArray(row?.history) ? { history: (row.history as Row[]).map(toScoredRow), unresolved: row.unresolved ? toAlert(row.unresolved as Row) : null } : null;
      // Completing the response changed the check-in row: its version is no longer the read one.
      if (saved?.answeredNow) memo.forget(checkInId);
      else memo.remember(read);
      return { context: read.context, allowed: true, saved, evaluation };
    }
    throw new StoreError("answer_contended", "the check-in kept changing while the answer was decided");
  };
}
