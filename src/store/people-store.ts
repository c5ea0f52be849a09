// Practices, people and enrollments. Admin-rate writes go through the Prisma client; reads that
// run on every event use the raw connection.

import { randomUUID } from "node:crypto";
import type { Enrollment, Locale, Person, PlatformName, Practice, PracticeSettings } from "../core/model.ts";
import { DEFAULT_SETTINGS } from "../core/model.ts";
import type { EnrollmentPatch, NewEnrollment, PeopleStore, PersonPatch } from "../ports/checkin-store.ts";
import type { OpenDatabase, PrismaDb, SqlConnection } from "./database.ts";
import { toEnrollment, toPerson, toPractice } from "./rows.ts";
import { firstRow } from "./statements.ts";
import type { Row } from "./statements.ts";

export class SqlPeopleStore implements PeopleStore {
  private readonly prisma: PrismaDb;
  private readonly sql: SqlConnection;

  constructor(db: Pick<OpenDatabase, "prisma" | "sql">) {
    this.prisma = db.prisma;
    this.sql = db.sql;
  }

  async ensurePractice(platform: PlatformName, externalId: string): Promise<Practice> {
    const existing = await firstRow(this.sql, `SELECT * FROM "Practice" WHERE "platform" = ? AND "externalId" = ?`, [platform, externalId]);
    if (existing) return toPractice(existing);
    const row = await this.prisma.practice.upsert({
      where: { platform_externalId: { platform, externalId } },
      create: { id: randomUUID(), platform, externalId, settings: JSON.stringify(DEFAULT_SETTINGS) },
      update: {},
    });
    return toPractice(row);
  }

  async findPractice(platform: PlatformName, externalId: string): Promise<Practice | null> {
    const row = await firstRow(this.sql, `SELECT * FROM "Practice" WHERE "platform" = ? AND "externalId" = ?`, [platform, externalId]);
    return row ? toPractice(row) : null;
  }

  async getPractice(id: string): Promise<Practice | null> {
    const row = await firstRow(this.sql, `SELECT * FROM "Practice" WHERE "id" = ?`, [id]);
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
    const row = await firstRow(this.sql, `SELECT * FROM "Person" WHERE "practiceId" = ? AND "platformUserId" = ?`, [practiceId, platformUserId]);
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
    const row = await firstRow(this.sql, `SELECT * FROM "Person" WHERE "id" = ?`, [id]);
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
    const row = await firstRow(this.sql, `SELECT * FROM "Enrollment" WHERE "id" = ?`, [id]);
    return row ? toEnrollment(row) : null;
  }

  async currentEnrollmentForClient(clientId: string): Promise<Enrollment | null> {
    const row = await firstRow(this.sql, 
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
    const therapist = filter.therapistId ? ` AND "therapistId" = ?` : "";
    const rows = await this.sql.query<Row>(`SELECT * FROM "Enrollment" WHERE "practiceId" = ? AND "status" <> 'ended'${therapist} ORDER BY "createdAt" ASC`, filter.therapistId ? [practiceId, filter.therapistId] : [practiceId]);
    return rows.map(toEnrollment);
  }

  async listActiveTherapists(): Promise<Person[]> {
    const rows = await this.sql.query<Row>(
      `SELECT p.* FROM "Person" p WHERE p."isTherapist" = ? AND EXISTS (SELECT 1 FROM "Enrollment" e WHERE e."therapistId" = p."id" AND e."status" <> 'ended') ORDER BY p."id"`,
      [true],
    );
    return rows.map(toPerson);
  }
}
