// Two real bot processes on one PostgreSQL database follow one therapist's calendar. The calendar
// server answers slowly and counts requests in flight: exactly one process may read the
// calendar at a time, and each session in it gets exactly one check-in and one prompt.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { openDatabase } from "../../src/store/database.ts";
import type { OpenDatabase } from "../../src/store/database.ts";
import { readSinkLog } from "../../src/runtime/sink-platform.ts";
import { describePostgres } from "../support/pg-suite.ts";
import { postEvent, spawnBot, waitFor } from "../support/bot-process.ts";
import type { BotProcess } from "../support/bot-process.ts";
import { calendarText } from "../support/ics.ts";


/** yyyyMMddTHHmmssZ of an instant, for UTC event times. */
const icsUtc = (at: Date) => at.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");

await describePostgres("calendar polling across replicas", (database) => {
  let db: OpenDatabase;
  let dir: string;
  let server: http.Server;
  let body = "";
  let inFlight = 0;
  let maxInFlight = 0;
  let requests = 0;
  const bots: BotProcess[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "checkin-calendar-replicas-"));
    server = http.createServer((_req, res) => {
      requests++;
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      // Slow enough that two processes polling at once would overlap.
      setTimeout(() => {
        inFlight--;
        res.writeHead(200, { "content-type": "text/calendar" });
        res.end(body);
      }, 250);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  });

  afterAll(async () => {
    for (const bot of bots) bot.kill();
    await Promise.all(bots.map((b) => b.exited));
    await db?.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  it("one poller at a time, one check-in and one prompt per session", async () => {
    const sinkFile = path.join(dir, "sent.log");
    db = await openDatabase(database().url);
    const env = { DATABASE_URL: database().url, CHAT_SINK_FILE: sinkFile, CALENDAR_POLL_SECONDS: "1", CALENDAR_ALLOW_PRIVATE: "1" };
    bots.push(spawnBot(env), spawnBot(env));
    const ports = await Promise.all(bots.map((b) => b.ready));
    const actor = (userId: string, admin = false) => ({ platform: "terminal", workspaceId: "local", userId, isPlatformAdmin: admin });

    // Prompts go out at any hour in this test.
    expect((await postEvent(ports[0]!, { type: "command", actor: actor("dana", true), text: "settings quiet_hours off" })).refused).toBeFalsy();
    const enrolled = await postEvent(ports[0]!, { type: "command", actor: actor("dana", true), text: "enroll alice bob calendar delay=0m" });
    expect(enrolled.refused, enrolled.text).toBeFalsy();
    const code = /CI-[2-9A-HJ-NP-Z]{4}/.exec(enrolled.text)?.[0] as string;
    const second = await postEvent(ports[1]!, { type: "command", actor: actor("dana", true), text: "enroll carol bob calendar delay=0m" });
    const carolCode = /CI-[2-9A-HJ-NP-Z]{4}/.exec(second.text)?.[0] as string;
    expect(carolCode).not.toBe(code);
    // Two clients' sessions that end a few seconds from now, and one of Alice's next week.
    const now = Date.now();
    const soon = new Date(now + 4000);
    const later = new Date(now + 7000);
    body = calendarText([
      { uid: "a", start: icsUtc(new Date(soon.getTime() - 50 * 60_000)), end: icsUtc(soon), summary: `Session ${code}` },
      { uid: "b", start: icsUtc(new Date(later.getTime() - 50 * 60_000)), end: icsUtc(later), summary: `Session ${carolCode}` },
      { uid: "c", start: icsUtc(new Date(now + 7 * 86_400_000)), duration: "PT50M", summary: `Session ${code}` },
    ]);
    const connected = await postEvent(ports[1]!, { type: "command", actor: actor("bob"), text: `calendar connect http://127.0.0.1:${(server.address() as AddressInfo).port}/cal/secret.ics` });
    expect(connected.refused, connected.text).toBeFalsy();

    const state = async () =>
      JSON.stringify({
        requests,
        rows: await db.sql.query(`SELECT "status", "kind", "sessionEndAt", "dueAt", "lastErrorCode" FROM "CheckIn"`),
        calendar: await db.sql.query(`SELECT "lastErrorCode", "lastSuccessAt", "nextPollAt", "attempt", "leaseOwner" FROM "Calendar"`),
        logs: bots.flatMap((b) => b.logs().filter((l) => /calendar|poll|tick failed/.test(String(l.msg)))).slice(-10),
      });
    await waitFor(
      "both sessions sent",
      async () => {
        const [row] = await db.sql.query<{ n: number }>(`SELECT COUNT(*) AS n FROM "CheckIn" WHERE "status" = 'sent'`);
        return Number(row?.n) === 2;
      },
      120_000,
      200,
    ).catch(async (error: unknown) => {
      throw new Error(`${(error as Error).message}: ${await state()}`);
    });
    // Keep polling a while longer: repeated reads change nothing.
    const seen = requests;
    await waitFor("more calendar reads", async () => requests >= seen + 6, 120_000, 100);

    expect(maxInFlight).toBe(1);
    const rows = await db.sql.query<{ calendarEventHash: string; status: string }>(`SELECT "calendarEventHash", "status" FROM "CheckIn" ORDER BY "sessionEndAt"`);
    expect(rows.map((r) => r.status)).toEqual(["sent", "sent", "scheduled"]);
    expect(new Set(rows.map((r) => r.calendarEventHash)).size).toBe(3);
    const sends = readSinkLog(sinkFile).filter((r) => r.op === "send" && (r.userId === "alice" || r.userId === "carol"));
    expect(sends.map((s) => s.userId).sort()).toEqual(["alice", "carol"]);
    expect(new Set(sends.map((s) => s.checkInId)).size).toBe(2);
    const [calendar] = await db.sql.query<{ leaseOwner: string | null; attempt: number }>(`SELECT "leaseOwner", "attempt" FROM "Calendar"`);
    expect(Number(calendar?.attempt)).toBeGreaterThanOrEqual(requests);
  }, 420_000);
});
