import { describe, expect, it } from "vitest";
import type { WeeklySchedule } from "../../src/core/model.ts";
import {
  checkInTimes,
  deferForQuietHours,
  formatSchedule,
  isValidLocalDate,
  isValidLocalTime,
  isValidTimeZone,
  localDate,
  localSessionStart,
  nextSessionEnd,
  parseDurationMinutes,
  parseSchedule,
} from "../../src/core/schedule.ts";

// Reference transitions (all on Sundays):
//   America/New_York  2026-03-08 02:00 EST(-5) → 03:00 EDT(-4) at 07:00Z
//                     2026-11-01 02:00 EDT(-4) → 01:00 EST(-5) at 06:00Z
//   Europe/Bucharest  2026-03-29 03:00 EET(+2) → 04:00 EEST(+3) at 01:00Z
//                     2026-10-25 04:00 EEST(+3) → 03:00 EET(+2) at 01:00Z
const NY = "America/New_York";
const BUC = "Europe/Bucharest";

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);
const at = (s: string): Date => new Date(s);
const start = (date: string, time: string, zone: string): string => localSessionStart(date, time, zone).toISOString();

/** Ends of `count` consecutive sessions, each search starting at the previous end. */
function successiveEnds(schedule: WeeklySchedule, zone: string, from: string, count: number): string[] {
  const ends: string[] = [];
  let cursor = at(from);
  for (let i = 0; i < count; i++) {
    const end = nextSessionEnd(schedule, zone, cursor);
    if (!end) throw new Error("no session found");
    ends.push(end.toISOString());
    cursor = end;
  }
  return ends;
}

describe("validation", () => {
  it("accepts IANA zone names and refuses unknown names and offsets", () => {
    expect(isValidTimeZone(NY)).toBe(true);
    expect(isValidTimeZone(BUC)).toBe(true);
    expect(isValidTimeZone("UTC")).toBe(true);
    expect(isValidTimeZone("")).toBe(false);
    expect(isValidTimeZone("Mars/Base")).toBe(false);
    expect(isValidTimeZone("+02:00")).toBe(false);
    expect(isValidTimeZone("-05:00")).toBe(false);
    expect(isValidTimeZone("GMT+2")).toBe(false);
  });

  it("accepts HH:mm from 00:00 to 23:59 only", () => {
    for (const ok of ["00:00", "09:05", "23:59"]) expect(isValidLocalTime(ok)).toBe(true);
    for (const bad of ["9:30", "24:00", "12:60", "1200", "", " 12:00", "12:00:00"]) {
      expect(isValidLocalTime(bad)).toBe(false);
    }
  });

  it("accepts real calendar dates only", () => {
    for (const ok of ["2026-03-08", "2028-02-29", "2026-12-31"]) expect(isValidLocalDate(ok)).toBe(true);
    for (const bad of ["2026-02-29", "2026-13-01", "2026-00-10", "2026-04-31", "26-03-08", "2026-3-8", ""]) {
      expect(isValidLocalDate(bad)).toBe(false);
    }
  });
});

describe("localSessionStart", () => {
  it("America/New_York: offset -5 the week before spring forward, -4 the week after", () => {
    expect(start("2026-03-01", "17:00", NY)).toBe("2026-03-01T22:00:00.000Z");
    expect(start("2026-03-15", "17:00", NY)).toBe("2026-03-15T21:00:00.000Z");
  });

  it("America/New_York: a start in the spring-forward gap moves forward by the gap (02:30 → 03:30 EDT)", () => {
    expect(start("2026-03-08", "02:30", NY)).toBe("2026-03-08T07:30:00.000Z");
    expect(start("2026-03-08", "02:00", NY)).toBe("2026-03-08T07:00:00.000Z");
    // Either side of the gap is untouched.
    expect(start("2026-03-08", "01:59", NY)).toBe("2026-03-08T06:59:00.000Z");
    expect(start("2026-03-08", "03:00", NY)).toBe("2026-03-08T07:00:00.000Z");
  });

  it("America/New_York: a repeated time on fall-back night uses the first occurrence (EDT)", () => {
    expect(start("2026-11-01", "01:30", NY)).toBe("2026-11-01T05:30:00.000Z");
    expect(start("2026-11-01", "01:00", NY)).toBe("2026-11-01T05:00:00.000Z");
    expect(start("2026-11-01", "02:00", NY)).toBe("2026-11-01T07:00:00.000Z");
  });

  it("America/New_York: offset -4 the week before fall back, -5 the week after", () => {
    expect(start("2026-10-25", "17:00", NY)).toBe("2026-10-25T21:00:00.000Z");
    expect(start("2026-11-08", "17:00", NY)).toBe("2026-11-08T22:00:00.000Z");
  });

  it("Europe/Bucharest: offset +2 before spring forward, +3 after", () => {
    expect(start("2026-03-22", "10:00", BUC)).toBe("2026-03-22T08:00:00.000Z");
    expect(start("2026-04-05", "10:00", BUC)).toBe("2026-04-05T07:00:00.000Z");
  });

  it("Europe/Bucharest: a start in the gap moves forward by the gap (03:30 → 04:30 EEST)", () => {
    expect(start("2026-03-29", "03:30", BUC)).toBe("2026-03-29T01:30:00.000Z");
    expect(start("2026-03-29", "03:00", BUC)).toBe("2026-03-29T01:00:00.000Z");
    expect(start("2026-03-29", "02:59", BUC)).toBe("2026-03-29T00:59:00.000Z");
    expect(start("2026-03-29", "04:00", BUC)).toBe("2026-03-29T01:00:00.000Z");
  });

  it("Europe/Bucharest: a repeated time uses the first occurrence (EEST), unlike new TZDate()", () => {
    expect(start("2026-10-25", "03:30", BUC)).toBe("2026-10-25T00:30:00.000Z");
    expect(start("2026-10-25", "03:00", BUC)).toBe("2026-10-25T00:00:00.000Z");
    expect(start("2026-10-25", "04:00", BUC)).toBe("2026-10-25T02:00:00.000Z");
  });

  it("Europe/Bucharest: offset +3 before fall back, +2 after", () => {
    expect(start("2026-10-18", "10:00", BUC)).toBe("2026-10-18T07:00:00.000Z");
    expect(start("2026-11-01", "10:00", BUC)).toBe("2026-11-01T08:00:00.000Z");
  });

  it("refuses invalid input with a RangeError", () => {
    expect(() => localSessionStart("2026-02-30", "10:00", NY)).toThrow(RangeError);
    expect(() => localSessionStart("2026-03-08", "9:00", NY)).toThrow(RangeError);
    expect(() => localSessionStart("2026-03-08", "09:00", "Mars/Base")).toThrow(RangeError);
  });
});

describe("nextSessionEnd", () => {
  const tueThu: WeeklySchedule = { weekdays: [2, 4], startTime: "17:00", sessionMinutes: 50 };

  it("walks a multi-weekday schedule across the New York spring change", () => {
    // Wed 2026-03-04 19:00 EST.
    expect(successiveEnds(tueThu, NY, "2026-03-05T00:00:00Z", 4)).toEqual([
      "2026-03-05T22:50:00.000Z", // Thu, EST
      "2026-03-10T21:50:00.000Z", // Tue, EDT
      "2026-03-12T21:50:00.000Z",
      "2026-03-17T21:50:00.000Z",
    ]);
  });

  it("walks a Romanian-named schedule across the Bucharest autumn change", () => {
    const parsed = parseSchedule("lun,joi 18:00 1h");
    if (!parsed.ok) throw new Error(parsed.code);
    expect(successiveEnds(parsed.schedule, BUC, "2026-10-22T00:00:00Z", 3)).toEqual([
      "2026-10-22T16:00:00.000Z", // Thu 19:00 EEST
      "2026-10-26T17:00:00.000Z", // Mon 19:00 EET
      "2026-10-29T17:00:00.000Z",
    ]);
  });

  it("returns the session in progress, and the next one once `after` reaches its end", () => {
    expect(iso(nextSessionEnd(tueThu, NY, at("2026-03-05T22:10:00Z")))).toBe("2026-03-05T22:50:00.000Z");
    expect(iso(nextSessionEnd(tueThu, NY, at("2026-03-05T22:49:59.999Z")))).toBe("2026-03-05T22:50:00.000Z");
    expect(iso(nextSessionEnd(tueThu, NY, at("2026-03-05T22:50:00Z")))).toBe("2026-03-10T21:50:00.000Z");
  });

  it("New York: a session set in the gap runs from 03:30 EDT; the next week is back at 02:30 EDT", () => {
    const sunday: WeeklySchedule = { weekdays: [7], startTime: "02:30", sessionMinutes: 50 };
    expect(successiveEnds(sunday, NY, "2026-03-01T12:00:00Z", 2)).toEqual([
      "2026-03-08T08:20:00.000Z",
      "2026-03-15T07:20:00.000Z",
    ]);
  });

  it("New York: the session end is start + length in elapsed time across the change", () => {
    // 01:30 EDT (first occurrence) + 50 min = 01:20 EST on the local clock.
    const fallBack: WeeklySchedule = { weekdays: [7], startTime: "01:30", sessionMinutes: 50 };
    expect(iso(nextSessionEnd(fallBack, NY, at("2026-10-31T12:00:00Z")))).toBe("2026-11-01T06:20:00.000Z");
    // 01:30 EST + 60 min = 03:30 EDT on the local clock.
    const springForward: WeeklySchedule = { weekdays: [7], startTime: "01:30", sessionMinutes: 60 };
    expect(iso(nextSessionEnd(springForward, NY, at("2026-03-07T12:00:00Z")))).toBe("2026-03-08T07:30:00.000Z");
  });

  it("Bucharest: a session in the repeated hour starts on its first occurrence", () => {
    const sunday: WeeklySchedule = { weekdays: [7], startTime: "03:30", sessionMinutes: 45 };
    expect(successiveEnds(sunday, BUC, "2026-10-17T12:00:00Z", 3)).toEqual([
      "2026-10-18T01:15:00.000Z", // 03:30 EEST
      "2026-10-25T01:15:00.000Z", // 03:30 EEST, first pass; ends 03:15 EET
      "2026-11-01T02:15:00.000Z", // 03:30 EET
    ]);
  });

  it("Bucharest: a session set in the gap runs from 04:30 EEST", () => {
    const sunday: WeeklySchedule = { weekdays: [7], startTime: "03:30", sessionMinutes: 45 };
    expect(iso(nextSessionEnd(sunday, BUC, at("2026-03-28T12:00:00Z")))).toBe("2026-03-29T02:15:00.000Z");
  });

  it("skips local dates in skipDates", () => {
    expect(iso(nextSessionEnd(tueThu, NY, at("2026-03-06T00:00:00Z"), { skipDates: ["2026-03-10"] }))).toBe(
      "2026-03-12T21:50:00.000Z",
    );
    expect(
      iso(nextSessionEnd(tueThu, NY, at("2026-03-06T00:00:00Z"), { skipDates: ["2026-03-10", "2026-03-12"] })),
    ).toBe("2026-03-17T21:50:00.000Z");
  });

  it("reads skip dates in the schedule's zone, not in UTC", () => {
    // Mon 2026-04-06 01:00 EEST is Sun 2026-04-05 22:00Z.
    const monday: WeeklySchedule = { weekdays: [1], startTime: "01:00", sessionMinutes: 50 };
    const after = at("2026-04-01T00:00:00Z");
    expect(iso(nextSessionEnd(monday, BUC, after, { skipDates: ["2026-04-05"] }))).toBe("2026-04-05T22:50:00.000Z");
    expect(iso(nextSessionEnd(monday, BUC, after, { skipDates: ["2026-04-06"] }))).toBe("2026-04-12T22:50:00.000Z");
  });

  it("skips sessions that end before pausedUntil", () => {
    const after = at("2026-03-05T00:00:00Z");
    expect(iso(nextSessionEnd(tueThu, NY, after, { pausedUntil: at("2026-03-11T00:00:00Z") }))).toBe(
      "2026-03-12T21:50:00.000Z",
    );
    // A session ending exactly at pausedUntil counts; one millisecond later it does not.
    expect(iso(nextSessionEnd(tueThu, NY, after, { pausedUntil: at("2026-03-10T21:50:00Z") }))).toBe(
      "2026-03-10T21:50:00.000Z",
    );
    expect(iso(nextSessionEnd(tueThu, NY, after, { pausedUntil: at("2026-03-10T21:50:00.001Z") }))).toBe(
      "2026-03-12T21:50:00.000Z",
    );
    // A pause that already ended changes nothing; null means no pause.
    expect(iso(nextSessionEnd(tueThu, NY, after, { pausedUntil: at("2026-03-01T00:00:00Z") }))).toBe(
      "2026-03-05T22:50:00.000Z",
    );
    expect(iso(nextSessionEnd(tueThu, NY, after, { pausedUntil: null }))).toBe("2026-03-05T22:50:00.000Z");
  });

  it("finds the first session after a pause longer than the search span", () => {
    // 2028-01-01 is a Saturday; Tue 2028-01-04 17:00 EST.
    expect(iso(nextSessionEnd(tueThu, NY, at("2026-03-05T00:00:00Z"), { pausedUntil: at("2028-01-01T00:00:00Z") }))).toBe(
      "2028-01-04T22:50:00.000Z",
    );
  });

  it("returns null when no session exists within 366 days", () => {
    const monday: WeeklySchedule = { weekdays: [1], startTime: "10:00", sessionMinutes: 50 };
    const mondays: string[] = [];
    for (let d = Date.UTC(2026, 0, 5); d < Date.UTC(2027, 5, 1); d += 7 * 86_400_000) {
      mondays.push(new Date(d).toISOString().slice(0, 10));
    }
    expect(nextSessionEnd(monday, BUC, at("2026-01-01T00:00:00Z"), { skipDates: mondays })).toBeNull();
    expect(nextSessionEnd({ ...monday, weekdays: [] }, BUC, at("2026-01-01T00:00:00Z"))).toBeNull();
    // Sanity: without the skips the first Monday is found.
    expect(iso(nextSessionEnd(monday, BUC, at("2026-01-01T00:00:00Z")))).toBe("2026-01-05T08:50:00.000Z");
  });
});

describe("checkInTimes", () => {
  it("adds delay, reminder and window in elapsed minutes", () => {
    const t = checkInTimes(at("2026-03-05T22:50:00Z"), { delayMinutes: 10, reminderMinutes: 240, windowMinutes: 2880 });
    expect(t.dueAt.toISOString()).toBe("2026-03-05T23:00:00.000Z");
    expect(t.remindAt.toISOString()).toBe("2026-03-06T03:00:00.000Z");
    expect(t.closesAt.toISOString()).toBe("2026-03-07T22:50:00.000Z");
  });
});

describe("deferForQuietHours", () => {
  const night = { start: "22:00", end: "08:00" };
  const defer = (s: string, quiet: { start: string; end: string } | null, zone: string): string =>
    deferForQuietHours(at(s), quiet, zone).toISOString();

  it("leaves a time outside quiet hours unchanged", () => {
    expect(defer("2026-03-05T23:00:00Z", night, NY)).toBe("2026-03-05T23:00:00.000Z"); // 18:00 EST
    expect(defer("2026-03-06T13:00:00Z", night, NY)).toBe("2026-03-06T13:00:00.000Z"); // exactly 08:00
  });

  it("defers across midnight to the end of quiet hours", () => {
    expect(defer("2026-03-06T03:00:00Z", night, NY)).toBe("2026-03-06T13:00:00.000Z"); // exactly 22:00
    expect(defer("2026-03-06T03:30:00Z", night, NY)).toBe("2026-03-06T13:00:00.000Z"); // 22:30 EST
    expect(defer("2026-03-06T06:00:00Z", night, NY)).toBe("2026-03-06T13:00:00.000Z"); // 01:00 EST
    expect(defer("2026-03-06T12:59:59Z", night, NY)).toBe("2026-03-06T13:00:00.000Z"); // 07:59:59 EST
  });

  it("New York spring-forward night: 23:00 EST defers to 08:00 EDT", () => {
    expect(defer("2026-03-08T04:00:00Z", night, NY)).toBe("2026-03-08T12:00:00.000Z");
  });

  it("New York fall-back night: 23:00 EDT defers to 08:00 EST", () => {
    expect(defer("2026-11-01T03:00:00Z", night, NY)).toBe("2026-11-01T13:00:00.000Z");
  });

  it("Bucharest nights: 23:00 EET → 08:00 EEST in spring, 23:00 EEST → 08:00 EET in autumn", () => {
    expect(defer("2026-03-28T21:00:00Z", night, BUC)).toBe("2026-03-29T05:00:00.000Z");
    expect(defer("2026-10-24T20:00:00Z", night, BUC)).toBe("2026-10-25T06:00:00.000Z");
  });

  it("a window ending inside the gap ends at the transition, when the clock passes its end", () => {
    // NY 01:30 EST, quiet until 02:30 which does not exist: the clock jumps 01:59 → 03:00 EDT.
    expect(defer("2026-03-08T06:30:00Z", { start: "22:00", end: "02:30" }, NY)).toBe("2026-03-08T07:00:00.000Z");
    // Bucharest 02:30 EET, quiet until 03:30: the clock jumps 02:59 → 04:00 EEST.
    expect(defer("2026-03-29T00:30:00Z", { start: "22:00", end: "03:30" }, BUC)).toBe("2026-03-29T01:00:00.000Z");
  });

  it("a window ending inside the repeated hour is judged by the wall clock on each pass", () => {
    const quiet = { start: "22:00", end: "01:30" };
    expect(defer("2026-11-01T05:15:00Z", quiet, NY)).toBe("2026-11-01T05:30:00.000Z"); // 01:15 EDT → 01:30 EDT
    expect(defer("2026-11-01T05:45:00Z", quiet, NY)).toBe("2026-11-01T05:45:00.000Z"); // 01:45 EDT, not quiet
    expect(defer("2026-11-01T06:15:00Z", quiet, NY)).toBe("2026-11-01T06:30:00.000Z"); // 01:15 EST → 01:30 EST
  });

  it("handles a window within one day", () => {
    const lunch = { start: "12:00", end: "14:00" };
    expect(defer("2026-06-01T10:00:00Z", lunch, BUC)).toBe("2026-06-01T11:00:00.000Z"); // 13:00 EEST
    expect(defer("2026-06-01T08:00:00Z", lunch, BUC)).toBe("2026-06-01T08:00:00.000Z"); // 11:00 EEST
    expect(defer("2026-06-01T20:00:00Z", lunch, BUC)).toBe("2026-06-01T20:00:00.000Z"); // 23:00 EEST
    expect(defer("2026-06-01T09:00:00Z", lunch, BUC)).toBe("2026-06-01T11:00:00.000Z"); // exactly 12:00
    expect(defer("2026-06-01T11:00:00Z", lunch, BUC)).toBe("2026-06-01T11:00:00.000Z"); // exactly 14:00
  });

  it("treats null and start === end as no quiet hours", () => {
    expect(defer("2026-03-06T06:00:00Z", null, NY)).toBe("2026-03-06T06:00:00.000Z");
    expect(defer("2026-03-06T06:00:00Z", { start: "22:00", end: "22:00" }, NY)).toBe("2026-03-06T06:00:00.000Z");
  });

  it("a due time computed from a session end lands after quiet hours", () => {
    // Sat 2026-03-07 21:00 EST session, 50 min, due 10 min later at 22:00 EST: quiet.
    const end = nextSessionEnd({ weekdays: [6], startTime: "21:00", sessionMinutes: 50 }, NY, at("2026-03-07T00:00:00Z"));
    const { dueAt } = checkInTimes(end!, { delayMinutes: 10, reminderMinutes: 240, windowMinutes: 2880 });
    expect(dueAt.toISOString()).toBe("2026-03-08T03:00:00.000Z");
    expect(deferForQuietHours(dueAt, night, NY).toISOString()).toBe("2026-03-08T12:00:00.000Z");
  });
});

describe("localDate", () => {
  it("gives the calendar date in the zone", () => {
    expect(localDate(at("2026-03-09T03:00:00Z"), NY)).toBe("2026-03-08"); // 23:00 EDT
    expect(localDate(at("2026-03-09T05:00:00Z"), NY)).toBe("2026-03-09"); // 01:00 EDT
    expect(localDate(at("2026-03-29T22:30:00Z"), BUC)).toBe("2026-03-30"); // 01:30 EEST
    expect(localDate(at("2026-03-28T21:30:00Z"), BUC)).toBe("2026-03-28"); // 23:30 EET
  });
});

describe("parseSchedule", () => {
  const ok = (text: string): WeeklySchedule => {
    const r = parseSchedule(text);
    if (!r.ok) throw new Error(`${text}: ${r.code} ${r.detail}`);
    return r.schedule;
  };

  it("parses the documented shapes", () => {
    expect(ok("tue 17:00 50m")).toEqual({ weekdays: [2], startTime: "17:00", sessionMinutes: 50 });
    expect(ok("mon,thu 09:30 45m")).toEqual({ weekdays: [1, 4], startTime: "09:30", sessionMinutes: 45 });
    expect(ok("mon,thu 9:30 1h")).toEqual({ weekdays: [1, 4], startTime: "09:30", sessionMinutes: 60 });
    expect(ok("wed 18:15 1h30m")).toEqual({ weekdays: [3], startTime: "18:15", sessionMinutes: 90 });
    expect(ok("  Mon, Thu   9:30  45 ")).toEqual({ weekdays: [1, 4], startTime: "09:30", sessionMinutes: 45 });
  });

  it("accepts full English names, any case, removing duplicates and sorting", () => {
    expect(ok("Thu,MON,thu 9:30 45m").weekdays).toEqual([1, 4]);
    expect(ok("sunday,saturday,friday,thursday,wednesday,tuesday,monday 08:00 50m").weekdays).toEqual([
      1, 2, 3, 4, 5, 6, 7,
    ]);
  });

  it("accepts Romanian names with and without diacritics", () => {
    expect(ok("lun,mar,mie,joi,vin,sâm,dum 08:00 50m").weekdays).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(ok("Luni,Marți,Miercuri,Joi,Vineri,Sâmbătă,Duminică 08:00 50m").weekdays).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(ok("marti,sambata,duminica,sam 08:00 50m").weekdays).toEqual([2, 6, 7]);
    expect(ok("Marţi 10:00 50m").weekdays).toEqual([2]); // cedilla ţ, common in older keyboards
    expect(ok("SÂM 10:00 50m").weekdays).toEqual([6]);
  });

  it("accepts session lengths at both ends of 10m..6h", () => {
    expect(ok("tue 17:00 10m").sessionMinutes).toBe(10);
    expect(ok("tue 17:00 6h").sessionMinutes).toBe(360);
  });

  it("bad_weekday names the unknown weekday", () => {
    expect(parseSchedule("tuesd 17:00 50m")).toEqual({ ok: false, code: "bad_weekday", detail: "tuesd" });
    expect(parseSchedule("mon,funday 10:00 50m")).toEqual({ ok: false, code: "bad_weekday", detail: "funday" });
    expect(parseSchedule("mon,,thu 09:30 45m")).toEqual({ ok: false, code: "bad_weekday", detail: "mon,,thu" });
    expect(parseSchedule("17:00 tue 50m")).toEqual({ ok: false, code: "bad_weekday", detail: "17:00" });
  });

  it("bad_time names the bad time", () => {
    expect(parseSchedule("tue 24:00 50m")).toEqual({ ok: false, code: "bad_time", detail: "24:00" });
    expect(parseSchedule("tue 17:60 50m")).toEqual({ ok: false, code: "bad_time", detail: "17:60" });
    expect(parseSchedule("tue 5pm 50m")).toEqual({ ok: false, code: "bad_time", detail: "5pm" });
    expect(parseSchedule("tue 017:00 50m")).toEqual({ ok: false, code: "bad_time", detail: "017:00" });
  });

  it("bad_length names the bad length", () => {
    expect(parseSchedule("tue 17:00 9m")).toEqual({ ok: false, code: "bad_length", detail: "9m" });
    expect(parseSchedule("tue 17:00 6h1m")).toEqual({ ok: false, code: "bad_length", detail: "6h1m" });
    expect(parseSchedule("tue 17:00 2d")).toEqual({ ok: false, code: "bad_length", detail: "2d" });
    expect(parseSchedule("tue 17:00 fifty")).toEqual({ ok: false, code: "bad_length", detail: "fifty" });
  });

  it("bad_shape when there are not exactly three parts", () => {
    expect(parseSchedule("")).toEqual({ ok: false, code: "bad_shape", detail: "" });
    expect(parseSchedule("   ")).toEqual({ ok: false, code: "bad_shape", detail: "" });
    expect(parseSchedule("tue 17:00")).toEqual({ ok: false, code: "bad_shape", detail: "tue 17:00" });
    expect(parseSchedule("tue 17:00 50m weekly")).toEqual({ ok: false, code: "bad_shape", detail: "tue 17:00 50m weekly" });
  });
});

describe("parseDurationMinutes", () => {
  it("parses minutes, hours, days and combinations", () => {
    expect(parseDurationMinutes("10m")).toBe(10);
    expect(parseDurationMinutes("2h")).toBe(120);
    expect(parseDurationMinutes("1h30m")).toBe(90);
    expect(parseDurationMinutes("90")).toBe(90);
    expect(parseDurationMinutes("48h")).toBe(2880);
    expect(parseDurationMinutes("2d")).toBe(2880);
    expect(parseDurationMinutes("1d12h")).toBe(2160);
    expect(parseDurationMinutes(" 45M ")).toBe(45);
    expect(parseDurationMinutes("0")).toBe(0);
  });

  it("returns null for anything else", () => {
    for (const bad of ["", "m", "1.5h", "-5", "30m1h", "1h30", "abc", "2 h", "1w", "90min"]) {
      expect(parseDurationMinutes(bad), bad).toBeNull();
    }
  });
});

describe("formatSchedule", () => {
  it("lists short weekday names, start time and length", () => {
    expect(formatSchedule({ weekdays: [2, 4], startTime: "17:00", sessionMinutes: 50 })).toBe("Tue, Thu 17:00 (50 min)");
    expect(formatSchedule({ weekdays: [7], startTime: "09:30", sessionMinutes: 90 })).toBe("Sun 09:30 (90 min)");
    expect(formatSchedule({ weekdays: [2, 6], startTime: "17:00", sessionMinutes: 50 }, "ro")).toBe("mar, sâm 17:00 (50 min)");
    // What is shown can be typed back: the Romanian short names parse to the same days.
    expect(parseSchedule("mar,sâm 17:00 50m")).toMatchObject({ ok: true, schedule: { weekdays: [2, 6] } });
  });
});
