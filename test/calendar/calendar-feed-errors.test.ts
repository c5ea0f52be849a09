// Calendar feeds that fail: HTTP errors, timeouts, oversize and non-ICS answers, and redirects to
// private addresses. Each keeps the check-ins as they were, shows in status, and a calendar that
// fails for over an hour tells the therapist and the admins once, and once when it recovers.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEngineFixture } from "../support/engine-fixture.ts";
import type { EngineFixture } from "../support/engine-fixture.ts";
import { RecordingPlatform } from "../support/recording-platform.ts";
import { readFileSync, existsSync } from "node:fs";
import { calendarText, sqliteBytes, startFeedServer } from "../support/ics.ts";
import type { FeedServer } from "../support/ics.ts";
import type { NoticeView } from "../../src/ports/chat-platform.ts";

const TZ = "Europe/Bucharest";

let f: EngineFixture;
let platform: RecordingPlatform;
let feed: FeedServer;

beforeEach(async () => {
  feed = await startFeedServer();
  platform = new RecordingPlatform();
  f = await createEngineFixture({ platform, start: "2026-03-02T08:00:00Z", calendar: { http: { allowAddresses: ["127.0.0.1"], timeoutMs: 300 } } });
});

afterEach(async () => {
  await f.dispose();
  await feed.close();
});

async function setUp(): Promise<string> {
  const reply = await f.command("dana", "enroll alice bob calendar tz=Europe/Bucharest", { admin: true });
  const code = /CI-[2-9A-HJ-NP-Z]{4}/.exec(reply.text)?.[0] as string;
  feed.set({ kind: "ics", body: feedFor(code), etag: '"v1"' });
  const connected = await f.command("bob", `calendar connect ${feed.url()}`);
  expect(connected.refused, connected.text).toBeFalsy();
  return code;
}

const feedFor = (code: string, start = "20260303T170000") =>
  calendarText([{ uid: "s1", tzid: TZ, start, end: start.replace(/T17/, "T17").replace(/0000$/, "5000"), rrule: "FREQ=WEEKLY;COUNT=3", summary: `Session ${code}` }]);

async function scheduled(): Promise<string[]> {
  const rows = await f.db.sql.query<Record<string, unknown>>(`SELECT "sessionEndAt", "status" FROM "CheckIn" ORDER BY "sessionEndAt"`);
  return rows.map((r) => `${new Date(typeof r.sessionEndAt === "number" ? r.sessionEndAt : String(r.sessionEndAt)).toISOString()} ${String(r.status)}`);
}

const notices = (userId: string) => platform.to(userId).map((m) => (m.view as NoticeView).text);

/** Moves the clock to the calendar's next poll and runs it; returns the poll stats. */
async function nextPoll() {
  const calendar = await f.engine.context.calendars!.store.calendarOfTherapist((await f.store.findPerson((await f.store.ensurePractice("terminal", "local")).id, "bob"))!.id);
  if (calendar!.nextPollAt > f.clock.now()) f.clock.set(calendar!.nextPollAt.toISOString());
  const report = await f.engine.tick();
  expect(report.calendars?.polled).toBe(1);
  return report.calendars!;
}

describe("a feed that fails and comes back", () => {
  it("500, then a timeout: check-ins kept, back-off, one notice after an hour, one on recovery", async () => {
    const code = await setUp();
    await nextPoll();
    const before = await scheduled();
    expect(before).toHaveLength(3);

    feed.set({ kind: "status", status: 500 });
    const first = await nextPoll();
    expect(first.failed).toBe(1);
    expect(await scheduled()).toEqual(before);
    let status = await f.command("bob", "calendar status");
    expect(status.text).toContain("HTTP status 500");

    // Back-off: the next read waits longer after each failure in a row.
    const gaps: number[] = [];
    feed.set({ kind: "hang" });
    let last = f.clock.now().getTime();
    while (notices("bob").length === 0) {
      const stats = await nextPoll();
      expect(stats.failed).toBe(1);
      gaps.push(f.clock.now().getTime() - last);
      last = f.clock.now().getTime();
      expect(gaps.length).toBeLessThan(10);
    }
    // After the 500 (one failure): 5 min; then 10, 20, 40 min … (capped at an hour).
    expect(gaps.slice(0, 4)).toEqual([300_000, 600_000, 1_200_000, 2_400_000]);
    status = await f.command("bob", "calendar status");
    expect(status.text).toContain("did not answer in time");
    expect(status.text).toMatch(/Failing since/);
    expect(await scheduled()).toEqual(before);
    // One notice to the therapist and one to the admin, naming the host, never the address.
    expect(notices("bob")).toHaveLength(1);
    expect(notices("dana")).toHaveLength(1);
    expect(notices("bob")[0]).toMatch(/127\.0\.0\.1.*not been readable for over an hour/);
    expect(notices("bob")[0]).not.toContain("s3cr3t");

    // Still failing: no second notice.
    feed.set({ kind: "status", status: 503 });
    await nextPoll();
    expect(notices("bob")).toHaveLength(1);
    expect(notices("dana")).toHaveLength(1);

    // Back, with a moved series: check-ins follow again, and one recovery notice each.
    feed.set({ kind: "ics", body: feedFor(code, "20260303T180000"), etag: '"v2"' });
    const recovered = await nextPoll();
    expect(recovered.succeeded).toBe(1);
    expect(notices("bob")).toHaveLength(2);
    expect(notices("bob")[1]).toMatch(/can be read again/);
    expect(notices("dana")).toHaveLength(2);
    // The whole series moved an hour: its occurrences are new ones, the old ones are cancelled.
    expect((await scheduled()).slice(0, 2)).toEqual(["2026-03-03T15:50:00.000Z cancelled", "2026-03-03T16:50:00.000Z scheduled"]);
    await nextPoll();
    expect(notices("bob")).toHaveLength(2);
    status = await f.command("bob", "calendar status");
    expect(status.text).toContain("Last error: none");
  });

  it("a failure shorter than an hour sends no notice", async () => {
    const code = await setUp();
    await nextPoll();
    feed.set({ kind: "status", status: 500 });
    await nextPoll();
    await nextPoll();
    feed.set({ kind: "ics", body: feedFor(code), etag: '"v1"' });
    await nextPoll();
    expect(notices("bob")).toEqual([]);
    expect(notices("dana")).toEqual([]);
  });
});

describe("feeds that are refused", () => {
  it("a 6 MB feed, a page that is not ICS and a redirect to a private address: errors in status, check-ins untouched", async () => {
    const code = await setUp();
    await nextPoll();
    const before = await scheduled();

    const big = calendarText([
      { uid: "s1", tzid: TZ, start: "20260310T090000", end: "20260310T095000", summary: `Session ${code}` },
      `X-PADDING:${"x".repeat(6 * 1024 * 1024)}`,
    ]);
    feed.set({ kind: "raw", body: big, contentType: "text/calendar" });
    expect((await nextPoll()).failed).toBe(1);
    expect((await f.command("bob", "calendar status")).text).toContain("larger than 5 MB");

    feed.set({ kind: "raw", body: "<!doctype html><html><body>Please sign in</body></html>", contentType: "text/html" });
    expect((await nextPoll()).failed).toBe(1);
    expect((await f.command("bob", "calendar status")).text).toContain("is not an iCalendar (ICS) file");

    feed.set({ kind: "redirect", location: "http://10.20.30.40/feed.ics" });
    expect((await nextPoll()).failed).toBe(1);
    expect((await f.command("bob", "calendar status")).text).toContain("private network address");

    feed.set({ kind: "redirect", location: "http://169.254.169.254/latest/meta-data/" });
    expect((await nextPoll()).failed).toBe(1);
    expect((await f.command("bob", "calendar status")).text).toContain("private network address");
    expect(await scheduled()).toEqual(before);
    // Nothing of the feeds' text, nor the address, was stored.
    const bytes = sqliteBytes(f.databaseUrl, readFileSync, existsSync);
    if (f.databaseUrl.startsWith("file:")) expect(bytes.length).toBeGreaterThan(10_000);
    for (const secret of ["Session CI-", "Please sign in", "X-PADDING", "s3cr3t-token", "10.20.30.40", "meta-data"]) expect(bytes.includes(Buffer.from(secret)), secret).toBe(false);
  });

  it("uses ETag and If-Modified-Since; a 304 keeps following sessions that enter the horizon", async () => {
    const code = await setUp();
    feed.set({ kind: "ics", body: calendarText([{ uid: "s1", tzid: TZ, start: "20260303T170000", end: "20260303T175000", rrule: "FREQ=WEEKLY;COUNT=10", summary: code }]), etag: '"v1"', lastModified: "Sun, 01 Mar 2026 10:00:00 GMT" });
    await nextPoll();
    expect(await scheduled()).toHaveLength(5);
    expect(feed.requests.at(-1)?.ifNoneMatch).toBeNull();
    f.clock.advance(6 * 86_400_000);
    await nextPoll();
    expect(feed.requests.at(-1)?.ifNoneMatch).toBe('"v1"');
    expect(feed.requests.at(-1)?.ifModifiedSince).toBe("Sun, 01 Mar 2026 10:00:00 GMT");
    // Unchanged feed (304), and one more week inside the 35-day horizon.
    expect(await scheduled()).toHaveLength(6);
  });
});

describe("connecting", () => {
  it("refuses addresses that are not http(s) or point at private networks, with the reason, without echoing the address", async () => {
    const strict = await createEngineFixture({ platform: new RecordingPlatform(), start: "2026-03-02T08:00:00Z" });
    try {
      await strict.command("dana", "enroll alice bob calendar", { admin: true });
      for (const [url, reason] of [
        [feed.url(), /private network address/],
        ["http://localhost:9/x.ics", /private network address/],
        ["http://[::1]/x.ics", /private network address/],
        ["http://10.0.0.5/x.ics", /private network address/],
        ["ftp://calendar.example.com/secret-abc.ics", /http:\/\/ or https:\/\//],
        ["file:///etc/passwd", /http:\/\/ or https:\/\//],
        ["https://user:pw@calendar.example.com/secret-abc.ics", /http:\/\/ or https:\/\//],
        ["not-a-url", /http:\/\/ or https:\/\//],
      ] as const) {
        const reply = await strict.command("bob", `calendar connect ${url}`);
        expect(reply.refused, url).toBe(true);
        expect(reply.text).toMatch(reason);
        expect(reply.text).not.toContain("secret-abc");
        expect(reply.text).not.toContain("s3cr3t");
      }
      expect((await strict.command("bob", "calendar status")).text).toMatch(/No calendar is connected/);
    } finally {
      await strict.dispose();
    }
  });

  it("who may connect: the therapist, an admin naming the therapist; not a client or a stranger", async () => {
    await f.command("dana", "enroll alice bob calendar", { admin: true });
    expect((await f.command("alice", `calendar connect ${feed.url()}`)).refused).toBe(true);
    expect((await f.command("mallory", `calendar status`)).text).toMatch(/can't do that/);
    const adminWithoutName = await f.command("dana", `calendar connect ${feed.url()}`, { admin: true });
    expect(adminWithoutName.refused).toBe(true);
    expect(adminWithoutName.text).toContain("Name the therapist");
    expect((await f.command("dana", `calendar connect ${feed.url()} alice`, { admin: true })).text).toContain("is not a therapist");
    const byAdmin = await f.command("dana", `calendar connect ${feed.url()} bob`, { admin: true });
    expect(byAdmin.refused, byAdmin.text).toBeFalsy();
    expect(byAdmin.text).toContain("@bob");
    expect((await f.command("bob", "calendar status")).text).toContain("Calendar of @bob: 127.0.0.1");
    // Another therapist cannot see or remove it.
    await f.command("dana", "enroll carol erin tue 10:00 50m", { admin: true });
    expect((await f.command("erin", "calendar disconnect bob")).refused).toBe(true);
    const off = await f.command("bob", "calendar disconnect");
    expect(off.refused).toBeFalsy();
    expect((await f.command("bob", "calendar status")).text).toMatch(/No calendar is connected/);
  });
});
