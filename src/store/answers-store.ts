// Answers: the response a press or a comment writes, and what rule evaluation reads of the
// history. The answer write and the evaluation read differ per database (dialect/).

import type { ResponseRecord } from "../core/model.ts";
import type { AnswerDecision, AnswerPatch, AnswerStore, EvaluationInputs, OpenAnswer, Receipt, SavedAnswer, ScoredRow } from "../ports/checkin-store.ts";
import type { Provider, SqlConnection } from "./database.ts";
import { ANSWER_COLUMNS, sqliteAnswers, timeOrderedId } from "./dialect/answers.ts";
import type { AnswerWriter } from "./dialect/answers.ts";
import { postgresAnswers } from "./dialect/answers-pg.ts";
import { evaluationDialects } from "./dialect/evaluation.ts";
import type { EvaluationRead } from "./dialect/evaluation.ts";
import { StoreError } from "./errors.ts";
import { toResponse } from "./rows.ts";
import { firstRow, RECEIPT_KEY_MAX, RECEIPT_SQL, RECENT_SCORED_SQL, toScoredRow } from "./statements.ts";
import type { Row } from "./statements.ts";

const answerDialects: Record<Provider, (sql: SqlConnection) => AnswerWriter> = { postgresql: postgresAnswers, sqlite: sqliteAnswers };

export class SqlAnswerStore implements AnswerStore {
  private readonly writeAnswerRow: AnswerWriter;
  private readonly readEvaluation: EvaluationRead;

  constructor(private readonly sql: SqlConnection) {
    this.writeAnswerRow = answerDialects[sql.provider](sql);
    this.readEvaluation = evaluationDialects[sql.provider];
  }

  async getResponse(checkInId: string): Promise<ResponseRecord | null> {
    const row = await firstRow(this.sql, `SELECT * FROM "Response" WHERE "checkInId" = ?`, [checkInId]);
    return row ? toResponse(row) : null;
  }

  async saveAnswer(checkInId: string, patch: AnswerPatch, now: Date, receipt?: Receipt): Promise<SavedAnswer | null> {
    return (await this.writeAnswer(checkInId, patch, now, receipt, null)).saved;
  }

  async answerIfOpen(checkInId: string, decide: AnswerDecision, patch: AnswerPatch, now: Date, receipt?: Receipt, evaluationLimit?: number): Promise<OpenAnswer> {
    return this.writeAnswer(checkInId, patch, now, receipt, decide, evaluationLimit);
  }

  /**
   * saveAnswer, or with `decide` answerIfOpen: the write only happens if the engine's decision on
   * the context read first says yes. With `evaluationLimit` (answerIfOpen only), a write that
   * completes the response also reads the rule inputs in the same statement.
   */
  private writeAnswer(
    checkInId: string,
    patch: AnswerPatch,
    now: Date,
    receipt: Receipt | undefined,
    decide: AnswerDecision | null,
    evaluationLimit?: number,
  ): Promise<OpenAnswer> {
    const columns = ANSWER_COLUMNS.filter((c) => patch[c] !== undefined);
    if (columns.length === 0) return Promise.reject(new StoreError("empty_answer", "an answer needs at least one value"));
    const limit = decide && evaluationLimit !== undefined ? Math.max(1, Math.floor(evaluationLimit)) : null;
    return this.writeAnswerRow({ checkInId, patch, columns, now, receipt, decide, evaluationLimit: limit });
  }

  async saveComment(checkInId: string, cipher: string, keyId: string, now: Date, receipt?: Receipt): Promise<ResponseRecord | null> {
    const upsert = `INSERT INTO "Response" ("id", "checkInId", "commentCipher", "commentKeyId", "createdAt", "updatedAt") VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT ("checkInId") DO UPDATE SET "commentCipher" = excluded."commentCipher", "commentKeyId" = excluded."commentKeyId", "updatedAt" = excluded."updatedAt"`;
    // The receipt and the comment commit together: a redelivery is stored once, and a failed
    // save leaves no receipt behind that would turn the retry into a "duplicate".
    return this.sql.transaction(async (tx) => {
      if (receipt && (await tx.execute(RECEIPT_SQL, [timeOrderedId(), receipt.platform, receipt.key.slice(0, RECEIPT_KEY_MAX), now])) === 0) return null;
      await tx.execute(upsert, [timeOrderedId(), checkInId, cipher, keyId, now, now]);
      const [row] = await tx.query<Row>(`SELECT * FROM "Response" WHERE "checkInId" = ?`, [checkInId]);
      if (!row) throw new StoreError("answer_lost", "the comment could not be read back");
      return toResponse(row);
    });
  }

  async recentScored(enrollmentId: string, limit: number): Promise<ScoredRow[]> {
    return (await this.sql.query<Row>(RECENT_SCORED_SQL, [enrollmentId, limit])).map(toScoredRow);
  }

  async evaluationInputs(enrollmentId: string, limit: number): Promise<EvaluationInputs> {
    return this.readEvaluation(this.sql, enrollmentId, limit);
  }
}
