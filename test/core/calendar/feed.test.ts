import { describe, expect, it } from "vitest";
import ICAL from "ical.js";
import { readCalendarFeed, readComponents } from "../../../src/core/calendar/feed.ts";
import type { CalendarSession } from "../../../src/core/calendar/feed.ts";
import { calendarText } from "../../support/ics.ts";

const BUCHAREST = "Europe/Bucharest";
const NEW_YORK = "America/New_York";

function read(text: string, codes: Record<string, string>, from = "2026-03-01T00:00:00Z", to = "2026-05-01T00:00:00Z") {
  const result = readCalendarFeed(text, { calendarId: "cal-1", codes: new Map(Object.entries(codes)), window: { from: new Date(from), to: new Date(to) } });
  if (!result.ok) throw new Error(`feed not read: ${result.code}`);
  return result.sessions.sort((a, b) => a.startAt.getTime() - b.startAt.getTime());
}

const iso = (s: CalendarSession) => [s.startAt.toISOString(), s.endAt.toISOString()];

/** A feed mixing what the pre-parse scan must keep and what it may skip, with its read options. */
function mixedFeed() {
  const code = "CI-7K2P";
  const other = "CI-AB2C";
  const events: (Parameters<typeof calendarText>[0][number])[] = [];
  // A year of one-off appointments per client, as practice systems export them.
  for (let w = 0; w < 52; w++) {
    const day = new Date(Date.UTC(2025, 8, 2 + w * 7));
    const ymd = day.toISOString().slice(0, 10).replaceAll("-", "");
    events.push({ uid: `appt-${w}`, tzid: BUCHAREST, start: `${ymd}T170000`, end: `${ymd}T175000`, summary: `Appointment ${code}`, status: w === 30 ? "CANCELLED" : undefined });
    events.push({ uid: `other-${w}`, start: `${ymd}T090000`, end: `${ymd}T095000`, summary: `Appointment ${other}` });
    events.push({ uid: `admin-${w}`, tzid: BUCHAREST, start: `${ymd}T120000`, end: `${ymd}T130000`, summary: "Supervision" });
  }
  events.push(
    // A series that began long ago, with overrides far from the window and in it, one of them without the code.
    { uid: "series", tzid: BUCHAREST, start: "20240305T080000", end: "20240305T085000", rrule: "FREQ=WEEKLY", exdates: ["20260317T080000"], summary: `Series ${code}` },
    { uid: "series", tzid: BUCHAREST, recurrenceId: "20240312T080000", start: "20240313T080000", end: "20240313T085000", summary: `Series ${code}` },
    { uid: "series", tzid: BUCHAREST, recurrenceId: "20260310T080000", start: "20260311T100000", end: "20260311T105000", summary: "Moved, the code left out" },
    // An occurrence in the window moved far out of it, and one far out moved into it.
    { uid: "series", tzid: BUCHAREST, recurrenceId: "20260324T080000", start: "20250601T080000", end: "20250601T085000", summary: `Series ${code}` },
    { uid: "series", tzid: BUCHAREST, recurrenceId: "20250107T080000", start: "20260402T080000", end: "20260402T085000", summary: `Series ${code}` },
    // A master without the code whose override has it.
    { uid: "plain", tzid: BUCHAREST, start: "20260302T150000", end: "20260302T155000", rrule: "FREQ=WEEKLY;COUNT=8", summary: "Group" },
    { uid: "plain", tzid: BUCHAREST, recurrenceId: "20260316T150000", start: "20260316T160000", end: "20260316T165000", summary: `Group with ${other}` },
    // All-day, and an event whose start cannot be read.
    { uid: "holiday", start: "20260320", summary: `Off ${code}` },
    { uid: "broken", start: "2026-03-20", summary: `Broken ${code}` },
  );
  const extra = [
    // Folded so that the code is split across lines, escaped text right before it, lower-case names, a VALARM.
    ["BEGIN:VEVENT", "UID:folded", "dtstart;tzid=Europe/Bucharest:20260305T110000", "DTEND;TZID=Europe/Bucharest:20260305T115000", "SUMMARY:Session CI-7", " K2P", "BEGIN:VALARM", "TRIGGER:-PT15M", "ACTION:DISPLAY", "DESCRIPTION:Reminder", "END:VALARM", "END:VEVENT"].join("\r\n"),
    ["BEGIN:VEVENT", "UID:escaped", 'DTSTART;X-NOTE="a:b":20260306T110000Z', "DTEND:20260306T115000Z", `DESCRIPTION:Line one\\n${other}`, "END:VEVENT"].join("\r\n"),
    ["BEGIN:VTODO", "UID:todo", `SUMMARY:${code}`, "END:VTODO"].join("\r\n"),
  ];
  const text = calendarText([...events, ...extra]);
  const options = { calendarId: "cal-1", codes: new Map([[code, BUCHAREST], [other, NEW_YORK]]), window: { from: new Date("2026-03-01T00:00:00Z"), to: new Date("2026-04-10T00:00:00Z") } };
  return { text, options };
}

const sessionKey = (s: CalendarSession) => `${s.startAt.toISOString()} ${s.endAt.toISOString()} ${s.code} ${s.cancelled} ${s.eventHash}`;

function readWhole(text: string, options: ReturnType<typeof mixedFeed>["options"]) {
  const whole = readComponents(new ICAL.Component(ICAL.parse(text) as ConstructorParameters<typeof ICAL.Component>[0]), options);
  if (!whole.ok) throw new Error("feed not read");
  return whole;
}

describe("reading a calendar feed", () => {
  it("weekly sessions across the spring DST change keep their local time (Europe/Bucharest, 29 March 2026)", () => {
    const text = calendarText([
      { uid: "w1", tzid: BUCHAREST, start: "20260324T170000", end: "20260324T175000", rrule: "FREQ=WEEKLY;COUNT=3", summary: "Session CI-7K2P" },
    ]);
    expect(read(text, { "CI-7K2P": BUCHAREST }).map(iso)).toEqual([
      ["2026-03-24T15:00:00.000Z", "2026-03-24T15:50:00.000Z"], // EET, UTC+2
      ["2026-03-31T14:00:00.000Z", "2026-03-31T14:50:00.000Z"], // EEST, UTC+3
      ["2026-04-07T14:00:00.000Z", "2026-04-07T14:50:00.000Z"],
    ]);
  });

  it("weekly sessions across the spring DST change keep their local time (America/New_York, 8 March 2026)", () => {
    const text = calendarText([
      { uid: "w1", tzid: NEW_YORK, start: "20260302T100000", end: "20260302T105000", rrule: "FREQ=WEEKLY;COUNT=2", summary: "ci-ab2c therapy" },
    ]);
    expect(read(text, { "CI-AB2C": NEW_YORK }).map(iso)).toEqual([
      ["2026-03-02T15:00:00.000Z", "2026-03-02T15:50:00.000Z"], // EST, UTC-5
      ["2026-03-09T14:00:00.000Z", "2026-03-09T14:50:00.000Z"], // EDT, UTC-4
    ]);
  });

  it("the autumn change in both zones, a time in the spring gap and a repeated time", () => {
    const text = calendarText([
      { uid: "ro-fall", tzid: BUCHAREST, start: "20261020T090000", end: "20261020T095000", rrule: "FREQ=WEEKLY;COUNT=2", summary: "CI-7K2P" },
      { uid: "ny-fall", tzid: NEW_YORK, start: "20261026T180000", end: "20261026T185000", rrule: "FREQ=WEEKLY;COUNT=2", summary: "CI-AB2C" },
      // 02:30 does not exist in New York on 8 March 2026: read as 03:30 EDT.
      { uid: "gap", tzid: NEW_YORK, start: "20260308T023000", duration: "PT45M", summary: "CI-AB2C" },
      // 01:30 happens twice on 1 November 2026: the first (EDT) one.
      { uid: "repeat", tzid: NEW_YORK, start: "20261101T013000", duration: "PT45M", summary: "CI-AB2C" },
    ]);
    const sessions = read(text, { "CI-7K2P": BUCHAREST, "CI-AB2C": NEW_YORK }, "2026-03-01T00:00:00Z", "2026-12-01T00:00:00Z");
    expect(sessions.map((s) => s.startAt.toISOString())).toEqual([
      "2026-03-08T07:30:00.000Z",
      "2026-10-20T06:00:00.000Z", // EEST
      "2026-10-26T22:00:00.000Z", // EDT
      "2026-10-27T07:00:00.000Z", // EET after 25 October
      "2026-11-01T05:30:00.000Z", // first 01:30, EDT
      "2026-11-02T23:00:00.000Z", // EST after 1 November
    ]);
  });

  it("ignores all-day events and events without a known code; reads one spanning midnight", () => {
    const text = calendarText([
      { uid: "allday", start: "20260305", end: "20260306", summary: "CI-7K2P day off" },
      { uid: "other", tzid: BUCHAREST, start: "20260305T100000", end: "20260305T105000", summary: "Dentist" },
      { uid: "unknown-code", tzid: BUCHAREST, start: "20260305T110000", end: "20260305T115000", summary: "CI-ZZZZ" },
      { uid: "late", tzid: BUCHAREST, start: "20260305T233000", end: "20260306T002000", location: "Room 2 / CI-7K2P" },
    ]);
    const sessions = read(text, { "CI-7K2P": BUCHAREST });
    expect(sessions.map(iso)).toEqual([["2026-03-05T21:30:00.000Z", "2026-03-05T22:20:00.000Z"]]);
    expect(sessions[0]?.code).toBe("CI-7K2P");
  });

  it("moved, cancelled and excluded occurrences; an extra one-off; identities stable across versions", () => {
    const series = { uid: "weekly@practice", tzid: BUCHAREST, start: "20260303T170000", end: "20260303T175000", rrule: "FREQ=WEEKLY;COUNT=4", summary: "CI-7K2P" };
    const before = read(calendarText([series]), { "CI-7K2P": BUCHAREST });
    const after = read(
      calendarText([
        { ...series, exdates: ["20260317T170000"] },
        { uid: "weekly@practice", tzid: BUCHAREST, recurrenceId: "20260310T170000", start: "20260311T090000", end: "20260311T095000", summary: "CI-7K2P moved" },
        { uid: "weekly@practice", tzid: BUCHAREST, recurrenceId: "20260324T170000", start: "20260324T170000", end: "20260324T175000", summary: "CI-7K2P", status: "CANCELLED" },
        { uid: "extra@practice", tzid: BUCHAREST, start: "20260305T120000", end: "20260305T125000", description: "extra session CI-7K2P" },
      ]),
      { "CI-7K2P": BUCHAREST },
    );
    expect(before).toHaveLength(4);
    expect(after.map((s) => [s.startAt.toISOString(), s.cancelled])).toEqual([
      ["2026-03-03T15:00:00.000Z", false],
      ["2026-03-05T10:00:00.000Z", false],
      ["2026-03-11T07:00:00.000Z", false],
      ["2026-03-17T15:00:00.000Z", true],
      ["2026-03-24T15:00:00.000Z", true],
    ]);
    // The moved occurrence keeps the identity of the one it replaces; the excluded one is a
    // cancelled session under its own identity.
    expect(after[2]?.eventHash).toBe(before[1]?.eventHash);
    expect(after[3]?.eventHash).toBe(before[2]?.eventHash);
    expect(after[4]?.eventHash).toBe(before[3]?.eventHash);
    expect(new Set(after.map((s) => s.eventHash)).size).toBe(5);
    // Hashes only: nothing of the UID is readable in them.
    for (const s of after) expect(s.eventHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("floating times are read in the client's zone; UTC times as UTC; a zone defined only by the feed's VTIMEZONE", () => {
    const vtimezone = [
      "BEGIN:VTIMEZONE",
      "TZID:GTB Standard Time",
      "BEGIN:STANDARD",
      "DTSTART:16010101T040000",
      "TZOFFSETFROM:+0300",
      "TZOFFSETTO:+0200",
      "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10",
      "END:STANDARD",
      "BEGIN:DAYLIGHT",
      "DTSTART:16010101T030000",
      "TZOFFSETFROM:+0200",
      "TZOFFSETTO:+0300",
      "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3",
      "END:DAYLIGHT",
      "END:VTIMEZONE",
    ].join("\r\n");
    const text = calendarText(
      [
        { uid: "floating", start: "20260304T090000", end: "20260304T095000", summary: "CI-AB2C" },
        { uid: "utc", start: "20260304T120000Z", end: "20260304T125000Z", summary: "CI-AB2C" },
        { uid: "outlook", tzid: "GTB Standard Time", start: "20260401T100000", end: "20260401T105000", summary: "CI-7K2P" },
      ],
      [vtimezone],
    );
    expect(read(text, { "CI-AB2C": NEW_YORK, "CI-7K2P": BUCHAREST }).map((s) => s.startAt.toISOString())).toEqual([
      "2026-03-04T12:00:00.000Z",
      "2026-03-04T14:00:00.000Z", // 09:00 floating in New York (EST)
      "2026-04-01T07:00:00.000Z", // 10:00 at +03:00 by the feed's own rules
    ]);
  });

  it("RDATE adds occurrences to a series; EXDATE in UTC removes the matching local occurrence", () => {
    const text = calendarText([
      {
        uid: "r",
        tzid: BUCHAREST,
        start: "20260302T090000",
        end: "20260302T095000",
        rrule: "FREQ=WEEKLY;COUNT=3",
        // 16 March 09:00 in Bucharest is 07:00 UTC.
        exdates: ["20260316T070000Z"],
        summary: "CI-7K2P",
      },
    ]).replace("EXDATE;TZID=Europe/Bucharest:20260316T070000Z", "EXDATE:20260316T070000Z").replace("RRULE:FREQ=WEEKLY;COUNT=3", "RRULE:FREQ=WEEKLY;COUNT=3\r\nRDATE;TZID=Europe/Bucharest:20260304T150000");
    expect(read(text, { "CI-7K2P": BUCHAREST }).map((s) => `${s.startAt.toISOString()} ${s.cancelled ? "cancelled" : "held"}`)).toEqual([
      "2026-03-02T07:00:00.000Z held",
      "2026-03-04T13:00:00.000Z held",
      "2026-03-09T07:00:00.000Z held",
      "2026-03-16T07:00:00.000Z cancelled",
    ]);
  });

  it("a series that began long before the window gives the same sessions and identities as reading it from its start", () => {
    for (const rrule of ["FREQ=WEEKLY;COUNT=60", "FREQ=WEEKLY;INTERVAL=2;UNTIL=20260601T000000Z", "FREQ=WEEKLY;BYDAY=TU", "FREQ=WEEKLY;BYDAY=TU,TH;COUNT=120", "FREQ=DAILY;INTERVAL=3;COUNT=200"]) {
      const text = calendarText([{ uid: `long-${rrule}`, tzid: BUCHAREST, start: "20250304T170000", end: "20250304T175000", rrule, summary: "CI-7K2P" }]);
      const narrow = read(text, { "CI-7K2P": BUCHAREST }, "2026-03-01T00:00:00Z", "2026-05-01T00:00:00Z");
      const wide = read(text, { "CI-7K2P": BUCHAREST }, "2025-01-01T00:00:00Z", "2026-05-01T00:00:00Z").filter((s) => s.endAt.getTime() > Date.parse("2026-03-01T00:00:00Z"));
      expect(narrow.length, rrule).toBeGreaterThan(0);
      expect(narrow.map((s) => [s.eventHash, ...iso(s)]), rrule).toEqual(wide.map((s) => [s.eventHash, ...iso(s)]));
      // 17:00 local on both sides of the DST change.
      for (const s of narrow) expect(new Intl.DateTimeFormat("en-GB", { timeZone: BUCHAREST, hour: "2-digit", minute: "2-digit" }).format(s.startAt)).toBe("17:00");
    }
    // A counted series that ended before the window gives nothing.
    const ended = calendarText([{ uid: "ended", tzid: BUCHAREST, start: "20250304T170000", end: "20250304T175000", rrule: "FREQ=WEEKLY;COUNT=10", summary: "CI-7K2P" }]);
    expect(read(ended, { "CI-7K2P": BUCHAREST })).toEqual([]);
  });

  it("refuses what is not an iCalendar, and never throws on broken text", () => {
    const options = { calendarId: "c", codes: new Map([["CI-7K2P", "UTC"]]), window: { from: new Date(0), to: new Date("2030-01-01") } };
    expect(readCalendarFeed("<html><body>Sign in</body></html>", options)).toEqual({ ok: false, code: "not_ics" });
    expect(readCalendarFeed("", options)).toEqual({ ok: false, code: "not_ics" });
    expect(readCalendarFeed("BEGIN:VCALENDAR\r\nthis is : not ; valid\r\nBEGIN:VEVENT", options).ok).toBe(false);
    expect(readCalendarFeed("BEGIN:VCARD\r\nEND:VCARD", options)).toEqual({ ok: false, code: "not_ics" });
    // An event with a broken date is skipped, the rest is read.
    const mixed = calendarText([{ uid: "ok", start: "20260304T120000Z", duration: "PT50M", summary: "CI-7K2P" }]);
    expect(readCalendarFeed(mixed, options)).toMatchObject({ ok: true, sessions: [{ code: "CI-7K2P" }] });
  });

  it("skipping events that cannot matter before parsing gives exactly what reading every event gives", () => {
    const { text, options } = mixedFeed();
    const whole = readWhole(text, options);
    const skipped = readCalendarFeed(text, options);
    if (!skipped.ok) throw new Error("feed not read");
    expect(skipped.sessions.map(sessionKey).sort()).toEqual(whole.sessions.map(sessionKey).sort());
    expect(skipped.events).toBe(whole.events);
    // What the comparison covers: the window's one-offs of both clients, the series and its moves, the folded and escaped events.
    expect(whole.sessions.length).toBeGreaterThan(15);
    const starts = whole.sessions.map((s) => s.startAt.toISOString());
    for (const at of ["2026-04-02T05:00:00.000Z", "2026-03-16T14:00:00.000Z", "2026-03-05T09:00:00.000Z", "2026-03-06T11:00:00.000Z"]) expect(starts, at).toContain(at);
    // The override without the code takes its occurrence out of the series.
    expect(starts).not.toContain("2026-03-11T08:00:00.000Z");
    expect(starts).not.toContain("2026-03-10T06:00:00.000Z");
    expect(starts).not.toContain("2026-03-24T06:00:00.000Z");
    expect(starts).toContain("2026-03-31T05:00:00.000Z");
  });

  it("the pre-parse scan keeps the same events from LF line ends, a byte-order mark and every line folded (spaces and tabs)", () => {
    const { text, options } = mixedFeed();
    const expected = readWhole(text, options).sessions.map(sessionKey).sort();
    // Every content line after the first folded every 7 characters, BEGIN and END lines and codes included.
    const fold = (line: string, index: number) => (index === 0 ? line : (line.match(/.{1,7}/g) ?? [""]).map((part, k) => (k === 0 ? part : `${k % 2 ? " " : "\t"}${part}`)).join("\n"));
    const reshaped = `\uFEFF${text.split("\r\n").map(fold).join("\n")}`;
    const skipped = readCalendarFeed(reshaped, options);
    if (!skipped.ok) throw new Error("feed not read");
    expect(skipped.sessions.map(sessionKey).sort()).toEqual(expected);
    // The moved-in occurrence, the excluded one (returned cancelled) and the folded event are among what is compared.
    const at = (iso: string) => skipped.sessions.find((s) => s.startAt.toISOString() === iso);
    expect(at("2026-04-02T05:00:00.000Z")?.cancelled).toBe(false);
    expect(at("2026-03-17T06:00:00.000Z")?.cancelled).toBe(true);
    expect(at("2026-03-05T09:00:00.000Z")?.code).toBe("CI-7K2P");
  });
});
