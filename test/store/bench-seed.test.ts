// The bulk seed used by the multi-process tests and the bench: a check-in seeded due around `now`
// must not materialise a next weekly session that has already ended, or those tests count rows
// they never seeded (it happened when a run fell between 09:50 and 10:00 UTC).

import { afterEach, describe, expect, it } from "vitest";
import { seedDueCheckIns, seedPractice } from "../../bench/seed.ts";
import { materialiseNext } from "../../src/core/scheduling.ts";
import { createEngineFixture } from "../support/engine-fixture.ts";
import type { EngineFixture } from "../support/engine-fixture.ts";

let f: EngineFixture | undefined;
afterEach(async () => {
  await f?.dispose();
  f = undefined;
});

describe("bench seed", () => {
  // Each hour of one day, so every seeded weekday meets a run just after its session would end.
  it.each(Array.from({ length: 24 }, (_, h) => h))("a check-in due at %i:55 UTC materialises a session that is still ahead", async (hour) => {
    const now = new Date(Date.UTC(2026, 11, 2, hour, 55));
    f = await createEngineFixture({ start: now.toISOString() });
    const practice = await seedPractice(f.db.sql, 7, { now });
    await seedDueCheckIns(f.db.sql, practice.enrollments, new Date(now.getTime() - 1000));
    const ends: Date[] = [];
    for (const seeded of practice.enrollments) {
      const enrollment = await f.store.getEnrollment(seeded.enrollmentId);
      const [due] = await f.store.queuedCheckIns(seeded.enrollmentId);
      expect(enrollment && due).toBeTruthy();
      const next = await materialiseNext(f.store, enrollment!, due!.sessionEndAt);
      ends.push(next!.sessionEndAt);
    }
    expect(ends).toHaveLength(7);
    expect(ends.filter((end) => end.getTime() <= now.getTime())).toEqual([]);
  });
});
