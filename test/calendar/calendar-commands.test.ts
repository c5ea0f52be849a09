// Calendar status, disconnect, schedule=both, trend marks and log hygiene, on a real engine.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Writable } from "node:stream";
import { createEngineFixture } from "../support/engine-fixture.ts";
import type { EngineFixture } from "../support/engine-fixture.ts";
import { RecordingPlatform } from "../support/recording-platform.ts";
import { calendarText, startFeedServer } from "../support/ics.ts";
import type { FeedServer } from "../support/ics.ts";
import { createLogger } from "../../src/runtime/logger.ts";
import type { ConsentView, PromptView } from "../../src/ports/chat-platform.ts";
import { randomBytes } from "node:crypto";
import { AesGcmCommentCipher } from "../../src/security/comment-cipher.ts";
import { rotateCalendarAddresses } from "../../src/privacy/key-rotation.ts";

const TZ = "Europe/Bucharest";
let f: EngineFixture;
let platform: RecordingPlatform;
let feed: FeedServer;
let logText = "";

beforeEach(async () => {
  feed = await startFeedServer();
  platform = new RecordingPlatform();
  logText = "";
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logText += String(chunk);
      done();
    },
  });
  f = await createEngineFixture({
    platform,
    start: "2026-03-02T08:00:00Z",
    logger: createLogger({ level: "trace", destination: sink }),
    calendar: { http: { allowAddresses: ["127.0.0.1"], timeoutMs: 300 } },
  });
});

afterEach(async () => {
  await f.dispose();
  await feed.close();
});

const codeOf = (text: string) => /CI-[2-9A-HJ-NP-Z]{4}/.exec(text)?.[0] as string;

async function poll(): Promise<void> {
  const report = await f.engine.tick();
  expect(report.calendars?.polled, "a calendar poll was due").toBe(1);
}

async function rowsOf(client: string) {
  const practice = await f.store.ensurePractice("terminal", "local");
  const person = await f.store.findPerson(practice.id, client);
  const enrollment = await f.store.currentEnrollmentForClient(person!.id);
  const ids = await f.db.sql.query<{ id: string }>(`SELECT "id" FROM "CheckIn" WHERE "enrollmentId" = ? ORDER BY "sessionEndAt"`, [enrollment!.id]);
  return Promise.all(ids.map(async (r) => (await f.store.getCheckIn(r.id))!));
}

describe("calendar status and disconnect", () => {
  it("status shows the last read, the last error and upcoming sessions per client by handle; disconnect cancels them", async () => {
    const alice = codeOf((await f.command("dana", "enroll alice bob calendar tz=Europe/Bucharest", { admin: true })).text);
    const carol = codeOf((await f.command("dana", "enroll carol bob wed 10:00 50m tz=Europe/Bucharest", { admin: true })).text);
    feed.set({
      kind: "ics",
      body: calendarText([
        { uid: "a", tzid: TZ, start: "20260303T170000", end: "20260303T175000", rrule: "FREQ=WEEKLY;COUNT=3", summary: `Alice Private-Surname ${alice}` },
        // Carol follows her weekly rule only: her code in the calendar changes nothing.
        { uid: "c", tzid: TZ, start: "20260305T100000", end: "20260305T105000", summary: `Carol ${carol}` },
      ]),
    });
    expect((await f.command("bob", "calendar status")).text).toMatch(/No calendar is connected for @bob/);
    await f.command("bob", `calendar connect ${feed.url()}`);
    f.clock.advance(10_000);
    await poll();
    const status = await f.command("bob", "calendar status");
    expect(status.refused).toBeFalsy();
    const lines = status.text.split("\n");
    expect(lines[0]).toBe("Calendar of @bob: 127.0.0.1");
    expect(lines[1]).toBe("Last successful read: Mon 2 Mar, 08:00");
    expect(lines[2]).toBe("Last error: none");
    expect(status.text).toContain(`@alice (${alice}): 3 upcoming sessions`);
    expect(status.text).toContain(`@carol (${carol}): follows the weekly rule only`);
    expect(status.text).not.toContain("Private-Surname");
    expect(status.text).not.toContain("s3cr3t");
    // An admin sees the same for the named therapist.
    expect((await f.command("dana", "calendar status bob", { admin: true })).text).toContain(`@alice (${alice}): 3 upcoming sessions`);

    const off = await f.command("bob", "calendar disconnect");
    expect(off.text).toContain("3 upcoming calendar check-ins were cancelled");
    expect((await rowsOf("alice")).map((r) => r.status)).toEqual(["cancelled", "cancelled", "cancelled"]);
    // Carol's weekly check-in is untouched.
    expect((await rowsOf("carol")).map((r) => `${r.kind} ${r.status}`)).toEqual(["scheduled scheduled"]);
    expect((await f.command("bob", "calendar disconnect")).refused).toBe(true);

    // Nothing of the address or the events reached the logs, at any level.
    expect(logText.length).toBeGreaterThan(0);
    for (const secret of ["s3cr3t-token", "calendar.ics", "Private-Surname", "Alice "]) expect(logText, secret).not.toContain(secret);
  });
});

describe("schedule=both", () => {
  it("a session both the weekly rule and the calendar have gets one check-in; other weeks follow each", async () => {
    const code = codeOf((await f.command("dana", "enroll alice bob tue 17:00 50m tz=Europe/Bucharest schedule=both", { admin: true })).text);
    // The weekly rule's next session: Tue 3 March 17:50 local.
    expect((await rowsOf("alice")).map((r) => `${r.sessionEndAt.toISOString()} ${r.kind}`)).toEqual(["2026-03-03T15:50:00.000Z scheduled"]);
    feed.set({
      kind: "ics",
      body: calendarText([
        // 3 March as in the rule (same session), 10 March moved to 18:00, and an extra Thursday.
        { uid: "w3", tzid: TZ, start: "20260303T170000", end: "20260303T175000", summary: code },
        { uid: "w10", tzid: TZ, start: "20260310T180000", end: "20260310T185000", summary: code },
        { uid: "x5", tzid: TZ, start: "20260305T120000", end: "20260305T125000", summary: code },
      ]),
    });
    await f.command("bob", `calendar connect ${feed.url()}`);
    f.clock.advance(10_000);
    await poll();
    expect((await rowsOf("alice")).map((r) => `${r.sessionEndAt.toISOString()} ${r.kind} ${r.status}`)).toEqual([
      "2026-03-03T15:50:00.000Z calendar scheduled",
      "2026-03-05T10:50:00.000Z calendar scheduled",
      "2026-03-10T15:50:00.000Z scheduled scheduled",
      "2026-03-10T16:50:00.000Z calendar scheduled",
    ]);
    // Prompts go out through the weeks: one per session, the weekly 10 March one is dropped for the calendar's.
    for (const at of ["2026-03-03T16:01:00Z", "2026-03-05T11:01:00Z", "2026-03-10T16:01:00Z", "2026-03-10T17:01:00Z"]) {
      f.clock.set(at);
      await f.engine.tick();
    }
    const rows = await rowsOf("alice");
    // Sent (the first two have expired unanswered since).
    expect(rows.filter((r) => r.status === "sent" || r.status === "expired").map((r) => r.sessionEndAt.toISOString())).toEqual(["2026-03-03T15:50:00.000Z", "2026-03-05T10:50:00.000Z", "2026-03-10T16:50:00.000Z"]);
    expect(rows.find((r) => r.kind === "scheduled" && r.sessionEndAt.toISOString() === "2026-03-10T15:50:00.000Z")?.status).toBe("cancelled");
    expect(platform.to("alice")).toHaveLength(3);
    // The weekly rule goes on after the calendar's sessions.
    expect(rows.at(-1)).toMatchObject({ kind: "scheduled", status: "scheduled" });
    expect(rows.at(-1)?.sessionEndAt.toISOString()).toBe("2026-03-17T15:50:00.000Z");
  });
});

describe("schedule=both: the calendar decides the weeks it has", () => {
  const at = (rows: Awaited<ReturnType<typeof rowsOf>>) => rows.map((r) => `${r.sessionEndAt.toISOString()} ${r.kind} ${r.status}`);
  async function tickThrough(times: string[]): Promise<void> {
    for (const t of times) {
      f.clock.set(t);
      await f.engine.tick();
    }
  }

  it("an occurrence excluded by EXDATE from the first reading gets no weekly prompt", async () => {
    await f.command("dana", "settings quiet_hours off", { admin: true });
    const code = codeOf((await f.command("dana", "enroll alice bob tue 17:00 50m tz=Europe/Bucharest schedule=both", { admin: true })).text);
    feed.set({
      kind: "ics",
      body: calendarText([{ uid: "series", tzid: TZ, start: "20260303T170000", end: "20260303T175000", rrule: "FREQ=WEEKLY;COUNT=3", exdates: ["20260310T170000"], summary: code }]),
    });
    await f.command("bob", `calendar connect ${feed.url()}`);
    f.clock.advance(10_000);
    await poll();
    // 3, 10 and 17 March, each 17:50 local (15:50 UTC); the weekly rule's prompts are due at 16:00 UTC.
    await tickThrough(["2026-03-03T16:01:00Z", "2026-03-10T16:01:00Z", "2026-03-17T16:01:00Z"]);
    const rows = await rowsOf("alice");
    const tenth = rows.filter((r) => r.sessionEndAt.toISOString() === "2026-03-10T15:50:00.000Z");
    expect(tenth.length, at(rows).join("\n")).toBeGreaterThan(0);
    for (const row of tenth) expect(row.status, at(rows).join("\n")).toBe("cancelled");
    // One prompt each for 3 and 17 March, none for 10 March.
    expect(platform.to("alice"), at(rows).join("\n")).toHaveLength(2);
    expect(await f.store.recentClosedCheckIns(rows[0]!.enrollmentId, 10)).not.toContainEqual(expect.objectContaining({ status: "cancelled" }));
  });

  it("an occurrence deleted from the feed after it was read gets no weekly prompt, whichever row was made first", async () => {
    await f.command("dana", "settings quiet_hours off", { admin: true });
    const code = codeOf((await f.command("dana", "enroll alice bob tue 17:00 50m tz=Europe/Bucharest schedule=both", { admin: true })).text);
    const series = { uid: "series", tzid: TZ, start: "20260303T170000", end: "20260303T175000", summary: code };
    feed.set({ kind: "ics", body: calendarText([{ ...series, rrule: "FREQ=WEEKLY;COUNT=4" }]) });
    await f.command("bob", `calendar connect ${feed.url()}`);
    f.clock.advance(10_000);
    await poll();
    // The practice deletes 10 March (the series is cut and re-made without it) and 24 March (the rule is shortened).
    feed.set({
      kind: "ics",
      body: calendarText([
        { ...series, rrule: "FREQ=WEEKLY;COUNT=1" },
        { ...series, uid: "series-2", start: "20260317T170000", end: "20260317T175000" },
      ]),
    });
    f.clock.advance(300_000);
    await poll();
    await tickThrough(["2026-03-03T16:01:00Z", "2026-03-10T16:01:00Z", "2026-03-17T16:01:00Z", "2026-03-24T16:01:00Z", "2026-03-31T15:01:00Z"]);
    const rows = await rowsOf("alice");
    const sent = rows.filter((r) => r.status === "sent" || r.status === "expired").map((r) => r.sessionEndAt.toISOString());
    // 3 and 17 March from the calendar, 31 March from the weekly rule (the calendar has nothing that week).
    expect(sent, at(rows).join("\n")).toEqual(["2026-03-03T15:50:00.000Z", "2026-03-17T15:50:00.000Z", "2026-03-31T14:50:00.000Z"]);
    expect(platform.to("alice")).toHaveLength(3);
  });

  it("a calendar session read before the weekly rule reaches its week: the rule skips it, goes on after it, and sends nothing when it is deleted", async () => {
    await f.command("dana", "settings quiet_hours off", { admin: true });
    const code = codeOf((await f.command("dana", "enroll alice bob tue 17:00 50m tz=Europe/Bucharest schedule=both", { admin: true })).text);
    // Only 17 March is in the calendar, at the weekly rule's own time.
    feed.set({ kind: "ics", body: calendarText([{ uid: "one-off", tzid: TZ, start: "20260317T170000", end: "20260317T175000", summary: code }]) });
    await f.command("bob", `calendar connect ${feed.url()}`);
    f.clock.advance(10_000);
    await poll();
    await tickThrough(["2026-03-03T16:01:00Z", "2026-03-10T16:01:00Z"]);
    // The weekly rule's next session after 10 March is the calendar's 17 March one: it goes on with 24 March.
    expect(at(await rowsOf("alice")).slice(-2)).toEqual(["2026-03-17T15:50:00.000Z calendar scheduled", "2026-03-24T15:50:00.000Z scheduled scheduled"]);
    // The practice deletes the 17 March session.
    feed.set({ kind: "ics", body: calendarText([]) });
    f.clock.advance(300_000);
    await poll();
    await tickThrough(["2026-03-17T16:01:00Z", "2026-03-24T16:01:00Z"]);
    const rows = await rowsOf("alice");
    const sent = rows.filter((r) => r.status === "sent" || r.status === "expired").map((r) => r.sessionEndAt.toISOString());
    expect(sent, at(rows).join("\n")).toEqual(["2026-03-03T15:50:00.000Z", "2026-03-10T15:50:00.000Z", "2026-03-24T15:50:00.000Z"]);
    expect(rows.find((r) => r.sessionEndAt.toISOString() === "2026-03-17T15:50:00.000Z")?.status).toBe("cancelled");
    expect(platform.to("alice")).toHaveLength(3);
    expect(rows.at(-1)?.sessionEndAt.toISOString()).toBe("2026-03-31T14:50:00.000Z");
  });
});

describe("trend", () => {
  it("marks the sessions that came from the calendar", async () => {
    await f.command("dana", "settings quiet_hours off", { admin: true });
    const code = codeOf((await f.command("dana", "enroll alice bob mon 09:00 50m tz=UTC schedule=both", { admin: true })).text);
    feed.set({ kind: "ics", body: calendarText([{ uid: "x", start: "20260303T120000Z", end: "20260303T125000Z", summary: code }]) });
    await f.command("bob", `calendar connect ${feed.url()}`);
    f.clock.advance(10_000);
    await poll();
    const answer = async (at: string) => {
      f.clock.set(at);
      await f.engine.tick();
      let view = platform.lastTo("alice")?.view as ConsentView | PromptView;
      if (view.kind === "consent") {
        await f.press("alice", view.accept.actionId);
        view = platform.lastTo("alice")?.view as PromptView;
      }
      for (let i = 0; i < 3; i++) await f.press("alice", view.rows[i]!.options[3]!.actionId);
    };
    await answer("2026-03-02T10:00:00Z"); // weekly Monday session
    await answer("2026-03-03T13:00:00Z"); // the calendar's Tuesday session
    const trend = await f.command("bob", "trend alice");
    const lines = trend.text.split("\n");
    expect(lines.find((l) => l.startsWith("Mon 2 Mar"))).not.toContain("[calendar]");
    expect(lines.find((l) => l.startsWith("Tue 3 Mar"))).toContain("[calendar]");
    expect(trend.text).toContain("[calendar] = a session from the therapist's calendar.");
  });
});

describe("key rotation", () => {
  it("re-encrypts calendar addresses under the new key, each once", async () => {
    await f.command("dana", "enroll alice bob calendar", { admin: true });
    feed.set({ kind: "ics", body: calendarText([]) });
    await f.command("bob", `calendar connect ${feed.url()}`);
    const calendars = f.engine.context.calendars!.store;
    const before = (await f.db.sql.query<{ urlCipher: string; urlKeyId: string }>(`SELECT "urlCipher", "urlKeyId" FROM "Calendar"`))[0]!;
    expect(before.urlKeyId).toBe(f.cipher.currentKeyId);
    expect(before.urlCipher).not.toContain("127.0.0.1");
    const newKey = randomBytes(32);
    const rotating = new AesGcmCommentCipher(newKey, [f.key]);
    expect(await rotateCalendarAddresses(calendars, rotating)).toEqual({ reencrypted: 1, skipped: 0, failed: 0, missingKeyIds: [] });
    const after = (await f.db.sql.query<{ urlCipher: string; urlKeyId: string }>(`SELECT "urlCipher", "urlKeyId" FROM "Calendar"`))[0]!;
    expect(after.urlKeyId).toBe(rotating.currentKeyId);
    expect(new AesGcmCommentCipher(newKey).decrypt(after.urlCipher, after.urlKeyId)).toBe(feed.url());
    // A second run finds nothing to do; a cipher without the old key reports what it could not read.
    expect(await rotateCalendarAddresses(calendars, rotating)).toMatchObject({ reencrypted: 0, failed: 0 });
    expect(await rotateCalendarAddresses(calendars, new AesGcmCommentCipher(randomBytes(32)))).toMatchObject({ reencrypted: 0, failed: 1, missingKeyIds: [rotating.currentKeyId] });
  });
});
