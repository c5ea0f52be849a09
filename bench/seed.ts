// Bulk seeding for the benchmark and the multi-process tests: practices, consenting clients,
// enrollments, due check-ins and answered history, written with multi-row INSERTs through the
// store's raw connection so the same code fills SQLite and PostgreSQL quickly.

import { randomUUID } from "node:crypto";
import type { SqlConnection } from "../src/store/database.ts";
import { DEFAULT_ENGINE_OPTIONS } from "../src/core/context.ts";

const MINUTE = 60_000;
const WEEK = 7 * 24 * 60 * MINUTE;

export interface SeededEnrollment {
  enrollmentId: string;
  clientUserId: string;
}

export interface SeededPractice {
  practiceId: string;
  platform: string;
  externalId: string;
  enrollments: SeededEnrollment[];
}

/** Inserts rows in chunks so no statement exceeds a driver's parameter limit. */
async function insertRows(sql: SqlConnection, table: string, columns: string[], rows: unknown[][], chunk = Math.floor(8000 / columns.length)): Promise<void> {
  const head = `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES `;
  const tuple = `(${columns.map(() => "?").join(", ")})`;
  for (let i = 0; i < rows.length; i += chunk) {
    const part = rows.slice(i, i + chunk);
    await sql.execute(head + part.map(() => tuple).join(", "), part.flat());
  }
}

/**
 * A practice with `count` consenting clients, one enrollment each, and one therapist per ten
 * clients. Client user ids are `c<n>`. Quiet hours are off by default so a run at any hour
 * sends at once. The weekly sessions start 12 hours after `now` (UTC), so a check-in seeded due
 * around `now` materialises a next session that is hours away, never one that already ended.
 */
export async function seedPractice(
  sql: SqlConnection,
  count: number,
  opts: { platform?: string; externalId?: string; now?: Date; settings?: Record<string, unknown> } = {},
): Promise<SeededPractice> {
  const now = opts.now ?? new Date();
  const platform = opts.platform ?? "terminal";
  const externalId = opts.externalId ?? "local";
  const practiceId = randomUUID();
  const startTime = new Date(now.getTime() + 12 * 60 * MINUTE).toISOString().slice(11, 16);
  await sql.transaction(async (tx) => {
    await tx.execute(`INSERT INTO "Practice" ("id", "platform", "externalId", "locale", "timeZone", "settings", "createdAt", "updatedAt") VALUES (?, ?, ?, 'en', 'UTC', ?, ?, ?)`, [
      practiceId,
      platform,
      externalId,
      JSON.stringify(opts.settings ?? { quietHours: null }),
      now,
      now,
    ]);
    const people: unknown[][] = [];
    const enrollments: unknown[][] = [];
    const therapists: string[] = [];
    for (let t = 0; t < Math.ceil(count / 10); t++) {
      const id = randomUUID();
      therapists.push(id);
      people.push([id, practiceId, `t${t}`, false, true, false, null, null, now, now]);
    }
    for (let i = 0; i < count; i++) {
      const clientId = randomUUID();
      // Consent to the version in force by default, so the bot sends prompts, not a consent request.
      people.push([clientId, practiceId, `c${i}`, false, false, true, DEFAULT_ENGINE_OPTIONS.consentVersion, now, now, now]);
      enrollments.push([randomUUID(), practiceId, clientId, therapists[Math.floor(i / 10)], "active", String((i % 7) + 1), startTime, 50, "UTC", 10, 240, 2880, "", now, now]);
    }
    await insertRows(tx, "Person", ["id", "practiceId", "platformUserId", "isAdmin", "isTherapist", "isClient", "consentVersion", "consentAt", "createdAt", "updatedAt"], people);
    await insertRows(
      tx,
      "Enrollment",
      ["id", "practiceId", "clientId", "therapistId", "status", "weekdays", "startTime", "sessionMinutes", "timeZone", "delayMinutes", "reminderMinutes", "windowMinutes", "skipDates", "createdAt", "updatedAt"],
      enrollments,
    );
  });
  const rows = await sql.query<{ id: string; platformUserId: string }>(
    `SELECT e."id", p."platformUserId" FROM "Enrollment" e JOIN "Person" p ON p."id" = e."clientId" WHERE e."practiceId" = ?`,
    [practiceId],
  );
  const enrollments = rows
    .map((r) => ({ enrollmentId: r.id, clientUserId: r.platformUserId }))
    .sort((a, b) => Number(a.clientUserId.slice(1)) - Number(b.clientUserId.slice(1)));
  return { practiceId, platform, externalId, enrollments };
}

/**
 * One check-in per enrollment, all due at `dueAt` (session ended 10 minutes before). `scheduled`
 * check-ins materialise the enrollment's next session when sent; `now` ones (unscheduled
 * sessions) do not.
 */
export async function seedDueCheckIns(
  sql: SqlConnection,
  enrollments: SeededEnrollment[],
  dueAt: Date,
  kind: "scheduled" | "now" = "scheduled",
  /** How long before `dueAt` the session ended. */
  sessionEndedMinutesBefore = 10,
): Promise<string[]> {
  const ids: string[] = [];
  const rows = enrollments.map((e) => {
    const id = randomUUID();
    ids.push(id);
    const sessionEndAt = new Date(dueAt.getTime() - sessionEndedMinutesBefore * MINUTE);
    return [id, e.enrollmentId, kind, "scheduled", sessionEndAt, dueAt, new Date(dueAt.getTime() + 240 * MINUTE), new Date(sessionEndAt.getTime() + 2880 * MINUTE), 0, dueAt, dueAt];
  });
  await sql.transaction((tx) =>
    insertRows(tx, "CheckIn", ["id", "enrollmentId", "kind", "status", "sessionEndAt", "dueAt", "remindAt", "closesAt", "attempt", "createdAt", "updatedAt"], rows),
  );
  return ids;
}

/**
 * `perEnrollment` weekly answered check-ins with complete responses before `before`, per
 * enrollment. Scores are steady 4s with a little variation, so history alone raises no alert.
 */
export async function seedHistory(sql: SqlConnection, enrollments: SeededEnrollment[], perEnrollment: number, before: Date, chunkEnrollments = 200): Promise<number> {
  let total = 0;
  for (let start = 0; start < enrollments.length; start += chunkEnrollments) {
    const part = enrollments.slice(start, start + chunkEnrollments);
    const checkIns: unknown[][] = [];
    const responses: unknown[][] = [];
    for (const e of part) {
      for (let k = perEnrollment; k >= 1; k--) {
        const id = randomUUID();
        const sessionEndAt = new Date(before.getTime() - k * WEEK);
        const dueAt = new Date(sessionEndAt.getTime() + 10 * MINUTE);
        const answeredAt = new Date(dueAt.getTime() + 30 * MINUTE);
        checkIns.push([id, e.enrollmentId, "scheduled", "answered", sessionEndAt, dueAt, new Date(dueAt.getTime() + 240 * MINUTE), new Date(sessionEndAt.getTime() + 2880 * MINUTE), 1, dueAt, answeredAt, answeredAt, dueAt, answeredAt]);
        const wobble = k % 3 === 0 ? 5 : 4;
        responses.push([randomUUID(), id, 4, wobble, 4, "no", answeredAt, answeredAt, answeredAt]);
      }
    }
    await sql.transaction(async (tx) => {
      await insertRows(
        tx,
        "CheckIn",
        ["id", "enrollmentId", "kind", "status", "sessionEndAt", "dueAt", "remindAt", "closesAt", "attempt", "sentAt", "answeredAt", "closedAt", "createdAt", "updatedAt"],
        checkIns,
      );
      await insertRows(tx, "Response", ["id", "checkInId", "goal", "task", "bond", "tension", "completedAt", "createdAt", "updatedAt"], responses);
    });
    total += responses.length;
  }
  return total;
}
