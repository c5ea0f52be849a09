// Check-ins and their claims: the send queue, reminders and expiry. Every statement finds its
// rows through an index; the claims differ per database (dialect/claims.ts).

import { randomUUID } from "node:crypto";
import type { CheckIn, CheckInStatus } from "../core/model.ts";
import type { CheckInContext, CheckInQueueStore, ClaimOutcome, NewCheckIn } from "../ports/checkin-store.ts";
import type { MessageRef } from "../ports/chat-platform.ts";
import type { SqlConnection } from "./database.ts";
import { claimDialects } from "./dialect/claims.ts";
import type { ClaimDialect } from "./dialect/claims.ts";
import { contextDialects } from "./dialect/context.ts";
import type { ContextDialect } from "./dialect/context.ts";
import { toCheckIn } from "./rows.ts";
import { CONTEXT_FROM, firstRow, statusByKey } from "./statements.ts";
import type { Row } from "./statements.ts";

const CLOSED_STATUSES: CheckInStatus[] = ["answered", "expired", "skipped", "missed_by_system"];

export class SqlCheckInQueueStore implements CheckInQueueStore {
  private readonly claims: ClaimDialect;
  private readonly context: ContextDialect;
  private readonly contextSql: string;

  constructor(private readonly sql: SqlConnection) {
    this.claims = claimDialects[sql.provider];
    this.context = contextDialects[sql.provider];
    this.contextSql = `SELECT ${this.context.columns} ${CONTEXT_FROM}`;
  }

  async insertCheckIn(input: NewCheckIn): Promise<CheckIn | null> {
    const id = randomUUID();
    const now = new Date();
    const inserted = await this.sql.execute(
      `INSERT INTO "CheckIn" ("id", "enrollmentId", "kind", "status", "sessionEndAt", "dueAt", "remindAt", "closesAt", "attempt", "createdAt", "updatedAt")
       VALUES (?, ?, ?, 'scheduled', ?, ?, ?, ?, 0, ?, ?) ON CONFLICT DO NOTHING`,
      [id, input.enrollmentId, input.kind, input.sessionEndAt, input.dueAt, input.remindAt, input.closesAt, now, now],
    );
    if (inserted === 0) return null;
    // Every column of the new row is known here; reading it back would cost a query per send.
    return {
      id,
      enrollmentId: input.enrollmentId,
      kind: input.kind,
      status: "scheduled",
      sessionEndAt: new Date(input.sessionEndAt.getTime()),
      dueAt: new Date(input.dueAt.getTime()),
      remindAt: new Date(input.remindAt.getTime()),
      closesAt: new Date(input.closesAt.getTime()),
      attempt: 0,
      leaseOwner: null,
      leaseExpiresAt: null,
      sentAt: null,
      reminderSentAt: null,
      answeredAt: null,
      platformChannelId: null,
      platformMessageId: null,
    };
  }

  async checkInContext(id: string): Promise<CheckInContext | null> {
    // One round trip instead of four: every button press and comment starts here.
    const row = await firstRow(this.sql, this.contextSql, [id]);
    return row ? this.context.decode(row) : null;
  }

  async getCheckIn(id: string): Promise<CheckIn | null> {
    const row = await firstRow(this.sql, `SELECT * FROM "CheckIn" WHERE "id" = ?`, [id]);
    return row ? toCheckIn(row) : null;
  }

  async cancelScheduledCheckIns(enrollmentId: string, now: Date): Promise<number> {
    return this.sql.execute(
      `UPDATE "CheckIn" SET "status" = 'cancelled', "updatedAt" = ? WHERE "enrollmentId" = ? AND "status" = 'scheduled'`,
      [now, enrollmentId],
    );
  }

  async nextScheduledCheckIn(enrollmentId: string): Promise<CheckIn | null> {
    const row = await firstRow(this.sql, 
      `SELECT * FROM "CheckIn" WHERE "enrollmentId" = ? AND "status" IN ('scheduled', 'sending') ORDER BY "dueAt" ASC LIMIT 1`,
      [enrollmentId],
    );
    return row ? toCheckIn(row) : null;
  }

  async queuedCheckIns(enrollmentId: string): Promise<CheckIn[]> {
    const rows = await this.sql.query<Row>(
      `SELECT * FROM "CheckIn" WHERE "enrollmentId" = ? AND "status" IN ('scheduled', 'sending') ORDER BY "dueAt" ASC LIMIT 20`,
      [enrollmentId],
    );
    return rows.map(toCheckIn);
  }

  async releaseCheckIn(id: string, dueAt: Date, now: Date): Promise<boolean> {
    return (await this.sql.execute(`UPDATE "CheckIn" SET "dueAt" = ?, "updatedAt" = ? WHERE "id" = ? AND "status" = 'scheduled'`, [dueAt, now, id])) === 1;
  }

  async sessionPrompted(enrollmentId: string, exceptId: string, sessionEndAt: Date, withinMs: number): Promise<boolean> {
    const row = await firstRow(this.sql, 
      `SELECT "id" FROM "CheckIn" WHERE "enrollmentId" = ? AND "status" IN ('sent', 'answered', 'skipped') AND "id" <> ?
       AND "sessionEndAt" > ? AND "sessionEndAt" < ? LIMIT 1`,
      [enrollmentId, exceptId, new Date(sessionEndAt.getTime() - withinMs), new Date(sessionEndAt.getTime() + withinMs)],
    );
    return row !== null;
  }

  async openCheckIn(enrollmentId: string, now: Date): Promise<CheckIn | null> {
    const row = await firstRow(this.sql, 
      `SELECT * FROM "CheckIn" WHERE "enrollmentId" = ? AND "status" = 'sent' AND "closesAt" > ? ORDER BY "sessionEndAt" DESC LIMIT 1`,
      [enrollmentId, now],
    );
    return row ? toCheckIn(row) : null;
  }

  async claimDueCheckIns(now: Date, owner: string, leaseMs: number, limit: number): Promise<CheckIn[]> {
    const leaseExpiresAt = new Date(now.getTime() + leaseMs);
    // Due rows and rows whose lease ran out are picked separately, each the first `limit` in
    // dueAt order straight from its index, then merged. One query with an OR would collect and
    // sort every due row on each call: a burst of N due check-ins would cost N²/limit row visits.
    const due = `SELECT "id", "dueAt" FROM "CheckIn" WHERE "status" = 'scheduled' AND "dueAt" <= ? ORDER BY "dueAt" ASC LIMIT ?`;
    const leaseExpired = `SELECT "id", "dueAt" FROM "CheckIn" WHERE "status" = 'sending' AND "leaseExpiresAt" < ? ORDER BY "dueAt" ASC LIMIT ?`;
    const claim = this.claims.claimCheckIns({ sql: due, params: [now, limit] }, { sql: leaseExpired, params: [now, limit] }, limit, {
      sql: `"status" = 'sending', "attempt" = "attempt" + 1, "leaseOwner" = ?, "leaseExpiresAt" = ?, "updatedAt" = ?`,
      params: [owner, leaseExpiresAt, now],
    });
    const rows = await this.sql.query<Row>(claim.sql, claim.params);
    return rows.map(toCheckIn).sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
  }

  async completeClaim(id: string, attempt: number, outcome: ClaimOutcome, now: Date): Promise<boolean> {
    const fence = `WHERE "id" = ? AND "attempt" = ? AND ${statusByKey("'sending'")}`;
    let changed: number;
    switch (outcome.status) {
      case "sent":
        changed = await this.sql.execute(
          `UPDATE "CheckIn" SET "status" = 'sent', "sentAt" = ?, "remindAt" = ?, "reminderSentAt" = NULL, "platformChannelId" = ?, "platformMessageId" = ?, "leaseOwner" = NULL, "leaseExpiresAt" = NULL, "lastErrorCode" = NULL, "updatedAt" = ? ${fence}`,
          [outcome.sentAt, outcome.remindAt, outcome.ref.channelId, outcome.ref.messageId, now, id, attempt],
        );
        break;
      case "scheduled":
        changed = await this.sql.execute(
          `UPDATE "CheckIn" SET "status" = 'scheduled', "dueAt" = ?, "leaseOwner" = NULL, "leaseExpiresAt" = NULL, "lastErrorCode" = ?, "updatedAt" = ? ${fence}`,
          [outcome.dueAt, outcome.code ?? null, now, id, attempt],
        );
        break;
      case "missed_by_system":
        changed = await this.sql.execute(
          `UPDATE "CheckIn" SET "status" = 'missed_by_system', "closedAt" = ?, "leaseOwner" = NULL, "leaseExpiresAt" = NULL, "updatedAt" = ? ${fence}`,
          [now, now, id, attempt],
        );
        break;
      case "cancelled":
      case "failed":
        changed = await this.sql.execute(
          `UPDATE "CheckIn" SET "status" = ?, "closedAt" = ?, "lastErrorCode" = ?, "leaseOwner" = NULL, "leaseExpiresAt" = NULL, "updatedAt" = ? ${fence}`,
          [outcome.status, now, outcome.code, now, id, attempt],
        );
        break;
    }
    return changed === 1;
  }

  async releaseLeases(owner: string, now: Date): Promise<number> {
    return this.sql.execute(
      `UPDATE "CheckIn" SET "status" = 'scheduled', "leaseOwner" = NULL, "leaseExpiresAt" = NULL, "updatedAt" = ? WHERE "status" = 'sending' AND "leaseOwner" = ?`,
      [now, owner],
    );
  }

  async claimDueReminders(now: Date, limit: number): Promise<CheckIn[]> {
    const candidates = `SELECT "id" FROM "CheckIn" WHERE "status" = 'sent' AND "reminderSentAt" IS NULL AND "remindAt" <= ? AND "closesAt" > ? ORDER BY "remindAt" LIMIT ?`;
    const rows = await this.sql.query<Row>(this.claims.claim("CheckIn", `"reminderSentAt" = ?, "updatedAt" = ?`, candidates), [now, now, now, now, limit]);
    return rows.map(toCheckIn);
  }

  async deferReminder(id: string, remindAt: Date, now: Date): Promise<boolean> {
    const changed = await this.sql.execute(
      `UPDATE "CheckIn" SET "remindAt" = ?, "reminderSentAt" = NULL, "updatedAt" = ? WHERE "id" = ? AND "status" = 'sent'`,
      [remindAt, now, id],
    );
    return changed === 1;
  }

  async expireClosed(now: Date, limit: number): Promise<CheckIn[]> {
    const candidates = `SELECT "id" FROM "CheckIn" WHERE "status" = 'sent' AND "closesAt" <= ? ORDER BY "closesAt" LIMIT ?`;
    const rows = await this.sql.query<Row>(this.claims.claim("CheckIn", `"status" = 'expired', "closedAt" = ?, "updatedAt" = ?`, candidates), [now, now, now, limit]);
    return rows.map(toCheckIn);
  }

  async transitionCheckIn(id: string, from: CheckInStatus[], to: CheckInStatus, now: Date): Promise<boolean> {
    if (from.length === 0) return false;
    const placeholders = from.map(() => "?").join(", ");
    const closing = CLOSED_STATUSES.includes(to) || to === "cancelled";
    const answered = to === "answered";
    const changed = await this.sql.execute(
      `UPDATE "CheckIn" SET "status" = ?, "updatedAt" = ?${closing ? `, "closedAt" = ?` : ""}${answered ? `, "answeredAt" = ?` : ""}
       WHERE "id" = ? AND ${statusByKey(placeholders)}`,
      [to, now, ...(closing ? [now] : []), ...(answered ? [now] : []), id, ...from],
    );
    return changed === 1;
  }

  async setCheckInMessage(id: string, ref: MessageRef, now: Date, remindAt?: Date): Promise<void> {
    if (remindAt) {
      await this.sql.execute(
        `UPDATE "CheckIn" SET "platformChannelId" = ?, "platformMessageId" = ?, "remindAt" = ?, "reminderSentAt" = NULL, "updatedAt" = ? WHERE "id" = ?`,
        [ref.channelId, ref.messageId, remindAt, now, id],
      );
      return;
    }
    await this.sql.execute(`UPDATE "CheckIn" SET "platformChannelId" = ?, "platformMessageId" = ?, "updatedAt" = ? WHERE "id" = ?`, [
      ref.channelId,
      ref.messageId,
      now,
      id,
    ]);
  }

  async recentClosedCheckIns(enrollmentId: string, limit: number): Promise<CheckIn[]> {
    const rows = await this.sql.query<Row>(
      `SELECT * FROM "CheckIn" WHERE "enrollmentId" = ? AND "status" IN ('answered', 'expired', 'skipped', 'missed_by_system')
       ORDER BY "sessionEndAt" DESC LIMIT ?`,
      [enrollmentId, limit],
    );
    return rows.map(toCheckIn);
  }

  async countDue(now: Date): Promise<number> {
    const row = await firstRow(this.sql, `SELECT COUNT(*) AS "n" FROM "CheckIn" WHERE "status" = 'scheduled' AND "dueAt" <= ?`, [now]);
    return Number(row?.n ?? 0);
  }
}
