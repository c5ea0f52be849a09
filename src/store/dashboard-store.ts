// DashboardStore over the raw SQL connection: a handful of set-based reads per page (window
// functions for "the newest N per client"), the same SQL on SQLite and PostgreSQL.

import { randomUUID } from "node:crypto";
import type { CheckInStatus, Person, TalkedThroughAnswer, TensionAnswer } from "../core/model.ts";
import type {
  AlertWithNotes,
  AuditFilter,
  AuditRow,
  CaseloadEntry,
  ClientHistory,
  DashboardStore,
  EncryptedCommentRow,
  EnrollmentView,
  NewAlertNote,
  PracticeOverview,
  ScoredPoint,
} from "../ports/dashboard.ts";
import { CASELOAD_RECENT } from "../ports/dashboard.ts";
import type { SqlConnection } from "./database.ts";
import { toAlert, toAudit, toDate, toEnrollment, toPerson } from "./rows.ts";

type Row = Record<string, unknown>;

/** Closed outcomes that say something about the client (not cancelled or failed sends). */
const OUTCOMES_SQL = `('answered', 'expired', 'skipped', 'missed_by_system')`;

const SCORED_SELECT = `c."enrollmentId" AS "enrollmentId", c."id" AS "checkInId", c."sessionEndAt" AS "sessionEndAt",
  r."goal" AS "goal", r."task" AS "task", r."bond" AS "bond", r."tension" AS "tension", r."talkedThrough" AS "talkedThrough",
  CASE WHEN r."commentCipher" IS NULL THEN 0 ELSE 1 END AS "hasComment"`;

function toPoint(row: Row): ScoredPoint {
  return {
    checkInId: String(row.checkInId),
    sessionEndAt: toDate(row.sessionEndAt) as Date,
    goal: Number(row.goal),
    task: Number(row.task),
    bond: Number(row.bond),
    tension: (row.tension ?? null) as TensionAnswer | null,
    talkedThrough: (row.talkedThrough ?? null) as TalkedThroughAnswer | null,
    hasComment: Number(row.hasComment) === 1,
  };
}

function grouped<T>(rows: Row[], map: (row: Row) => T): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const row of rows) {
    const key = String(row.enrollmentId);
    const list = out.get(key) ?? [];
    list.push(map(row));
    out.set(key, list);
  }
  return out;
}

export class SqlDashboardStore implements DashboardStore {
  constructor(private readonly sql: SqlConnection) {}

  async caseload(practiceId: string, therapistId: string | null, now: Date): Promise<CaseloadEntry[]> {
    const scope = `e."practiceId" = ? AND e."status" <> 'ended'${therapistId ? ` AND e."therapistId" = ?` : ""}`;
    const params = therapistId ? [practiceId, therapistId] : [practiceId];
    const since30d = new Date(now.getTime() - 30 * 86_400_000);
    const [enrollments, scored, outcomes, counts, alerts] = await Promise.all([
      this.sql.query<Row>(
        `SELECT e.*, c."platformUserId" AS "clientUserId", c."pausedUntil" AS "clientPausedUntil", c."stoppedAt" AS "clientStoppedAt",
           c."undeliverableAt" AS "clientUndeliverableAt", t."platformUserId" AS "therapistUserId"
         FROM "Enrollment" e JOIN "Person" c ON c."id" = e."clientId" JOIN "Person" t ON t."id" = e."therapistId"
         WHERE ${scope} ORDER BY e."createdAt" ASC`,
        params,
      ),
      this.sql.query<Row>(
        `SELECT * FROM (SELECT ${SCORED_SELECT}, ROW_NUMBER() OVER (PARTITION BY c."enrollmentId" ORDER BY c."sessionEndAt" DESC) AS "rn"
           FROM "Enrollment" e JOIN "CheckIn" c ON c."enrollmentId" = e."id" JOIN "Response" r ON r."checkInId" = c."id"
           WHERE ${scope} AND r."completedAt" IS NOT NULL) s
         WHERE s."rn" <= ? ORDER BY s."enrollmentId", s."rn"`,
        [...params, CASELOAD_RECENT],
      ),
      this.sql.query<Row>(
        `SELECT * FROM (SELECT c."enrollmentId" AS "enrollmentId", c."sessionEndAt" AS "sessionEndAt", c."status" AS "status",
             ROW_NUMBER() OVER (PARTITION BY c."enrollmentId" ORDER BY c."sessionEndAt" DESC) AS "rn"
           FROM "Enrollment" e JOIN "CheckIn" c ON c."enrollmentId" = e."id"
           WHERE ${scope} AND c."status" IN ${OUTCOMES_SQL}) s
         WHERE s."rn" <= ? ORDER BY s."enrollmentId", s."rn"`,
        [...params, CASELOAD_RECENT],
      ),
      this.sql.query<Row>(
        `SELECT c."enrollmentId" AS "enrollmentId",
           SUM(CASE WHEN c."status" = 'answered' THEN 1 ELSE 0 END) AS "answered",
           SUM(CASE WHEN c."status" = 'expired' AND c."sessionEndAt" > ? THEN 1 ELSE 0 END) AS "missed",
           MIN(CASE WHEN c."status" = 'scheduled' THEN c."dueAt" END) AS "nextDueAt"
         FROM "Enrollment" e JOIN "CheckIn" c ON c."enrollmentId" = e."id"
         WHERE ${scope} GROUP BY c."enrollmentId"`,
        [since30d, ...params],
      ),
      this.sql.query<Row>(
        `SELECT a.* FROM "Enrollment" e JOIN "Alert" a ON a."enrollmentId" = e."id"
         WHERE ${scope} AND a."status" IN ('open', 'acknowledged') ORDER BY a."createdAt" ASC`,
        params,
      ),
    ]);
    const recent = grouped(scored, toPoint);
    const closed = grouped(outcomes, (row) => ({ sessionEndAt: toDate(row.sessionEndAt) as Date, status: String(row.status) as CheckInStatus }));
    const countOf = new Map(counts.map((row) => [String(row.enrollmentId), row]));
    const alertOf = new Map(alerts.map((row) => [String(row.enrollmentId), toAlert(row)]));
    return enrollments.map((row) => {
      const enrollment = toEnrollment(row);
      const count = countOf.get(enrollment.id);
      return {
        enrollment,
        client: {
          id: enrollment.clientId,
          platformUserId: String(row.clientUserId),
          pausedUntil: toDate(row.clientPausedUntil),
          stoppedAt: toDate(row.clientStoppedAt),
          undeliverableAt: toDate(row.clientUndeliverableAt),
        },
        therapistUserId: String(row.therapistUserId),
        recent: recent.get(enrollment.id) ?? [],
        answeredCount: Number(count?.answered ?? 0),
        recentOutcomes: closed.get(enrollment.id) ?? [],
        missed30d: Number(count?.missed ?? 0),
        nextDueAt: toDate(count?.nextDueAt),
        alert: alertOf.get(enrollment.id) ?? null,
      };
    });
  }

  async enrollmentView(practiceId: string, enrollmentId: string): Promise<EnrollmentView | null> {
    const [row] = await this.sql.query<Row>(
      `SELECT e.*, c."platformUserId" AS "clientUserId", t."platformUserId" AS "therapistUserId"
       FROM "Enrollment" e JOIN "Person" c ON c."id" = e."clientId" JOIN "Person" t ON t."id" = e."therapistId"
       WHERE e."id" = ? AND e."practiceId" = ?`,
      [enrollmentId, practiceId],
    );
    return row ? { enrollment: toEnrollment(row), clientUserId: String(row.clientUserId), therapistUserId: String(row.therapistUserId) } : null;
  }

  async clientHistory(enrollmentId: string, limit: number): Promise<ClientHistory> {
    const [scored, counts] = await Promise.all([
      this.sql.query<Row>(
        `SELECT ${SCORED_SELECT} FROM "CheckIn" c JOIN "Response" r ON r."checkInId" = c."id"
         WHERE c."enrollmentId" = ? AND r."completedAt" IS NOT NULL ORDER BY c."sessionEndAt" DESC LIMIT ?`,
        [enrollmentId, limit],
      ),
      this.sql.query<Row>(
        `SELECT SUM(CASE WHEN "status" = 'answered' THEN 1 ELSE 0 END) AS "answered", MIN(CASE WHEN "status" = 'scheduled' THEN "dueAt" END) AS "nextDueAt"
         FROM "CheckIn" WHERE "enrollmentId" = ?`,
        [enrollmentId],
      ),
    ]);
    const points = scored.map(toPoint).reverse();
    const from = points[0]?.sessionEndAt ?? null;
    const unanswered = from
      ? await this.sql.query<Row>(
          `SELECT "id", "sessionEndAt", "status" FROM "CheckIn" WHERE "enrollmentId" = ? AND "status" IN ('expired', 'skipped', 'missed_by_system')
           AND "sessionEndAt" >= ? ORDER BY "sessionEndAt" ASC`,
          [enrollmentId, from],
        )
      : [];
    return {
      scored: points,
      unanswered: unanswered.map((row) => ({ checkInId: String(row.id), sessionEndAt: toDate(row.sessionEndAt) as Date, status: String(row.status) as CheckInStatus })),
      answeredCount: Number(counts[0]?.answered ?? 0),
      nextDueAt: toDate(counts[0]?.nextDueAt),
    };
  }

  async alertHistory(enrollmentId: string, limit: number): Promise<AlertWithNotes[]> {
    const alerts = (await this.sql.query<Row>(`SELECT * FROM "Alert" WHERE "enrollmentId" = ? ORDER BY "createdAt" DESC LIMIT ?`, [enrollmentId, limit])).map(toAlert);
    if (alerts.length === 0) return [];
    const notes = await this.sql.query<Row>(
      `SELECT n.*, p."platformUserId" AS "authorUserId" FROM "AlertNote" n LEFT JOIN "Person" p ON p."id" = n."authorId"
       WHERE n."alertId" IN (${alerts.map(() => "?").join(", ")}) ORDER BY n."createdAt" ASC`,
      alerts.map((a) => a.id),
    );
    return alerts.map((alert) => ({
      alert,
      notes: notes
        .filter((row) => String(row.alertId) === alert.id)
        .map((row) => ({
          id: String(row.id),
          alertId: alert.id,
          authorUserId: row.authorUserId === null || row.authorUserId === undefined ? null : String(row.authorUserId),
          change: String(row.change),
          noteCipher: String(row.noteCipher),
          noteKeyId: String(row.noteKeyId),
          createdAt: toDate(row.createdAt) as Date,
        })),
    }));
  }

  async encryptedComments(enrollmentId: string, limit: number): Promise<EncryptedCommentRow[]> {
    const rows = await this.sql.query<Row>(
      `SELECT c."id" AS "checkInId", c."sessionEndAt" AS "sessionEndAt", r."commentCipher" AS "commentCipher", r."commentKeyId" AS "commentKeyId"
       FROM "CheckIn" c JOIN "Response" r ON r."checkInId" = c."id"
       WHERE c."enrollmentId" = ? AND r."commentCipher" IS NOT NULL AND r."commentKeyId" IS NOT NULL ORDER BY c."sessionEndAt" DESC LIMIT ?`,
      [enrollmentId, limit],
    );
    return rows.map((row) => ({ checkInId: String(row.checkInId), sessionEndAt: toDate(row.sessionEndAt) as Date, commentCipher: String(row.commentCipher), commentKeyId: String(row.commentKeyId) }));
  }

  async overview(practiceId: string, since: Date): Promise<PracticeOverview> {
    const [enrollments, outcomes, alerts, undeliverable] = await Promise.all([
      this.sql.query<Row>(
        `SELECT e.*, c."platformUserId" AS "clientUserId", t."platformUserId" AS "therapistUserId",
           (SELECT MIN(n."dueAt") FROM "CheckIn" n WHERE n."enrollmentId" = e."id" AND n."status" = 'scheduled') AS "nextDueAt"
         FROM "Enrollment" e JOIN "Person" c ON c."id" = e."clientId" JOIN "Person" t ON t."id" = e."therapistId"
         WHERE e."practiceId" = ? AND e."status" <> 'ended' ORDER BY e."createdAt" ASC`,
        [practiceId],
      ),
      this.sql.query<Row>(
        `SELECT c."sessionEndAt" AS "sessionEndAt", c."status" AS "status" FROM "Enrollment" e JOIN "CheckIn" c ON c."enrollmentId" = e."id"
         WHERE e."practiceId" = ? AND c."sessionEndAt" >= ? AND c."status" IN ${OUTCOMES_SQL}`,
        [practiceId, since],
      ),
      this.sql.query<Row>(
        `SELECT a.* FROM "Enrollment" e JOIN "Alert" a ON a."enrollmentId" = e."id" WHERE e."practiceId" = ? AND a."createdAt" >= ?`,
        [practiceId, since],
      ),
      this.sql.query<Row>(`SELECT * FROM "Person" WHERE "practiceId" = ? AND "undeliverableAt" IS NOT NULL ORDER BY "undeliverableAt" DESC`, [practiceId]),
    ]);
    return {
      enrollments: enrollments.map((row) => ({
        enrollment: toEnrollment(row),
        clientUserId: String(row.clientUserId),
        therapistUserId: String(row.therapistUserId),
        nextDueAt: toDate(row.nextDueAt),
      })),
      outcomes: outcomes.map((row) => ({ sessionEndAt: toDate(row.sessionEndAt) as Date, status: String(row.status) as CheckInStatus })),
      alerts: alerts.map(toAlert).map((a) => ({ createdAt: a.createdAt, signals: a.signals, status: a.status })),
      undeliverable: undeliverable.map(toPerson).map((p) => ({ id: p.id, platformUserId: p.platformUserId, undeliverableAt: p.undeliverableAt, undeliverableCode: p.undeliverableCode })),
    };
  }

  async auditLog(practiceId: string, filter: AuditFilter, limit: number, offset: number): Promise<AuditRow[]> {
    const where = [`x."practiceId" = ?`];
    const params: unknown[] = [practiceId];
    if (filter.action) {
      where.push(`x."action" = ?`);
      params.push(filter.action);
    }
    if (filter.personId) {
      where.push(`(x."actorPersonId" = ? OR x."subjectPersonId" = ?)`);
      params.push(filter.personId, filter.personId);
    }
    if (filter.from) {
      where.push(`x."createdAt" >= ?`);
      params.push(filter.from);
    }
    if (filter.to) {
      where.push(`x."createdAt" < ?`);
      params.push(filter.to);
    }
    const rows = await this.sql.query<Row>(
      `SELECT x.*, a."platformUserId" AS "actorUserId", s."platformUserId" AS "subjectUserId"
       FROM "AuditEntry" x LEFT JOIN "Person" a ON a."id" = x."actorPersonId" LEFT JOIN "Person" s ON s."id" = x."subjectPersonId"
       WHERE ${where.join(" AND ")} ORDER BY x."createdAt" DESC, x."id" DESC LIMIT ? OFFSET ?`,
      [...params, limit, offset],
    );
    return rows.map((row) => ({
      entry: toAudit(row),
      actorUserId: row.actorUserId === null || row.actorUserId === undefined ? null : String(row.actorUserId),
      subjectUserId: row.subjectUserId === null || row.subjectUserId === undefined ? null : String(row.subjectUserId),
    }));
  }

  async auditActions(practiceId: string): Promise<string[]> {
    const rows = await this.sql.query<Row>(`SELECT DISTINCT "action" FROM "AuditEntry" WHERE "practiceId" = ? ORDER BY "action"`, [practiceId]);
    return rows.map((row) => String(row.action));
  }

  async personByUserId(practiceId: string, platformUserId: string): Promise<Person | null> {
    const [row] = await this.sql.query<Row>(`SELECT * FROM "Person" WHERE "practiceId" = ? AND "platformUserId" = ?`, [practiceId, platformUserId]);
    return row ? toPerson(row) : null;
  }

  async addAlertNote(note: NewAlertNote): Promise<void> {
    await this.sql.execute(
      `INSERT INTO "AlertNote" ("id", "alertId", "authorId", "change", "noteCipher", "noteKeyId", "createdAt") VALUES (?, ?, ?, ?, ?, ?, ?)`,
      [randomUUID(), note.alertId, note.authorId, note.change, note.noteCipher, note.noteKeyId, note.createdAt],
    );
  }
}
