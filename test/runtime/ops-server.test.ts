// /healthz, /readyz and /metrics served on the ops port around a real engine on a real SQLite
// file: every metric the issue names is checked after a small scripted run.

import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { buildBot } from "../../src/app.ts";
import type { BotParts } from "../../src/app.ts";
import { ManualClock } from "../../src/ports/clock.ts";
import { silentLogger } from "../../src/ports/logger.ts";
import { AesGcmCommentCipher } from "../../src/security/comment-cipher.ts";
import { BotMetrics, meterPlatform } from "../../src/runtime/metrics.ts";
import { createWebServer, opsPortRoutes } from "../../adapters/web/index.ts";
import type { WebServer } from "../../adapters/web/index.ts";
import { PlatformStatus, Readiness, readinessChecks } from "../../src/runtime/readiness.ts";
import { loadMigrations, migrationsDir } from "../../src/store/migrate.ts";
import { encodeAction } from "../../src/ports/action-ids.ts";
import { seedDueCheckIns, seedPractice } from "../../bench/seed.ts";
import { RecordingPlatform } from "../support/recording-platform.ts";

function metricValue(text: string, name: string, labels = ""): number {
  const line = text.split("\n").find((l) => l.startsWith(`${name}${labels} `));
  return line ? Number(line.split(" ").at(-1)) : Number.NaN;
}

describe("ops HTTP server", () => {
  let bot: BotParts | undefined;
  let server: WebServer | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await server?.close();
    await bot?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("healthz, readyz (database, migrations, platforms, draining) and metrics for sent, answered, expired, alerts, lateness, errors, queue depth", async () => {
    dir = mkdtempSync(path.join(tmpdir(), "checkin-ops-"));
    const clock = new ManualClock("2026-03-02T10:00:00Z");
    const metrics = new BotMetrics({ defaultMetrics: false });
    bot = await buildBot({ databaseUrl: `file:${path.join(dir, "bot.db")}`, cipher: new AesGcmCommentCipher(randomBytes(32)), logger: silentLogger, clock, metrics });
    const recording = new RecordingPlatform("terminal");
    bot.platforms.set("terminal", meterPlatform(recording, metrics));
    const status = new PlatformStatus();
    status.set("terminal", "starting");
    const readiness = new Readiness(readinessChecks(bot.db.sql, loadMigrations(migrationsDir(bot.db.provider)), status));
    server = await createWebServer({ port: 0, logger: silentLogger, routes: opsPortRoutes({ readiness, metrics: () => metrics.render() }) });
    const port = await server.listen();
    const get = (p: string) => fetch(`http://127.0.0.1:${port}${p}`);

    expect((await get("/healthz")).status).toBe(200);
    const notReady = await get("/readyz");
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toMatchObject({ status: "not_ready", checks: { database: { ok: true }, migrations: { ok: true }, platforms: { ok: false } } });
    status.set("terminal", "connected");
    expect((await get("/readyz")).status).toBe(200);

    // Three due check-ins, 2 s late; the first send is rate-limited once.
    const practice = await seedPractice(bot.db.sql, 3, { now: clock.now() });
    const ids = await seedDueCheckIns(bot.db.sql, practice.enrollments, new Date(clock.now().getTime() - 2000), "now");
    let text = await (await get("/metrics")).text();
    expect(metricValue(text, "checkin_queue_depth")).toBe(3);
    recording.failNext = [{ ok: false, code: "rate_limited", failure: "rate_limited", retryAfterMs: 1000 }];
    await bot.engine.tick();
    clock.advance(1000);
    await bot.engine.tick();

    // One client answers low: answered, and an alert with its signals.
    const sentIds = new Set(recording.messages.filter((m) => m.view.kind === "prompt").map((m) => (m.view.kind === "prompt" ? m.view.checkInId : "")));
    expect(sentIds).toEqual(new Set(ids));
    const first = practice.enrollments[0]!;
    const checkInId = (await bot.db.sql.query<{ id: string }>(`SELECT "id" FROM "CheckIn" WHERE "enrollmentId" = ? AND "status" = 'sent'`, [first.enrollmentId]))[0]!.id;
    const actor = { platform: "terminal" as const, workspaceId: "local", userId: first.clientUserId, isPlatformAdmin: false };
    for (const [item, value] of [["goal", 1], ["task", 2], ["bond", 2]] as const) {
      await bot.engine.receive({ type: "action", actor, actionId: encodeAction({ op: "score", checkInId, item, value }) });
    }
    // The other two expire when their window closes.
    clock.advance(3 * 24 * 3600_000);
    await bot.engine.tick();

    text = await (await get("/metrics")).text();
    expect(metricValue(text, "checkin_prompts_sent_total")).toBe(3);
    expect(metricValue(text, "checkin_prompts_answered_total")).toBe(1);
    expect(metricValue(text, "checkin_prompts_expired_total")).toBe(2);
    expect(metricValue(text, "checkin_alerts_total", '{signal="low_item"}')).toBe(1);
    expect(metricValue(text, "checkin_platform_errors_total", '{platform="terminal",code="rate_limited"}')).toBe(1);
    expect(metricValue(text, "checkin_claim_lateness_seconds_count")).toBe(3);
    // Two sent 2 s after their due time; the rate-limited one at its rescheduled due time.
    expect(metricValue(text, "checkin_claim_lateness_seconds_bucket", '{le="0.1"}')).toBe(1);
    expect(metricValue(text, "checkin_claim_lateness_seconds_bucket", '{le="1"}')).toBe(1);
    expect(metricValue(text, "checkin_claim_lateness_seconds_bucket", '{le="2"}')).toBe(3);
    expect(metricValue(text, "checkin_queue_depth")).toBe(0);

    readiness.setDraining();
    const draining = await get("/readyz");
    expect(draining.status).toBe(503);
    expect(await draining.json()).toMatchObject({ checks: { shutdown: { ok: false, detail: "draining" } } });
    expect((await get("/healthz")).status).toBe(200);
    expect((await get("/nope")).status).toBe(404);
  });

  it("readyz reports a database that stopped answering", async () => {
    dir = mkdtempSync(path.join(tmpdir(), "checkin-ops-"));
    const built = await buildBot({ databaseUrl: `file:${path.join(dir, "bot.db")}`, cipher: new AesGcmCommentCipher(randomBytes(32)), logger: silentLogger });
    const status = new PlatformStatus();
    status.set("terminal", "connected");
    server = await createWebServer({ port: 0, logger: silentLogger, routes: opsPortRoutes({ readiness: new Readiness(readinessChecks(built.db.sql, loadMigrations(migrationsDir(built.db.provider)), status)) }) });
    const port = await server.listen();
    await built.close();
    const response = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ checks: { database: { ok: false } } });
  });
});
