// CheckInStore over Prisma. Admin-rate operations use the Prisma client; the per-check-in and
// per-answer paths use the raw driver connection with SQL that runs unchanged on SQLite and
// PostgreSQL (all identifiers quoted), because they run thousands of times per second in a burst.

import { randomUUID } from "node:crypto";
import type {
  Alert,
  AlertStatus,
  AuditEntry,
  CheckIn,
  CheckInStatus,
  Enrollment,
  Locale,
  Person,
  PlatformName,
  Practice,
  PracticeSettings,
  ResponseRecord,
} from "../core/model.ts";
import { DEFAULT_SETTINGS } from "../core/model.ts";
import type {
  AlertPatch,
  AnswerPatch,
  CheckInContext,
  CheckInStore,
  ClaimOutcome,
  EnrollmentPatch,
  NewAlert,
  NewAuditEntry,
  NewCheckIn,
  NewEnrollment,
  PersonPatch,
  AnswerActor,
  EvaluationInputs,
  OpenAnswer,
  Receipt,
  LinkTokenRecord,
  SavedAnswer,
  ScoredRow,
} from "../ports/checkin-store.ts";
import type { MessageRef } from "../ports/chat-platform.ts";
import { atomicUnit } from "./database.ts";
import type { OpenDatabase, PrismaDb, SqlConnection } from "./database.ts";
import { StoreError } from "./errors.ts";
import { aliasedColumns, pickAliased, toAlert, toAudit, toCheckIn, toDate, toEnrollment, toPerson, toPractice, toResponse } from "./rows.ts";

type Row = Record<string, unknown>;

const CLOSED_STATUSES: CheckInStatus[] = ["answered", "expired", "skipped", "missed_by_system"];

const ANSWER_COLUMNS = ["goal", "task", "bond", "tension", "talkedThrough"] as const;

const CONTEXT_FROM = `FROM "CheckIn" c JOIN "Enrollment" e ON e."id" = c."enrollmentId" JOIN "Practice" p ON p."id" = e."practiceId" JOIN "Person" cl ON cl."id" = e."clientId"
  WHERE c."id" = ?`;
const CONTEXT_COLUMNS = `${aliasedColumns("CheckIn", "c")}, ${aliasedColumns("Enrollment", "e")}, ${aliasedColumns("Practice", "p")}, ${aliasedColumns("Person", "cl")}`;
const CONTEXT_SQL_COLUMNS = `SELECT ${CONTEXT_COLUMNS} ${CONTEXT_FROM}`;
const CONTEXT_SQL_JSON = `SELECT row_to_json(c) AS "c", row_to_json(e) AS "e", row_to_json(p) AS "p", row_to_json(cl) AS "cl" ${CONTEXT_FROM}`;

const SCORED_COLUMNS = `r."checkInId", c."sessionEndAt", r."goal", r."task", r."bond", r."tension", r."talkedThrough", r."commentCipher", r."commentKeyId", c."calendarEventHash"`;
const RECENT_SCORED_SQL = `SELECT ${SCORED_COLUMNS}
  FROM "CheckIn" c JOIN "Response" r ON r."checkInId" = c."id"
  WHERE c."enrollmentId" = ? AND r."completedAt" IS NOT NULL
  ORDER BY c."sessionEndAt" DESC LIMIT ?`;
/** The enrollment's unresolved alert, from `"Alert" a`; `enrollment` is a parameter or a column. */
const unresolvedAlertWhere = (enrollment: string) =>
  `a."enrollmentId" = ${enrollment} AND a."status" IN ('open', 'acknowledged') ORDER BY a."createdAt" DESC LIMIT 1`;
const UNRESOLVED_ALERT_SQL = `SELECT a.* FROM "Alert" a WHERE ${unresolvedAlertWhere("?")}`;

function toScoredRow(row: Row): ScoredRow {
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
const RECEIPT_KEY_MAX = 200;
const RECEIPT_SQL = `INSERT INTO "InboundEvent" ("id", "platform", "eventKey", "receivedAt") VALUES (?, ?, ?, ?) ON CONFLICT ("platform", "eventKey") DO NOTHING`;

type AnswerColumn = (typeof ANSWER_COLUMNS)[number];

interface AnswerSql {
  /**
   * PostgreSQL: (the guard,) receipt, answer and status change in one statement; with
   * `evaluate`, also the rule inputs as they are after the write, when the write completed it.
   */
  combined: string | null;
  /** SQLite: the same as separate statements, run as one atomic unit inside a group commit. */
  context: string;
  receipt: string;
  upsert: string;
  markAnswered: string;
}

/**
 * The condition under which a press is answered in one round trip (CheckInStore.answerIfOpen):
 * the actor is the check-in's client in its practice's workspace, the client has consented and
 * not stopped, and the prompt is `sent` and still open. It mirrors the engine's own checks
 * (answers.ts: loadOwnCheckIn and answerGate) for that case; anything else takes the engine's path.
 * Parameters: platform, workspace id, user id, now.
 */
const OPEN_FOR_ACTOR = `(p."platform" = ? AND p."externalId" = ? AND cl."platformUserId" = ? AND cl."consentAt" IS NOT NULL AND cl."stoppedAt" IS NULL AND c."status" = 'sent' AND c."closesAt" > ?)`;

/**
 * A check-in status test for statements that find their row by primary key, written so that no
 * index can serve it. After a burst of sends the planner's statistics may still say that few
 * check-ins are `sent` or `sending`; it would then walk the status index through all of them on
 * every call instead of using the key (seen on PostgreSQL: 5× slower answers at 10,000 sent).
 */
const statusByKey = (list: string) => `("status" || '') IN (${list})`;

const answerSqlCache = new Map<string, AnswerSql>();

/**
 * The statements that save an answer (see CheckInStore.saveAnswer and answerIfOpen), for the
 * columns a patch sets. Built once per shape: every button press runs them.
 */
function answerSql(provider: SqlConnection["provider"], columns: AnswerColumn[], withReceipt: boolean, guarded: boolean, evaluate: boolean): AnswerSql {
  const cacheKey = `${provider}:${columns.join(",")}:${withReceipt}:${guarded}:${evaluate}`;
  const cached = answerSqlCache.get(cacheKey);
  if (cached) return cached;
  const pg = provider === "postgresql";
  // PostgreSQL infers no type for a parameter in a SELECT list: name each one's column type.
  const typed = (type: string) => (pg ? `CAST(? AS ${type})` : "?");
  const updates = columns.map((c) => `"${c}" = excluded."${c}"`).join(", ");
  // After the change, is each item answered? The new value if this patch sets it, else the stored one.
  const after = (item: "goal" | "task" | "bond") => (columns.includes(item) ? `excluded."${item}"` : `"Response"."${item}"`);
  const upsert = (gate: string) =>
    `INSERT INTO "Response" ("id", "checkInId", ${columns.map((c) => `"${c}"`).join(", ")}, "completedAt", "createdAt", "updatedAt")
     SELECT ${typed("TEXT")}, ${typed("TEXT")}, ${columns.map((c) => typed(c === "tension" || c === "talkedThrough" ? "TEXT" : "INTEGER")).join(", ")}, ${typed("TIMESTAMP(3)")}, ${typed("TIMESTAMP(3)")}, ${typed("TIMESTAMP(3)")} ${gate}
     ON CONFLICT ("checkInId") DO UPDATE SET ${updates}, "updatedAt" = excluded."updatedAt",
       "completedAt" = COALESCE("Response"."completedAt", CASE WHEN ${after("goal")} IS NOT NULL AND ${after("task")} IS NOT NULL AND ${after("bond")} IS NOT NULL THEN excluded."updatedAt" END)
     RETURNING *`;
  const markAnswered = `UPDATE "CheckIn" SET "status" = 'answered', "answeredAt" = ${typed("TIMESTAMP(3)")}, "closedAt" = ${typed("TIMESTAMP(3)")}, "updatedAt" = ${typed("TIMESTAMP(3)")}`;
  const receipt = RECEIPT_SQL;
  let combined: string | null = null;
  if (pg) {
    const allowed = `EXISTS (SELECT 1 FROM ctx WHERE "allowed")`;
    const parts = [
      guarded ? `ctx AS (SELECT row_to_json(c) AS "c", row_to_json(e) AS "e", row_to_json(p) AS "p", row_to_json(cl) AS "cl", e."id" AS "enrollmentId", ${OPEN_FOR_ACTOR} AS "allowed" ${CONTEXT_FROM})` : null,
      withReceipt
        ? guarded
          ? `receipt AS (INSERT INTO "InboundEvent" ("id", "platform", "eventKey", "receivedAt") SELECT ${typed("TEXT")}, ${typed("TEXT")}, ${typed("TEXT")}, ${typed("TIMESTAMP(3)")} WHERE ${allowed} ON CONFLICT ("platform", "eventKey") DO NOTHING RETURNING 1)`
          : `receipt AS (${receipt} RETURNING 1)`
        : null,
      `saved AS (${upsert(withReceipt ? "WHERE EXISTS (SELECT 1 FROM receipt)" : guarded ? `WHERE ${allowed}` : "")})`,
      `answered AS (${markAnswered} WHERE "id" = ? AND ${statusByKey("'sent'")} AND EXISTS (SELECT 1 FROM saved WHERE "completedAt" IS NOT NULL) RETURNING 1)`,
    ].filter((part): part is string => part !== null);
    // One statement, so one round trip and one commit per button press.
    // The statement's snapshot predates its own writes: the history is the saved row (complete
    // now, incomplete in the snapshot) followed by the enrollment's other completed responses.
    const evaluation = evaluate
      ? `, CASE WHEN EXISTS (SELECT 1 FROM answered) THEN (SELECT json_agg(h ORDER BY h."sessionEndAt" DESC) FROM (
           SELECT * FROM (SELECT ${SCORED_COLUMNS} FROM saved r JOIN "CheckIn" c ON c."id" = r."checkInId"
             UNION ALL (SELECT ${SCORED_COLUMNS} FROM "CheckIn" c JOIN "Response" r ON r."checkInId" = c."id"
               WHERE c."enrollmentId" = ctx."enrollmentId" AND r."completedAt" IS NOT NULL AND r."checkInId" <> ? ORDER BY c."sessionEndAt" DESC LIMIT ?)) u
           ORDER BY u."sessionEndAt" DESC LIMIT ?) h) END AS "history",
         CASE WHEN EXISTS (SELECT 1 FROM answered) THEN (SELECT row_to_json(a) FROM "Alert" a
           WHERE ${unresolvedAlertWhere(`ctx."enrollmentId"`)}) END AS "unresolved"`
      : "";
    combined = guarded
      ? `WITH ${parts.join(",\n")} SELECT ctx.*, (SELECT row_to_json(s) FROM saved s) AS "saved", (SELECT COUNT(*) FROM answered) AS "answeredNow"${evaluation} FROM ctx`
      : `WITH ${parts.join(",\n")} SELECT saved.*, (SELECT COUNT(*) FROM answered) AS "answeredNow" FROM saved`;
  }
  const sql: AnswerSql = {
    combined,
    context: `SELECT ${CONTEXT_COLUMNS}, ${OPEN_FOR_ACTOR} AS "allowed" ${CONTEXT_FROM}`,
    receipt,
    // SQLite needs a WHERE after INSERT … SELECT when an upsert clause follows.
    upsert: upsert("WHERE true"),
    markAnswered: `${markAnswered} WHERE "id" = ? AND ${statusByKey("'sent'")}`,
  };
  answerSqlCache.set(cacheKey, sql);
  return sql;
}

function contextFromJson(row: Row): CheckInContext {
  return { checkIn: toCheckIn(row.c as Row), enrollment: toEnrollment(row.e as Row), practice: toPractice(row.p as Row), client: toPerson(row.cl as Row) };
}

function contextFromColumns(row: Row): CheckInContext {
  return {
    checkIn: toCheckIn(pickAliased(row, "CheckIn", "c")),
    enrollment: toEnrollment(pickAliased(row, "Enrollment", "e")),
    practice: toPractice(pickAliased(row, "Practice", "p")),
    client: toPerson(pickAliased(row, "Person", "cl")),
  };
}

/** Alert columns an AlertPatch may set (updatedAt is always present). */
const ALERT_PATCH_COLUMNS = [
  "status", "severity", "signals", "checkInId", "acknowledgedAt", "resolvedAt", "snoozedUntil",
  "platformChannelId", "platformMessageId", "remindedAt", "escalatedAt", "updatedAt",
] as const satisfies readonly (keyof AlertPatch)[];

export class PrismaCheckInStore implements CheckInStore {
  private readonly prisma: PrismaDb;
  private readonly sql: SqlConnection;

  constructor(db: Pick<OpenDatabase, "prisma" | "sql">) {
    this.prisma = db.prisma;
    this.sql = db.sql;
  }

  private async one(sql: string, params: unknown[]): Promise<Row | null> {
    const rows = await this.sql.query<Row>(sql, params);
    return rows[0] ?? null;
  }

  // ---- practices and people ----

  async ensurePractice(platform: PlatformName, externalId: string): Promise<Practice> {
    const existing = await this.one(`SELECT * FROM "Practice" WHERE "platform" = ? AND "externalId" = ?`, [platform, externalId]);
    if (existing) return toPractice(existing);
    const row = await this.prisma.practice.upsert({
      where: { platform_externalId: { platform, externalId } },
      create: { id: randomUUID(), platform, externalId, settings: JSON.stringify(DEFAULT_SETTINGS) },
      update: {},
    });
    return toPractice(row);
  }

  async findPractice(platform: PlatformName, externalId: string): Promise<Practice | null> {
    const row = await this.one(`SELECT * FROM "Practice" WHERE "platform" = ? AND "externalId" = ?`, [platform, externalId]);
    return row ? toPractice(row) : null;
  }

  async getPractice(id: string): Promise<Practice | null> {
    const row = await this.one(`SELECT * FROM "Practice" WHERE "id" = ?`, [id]);
    return row ? toPractice(row) : null;
  }

  async updatePractice(id: string, patch: { locale?: Locale; timeZone?: string; settings?: PracticeSettings; sendIssueCode?: string | null; sendIssueAt?: Date | null }): Promise<Practice> {
    const row = await this.prisma.practice.update({
      where: { id },
      data: {
        ...(patch.sendIssueCode !== undefined ? { sendIssueCode: patch.sendIssueCode } : {}),
        ...(patch.sendIssueAt !== undefined ? { sendIssueAt: patch.sendIssueAt } : {}),
        ...(patch.locale ? { locale: patch.locale } : {}),
        ...(patch.timeZone ? { timeZone: patch.timeZone } : {}),
        ...(patch.settings ? { settings: JSON.stringify(patch.settings) } : {}),
      },
    });
    return toPractice(row);
  }

  async findPerson(practiceId: string, platformUserId: string): Promise<Person | null> {
    const row = await this.one(`SELECT * FROM "Person" WHERE "practiceId" = ? AND "platformUserId" = ?`, [practiceId, platformUserId]);
    return row ? toPerson(row) : null;
  }

  async ensurePerson(practiceId: string, platformUserId: string): Promise<Person> {
    const existing = await this.findPerson(practiceId, platformUserId);
    if (existing) return existing;
    const row = await this.prisma.person.upsert({
      where: { practiceId_platformUserId: { practiceId, platformUserId } },
      create: { id: randomUUID(), practiceId, platformUserId },
      update: {},
    });
    return toPerson(row);
  }

  async getPerson(id: string): Promise<Person | null> {
    const row = await this.one(`SELECT * FROM "Person" WHERE "id" = ?`, [id]);
    return row ? toPerson(row) : null;
  }

  async getPeople(ids: string[]): Promise<Person[]> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return [];
    const rows = await this.sql.query<Row>(`SELECT * FROM "Person" WHERE "id" IN (${unique.map(() => "?").join(", ")})`, unique);
    return rows.map(toPerson);
  }

  async updatePerson(id: string, patch: PersonPatch): Promise<Person> {
    return toPerson(await this.prisma.person.update({ where: { id }, data: patch }));
  }

  async listAdmins(practiceId: string): Promise<Person[]> {
    const rows = await this.prisma.person.findMany({ where: { practiceId, isAdmin: true }, orderBy: { createdAt: "asc" } });
    return rows.map(toPerson);
  }

  async practicesOfUser(platform: PlatformName, platformUserId: string): Promise<{ practice: Practice; person: Person }[]> {
    const rows = await this.prisma.person.findMany({ where: { platformUserId, practice: { platform } }, include: { practice: true }, orderBy: { createdAt: "asc" } });
    return rows.map(({ practice, ...person }) => ({ practice: toPractice(practice), person: toPerson(person) }));
  }

  // ---- enrollments ----

  async createEnrollment(input: NewEnrollment): Promise<Enrollment> {
    const row = await this.prisma.enrollment.create({
      data: {
        id: randomUUID(),
        practiceId: input.practiceId,
        clientId: input.clientId,
        therapistId: input.therapistId,
        weekdays: input.weekdays.join(","),
        startTime: input.startTime,
        sessionMinutes: input.sessionMinutes,
        timeZone: input.timeZone,
        delayMinutes: input.delayMinutes,
        reminderMinutes: input.reminderMinutes,
        windowMinutes: input.windowMinutes,
        locale: input.locale,
        scheduleSource: input.scheduleSource ?? "weekly",
        calendarCode: input.calendarCode ?? null,
        delivery: input.delivery ?? null,
      },
    });
    return toEnrollment(row);
  }

  async getEnrollment(id: string): Promise<Enrollment | null> {
    const row = await this.one(`SELECT * FROM "Enrollment" WHERE "id" = ?`, [id]);
    return row ? toEnrollment(row) : null;
  }

  async currentEnrollmentForClient(clientId: string): Promise<Enrollment | null> {
    const row = await this.one(
      `SELECT * FROM "Enrollment" WHERE "clientId" = ? AND "status" <> 'ended' ORDER BY "createdAt" DESC LIMIT 1`,
      [clientId],
    );
    return row ? toEnrollment(row) : null;
  }

  async updateEnrollment(id: string, patch: EnrollmentPatch): Promise<Enrollment> {
    const { weekdays, skipDates, ...rest } = patch;
    const row = await this.prisma.enrollment.update({
      where: { id },
      data: {
        ...rest,
        ...(weekdays ? { weekdays: weekdays.join(",") } : {}),
        ...(skipDates ? { skipDates: skipDates.join(",") } : {}),
      },
    });
    return toEnrollment(row);
  }

  async listEnrollments(practiceId: string, filter: { therapistId?: string } = {}): Promise<Enrollment[]> {
    const rows = await this.prisma.enrollment.findMany({
      where: { practiceId, status: { not: "ended" }, ...(filter.therapistId ? { therapistId: filter.therapistId } : {}) },
      orderBy: { createdAt: "asc" },
    });
    return rows.map(toEnrollment);
  }

  // ---- check-ins ----

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
    if (this.sql.provider === "postgresql") {
      // One JSON value per table: decoding 4 JSON fields is far cheaper for the driver than 64 columns.
      const row = await this.one(CONTEXT_SQL_JSON, [id]);
      return row ? contextFromJson(row) : null;
    }
    const row = await this.one(CONTEXT_SQL_COLUMNS, [id]);
    return row ? contextFromColumns(row) : null;
  }

  async getCheckIn(id: string): Promise<CheckIn | null> {
    const row = await this.one(`SELECT * FROM "CheckIn" WHERE "id" = ?`, [id]);
    return row ? toCheckIn(row) : null;
  }

  async cancelScheduledCheckIns(enrollmentId: string, now: Date): Promise<number> {
    return this.sql.execute(
      `UPDATE "CheckIn" SET "status" = 'cancelled', "updatedAt" = ? WHERE "enrollmentId" = ? AND "status" = 'scheduled'`,
      [now, enrollmentId],
    );
  }

  async nextScheduledCheckIn(enrollmentId: string): Promise<CheckIn | null> {
    const row = await this.one(
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
    const row = await this.one(
      `SELECT "id" FROM "CheckIn" WHERE "enrollmentId" = ? AND "status" IN ('sent', 'answered', 'skipped') AND "id" <> ?
       AND "sessionEndAt" > ? AND "sessionEndAt" < ? LIMIT 1`,
      [enrollmentId, exceptId, new Date(sessionEndAt.getTime() - withinMs), new Date(sessionEndAt.getTime() + withinMs)],
    );
    return row !== null;
  }

  async openCheckIn(enrollmentId: string, now: Date): Promise<CheckIn | null> {
    const row = await this.one(
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
    const rows =
      this.sql.provider === "postgresql"
        ? await this.sql.query<Row>(
            `WITH due AS (${due} FOR UPDATE SKIP LOCKED), expired AS (${leaseExpired} FOR UPDATE SKIP LOCKED),
               picked AS (SELECT "id" FROM (SELECT * FROM due UNION ALL SELECT * FROM expired) AS u ORDER BY "dueAt" ASC LIMIT ?)
             UPDATE "CheckIn" AS c SET "status" = 'sending', "attempt" = c."attempt" + 1, "leaseOwner" = ?, "leaseExpiresAt" = ?, "updatedAt" = ?
             FROM picked AS d WHERE c."id" = d."id" RETURNING c.*`,
            [now, limit, now, limit, limit, owner, leaseExpiresAt, now],
          )
        : await this.sql.query<Row>(
            `UPDATE "CheckIn" SET "status" = 'sending', "attempt" = "attempt" + 1, "leaseOwner" = ?, "leaseExpiresAt" = ?, "updatedAt" = ?
             WHERE "id" IN (SELECT "id" FROM (SELECT * FROM (${due}) UNION ALL SELECT * FROM (${leaseExpired})) ORDER BY "dueAt" ASC LIMIT ?) RETURNING *`,
            [owner, leaseExpiresAt, now, now, limit, now, limit, limit],
          );
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
    const rows =
      this.sql.provider === "postgresql"
        ? await this.sql.query<Row>(
            `UPDATE "CheckIn" AS c SET "reminderSentAt" = ?, "updatedAt" = ? FROM (${candidates} FOR UPDATE SKIP LOCKED) AS d WHERE c."id" = d."id" RETURNING c.*`,
            [now, now, now, now, limit],
          )
        : await this.sql.query<Row>(
            `UPDATE "CheckIn" SET "reminderSentAt" = ?, "updatedAt" = ? WHERE "id" IN (${candidates}) RETURNING *`,
            [now, now, now, now, limit],
          );
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
    const rows =
      this.sql.provider === "postgresql"
        ? await this.sql.query<Row>(
            `UPDATE "CheckIn" AS c SET "status" = 'expired', "closedAt" = ?, "updatedAt" = ? FROM (${candidates} FOR UPDATE SKIP LOCKED) AS d WHERE c."id" = d."id" RETURNING c.*`,
            [now, now, now, limit],
          )
        : await this.sql.query<Row>(
            `UPDATE "CheckIn" SET "status" = 'expired', "closedAt" = ?, "updatedAt" = ? WHERE "id" IN (${candidates}) RETURNING *`,
            [now, now, now, limit],
          );
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
    const row = await this.one(`SELECT COUNT(*) AS "n" FROM "CheckIn" WHERE "status" = 'scheduled' AND "dueAt" <= ?`, [now]);
    return Number(row?.n ?? 0);
  }

  // ---- responses ----

  async getResponse(checkInId: string): Promise<ResponseRecord | null> {
    const row = await this.one(`SELECT * FROM "Response" WHERE "checkInId" = ?`, [checkInId]);
    return row ? toResponse(row) : null;
  }

  async saveAnswer(checkInId: string, patch: AnswerPatch, now: Date, receipt?: Receipt): Promise<SavedAnswer | null> {
    return (await this.writeAnswer(checkInId, patch, now, receipt, null)).saved;
  }

  async answerIfOpen(checkInId: string, actor: AnswerActor, patch: AnswerPatch, now: Date, receipt?: Receipt, evaluationLimit?: number): Promise<OpenAnswer> {
    return this.writeAnswer(checkInId, patch, now, receipt, actor, evaluationLimit);
  }

  /**
   * saveAnswer, or with `guard` answerIfOpen: the write only happens if OPEN_FOR_ACTOR holds.
   * With `evaluationLimit` (answerIfOpen only), a write that completes the response also reads
   * the rule inputs in the same round trip.
   */
  private async writeAnswer(
    checkInId: string,
    patch: AnswerPatch,
    now: Date,
    receipt: Receipt | undefined,
    guard: AnswerActor | null,
    evaluationLimit?: number,
  ): Promise<OpenAnswer> {
    const columns = ANSWER_COLUMNS.filter((c) => patch[c] !== undefined);
    if (columns.length === 0) throw new StoreError("empty_answer", "an answer needs at least one value");
    const limit = guard && evaluationLimit !== undefined ? Math.max(1, Math.floor(evaluationLimit)) : null;
    const sql = answerSql(this.sql.provider, columns, Boolean(receipt), guard !== null, limit !== null);
    const completeOnInsert = patch.goal !== undefined && patch.task !== undefined && patch.bond !== undefined;
    const upsertParams = [randomUUID(), checkInId, ...columns.map((c) => patch[c]), completeOnInsert ? now : null, now, now];
    const receiptParams = receipt ? [randomUUID(), receipt.platform, receipt.key.slice(0, RECEIPT_KEY_MAX), now] : [];
    const guardParams = guard ? [guard.platform, guard.workspaceId, guard.userId, now, checkInId] : [];
    if (sql.combined) {
      const evaluationParams = limit !== null ? [checkInId, limit, limit] : [];
      const rows = await this.sql.query<Row>(sql.combined, [...guardParams, ...receiptParams, ...upsertParams, now, now, now, checkInId, ...evaluationParams]);
      const row = rows[0];
      if (guard) {
        if (!row) return { context: null, allowed: false, saved: null, evaluation: null };
        const allowed = row.allowed === true;
        const saved = row.saved ? { response: toResponse(row.saved as Row), answeredNow: Number(row.answeredNow) > 0 } : null;
        const evaluation = Array.isArray(row.history)
          ? { history: (row.history as Row[]).map(toScoredRow), unresolved: row.unresolved ? toAlert(row.unresolved as Row) : null }
          : null;
        return { context: contextFromJson(row), allowed, saved, evaluation };
      }
      if (!row) {
        if (receipt) return { context: null, allowed: true, saved: null, evaluation: null };
        throw new StoreError("answer_lost", "the answer could not be read back");
      }
      return { context: null, allowed: true, saved: { response: toResponse(row), answeredNow: Number(row.answeredNow) > 0 }, evaluation: null };
    }
    // SQLite: one atomic unit, committed with the other writes of this turn (group commit).
    const atomic = atomicUnit(this.sql);
    if (!atomic) throw new StoreError("no_atomic_unit", "answers are saved on the top-level SQLite connection");
    return atomic((tx): OpenAnswer => {
      let context: CheckInContext | null = null;
      if (guard) {
        const [row] = tx.query<Row>(sql.context, guardParams);
        if (!row) return { context: null, allowed: false, saved: null, evaluation: null };
        context = contextFromColumns(row);
        if (Number(row.allowed) !== 1) return { context, allowed: false, saved: null, evaluation: null };
      }
      if (receipt && tx.execute(sql.receipt, receiptParams) === 0) return { context, allowed: true, saved: null, evaluation: null };
      const [upserted] = tx.query<Row>(sql.upsert, upsertParams);
      if (!upserted) throw new StoreError("answer_lost", "the answer could not be read back");
      const answeredNow = upserted.completedAt != null && tx.execute(sql.markAnswered, [now, now, now, checkInId]) > 0;
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
  }

  async saveComment(checkInId: string, cipher: string, keyId: string, now: Date, receipt?: Receipt): Promise<ResponseRecord | null> {
    const upsert = `INSERT INTO "Response" ("id", "checkInId", "commentCipher", "commentKeyId", "createdAt", "updatedAt") VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT ("checkInId") DO UPDATE SET "commentCipher" = excluded."commentCipher", "commentKeyId" = excluded."commentKeyId", "updatedAt" = excluded."updatedAt"`;
    // The receipt and the comment commit together: a redelivery is stored once, and a failed
    // save leaves no receipt behind that would turn the retry into a "duplicate".
    return this.sql.transaction(async (tx) => {
      if (receipt && (await tx.execute(RECEIPT_SQL, [randomUUID(), receipt.platform, receipt.key.slice(0, RECEIPT_KEY_MAX), now])) === 0) return null;
      await tx.execute(upsert, [randomUUID(), checkInId, cipher, keyId, now, now]);
      const [row] = await tx.query<Row>(`SELECT * FROM "Response" WHERE "checkInId" = ?`, [checkInId]);
      if (!row) throw new StoreError("answer_lost", "the comment could not be read back");
      return toResponse(row);
    });
  }

  async recentScored(enrollmentId: string, limit: number): Promise<ScoredRow[]> {
    return (await this.sql.query<Row>(RECENT_SCORED_SQL, [enrollmentId, limit])).map(toScoredRow);
  }

  async evaluationInputs(enrollmentId: string, limit: number): Promise<EvaluationInputs> {
    if (this.sql.provider === "postgresql") {
      // One round trip: the unresolved alert rides along as a JSON column of every history row.
      const rows = await this.sql.query<Row>(
        `SELECT h.*, (SELECT row_to_json(a) FROM "Alert" a WHERE ${unresolvedAlertWhere("?")}) AS "unresolved"
         FROM (${RECENT_SCORED_SQL}) h`,
        [enrollmentId, enrollmentId, limit],
      );
      if (rows.length > 0) {
        const unresolved = rows[0]!.unresolved;
        return { history: rows.map(toScoredRow), unresolved: unresolved ? toAlert(unresolved as Row) : null };
      }
    }
    const [history, unresolved] = await Promise.all([this.recentScored(enrollmentId, limit), this.unresolvedAlert(enrollmentId)]);
    return { history, unresolved };
  }

  // ---- alerts ----

  async unresolvedAlert(enrollmentId: string): Promise<Alert | null> {
    const row = await this.one(UNRESOLVED_ALERT_SQL, [enrollmentId]);
    return row ? toAlert(row) : null;
  }

  async getAlert(id: string): Promise<Alert | null> {
    const row = await this.one(`SELECT * FROM "Alert" WHERE "id" = ?`, [id]);
    return row ? toAlert(row) : null;
  }

  async createAlert(input: NewAlert): Promise<Alert | null> {
    // The partial unique index Alert_one_unresolved_per_enrollment turns a concurrent second
    // alert into a no-op; the caller then folds its signals into the existing one.
    const rows = await this.sql.query<Row>(
      `INSERT INTO "Alert" ("id", "enrollmentId", "checkInId", "status", "severity", "signals", "createdAt", "updatedAt")
       VALUES (?, ?, ?, 'open', ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING *`,
      [randomUUID(), input.enrollmentId, input.checkInId, input.severity, JSON.stringify(input.signals), input.createdAt, input.createdAt],
    );
    return rows[0] ? toAlert(rows[0]) : null;
  }

  async undeliveredAlerts(notUpdatedSince: Date, limit: number): Promise<Alert[]> {
    const rows = await this.sql.query<Row>(
      `SELECT * FROM "Alert" WHERE "status" IN ('open', 'acknowledged') AND "platformMessageId" IS NULL AND "updatedAt" <= ?
       ORDER BY "updatedAt" ASC LIMIT ?`,
      [notUpdatedSince, limit],
    );
    return rows.map(toAlert);
  }

  async updateAlert(id: string, patch: AlertPatch): Promise<Alert> {
    const updated = await this.updateAlertWhere(id, patch, null);
    if (!updated) throw new StoreError("alert_not_found", `no alert ${id}`);
    return updated;
  }

  async updateAlertIfSignals(id: string, expected: Alert["signals"], patch: AlertPatch): Promise<Alert | null> {
    return this.updateAlertWhere(id, patch, JSON.stringify(expected));
  }

  /** Updates an alert; with `expectedSignals`, only if its stored signals are still exactly those. */
  private async updateAlertWhere(id: string, patch: AlertPatch, expectedSignals: string | null): Promise<Alert | null> {
    const entries = ALERT_PATCH_COLUMNS.filter((column) => patch[column] !== undefined).map(
      (column) => [column, column === "signals" ? JSON.stringify(patch.signals) : patch[column]] as const,
    );
    const rows = await this.sql.query<Row>(
      `UPDATE "Alert" SET ${entries.map(([column]) => `"${column}" = ?`).join(", ")} WHERE "id" = ?${expectedSignals === null ? "" : ` AND "signals" = ?`} RETURNING *`,
      [...entries.map(([, value]) => value), id, ...(expectedSignals === null ? [] : [expectedSignals])],
    );
    return rows[0] ? toAlert(rows[0]) : null;
  }

  async listAlerts(enrollmentIds: string[], statuses: AlertStatus[]): Promise<Alert[]> {
    if (enrollmentIds.length === 0 || statuses.length === 0) return [];
    // Alerts are written on the raw connection; reading them there too means a caller always
    // sees its own latest write, whatever the other connection's snapshot.
    const rows = await this.sql.query<Row>(
      `SELECT * FROM "Alert" WHERE "enrollmentId" IN (${enrollmentIds.map(() => "?").join(", ")}) AND "status" IN (${statuses.map(() => "?").join(", ")})
       ORDER BY "createdAt" DESC LIMIT 200`,
      [...enrollmentIds, ...statuses],
    );
    return rows.map(toAlert);
  }

  async claimAlertFollowUps(kind: "remind" | "escalate", createdBefore: Date, now: Date, limit: number): Promise<Alert[]> {
    const column = kind === "remind" ? "remindedAt" : "escalatedAt";
    const candidates = `SELECT "id" FROM "Alert" WHERE "status" = 'open' AND "${column}" IS NULL AND "createdAt" <= ?
      AND ("snoozedUntil" IS NULL OR "snoozedUntil" <= ?) ORDER BY "createdAt" LIMIT ?`;
    const rows =
      this.sql.provider === "postgresql"
        ? await this.sql.query<Row>(
            `UPDATE "Alert" AS a SET "${column}" = ? FROM (${candidates} FOR UPDATE SKIP LOCKED) AS d WHERE a."id" = d."id" AND a."${column}" IS NULL RETURNING a.*`,
            [now, createdBefore, now, limit],
          )
        : await this.sql.query<Row>(`UPDATE "Alert" SET "${column}" = ? WHERE "id" IN (${candidates}) AND "${column}" IS NULL RETURNING *`, [now, createdBefore, now, limit]);
    return rows.map(toAlert);
  }

  async listActiveTherapists(): Promise<Person[]> {
    const rows = await this.sql.query<Row>(
      `SELECT p.* FROM "Person" p WHERE p."isTherapist" = ? AND EXISTS (SELECT 1 FROM "Enrollment" e WHERE e."therapistId" = p."id" AND e."status" <> 'ended') ORDER BY p."id"`,
      [true],
    );
    return rows.map(toPerson);
  }

  // ---- inbound receipts and audit ----

  // ---- link mode ----

  async createLinkToken(input: Omit<LinkTokenRecord, "revokedAt"> & { createdAt: Date }): Promise<void> {
    await this.sql.execute(`INSERT INTO "LinkToken" ("id", "tokenHash", "checkInId", "personId", "expiresAt", "createdAt") VALUES (?, ?, ?, ?, ?, ?)`, [
      randomUUID(),
      input.tokenHash,
      input.checkInId,
      input.personId,
      input.expiresAt,
      input.createdAt,
    ]);
  }

  async findLinkToken(tokenHash: string): Promise<LinkTokenRecord | null> {
    const row = await this.one(`SELECT "tokenHash", "checkInId", "personId", "expiresAt", "revokedAt" FROM "LinkToken" WHERE "tokenHash" = ?`, [tokenHash]);
    if (!row) return null;
    return { tokenHash: String(row.tokenHash), checkInId: String(row.checkInId), personId: String(row.personId), expiresAt: toDate(row.expiresAt) ?? new Date(0), revokedAt: toDate(row.revokedAt) };
  }

  async revokeLinkTokens(personId: string, now: Date): Promise<number> {
    const result = await this.prisma.linkToken.updateMany({ where: { personId, revokedAt: null }, data: { revokedAt: now } });
    return result.count;
  }

  async recordDelivery(platform: PlatformName, deliveryId: string, now: Date): Promise<boolean> {
    const inserted = await this.sql.execute(
      RECEIPT_SQL,
      [randomUUID(), platform, deliveryId.slice(0, RECEIPT_KEY_MAX), now],
    );
    return inserted === 1;
  }

  async deliveryRecordedAt(platform: PlatformName, key: string): Promise<Date | null> {
    const row = await this.one(`SELECT "receivedAt" FROM "InboundEvent" WHERE "platform" = ? AND "eventKey" = ?`, [platform, key.slice(0, RECEIPT_KEY_MAX)]);
    return row ? toDate(row.receivedAt) : null;
  }

  async claimDelivery(platform: PlatformName, deliveryId: string, now: Date, staleBefore: Date): Promise<"first" | "retaken" | "duplicate"> {
    const key = deliveryId.slice(0, RECEIPT_KEY_MAX);
    if ((await this.sql.execute(RECEIPT_SQL, [randomUUID(), platform, key, now])) === 1) return "first";
    const retaken = await this.sql.execute(
      `UPDATE "InboundEvent" SET "receivedAt" = ? WHERE "platform" = ? AND "eventKey" = ? AND "completedAt" IS NULL AND "receivedAt" < ?`,
      [now, platform, key, staleBefore],
    );
    return retaken === 1 ? "retaken" : "duplicate";
  }

  async completeDelivery(platform: PlatformName, deliveryId: string, now: Date): Promise<void> {
    await this.sql.execute(`UPDATE "InboundEvent" SET "completedAt" = ? WHERE "platform" = ? AND "eventKey" = ?`, [now, platform, deliveryId.slice(0, RECEIPT_KEY_MAX)]);
  }

  async appendAudit(entry: NewAuditEntry): Promise<void> {
    await this.prisma.auditEntry.create({
      data: {
        id: randomUUID(),
        practiceId: entry.practiceId,
        actorPersonId: entry.actorPersonId,
        action: entry.action,
        subjectPersonId: entry.subjectPersonId,
        detail: JSON.stringify(entry.detail),
        createdAt: entry.createdAt,
      },
    });
  }

  async listAudit(practiceId: string, subjectPersonId: string, limit: number): Promise<AuditEntry[]> {
    const rows = await this.prisma.auditEntry.findMany({
      where: { practiceId, subjectPersonId },
      orderBy: { createdAt: "desc" },
      take: limit,
    });
    return rows.map(toAudit);
  }
}
