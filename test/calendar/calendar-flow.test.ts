// Calendars end to end: a real engine on a real database, a local HTTP server serving ICS
// fixtures that change between polls, and a manual clock.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readFileSync, existsSync } from "node:fs";
import path from "node:path";
import { createEngineFixture, TEST_DATABASE } from "../support/engine-fixture.ts";
import type { EngineFixture } from "../support/engine-fixture.ts";
import { RecordingPlatform } from "../support/recording-platform.ts";
import { calendarText, sqliteBytes, startFeedServer } from "../support/ics.ts";
import type { FeedServer, IcsEvent } from "../support/ics.ts";
import type { CheckIn } from "../../src/core/model.ts";
import type { ConsentView } from "../../src/ports/chat-platform.ts";

const TZ = "Europe/Bucharest";
const SECRET_TITLE = "Therapy with Ioana Secretname";
const SECRET_NOTE = "Discussed panic attacks at work";

let f: EngineFixture;
let platform: RecordingPlatform;
let feed: FeedServer;

beforeEach(async () => {
  feed = await startFeedServer();
  platform = new RecordingPlatform();
  f = await createEngineFixture({ platform, start: "2026-03-02T08:00:00Z", calendar: { http: { allowAddresses: ["127.0.0.1"], timeoutMs: 500 } } });
});

afterEach(async () => {
  await f.dispose();
  await feed.close();
});

async function enroll(client: string, options: string): Promise<string> {
  const reply = await f.command("dana", `enroll ${client} bob ${options}`, { admin: true });
  expect(reply.refused, reply.text).toBeFalsy();
  const code = /CI-[2-9A-HJ-NP-Z]{4}/.exec(reply.text)?.[0];
  expect(code, reply.text).toBeDefined();
  return code as string;
}

async function checkIns(clientUserId: string): Promise<CheckIn[]> {
  const client = await f.store.findPerson((await f.store.ensurePractice("terminal", "local")).id, clientUserId);
  const enrollment = await f.store.currentEnrollmentForClient(client!.id);
  const rows = await f.db.sql.query<Record<string, unknown>>(`SELECT "id" FROM "CheckIn" WHERE "enrollmentId" = ? ORDER BY "sessionEndAt"`, [enrollment!.id]);
  return Promise.all(rows.map(async (r) => (await f.store.getCheckIn(String(r.id)))!));
}

const summary = (rows: CheckIn[]) => rows.map((r) => `${r.sessionEndAt.toISOString()} ${r.dueAt.toISOString()} ${r.kind} ${r.status}`);

function weekly(code: string, more: Partial<IcsEvent> = {}): IcsEvent {
  return { uid: "series-1@practice.example", tzid: TZ, start: "20260303T170000", end: "20260303T175000", rrule: "FREQ=WEEKLY;COUNT=6", summary: `${SECRET_TITLE} ${code}`, description: SECRET_NOTE, location: "Office 3", ...more };
}

/** Advances the clock and ticks until the calendar poll that is due has run. */
async function poll(minutes = 5): Promise<void> {
  f.clock.advance(minutes * 60_000);
  const report = await f.engine.tick();
  expect(report.calendars?.polled ?? 0, "a calendar poll was due").toBeGreaterThan(0);
}

describe("a weekly series with moved and cancelled occurrences", () => {
  it("follows the calendar: creates, moves, cancels, adds one-offs, never re-sends, and stores no event text", async () => {
    const code = await enroll("alice", "calendar tz=Europe/Bucharest");
    feed.set({ kind: "ics", body: calendarText([weekly(code), { uid: "dentist", tzid: TZ, start: "20260304T100000", end: "20260304T110000", summary: "Dentist appointment" }]) });
    const connected = await f.command("bob", `calendar connect ${feed.url()}`);
    expect(connected.refused, connected.text).toBeFalsy();
    expect(connected.text).toContain("127.0.0.1");
    expect(connected.text).not.toContain("s3cr3t-token");
    expect(connected.text).toContain(code);

    await poll(0.5);
    // Sessions ending in the next 35 days, 17:50 local + 10 min; Bucharest moves to UTC+3 on 29 March.
    expect(summary(await checkIns("alice"))).toEqual([
      "2026-03-03T15:50:00.000Z 2026-03-03T16:00:00.000Z calendar scheduled",
      "2026-03-10T15:50:00.000Z 2026-03-10T16:00:00.000Z calendar scheduled",
      "2026-03-17T15:50:00.000Z 2026-03-17T16:00:00.000Z calendar scheduled",
      "2026-03-24T15:50:00.000Z 2026-03-24T16:00:00.000Z calendar scheduled",
      "2026-03-31T14:50:00.000Z 2026-03-31T15:00:00.000Z calendar scheduled",
    ]);

    // The practice moves 10 March to Wednesday morning, removes 17 March, cancels 24 March and adds Thursday 5 March.
    feed.set({
      kind: "ics",
      body: calendarText([
        weekly(code, { exdates: ["20260317T170000"] }),
        { uid: "series-1@practice.example", tzid: TZ, recurrenceId: "20260310T170000", start: "20260311T090000", end: "20260311T095000", summary: `${SECRET_TITLE} ${code}` },
        { uid: "series-1@practice.example", tzid: TZ, recurrenceId: "20260324T170000", start: "20260324T170000", end: "20260324T175000", summary: `${SECRET_TITLE} ${code}`, status: "CANCELLED" },
        { uid: "extra-1@practice.example", tzid: TZ, start: "20260305T120000", end: "20260305T125000", summary: `Extra ${code}` },
      ]),
    });
    await poll(5);
    const rows = await checkIns("alice");
    expect(summary(rows)).toEqual([
      "2026-03-03T15:50:00.000Z 2026-03-03T16:00:00.000Z calendar scheduled",
      "2026-03-05T10:50:00.000Z 2026-03-05T11:00:00.000Z calendar scheduled",
      "2026-03-11T07:50:00.000Z 2026-03-11T08:00:00.000Z calendar scheduled",
      "2026-03-17T15:50:00.000Z 2026-03-17T16:00:00.000Z calendar cancelled",
      "2026-03-24T15:50:00.000Z 2026-03-24T16:00:00.000Z calendar cancelled",
      "2026-03-31T14:50:00.000Z 2026-03-31T15:00:00.000Z calendar scheduled",
    ]);

    // 3 March: the prompt goes out at 16:00 UTC.
    f.clock.set("2026-03-03T16:00:30Z");
    await f.engine.tick();
    expect(platform.to("alice")).toHaveLength(1);
    expect((platform.lastTo("alice")?.view as ConsentView).kind).toBe("consent");

    // The practice then moves that (past) session: the sent prompt is neither moved nor sent again.
    feed.set({
      kind: "ics",
      body: calendarText([
        weekly(code, { exdates: ["20260317T170000"] }),
        { uid: "series-1@practice.example", tzid: TZ, recurrenceId: "20260303T170000", start: "20260303T180000", end: "20260303T185000", summary: `${SECRET_TITLE} ${code}` },
        { uid: "series-1@practice.example", tzid: TZ, recurrenceId: "20260324T170000", start: "20260324T170000", end: "20260324T175000", summary: `${SECRET_TITLE} ${code}`, status: "CANCELLED" },
      ]),
    });
    await poll(5);
    const afterSend = await checkIns("alice");
    expect(afterSend[0]?.status).toBe("sent");
    expect(afterSend[0]?.sessionEndAt.toISOString()).toBe("2026-03-03T15:50:00.000Z");
    f.clock.advance(2 * 3600_000);
    await f.engine.tick();
    expect(platform.to("alice")).toHaveLength(1);

    // Cancelled sessions stay cancelled, never expired: they are no client miss.
    f.clock.set("2026-03-28T12:00:00Z");
    await f.engine.tick();
    const late = await checkIns("alice");
    const statusAt = (end: string) => late.find((r) => r.sessionEndAt.toISOString() === end)?.status;
    expect(statusAt("2026-03-17T15:50:00.000Z")).toBe("cancelled");
    expect(statusAt("2026-03-24T15:50:00.000Z")).toBe("cancelled");
    expect(await f.store.recentClosedCheckIns(late[0]!.enrollmentId, 10)).not.toContainEqual(expect.objectContaining({ status: "cancelled" }));

    // Nothing of the events, nor the address, is in the database: only hashes and times.
    if (TEST_DATABASE === "sqlite") {
      const file = f.databaseUrl.slice("file:".length);
      const bytes = Buffer.concat([file, `${file}-wal`].filter((p) => existsSync(p)).map((p) => readFileSync(p)));
      expect(bytes.length).toBeGreaterThan(10_000);
      for (const secret of ["Secretname", "panic attacks", "Office 3", "Dentist", "series-1@practice.example", "extra-1@practice", "s3cr3t-token", "calendar.ics"]) {
        expect(bytes.includes(Buffer.from(secret)), secret).toBe(false);
      }
      // The host is kept (it is shown in status), and the code, which the admin chose to share.
      expect(bytes.includes(Buffer.from("127.0.0.1"))).toBe(true);
      void path;
    }
  });
});

describe("a DST week in America/New_York, served over HTTP", () => {
  it("a weekly 10:00 session stays at 10:00 local across 8 March; a floating-time extra is read in the client's zone", async () => {
    const code = await enroll("carol", "calendar tz=America/New_York delay=15m");
    feed.set({
      kind: "ics",
      body: calendarText([
        { uid: "ny-weekly", tzid: "America/New_York", start: "20260305T100000", end: "20260305T105000", rrule: "FREQ=WEEKLY;COUNT=2", summary: `Carol Confidential ${code}` },
        { uid: "ny-extra", start: "20260306T090000", end: "20260306T094500", summary: `Extra ${code}` },
      ]),
    });
    expect((await f.command("bob", `calendar connect ${feed.url()}`)).refused).toBeFalsy();
    await poll(0.5);
    expect(summary(await checkIns("carol"))).toEqual([
      "2026-03-05T15:50:00.000Z 2026-03-05T16:05:00.000Z calendar scheduled", // EST, UTC-5
      "2026-03-06T14:45:00.000Z 2026-03-06T15:00:00.000Z calendar scheduled", // floating 09:45 in New York
      "2026-03-12T14:50:00.000Z 2026-03-12T15:05:00.000Z calendar scheduled", // EDT, UTC-4
    ]);
    const bytes = sqliteBytes(f.databaseUrl, readFileSync, existsSync);
    if (TEST_DATABASE === "sqlite") expect(bytes.length).toBeGreaterThan(10_000);
    for (const secret of ["Confidential", "ny-weekly", "ny-extra", "Extra CI"]) expect(bytes.includes(Buffer.from(secret)), secret).toBe(false);
  });
});
