// PrivacyStore over the raw SQL connection: access, erasure, retention and key rotation.
// The SQL runs unchanged on SQLite and PostgreSQL (quoted identifiers, `?` placeholders).
// Deletions go child-first so every step is safe to repeat after an interruption.

import type { CheckInStatus, Person } from "../core/model.ts";
import type {
  ClientRecords,
  EncryptedAlertNote,
  EncryptedComment,
  ErasureCounts,
  PostedMessage,
  PrivacyStore,
  PurgeCounts,
  StoredResponse,
} from "../ports/privacy-store.ts";
import type { SqlConnection } from "./database.ts";
import { toAlert, toAudit, toCheckIn, toEnrollment, toResponseWithComment } from "./rows.ts";

type Row = Record<string, unknown>;

/** Check-in states that will not change again; only these are purged. */
const FINISHED: CheckInStatus[] = ["answered", "expired", "skipped", "missed_by_system", "failed", "cancelled"];
const FINISHED_SQL = FINISHED.map((s) => `'${s}'`).join(", ");

const count = (rows: Row[]): number => Number(rows[0]?.n ?? 0);

export class SqlPrivacyStore implements PrivacyStore {
  constructor(private readonly sql: SqlConnection) {}

  async clientRecords(person: Person): Promise<ClientRecords> {
    const enrollments = (await this.sql.query<Row>(`SELECT * FROM "Enrollment" WHERE "clientId" = ? ORDER BY "createdAt" ASC`, [person.id])).map(toEnrollment);
    const therapistUserIds: Record<string, string> = {};
    for (const row of await this.sql.query<Row>(
      `SELECT DISTINCT p."id", p."platformUserId" FROM "Person" p JOIN "Enrollment" e ON e."therapistId" = p."id" WHERE e."clientId" = ?`,
      [person.id],
    )) {
      therapistUserIds[String(row.id)] = String(row.platformUserId);
    }
    const checkIns = (
      await this.sql.query<Row>(
        `SELECT c.* FROM "CheckIn" c JOIN "Enrollment" e ON e."id" = c."enrollmentId" WHERE e."clientId" = ? ORDER BY c."sessionEndAt" ASC`,
        [person.id],
      )
    ).map(toCheckIn);
    const responses: Record<string, StoredResponse> = {};
    for (const row of await this.sql.query<Row>(
      `SELECT r.* FROM "Response" r JOIN "CheckIn" c ON c."id" = r."checkInId" JOIN "Enrollment" e ON e."id" = c."enrollmentId" WHERE e."clientId" = ?`,
      [person.id],
    )) {
      const response = toResponseWithComment(row);
      responses[response.checkInId] = response;
    }
    const alerts = (
      await this.sql.query<Row>(
        `SELECT a.* FROM "Alert" a JOIN "Enrollment" e ON e."id" = a."enrollmentId" WHERE e."clientId" = ? ORDER BY a."createdAt" ASC`,
        [person.id],
      )
    ).map(toAlert);
    const audit = (
      await this.sql.query<Row>(`SELECT * FROM "AuditEntry" WHERE "practiceId" = ? AND "subjectPersonId" = ? ORDER BY "createdAt" ASC`, [person.practiceId, person.id])
    ).map(toAudit);
    return { person, enrollments, therapistUserIds, checkIns, responses, alerts, audit };
  }

  async postedMessages(clientId: string): Promise<PostedMessage[]> {
    const prompts = await this.sql.query<Row>(
      `SELECT c."platformChannelId" AS "channelId", c."platformMessageId" AS "messageId", p."platformUserId" AS "userId"
       FROM "CheckIn" c JOIN "Enrollment" e ON e."id" = c."enrollmentId" JOIN "Person" p ON p."id" = e."clientId"
       WHERE e."clientId" = ? AND c."platformMessageId" IS NOT NULL AND c."platformChannelId" IS NOT NULL`,
      [clientId],
    );
    const alerts = await this.sql.query<Row>(
      `SELECT a."platformChannelId" AS "channelId", a."platformMessageId" AS "messageId", p."platformUserId" AS "userId"
       FROM "Alert" a JOIN "Enrollment" e ON e."id" = a."enrollmentId" JOIN "Person" p ON p."id" = e."therapistId"
       WHERE e."clientId" = ? AND a."platformMessageId" IS NOT NULL AND a."platformChannelId" IS NOT NULL`,
      [clientId],
    );
    return [...prompts, ...alerts].map((row) => ({
      recipientUserId: String(row.userId),
      ref: { channelId: String(row.channelId), messageId: String(row.messageId) },
    }));
  }

  async eraseClientData(clientId: string): Promise<ErasureCounts> {
    const ofClient = `SELECT "id" FROM "Enrollment" WHERE "clientId" = ?`;
    const checkInsOfClient = `SELECT "id" FROM "CheckIn" WHERE "enrollmentId" IN (${ofClient})`;
    const comments = count(
      await this.sql.query<Row>(`SELECT COUNT(*) AS "n" FROM "Response" WHERE "commentCipher" IS NOT NULL AND "checkInId" IN (${checkInsOfClient})`, [clientId]),
    );
    const responses = await this.sql.execute(`DELETE FROM "Response" WHERE "checkInId" IN (${checkInsOfClient})`, [clientId]);
    // A therapist's notes on the client's alerts go with the alerts.
    await this.sql.execute(`DELETE FROM "AlertNote" WHERE "alertId" IN (SELECT "id" FROM "Alert" WHERE "enrollmentId" IN (${ofClient}))`, [clientId]);
    const alerts = await this.sql.execute(`DELETE FROM "Alert" WHERE "enrollmentId" IN (${ofClient})`, [clientId]);
    const checkIns = await this.sql.execute(`DELETE FROM "CheckIn" WHERE "enrollmentId" IN (${ofClient})`, [clientId]);
    const enrollments = await this.sql.execute(`DELETE FROM "Enrollment" WHERE "clientId" = ?`, [clientId]);
    return { enrollments, checkIns, responses, comments, alerts };
  }

  async purgeBefore(cutoff: Date): Promise<PurgeCounts[]> {
    const results: PurgeCounts[] = [];
    const practices = await this.sql.query<Row>(`SELECT "id" FROM "Practice" ORDER BY "id"`);
    for (const practice of practices) {
      const practiceId = String(practice.id);
      const oldCheckIns = `SELECT c."id" FROM "CheckIn" c JOIN "Enrollment" e ON e."id" = c."enrollmentId"
        WHERE e."practiceId" = ? AND c."status" IN (${FINISHED_SQL}) AND c."sessionEndAt" < ?`;
      const comments = count(
        await this.sql.query<Row>(`SELECT COUNT(*) AS "n" FROM "Response" WHERE "commentCipher" IS NOT NULL AND "checkInId" IN (${oldCheckIns})`, [practiceId, cutoff]),
      );
      const responses = await this.sql.execute(`DELETE FROM "Response" WHERE "checkInId" IN (${oldCheckIns})`, [practiceId, cutoff]);
      const checkIns = await this.sql.execute(`DELETE FROM "CheckIn" WHERE "id" IN (${oldCheckIns})`, [practiceId, cutoff]);
      await this.sql.execute(
        `DELETE FROM "AlertNote" WHERE "alertId" IN (SELECT "id" FROM "Alert" WHERE "status" IN ('repaired', 'dismissed') AND "updatedAt" < ?
         AND "enrollmentId" IN (SELECT "id" FROM "Enrollment" WHERE "practiceId" = ?))`,
        [cutoff, practiceId],
      );
      const alerts = await this.sql.execute(
        `DELETE FROM "Alert" WHERE "status" IN ('repaired', 'dismissed', 'withdrawn') AND "updatedAt" < ?
         AND "enrollmentId" IN (SELECT "id" FROM "Enrollment" WHERE "practiceId" = ?)`,
        [cutoff, practiceId],
      );
      const enrollments = await this.sql.execute(
        `DELETE FROM "Enrollment" WHERE "practiceId" = ? AND "status" = 'ended' AND "endedAt" < ?
         AND NOT EXISTS (SELECT 1 FROM "CheckIn" c WHERE c."enrollmentId" = "Enrollment"."id")
         AND NOT EXISTS (SELECT 1 FROM "Alert" a WHERE a."enrollmentId" = "Enrollment"."id")`,
        [practiceId, cutoff],
      );
      if (checkIns + responses + alerts + enrollments > 0) results.push({ practiceId, checkIns, responses, comments, alerts, enrollments });
    }
    await this.sql.execute(`DELETE FROM "InboundEvent" WHERE "receivedAt" < ?`, [cutoff]);
    // Dashboard sign-in links and sessions long past their lifetime.
    await this.sql.execute(`DELETE FROM "WebSignIn" WHERE "expiresAt" < ?`, [cutoff]);
    await this.sql.execute(`DELETE FROM "WebSession" WHERE "lastSeenAt" < ?`, [cutoff]);
    return results;
  }

  async commentKeyCounts(): Promise<Record<string, number>> {
    const rows = await this.sql.query<Row>(`SELECT "commentKeyId" AS "keyId", COUNT(*) AS "n" FROM "Response" WHERE "commentCipher" IS NOT NULL GROUP BY "commentKeyId"`);
    return Object.fromEntries(rows.map((row) => [String(row.keyId ?? "none"), Number(row.n)]));
  }

  async commentsNotUnder(currentKeyId: string, afterId: string, limit: number): Promise<EncryptedComment[]> {
    const rows = await this.sql.query<Row>(
      `SELECT "id", "commentCipher", "commentKeyId" FROM "Response"
       WHERE "commentCipher" IS NOT NULL AND ("commentKeyId" IS NULL OR "commentKeyId" <> ?) AND "id" > ?
       ORDER BY "id" ASC LIMIT ?`,
      [currentKeyId, afterId, limit],
    );
    return rows.map((row) => ({ responseId: String(row.id), cipher: String(row.commentCipher), keyId: String(row.commentKeyId ?? "") }));
  }

  async replaceComment(responseId: string, expectedKeyId: string, cipher: string, keyId: string, now: Date): Promise<boolean> {
    const changed = await this.sql.execute(
      `UPDATE "Response" SET "commentCipher" = ?, "commentKeyId" = ?, "updatedAt" = ? WHERE "id" = ? AND "commentKeyId" = ?`,
      [cipher, keyId, now, responseId, expectedKeyId],
    );
    return changed === 1;
  }

  async alertNoteKeyCounts(): Promise<Record<string, number>> {
    const rows = await this.sql.query<Row>(`SELECT "noteKeyId" AS "keyId", COUNT(*) AS "n" FROM "AlertNote" GROUP BY "noteKeyId"`);
    return Object.fromEntries(rows.map((row) => [String(row.keyId ?? "none"), Number(row.n)]));
  }

  async alertNotesNotUnder(currentKeyId: string, afterId: string, limit: number): Promise<EncryptedAlertNote[]> {
    const rows = await this.sql.query<Row>(
      `SELECT "id", "noteCipher", "noteKeyId" FROM "AlertNote" WHERE "noteKeyId" <> ? AND "id" > ? ORDER BY "id" ASC LIMIT ?`,
      [currentKeyId, afterId, limit],
    );
    return rows.map((row) => ({ noteId: String(row.id), cipher: String(row.noteCipher), keyId: String(row.noteKeyId) }));
  }

  async replaceAlertNote(noteId: string, expectedKeyId: string, cipher: string, keyId: string): Promise<boolean> {
    const changed = await this.sql.execute(`UPDATE "AlertNote" SET "noteCipher" = ?, "noteKeyId" = ? WHERE "id" = ? AND "noteKeyId" = ?`, [cipher, keyId, noteId, expectedKeyId]);
    return changed === 1;
  }
}
