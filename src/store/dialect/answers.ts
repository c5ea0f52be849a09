// Saving an answer (CheckInStore.saveAnswer and answerIfOpen). The store decides nothing: for
// answerIfOpen it reads the check-in's context, calls the engine's decision on it and writes only
// when that says yes. SQLite reads, decides and writes in one atomic unit inside a group commit,
// so no other writer can come between them. PostgreSQL reads the context with the row versions
// of its four rows, and then does the receipt, the upsert and the status change in one statement
// that locks the check-in row and writes only if none of the four rows changed since the read
// (answers-pg.ts); otherwise it reads and decides again.

import { v7 as uuidv7 } from "uuid";
import type { AnswerDecision, AnswerPatch, CheckInContext, OpenAnswer, Receipt } from "../../ports/checkin-store.ts";
import type { SqlConnection } from "../database.ts";
import { atomicUnit } from "../database.ts";
import { StoreError } from "../errors.ts";
import { toAlert, toResponse } from "../rows.ts";
import { CONTEXT_FROM, RECEIPT_KEY_MAX, RECEIPT_SQL, RECENT_SCORED_SQL, statusByKey, toScoredRow, UNRESOLVED_ALERT_SQL } from "../statements.ts";
import type { Row } from "../statements.ts";
import { contextDialects } from "./context.ts";

export const ANSWER_COLUMNS = ["goal", "task", "bond", "tension", "talkedThrough"] as const;
export type AnswerColumn = (typeof ANSWER_COLUMNS)[number];

/** One answer write, as the store received it. */
export interface AnswerWrite {
  checkInId: string;
  patch: AnswerPatch;
  /** The columns the patch sets, in ANSWER_COLUMNS order (at least one). */
  columns: AnswerColumn[];
  now: Date;
  receipt: Receipt | undefined;
  /** answerIfOpen: the engine's decision on the context read before the write; null for saveAnswer. */
  decide: AnswerDecision | null;
  /** With a decision: read the rule inputs when the write completes the response, this many rows. */
  evaluationLimit: number | null;
}

/** The answer write of one connection (it may keep state across calls, see answers-pg.ts). */
export type AnswerWriter = (write: AnswerWrite) => Promise<OpenAnswer>;

/** What answerIfOpen returns when nothing was written. */
export const notWritten = (context: CheckInContext | null): OpenAnswer => ({ context, allowed: false, saved: null, evaluation: null });

/** PostgreSQL infers no type for a parameter in a SELECT list: each one names its column type. */
export type Typed = (type: string) => string;

/** The response upsert for these columns; `gate` follows its SELECT (a WHERE clause). */
export function upsertSql(columns: AnswerColumn[], typed: Typed, gate: string): string {
  const updates = columns.map((c) => `"${c}" = excluded."${c}"`).join(", ");
  // After the change, is each item answered? The new value if this patch sets it, else the stored one.
  const after = (item: "goal" | "task" | "bond") => (columns.includes(item) ? `excluded."${item}"` : `"Response"."${item}"`);
  return `INSERT INTO "Response" ("id", "checkInId", ${columns.map((c) => `"${c}"`).join(", ")}, "completedAt", "createdAt", "updatedAt")
     SELECT ${typed("TEXT")}, ${typed("TEXT")}, ${columns.map((c) => typed(c === "tension" || c === "talkedThrough" ? "TEXT" : "INTEGER")).join(", ")}, ${typed("TIMESTAMP(3)")}, ${typed("TIMESTAMP(3)")}, ${typed("TIMESTAMP(3)")} ${gate}
     ON CONFLICT ("checkInId") DO UPDATE SET ${updates}, "updatedAt" = excluded."updatedAt",
       "completedAt" = COALESCE("Response"."completedAt", CASE WHEN ${after("goal")} IS NOT NULL AND ${after("task")} IS NOT NULL AND ${after("bond")} IS NOT NULL THEN excluded."updatedAt" END)
     RETURNING *`;
}

export const markAnsweredSql = (typed: Typed) =>
  `UPDATE "CheckIn" SET "status" = 'answered', "answeredAt" = ${typed("TIMESTAMP(3)")}, "closedAt" = ${typed("TIMESTAMP(3)")}, "updatedAt" = ${typed("TIMESTAMP(3)")}`;

/**
 * A new id for the rows an answer inserts (its response, its receipt): a UUIDv7 (RFC 9562), the
 * current millisecond first, then a counter and random bits (the `uuid` package). Ids made together sort together, so the inserts of
 * one group commit land on the last pages of the id index instead of on one random page each (on
 * SQLite, 16 answers at once: about 50 µs less commit time per response).
 */
export function timeOrderedId(): string {
  return uuidv7();
}

/** The parameters every shape shares, in the order the statements use them. */
export function parameters(write: AnswerWrite) {
  const { patch, columns, now, receipt, checkInId } = write;
  const completeOnInsert = patch.goal !== undefined && patch.task !== undefined && patch.bond !== undefined;
  return {
    upsert: [timeOrderedId(), checkInId, ...columns.map((c) => patch[c]), completeOnInsert ? now : null, now, now],
    receipt: receipt ? [timeOrderedId(), receipt.platform, receipt.key.slice(0, RECEIPT_KEY_MAX), now] : [],
  };
}

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
    context: `SELECT ${contextDialects.sqlite.columns} ${CONTEXT_FROM}`,
    // SQLite needs a WHERE after INSERT … SELECT when an upsert clause follows.
    upsert: upsertSql(write.columns, typed, "WHERE true"),
    markAnswered: `${markAnsweredSql(typed)} WHERE "id" = ? AND ${statusByKey("'sent'")}`,
  };
  sqliteStatements.set(key, statements);
  return statements;
}

/** Reads, decides and writes in one atomic unit: no other writer runs between them. */
export const sqliteAnswers = (sql: SqlConnection): AnswerWriter => async (write) => {
  const statements = sqliteStatementsFor(write);
  const params = parameters(write);
  const { now, checkInId, decide, receipt } = write;
  const limit = write.evaluationLimit;
  const atomic = atomicUnit(sql);
  if (!atomic) throw new StoreError("no_atomic_unit", "answers are saved on the top-level SQLite connection");
  return atomic((tx): OpenAnswer => {
    let context: CheckInContext | null = null;
    if (decide) {
      const [row] = tx.query<Row>(statements.context, [checkInId]);
      if (!row) return notWritten(null);
      context = contextDialects.sqlite.decode(row);
      if (!decide(context)) return notWritten(context);
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
