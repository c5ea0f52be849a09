// Saving an answer (CheckInStore.saveAnswer and answerIfOpen). PostgreSQL does the guard, the
// receipt, the upsert and the status change in one statement (one round trip, one commit per
// button press); SQLite runs the same steps as separate statements in one atomic unit inside a
// group commit, which costs no round trip at all.

import { randomUUID } from "node:crypto";
import { OPEN_FOR_ACTOR as OPEN_RULE } from "../../core/answer-rule.ts";
import type { Condition } from "../../core/answer-rule.ts";
import type { AnswerActor, AnswerPatch, CheckInContext, OpenAnswer, Receipt } from "../../ports/checkin-store.ts";
import type { Provider, SqlConnection } from "../database.ts";
import { atomicUnit } from "../database.ts";
import { StoreError } from "../errors.ts";
import { toAlert, toResponse } from "../rows.ts";
import { CONTEXT_FROM, RECEIPT_KEY_MAX, RECEIPT_SQL, RECENT_SCORED_SQL, SCORED_COLUMNS, statusByKey, toScoredRow, UNRESOLVED_ALERT_SQL, unresolvedAlertWhere } from "../statements.ts";
import type { Row } from "../statements.ts";
import { contextDialects } from "./context.ts";

export const ANSWER_COLUMNS = ["goal", "task", "bond", "tension", "talkedThrough"] as const;
type AnswerColumn = (typeof ANSWER_COLUMNS)[number];

/** One answer write, as the store received it. */
export interface AnswerWrite {
  checkInId: string;
  patch: AnswerPatch;
  /** The columns the patch sets, in ANSWER_COLUMNS order (at least one). */
  columns: AnswerColumn[];
  now: Date;
  receipt: Receipt | undefined;
  /** answerIfOpen: the press is only saved if the engine's OPEN_FOR_ACTOR rule holds for this actor. */
  guard: AnswerActor | null;
  /** With a guard: read the rule inputs when the write completes the response, this many rows. */
  evaluationLimit: number | null;
}

export type AnswerWriter = (sql: SqlConnection, write: AnswerWrite) => Promise<OpenAnswer>;

const ALIASES = { checkIn: "c", practice: "p", client: "cl" } as const;

/**
 * The engine's rule for answering on the spot (OPEN_FOR_ACTOR in src/core/answer-rule.ts) as one
 * SQL condition over CONTEXT_FROM. The store adds no condition of its own: the engine decides on
 * the context this statement returns, with the same rule.
 */
function ruleSql(rule: readonly Condition[]): { sql: string; params(actor: AnswerActor, now: Date): unknown[] } {
  const tests = rule.map((condition) => {
    const column = `${ALIASES[condition.part]}."${condition.field}"`;
    switch (condition.test) {
      case "is_actor":
      case "equals":
        return `${column} = ?`;
      case "set":
        return `${column} IS NOT NULL`;
      case "unset":
        return `${column} IS NULL`;
      case "after_now":
        return `${column} > ?`;
    }
  });
  const values = rule.map((condition) => (actor: AnswerActor, now: Date): unknown[] =>
    condition.test === "is_actor" ? [actor[condition.actor]] : condition.test === "equals" ? [condition.value] : condition.test === "after_now" ? [now] : [],
  );
  return { sql: `(${tests.join(" AND ")})`, params: (actor, now) => values.flatMap((value) => value(actor, now)) };
}

const OPEN_FOR_ACTOR_SQL = ruleSql(OPEN_RULE);
const OPEN_FOR_ACTOR = OPEN_FOR_ACTOR_SQL.sql;

/** PostgreSQL infers no type for a parameter in a SELECT list: each one names its column type. */
type Typed = (type: string) => string;

/** The response upsert for these columns; `gate` follows its SELECT (a WHERE clause). */
function upsertSql(columns: AnswerColumn[], typed: Typed, gate: string): string {
  const updates = columns.map((c) => `"${c}" = excluded."${c}"`).join(", ");
  // After the change, is each item answered? The new value if this patch sets it, else the stored one.
  const after = (item: "goal" | "task" | "bond") => (columns.includes(item) ? `excluded."${item}"` : `"Response"."${item}"`);
  return `INSERT INTO "Response" ("id", "checkInId", ${columns.map((c) => `"${c}"`).join(", ")}, "completedAt", "createdAt", "updatedAt")
     SELECT ${typed("TEXT")}, ${typed("TEXT")}, ${columns.map((c) => typed(c === "tension" || c === "talkedThrough" ? "TEXT" : "INTEGER")).join(", ")}, ${typed("TIMESTAMP(3)")}, ${typed("TIMESTAMP(3)")}, ${typed("TIMESTAMP(3)")} ${gate}
     ON CONFLICT ("checkInId") DO UPDATE SET ${updates}, "updatedAt" = excluded."updatedAt",
       "completedAt" = COALESCE("Response"."completedAt", CASE WHEN ${after("goal")} IS NOT NULL AND ${after("task")} IS NOT NULL AND ${after("bond")} IS NOT NULL THEN excluded."updatedAt" END)
     RETURNING *`;
}

const markAnsweredSql = (typed: Typed) =>
  `UPDATE "CheckIn" SET "status" = 'answered', "answeredAt" = ${typed("TIMESTAMP(3)")}, "closedAt" = ${typed("TIMESTAMP(3)")}, "updatedAt" = ${typed("TIMESTAMP(3)")}`;

/** The parameters every shape shares, in the order the statements use them. */
function parameters(write: AnswerWrite) {
  const { patch, columns, now, receipt, guard, checkInId } = write;
  const completeOnInsert = patch.goal !== undefined && patch.task !== undefined && patch.bond !== undefined;
  return {
    upsert: [randomUUID(), checkInId, ...columns.map((c) => patch[c]), completeOnInsert ? now : null, now, now],
    receipt: receipt ? [randomUUID(), receipt.platform, receipt.key.slice(0, RECEIPT_KEY_MAX), now] : [],
    guard: guard ? [...OPEN_FOR_ACTOR_SQL.params(guard, now), checkInId] : [],
  };
}

const shapeKey = (write: AnswerWrite) => `${write.columns.join(",")}:${Boolean(write.receipt)}:${write.guard !== null}:${write.evaluationLimit !== null}`;

// ---- PostgreSQL: one statement ----

const pgStatements = new Map<string, string>();

/** Built once per shape (columns, receipt, guard, evaluation): every button press runs one. */
function pgStatement(write: AnswerWrite): string {
  const key = shapeKey(write);
  const cached = pgStatements.get(key);
  if (cached) return cached;
  const typed: Typed = (type) => `CAST(? AS ${type})`;
  const withReceipt = Boolean(write.receipt);
  const guarded = write.guard !== null;
  const allowed = `EXISTS (SELECT 1 FROM ctx WHERE "allowed")`;
  const parts = [
    guarded ? `ctx AS (SELECT ${contextDialects.postgresql.columns}, e."id" AS "enrollmentId", ${OPEN_FOR_ACTOR} AS "allowed" ${CONTEXT_FROM})` : null,
    withReceipt
      ? guarded
        ? `receipt AS (INSERT INTO "InboundEvent" ("id", "platform", "eventKey", "receivedAt") SELECT ${typed("TEXT")}, ${typed("TEXT")}, ${typed("TEXT")}, ${typed("TIMESTAMP(3)")} WHERE ${allowed} ON CONFLICT ("platform", "eventKey") DO NOTHING RETURNING 1)`
        : `receipt AS (${RECEIPT_SQL} RETURNING 1)`
      : null,
    `saved AS (${upsertSql(write.columns, typed, withReceipt ? "WHERE EXISTS (SELECT 1 FROM receipt)" : guarded ? `WHERE ${allowed}` : "")})`,
    `answered AS (${markAnsweredSql(typed)} WHERE "id" = ? AND ${statusByKey("'sent'")} AND EXISTS (SELECT 1 FROM saved WHERE "completedAt" IS NOT NULL) RETURNING 1)`,
  ].filter((part): part is string => part !== null);
  // The statement's snapshot predates its own writes: the history is the saved row (complete
  // now, incomplete in the snapshot) followed by the enrollment's other completed responses.
  const evaluation =
    write.evaluationLimit !== null
      ? `, CASE WHEN EXISTS (SELECT 1 FROM answered) THEN (SELECT json_agg(h ORDER BY h."sessionEndAt" DESC) FROM (
           SELECT * FROM (SELECT ${SCORED_COLUMNS} FROM saved r JOIN "CheckIn" c ON c."id" = r."checkInId"
             UNION ALL (SELECT ${SCORED_COLUMNS} FROM "CheckIn" c JOIN "Response" r ON r."checkInId" = c."id"
               WHERE c."enrollmentId" = ctx."enrollmentId" AND r."completedAt" IS NOT NULL AND r."checkInId" <> ? ORDER BY c."sessionEndAt" DESC LIMIT ?)) u
           ORDER BY u."sessionEndAt" DESC LIMIT ?) h) END AS "history",
         CASE WHEN EXISTS (SELECT 1 FROM answered) THEN (SELECT row_to_json(a) FROM "Alert" a
           WHERE ${unresolvedAlertWhere(`ctx."enrollmentId"`)}) END AS "unresolved"`
      : "";
  const sql = guarded
    ? `WITH ${parts.join(",\n")} SELECT ctx.*, (SELECT row_to_json(s) FROM saved s) AS "saved", (SELECT COUNT(*) FROM answered) AS "answeredNow"${evaluation} FROM ctx`
    : `WITH ${parts.join(",\n")} SELECT saved.*, (SELECT COUNT(*) FROM answered) AS "answeredNow" FROM saved`;
  pgStatements.set(key, sql);
  return sql;
}

const postgresql: AnswerWriter = async (sql, write) => {
  const params = parameters(write);
  const { now, checkInId, guard, receipt } = write;
  const limit = write.evaluationLimit;
  const evaluationParams = limit !== null ? [checkInId, limit, limit] : [];
  const rows = await sql.query<Row>(pgStatement(write), [...params.guard, ...params.receipt, ...params.upsert, now, now, now, checkInId, ...evaluationParams]);
  const row = rows[0];
  if (guard) {
    if (!row) return { context: null, allowed: false, saved: null, evaluation: null };
    const allowed = row.allowed === true;
    const saved = row.saved ? { response: toResponse(row.saved as Row), answeredNow: Number(row.answeredNow) > 0 } : null;
    const evaluation = Array.isArray(row.history)
      ? { history: (row.history as Row[]).map(toScoredRow), unresolved: row.unresolved ? toAlert(row.unresolved as Row) : null }
      : null;
    return { context: contextDialects.postgresql.decode(row), allowed, saved, evaluation };
  }
  if (!row) {
    if (receipt) return { context: null, allowed: true, saved: null, evaluation: null };
    throw new StoreError("answer_lost", "the answer could not be read back");
  }
  return { context: null, allowed: true, saved: { response: toResponse(row), answeredNow: Number(row.answeredNow) > 0 }, evaluation: null };
};

// ---- SQLite: one atomic unit in the group commit ----

interface SqliteStatements {
  context: string;
  upsert: string;
  markAnswered: string;
}

const sqliteStatements = new Map<string, SqliteStatements>();

function sqliteStatementsFor(write: AnswerWrite): SqliteStatements {
  const key = write.columns.join(",");
  const cached = sqliteStatements.get(key);
  if (cached) return cached;
  const typed: Typed = () => "?";
  const statements = {
    context: `SELECT ${contextDialects.sqlite.columns}, ${OPEN_FOR_ACTOR} AS "allowed" ${CONTEXT_FROM}`,
    // SQLite needs a WHERE after INSERT … SELECT when an upsert clause follows.
    upsert: upsertSql(write.columns, typed, "WHERE true"),
    markAnswered: `${markAnsweredSql(typed)} WHERE "id" = ? AND ${statusByKey("'sent'")}`,
  };
  sqliteStatements.set(key, statements);
  return statements;
}

const sqlite: AnswerWriter = async (sql, write) => {
  const statements = sqliteStatementsFor(write);
  const params = parameters(write);
  const { now, checkInId, guard, receipt } = write;
  const limit = write.evaluationLimit;
  const atomic = atomicUnit(sql);
  if (!atomic) throw new StoreError("no_atomic_unit", "answers are saved on the top-level SQLite connection");
  return atomic((tx): OpenAnswer => {
    let context: CheckInContext | null = null;
    if (guard) {
      const [row] = tx.query<Row>(statements.context, params.guard);
      if (!row) return { context: null, allowed: false, saved: null, evaluation: null };
      context = contextDialects.sqlite.decode(row);
      if (Number(row.allowed) !== 1) return { context, allowed: false, saved: null, evaluation: null };
    }
    if (receipt && tx.execute(RECEIPT_SQL, params.receipt) === 0) return { context, allowed: true, saved: null, evaluation: null };
    const [upserted] = tx.query<Row>(statements.upsert, params.upsert);
    if (!upserted) throw new StoreError("answer_lost", "the answer could not be read back");
    const answeredNow = upserted.completedAt != null && tx.execute(statements.markAnswered, [now, now, now, checkInId]) > 0;
    const enrollmentId = context?.enrollment.id;
    const evaluation =
      answeredNow && limit !== null && enrollmentId
        ? {
            history: tx.query<Row>(RECENT_SCORED_SQL, [enrollmentId, limit]).map(toScoredRow),
            unresolved: tx.query<Row>(UNRESOLVED_ALERT_SQL, [enrollmentId]).map(toAlert)[0] ?? null,
          }
        : null;
    return { context, allowed: true, saved: { response: toResponse(upserted), answeredNow }, evaluation };
  });
};

export const answerDialects: Record<Provider, AnswerWriter> = { postgresql, sqlite };
