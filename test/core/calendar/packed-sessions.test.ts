import { describe, expect, it } from "vitest";
import { packSessions, unpackSessions } from "../../../src/core/calendar/packed-sessions.ts";
import { eventHash } from "../../../src/core/calendar/feed.ts";
import type { CalendarSession } from "../../../src/core/calendar/feed.ts";

describe("the per-process reading kept for 304 answers", () => {
  it("packs sessions and gives back the same sessions: hashes, codes, times and cancellations", () => {
    const sessions: CalendarSession[] = Array.from({ length: 300 }, (_, i) => ({
      eventHash: eventHash("cal-1", `uid-${i % 40}`, String(i)),
      code: ["CI-7K2P", "CI-AB2C", "CI-ZZ99"][i % 3]!,
      startAt: new Date(Date.UTC(2026, 2, 1 + (i % 30), 8 + (i % 9), (i * 7) % 60)),
      endAt: new Date(Date.UTC(2026, 2, 1 + (i % 30), 9 + (i % 9), (i * 7) % 60, 1)),
      cancelled: i % 7 === 0,
    }));
    const packed = packSessions(sessions);
    expect(packed.count).toBe(300);
    expect(packed.codes).toEqual(["CI-7K2P", "CI-AB2C", "CI-ZZ99"]);
    expect(unpackSessions(packed)).toEqual(sessions);
    expect(unpackSessions(packSessions([]))).toEqual([]);
  });
});
