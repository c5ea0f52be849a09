// Calendar parse-and-reconcile benchmark, in a fresh process (peak RSS belongs to it alone).
// Usage: calendar-worker.ts <provider> <databaseUrl> [json options]. Prints one JSON line.
//
// Load: `calendars` therapists, `clients` calendar-following clients each, a year of weekly
// sessions per client (26 weeks back, 26 ahead) with exceptions: half the clients as one RRULE
// series with a moved occurrence, a cancelled one and an EXDATE, half as one VEVENT per session
// (as practice-management systems export them) with one cancelled; plus unrelated events.
// Feeds are written to files first and read from disk by both sides.
//
// Baseline (same run, same files, its own process), with {"part":"baseline"}: node-ical
// (ical.sync.parseICS) parsing each file alone, the baseline the calendar issue names; and, as a
// second figure, ical.js (the bot's own parser: ICAL.parse + Component) doing the same; both
// parsers are loaded by that part only. Bot ({"part":"bot"}): the bot as buildBot makes it (the
// modules the bot loads, nothing else), seeded directly, then the engine's real poll path for
// every calendar (claim under lease, decrypt the address, read the feed, parse, expand, match
// codes, reconcile against the database, record the poll), once on a fresh database (it creates
// the check-ins) and then steadily (nothing changed).

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomBytes, randomUUID } from "node:crypto";
import { buildBot } from "../src/app.ts";
import type { Provider } from "../src/store/database.ts";
import { ManualClock } from "../src/ports/clock.ts";
import { silentLogger } from "../src/ports/logger.ts";
import { AesGcmCommentCipher } from "../src/security/comment-cipher.ts";
import { DEFAULT_ENGINE_OPTIONS } from "../src/core/context.ts";
import type { CalendarFetcher, CalendarFetchResult } from "../src/ports/calendar.ts";
import type { SqlConnection } from "../src/store/database.ts";
import { pollCalendars } from "../src/core/calendar/poll.ts";
import { CALENDAR_CODE_ALPHABET, readCalendarFeed } from "../src/core/calendar/feed.ts";
import { CountingPlatform, peakRssMb, round } from "./support.ts";

const [providerArg, url, optionsJson] = process.argv.slice(2);
const provider = providerArg as Provider;
const options = JSON.parse(optionsJson ?? "{}") as Record<string, number>;
const CALENDARS = options.calendars ?? 200;
const CLIENTS = options.clients ?? 40;
/** "baseline" (the parser alone) or "bot"; each runs in its own process so peak RSS is its own. */
const PART = (JSON.parse(optionsJson ?? "{}") as { part?: string }).part ?? "bot";
const NOW = new Date("2026-06-01T06:00:00Z");
const TZ = "Europe/Bucharest";
const WEEK = 7 * 86_400_000;

const code = (n: number) => `CI-${[0, 1, 2, 3].map((k) => CALENDAR_CODE_ALPHABET[Math.floor(n / CALENDAR_CODE_ALPHABET.length ** k) % CALENDAR_CODE_ALPHABET.length]).join("")}`;
const pad = (n: number) => String(n).padStart(2, "0");
/** Local wall time as ICS text (yyyyMMddTHHmmss), from a UTC-fields Date. */
const wall = (d: Date) => `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}00`;

function feedText(calendar: number, codes: string[]): string {
  const lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//bench//calendar//EN"];
  const event = (uid: string, start: Date, minutes: number, summary: string, extra: string[] = []) => {
    const end = new Date(start.getTime() + minutes * 60_000);
    lines.push("BEGIN:VEVENT", `UID:${uid}`, "DTSTAMP:20260101T000000Z", `DTSTART;TZID=${TZ}:${wall(start)}`, `DTEND;TZID=${TZ}:${wall(end)}`, `SUMMARY:${summary}`, "DESCRIPTION:Notes are kept in the practice system.", "LOCATION:Office", ...extra, "END:VEVENT");
  };
  codes.forEach((c, i) => {
    const first = new Date(Date.UTC(2025, 11, 1 + (i % 7), 8 + (i % 10), (i % 2) * 30)); // a local wall time, 26 weeks before NOW
    if (i % 2 === 0) {
      const uid = `series-${calendar}-${i}@bench`;
      const moved = new Date(first.getTime() + 27 * WEEK);
      const cancelled = new Date(first.getTime() + 28 * WEEK);
      const excluded = new Date(first.getTime() + 29 * WEEK);
      event(uid, first, 50, `Session ${c}`, ["RRULE:FREQ=WEEKLY;COUNT=52", `EXDATE;TZID=${TZ}:${wall(excluded)}`]);
      event(uid, new Date(moved.getTime() + 86_400_000), 50, `Session ${c}`, [`RECURRENCE-ID;TZID=${TZ}:${wall(moved)}`]);
      event(uid, cancelled, 50, `Session ${c}`, [`RECURRENCE-ID;TZID=${TZ}:${wall(cancelled)}`, "STATUS:CANCELLED"]);
    } else {
      for (let w = 0; w < 52; w++) event(`appt-${calendar}-${i}-${w}@bench`, new Date(first.getTime() + w * WEEK), 50, `Appointment ${c}`, w === 28 ? ["STATUS:CANCELLED"] : []);
    }
  });
  for (let k = 0; k < 20; k++) event(`other-${calendar}-${k}@bench`, new Date(Date.UTC(2026, 5, 1 + k, 12)), 60, "Supervision");
  lines.push("END:VCALENDAR", "");
  return lines.join("\r\n");
}

async function insertRows(sql: SqlConnection, table: string, columns: string[], rows: unknown[][]): Promise<void> {
  const chunk = Math.floor(8000 / columns.length);
  for (let i = 0; i < rows.length; i += chunk) {
    const part = rows.slice(i, i + chunk);
    await sql.execute(`INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES ${part.map(() => `(${columns.map(() => "?").join(", ")})`).join(", ")}`, part.flat());
  }
}

/** The practice, therapists, clients, enrollments and calendars, written directly; the rows are not kept. */
async function seed(sql: SqlConnection, cipher: AesGcmCommentCipher, codesOf: string[][]): Promise<void> {
  const practiceId = randomUUID();
  const people: unknown[][] = [];
  const enrollments: unknown[][] = [];
  const calendars: unknown[][] = [];
  const connectedAt = new Date(NOW.getTime() - 86_400_000);
  for (let c = 0; c < CALENDARS; c++) {
    const therapistId = randomUUID();
    people.push([therapistId, practiceId, `t${c}`, false, true, false, null, null, NOW, NOW]);
    const sealed = cipher.encrypt(`https://calendar.example.com/cal-${c}.ics`);
    calendars.push([randomUUID(), practiceId, therapistId, sealed.cipher, sealed.keyId, "calendar.example.com", NOW, 0, 0, connectedAt, NOW, NOW]);
    codesOf[c]!.forEach((clientCode, i) => {
      const clientId = randomUUID();
      people.push([clientId, practiceId, `c${c}-${i}`, false, false, true, DEFAULT_ENGINE_OPTIONS.consentVersion, NOW, NOW, NOW]);
      enrollments.push([randomUUID(), practiceId, clientId, therapistId, "active", "", "00:00", 0, TZ, 10, 240, 2880, "", "calendar", clientCode, NOW, NOW]);
    });
  }
  await sql.transaction(async (tx) => {
    await tx.execute(`INSERT INTO "Practice" ("id", "platform", "externalId", "locale", "timeZone", "settings", "createdAt", "updatedAt") VALUES (?, 'terminal', 'local', 'en', ?, '{}', ?, ?)`, [practiceId, TZ, NOW, NOW]);
    await insertRows(tx, "Person", ["id", "practiceId", "platformUserId", "isAdmin", "isTherapist", "isClient", "consentVersion", "consentAt", "createdAt", "updatedAt"], people);
    await insertRows(
      tx,
      "Enrollment",
      ["id", "practiceId", "clientId", "therapistId", "status", "weekdays", "startTime", "sessionMinutes", "timeZone", "delayMinutes", "reminderMinutes", "windowMinutes", "skipDates", "scheduleSource", "calendarCode", "createdAt", "updatedAt"],
      enrollments,
    );
    await insertRows(tx, "Calendar", ["id", "practiceId", "therapistId", "urlCipher", "urlKeyId", "host", "nextPollAt", "attempt", "failures", "connectedAt", "createdAt", "updatedAt"], calendars);
  });
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), "bench-calendars-"));
  const files: string[] = [];
  const codesOf: string[][] = [];
  let bytes = 0;
  for (let c = 0; c < CALENDARS; c++) {
    const codes = Array.from({ length: CLIENTS }, (_, i) => code(c * CLIENTS + i));
    codesOf.push(codes);
    const file = path.join(dir, `cal-${c}.ics`);
    const text = feedText(c, codes);
    bytes += text.length;
    writeFileSync(file, text);
    files.push(file);
  }

  // Baseline: a parser alone over the same files, three rounds each, the median reported.
  if (PART === "baseline") {
    // Loaded here only: the bot never loads node-ical, so the bot part's process must not either.
    const { default: nodeIcal } = await import("node-ical");
    const { default: ICAL } = await import("ical.js");
    const timed = (parseFile: (text: string) => number): number[] => {
      const rounds: number[] = [];
      for (let round_ = 0; round_ < 3; round_++) {
        const started = performance.now();
        let events = 0;
        for (const file of files) events += parseFile(readFileSync(file, "utf8"));
        rounds.push(performance.now() - started);
        if (events === 0) throw new Error("no events parsed");
      }
      return rounds;
    };
    const nodeIcalRounds = timed((text) => Object.values(nodeIcal.sync.parseICS(text)).filter((c) => c?.type === "VEVENT").length);
    const nodeIcalPeakRssMb = peakRssMb();
    const icalJsRounds = timed((text) => new ICAL.Component(ICAL.parse(text) as ConstructorParameters<typeof ICAL.Component>[0]).getAllSubcomponents("vevent").length);
    const median = (rounds: number[]) => round([...rounds].sort((a, b) => a - b)[1] as number);
    rmSync(dir, { recursive: true, force: true });
    process.stdout.write(
      `${JSON.stringify({
        part: "baseline",
        parser: "node-ical (sync.parseICS)",
        feedMegabytes: round(bytes / 1048576, 1),
        baselineParseMs: median(nodeIcalRounds),
        baselineParseRunsMs: nodeIcalRounds.map((v) => round(v)),
        peakRssMb: nodeIcalPeakRssMb,
        icalJs: { what: "ical.js (the bot's parser) parsing the same files alone, after node-ical in the same process", parseMs: median(icalJsRounds), parseRunsMs: icalJsRounds.map((v) => round(v)) },
      })}\n`,
    );
    return;
  }
  const clock = new ManualClock(NOW.toISOString());
  const cipher = new AesGcmCommentCipher(randomBytes(32));
  const fetcher: CalendarFetcher = {
    async check(address) {
      return { ok: true, host: new URL(address).hostname };
    },
    async fetch(address): Promise<CalendarFetchResult> {
      return { status: "ok", body: readFileSync(path.join(dir, new URL(address).pathname.slice(1)), "utf8"), etag: null, lastModified: null };
    },
  };
  const bot = await buildBot({ databaseUrl: url!, cipher, logger: silentLogger, clock, calendar: { fetcher, options: { batchSize: 20 } } });
  bot.platforms.set("terminal", new CountingPlatform());
  const sql = bot.db.sql;
  await seed(sql, cipher, codesOf);

  const ctx = bot.engine.context;
  const services = ctx.calendars!;
  const pollAll = async () => {
    const started = performance.now();
    const totals = { polled: 0, failed: 0, created: 0, moved: 0, cancelled: 0 };
    for (;;) {
      const stats = await pollCalendars(ctx, services);
      totals.polled += stats.polled;
      totals.failed += stats.failed;
      totals.created += stats.changes.created;
      totals.moved += stats.changes.moved;
      totals.cancelled += stats.changes.cancelled;
      if (stats.polled === 0) break;
    }
    return { ms: performance.now() - started, ...totals };
  };

  const first = await pollAll();
  if (first.polled !== CALENDARS || first.failed > 0) throw new Error(`first pass polled ${first.polled}, failed ${first.failed}`);
  const steadyRounds: { ms: number; polled: number; created: number }[] = [];
  for (let r = 0; r < 3; r++) {
    clock.advance(services.options.pollSeconds * 1000);
    // The per-process reading cache is dropped so every poll parses its feed in full, as after a change.
    services.readings.clear();
    steadyRounds.push(await pollAll());
  }
  const steady = [...steadyRounds].sort((a, b) => a.ms - b.ms)[1]!;
  const [rows] = await sql.query<{ n: number }>(`SELECT COUNT(*) AS "n" FROM "CheckIn"`);
  await bot.close();
  // Peak RSS of the poll path, before the breakdown below adds its own allocations.
  const pollPeakRssMb = peakRssMb();

  // Breakdown: the bot's reading of the same files without the database: parse, expand, match, hash.
  const readRounds: number[] = [];
  const window = { from: new Date(NOW.getTime() - 25 * 3600_000), to: new Date(NOW.getTime() + 42 * 86_400_000) };
  for (let round_ = 0; round_ < 3; round_++) {
    const started = performance.now();
    let sessions = 0;
    files.forEach((file, c) => {
      const result = readCalendarFeed(readFileSync(file, "utf8"), { calendarId: `c${c}`, codes: new Map(codesOf[c]!.map((k) => [k, TZ])), window });
      if (result.ok) sessions += result.sessions.length;
    });
    readRounds.push(performance.now() - started);
    if (sessions === 0) throw new Error("no sessions read");
  }
  const readMs = [...readRounds].sort((a, b) => a - b)[1] as number;


  rmSync(dir, { recursive: true, force: true });

  process.stdout.write(
    `${JSON.stringify({
      calendars: CALENDARS,
      clientsPerCalendar: CLIENTS,
      feedMegabytes: round(bytes / 1048576, 1),
      part: "bot",
      feedReadMs: round(readMs),
      feedReadRunsMs: readRounds.map((v) => round(v)),
      firstPollMs: round(first.ms),
      checkInsCreated: first.created,
      checkInRows: Number(rows?.n),
      steadyPollMs: round(steady.ms),
      steadyPollRunsMs: steadyRounds.map((s) => round(s.ms)),
      steadyChanges: steady.created,
      peakRssMb: pollPeakRssMb,
      peakRssWithBreakdownMb: peakRssMb(),
    })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
