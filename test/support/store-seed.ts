// Rows the store tests need: a practice, a client, a therapist, an enrollment, and check-ins.

import type { PrismaCheckInStore } from "../../src/store/prisma-store.ts";
import type { CheckIn, Enrollment } from "../../src/core/model.ts";

export async function seedEnrollment(store: PrismaCheckInStore, clientUserId = "alice"): Promise<Enrollment> {
  const practice = await store.ensurePractice("terminal", "local");
  const client = await store.ensurePerson(practice.id, clientUserId);
  const therapist = await store.ensurePerson(practice.id, `${clientUserId}-therapist`);
  return store.createEnrollment({
    practiceId: practice.id,
    clientId: client.id,
    therapistId: therapist.id,
    weekdays: [1],
    startTime: "09:00",
    sessionMinutes: 50,
    timeZone: "UTC",
    delayMinutes: 10,
    reminderMinutes: 240,
    windowMinutes: 2880,
    locale: null,
  });
}

const MINUTE = 60_000;

/** Inserts `count` check-ins whose sessions end one minute apart from `firstSessionEnd`. */
export async function insertCheckIns(
  store: PrismaCheckInStore,
  enrollmentId: string,
  count: number,
  firstSessionEnd: Date,
  timing: { delayMinutes?: number; reminderMinutes?: number; windowMinutes?: number } = {},
): Promise<CheckIn[]> {
  const { delayMinutes = 10, reminderMinutes = 240, windowMinutes = 2880 } = timing;
  const rows: CheckIn[] = [];
  for (let i = 0; i < count; i++) {
    const sessionEndAt = new Date(firstSessionEnd.getTime() + i * MINUTE);
    const dueAt = new Date(sessionEndAt.getTime() + delayMinutes * MINUTE);
    const row = await store.insertCheckIn({
      enrollmentId,
      kind: "scheduled",
      sessionEndAt,
      dueAt,
      remindAt: new Date(dueAt.getTime() + reminderMinutes * MINUTE),
      closesAt: new Date(sessionEndAt.getTime() + windowMinutes * MINUTE),
    });
    if (!row) throw new Error("check-in not inserted");
    rows.push(row);
  }
  return rows;
}
