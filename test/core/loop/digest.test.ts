import { describe, expect, it } from "vitest";
import { parseCommand, USAGE } from "../../../src/core/commands/grammar.ts";
import { digestDueDate, digestSchedule } from "../../../src/core/loop/digest.ts";

describe("/checkin digest grammar", () => {
  it("shows, turns off, or sets a weekday and time (English or Romanian day names)", () => {
    expect(parseCommand("digest")).toEqual({ ok: true, command: { name: "digest" } });
    expect(parseCommand("/checkin digest OFF")).toEqual({ ok: true, command: { name: "digest", off: true } });
    expect(parseCommand("digest mon 08:00")).toEqual({ ok: true, command: { name: "digest", weekday: 1, time: "08:00" } });
    expect(parseCommand("digest Friday 7:05")).toEqual({ ok: true, command: { name: "digest", weekday: 5, time: "07:05" } });
    expect(parseCommand("digest sâmbătă 18:30")).toEqual({ ok: true, command: { name: "digest", weekday: 6, time: "18:30" } });
  });

  it("refuses bad days, times and extra words with the usage line", () => {
    expect(parseCommand("digest someday 08:00")).toEqual({ ok: false, error: { code: "bad_option", argument: "weekday", got: "someday", subcommand: "digest", usage: USAGE.digest } });
    expect(parseCommand("digest mon")).toMatchObject({ ok: false, error: { code: "missing_argument", argument: "time" } });
    expect(parseCommand("digest mon 24:00")).toMatchObject({ ok: false, error: { code: "bad_option", argument: "time", got: "24:00" } });
    expect(parseCommand("digest mon 08:00 weekly")).toMatchObject({ ok: false, error: { code: "unexpected_argument", got: "weekly" } });
    expect(parseCommand("digest off now")).toMatchObject({ ok: false, error: { code: "unexpected_argument" } });
  });
});

describe("digest timing", () => {
  it("defaults to Monday 08:00; 0 means off", () => {
    expect(digestSchedule({ digestWeekday: null, digestTime: null })).toEqual({ weekday: 1, time: "08:00" });
    expect(digestSchedule({ digestWeekday: 0, digestTime: null })).toBeNull();
  });

  it("is due on its local day from its local time until midnight, in the practice time zone", () => {
    const schedule = { weekday: 1, time: "08:00" };
    expect(digestDueDate(new Date("2026-03-02T05:59:00Z"), "Europe/Bucharest", schedule)).toBeNull();
    expect(digestDueDate(new Date("2026-03-02T06:00:00Z"), "Europe/Bucharest", schedule)).toBe("2026-03-02");
    expect(digestDueDate(new Date("2026-03-02T21:59:00Z"), "Europe/Bucharest", schedule)).toBe("2026-03-02");
    expect(digestDueDate(new Date("2026-03-02T22:00:00Z"), "Europe/Bucharest", schedule)).toBeNull();
  });
});
