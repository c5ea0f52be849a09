// Composition root: config → key → store → engine → HTTP server → platforms → ticker. The only
// file that knows every adapter. Without chat credentials (outside production) it runs in the
// terminal. Every replica runs the ticker (the database decides who sends) and the Slack HTTP
// receiver; only the elected leader holds the Discord gateway.

import { config as loadDotenv } from "dotenv";
import path from "node:path";
import { loadEnv, hasDiscord, hasSlack, durationMs, listenHost, publicBaseUrl } from "./config/env.ts";
import { systemClock } from "./ports/clock.ts";
import { deriveLinkKey } from "./security/link-tokens.ts";
import type { SqlConnection } from "./store/database.ts";
import type { Env } from "./config/env.ts";
import { createFileLogger, createLogger } from "./runtime/logger.ts";
import type { Logger } from "./ports/logger.ts";
import { buildBot } from "./app.ts";
import type { BotParts } from "./app.ts";
import { startTicker } from "./runtime/ticker.ts";
import { AesGcmCommentCipher, loadOrCreateLocalKey, parseKey } from "./security/comment-cipher.ts";
import { providerOf, sqliteFilePath } from "./store/database.ts";
import { loadMigrations, migrationsDir } from "./store/migrate.ts";
import { createWebServer, opsPortRoutes, publicRoutes } from "../adapters/web/index.ts";
import type { WebServer } from "../adapters/web/index.ts";
import { BotMetrics, meterPlatform } from "./runtime/metrics.ts";
import { acquireSqliteInstanceLock } from "./runtime/instance-lock.ts";
import type { InstanceLock } from "./runtime/instance-lock.ts";
import { LEADER_KEYS, startPgLeader, startSoleLeader } from "./runtime/leader.ts";
import type { Leadership } from "./runtime/leader.ts";
import { PlatformStatus, Readiness, readinessChecks } from "./runtime/readiness.ts";
import { gracefulShutdown } from "./runtime/shutdown.ts";
import { createSinkPlatform, SINK_EVENTS_PATH } from "./runtime/sink-platform.ts";
import type { ChatPlatform } from "./ports/chat-platform.ts";
import type { PlatformName } from "./core/model.ts";
import { SLACK_EVENTS_PATH } from "../adapters/slack/paths.ts";
import { CodedError } from "./ports/errors.ts";
import { cliErrorText } from "./runtime/cli-errors.ts";

/** A deployment the bot refuses to start in; the message says what to set. */
export class StartupError extends CodedError {
  constructor(code: "startup_key_required" | "startup_no_platform" | "startup_public_url_required", message: string) {
    super(code, message);
    this.name = "StartupError";
  }
}

function buildCipher(env: Env, logger: Logger): { cipher: AesGcmCommentCipher; key: Buffer } {
  const previous = env.DATA_ENCRYPTION_PREVIOUS_KEYS.map((k) => parseKey(k, "DATA_ENCRYPTION_PREVIOUS_KEYS"));
  if (env.DATA_ENCRYPTION_KEY) {
    const key = parseKey(env.DATA_ENCRYPTION_KEY);
    return { cipher: new AesGcmCommentCipher(key, previous), key };
  }
  if (env.NODE_ENV === "production") {
    throw new StartupError("startup_key_required", "DATA_ENCRYPTION_KEY is required in production (32 random bytes as hex; generate with: openssl rand -hex 32)");
  }
  const keyFile = env.LOCAL_KEY_FILE ?? path.join(env.DATABASE_URL.startsWith("file:") ? path.dirname(sqliteFilePath(env.DATABASE_URL)) : "data", "local-encryption.key");
  const { key, created } = loadOrCreateLocalKey(keyFile);
  logger.warn({ keyFile, created }, "using a local encryption key file; set DATA_ENCRYPTION_KEY for any real deployment and back the key up");
  return { cipher: new AesGcmCommentCipher(key, previous), key };
}

/** Whether any practice or current enrollment has chosen link mode (it needs PUBLIC_URL in production). */
async function usesLinkMode(sql: SqlConnection): Promise<boolean> {
  const rows = await sql.query(
    `SELECT 1 AS "found" FROM "Practice" WHERE "settings" LIKE '%"delivery":"link"%' UNION ALL SELECT 1 AS "found" FROM "Enrollment" WHERE "delivery" = 'link' AND "status" <> 'ended' LIMIT 1`,
  );
  return rows.length > 0;
}

/** Terminal mode's log file: next to the SQLite database, or data/bot.log in the working folder. */
export function terminalLogFile(databaseUrl: string): string {
  const dir = providerOf(databaseUrl) === "sqlite" ? path.dirname(path.resolve(sqliteFilePath(databaseUrl))) : path.resolve("data");
  return path.join(dir, "bot.log");
}

const TERMINAL_BANNER = [
  "",
  "Alliance check-in bot — terminal mode (no Slack or Discord credentials found).",
  "To connect a real platform, set SLACK_BOT_TOKEN + SLACK_SIGNING_SECRET, or DISCORD_TOKEN +",
  "DISCORD_APPLICATION_ID + DISCORD_GUILD_IDS (see README.md and .env.example), then restart.",
  "",
  "Try:  /as admin dana",
  "      /checkin enroll alice bob mon,thu 09:30 45m Europe/Bucharest",
  "      /as therapist bob      then   /checkin now alice",
  "      /as client alice       then   /inbox   and   /press b1",
  "Type /help for every terminal command.",
  "",
].join("\n");

/**
 * The Discord gateway may be open in one process only. Every replica keeps an (unstarted)
 * adapter for REST sends; the leader also starts its gateway. A stopped discord.js client
 * cannot be restarted, so losing leadership swaps in a fresh adapter.
 */
async function holdDiscordGateway(
  env: Env,
  logger: Logger,
  install: (platform: ChatPlatform) => void,
  create: () => ChatPlatform,
  status: PlatformStatus,
  metrics: BotMetrics,
): Promise<Leadership> {
  let current = create();
  install(current);
  status.set("discord", "standby");
  const callbacks = {
    async onElected() {
      status.set("discord", "starting");
      try {
        await current.start();
      } catch (error) {
        status.set("discord", "failed");
        current = create();
        install(current);
        throw error;
      }
      status.set("discord", "connected");
      metrics.discordLeader.set(1);
    },
    async onDeposed() {
      metrics.discordLeader.set(0);
      const old = current;
      current = create();
      install(current);
      status.set("discord", "standby");
      await old.stop();
    },
  };
  if (providerOf(env.DATABASE_URL) === "postgresql") {
    return startPgLeader({
      url: env.DATABASE_URL,
      lockKey: LEADER_KEYS.discordGateway,
      logger,
      ...callbacks,
      onLockHeldElsewhere: () => metrics.discordLeaderHeldElsewhere.inc(),
    });
  }
  return startSoleLeader(callbacks);
}

export async function main(): Promise<BotParts> {
  loadDotenv({ quiet: true });
  const env = loadEnv();
  const slack = hasSlack(env);
  const discord = hasDiscord(env);
  const sink = env.CHAT_SINK_FILE;
  // Terminal mode: the conversation owns stdout, so logs go to a file next to the database.
  const terminal = !slack && !discord && !sink && env.NODE_ENV !== "production";
  const logFile = terminal ? terminalLogFile(env.DATABASE_URL) : null;
  const logger = logFile ? createFileLogger({ level: env.LOG_LEVEL, file: logFile }) : createLogger({ level: env.LOG_LEVEL });
  if (env.NODE_ENV === "production" && !slack && !discord) {
    throw new StartupError(
      "startup_no_platform",
      "no chat platform is configured: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN), or DISCORD_TOKEN, DISCORD_APPLICATION_ID and DISCORD_GUILD_IDS. Terminal mode is not available in production.",
    );
  }
  // One process per SQLite file: refuse before touching the database.
  let instanceLock: InstanceLock | null = null;
  if (providerOf(env.DATABASE_URL) === "sqlite") instanceLock = acquireSqliteInstanceLock(sqliteFilePath(env.DATABASE_URL), `pid ${process.pid}`);

  const { cipher, key: dataKey } = buildCipher(env, logger);
  // Link mode's pages live at PUBLIC_URL; outside production http://localhost:PORT (the bound port).
  const linksAvailable = publicBaseUrl(env) !== null;
  const metrics = new BotMetrics();
  let bot: BotParts;
  let boundPort = env.PORT;
  try {
    bot = await buildBot({
      databaseUrl: env.DATABASE_URL,
      cipher,
      logger,
      ...(linksAvailable ? { linkSigningKey: deriveLinkKey(dataKey) } : {}),
      metrics,
      retentionDays: env.RETENTION_DAYS,
      calendar: {
        options: { pollSeconds: env.CALENDAR_POLL_SECONDS },
        http: { allowPrivate: env.CALENDAR_ALLOW_PRIVATE, timeoutMs: env.CALENDAR_TIMEOUT_SECONDS * 1000 },
      },
      // Sign-in links name the port actually bound (PORT=0 picks one).
      publicUrl: () => publicBaseUrl(env, boundPort),
      engine: {
        consentVersion: env.CONSENT_VERSION,
        leaseMs: env.LEASE_SECONDS * 1000,
        sendConcurrency: env.SEND_CONCURRENCY,
        alertRemindAfterMs: durationMs(env.ALERT_REMIND_AFTER),
        alertEscalateAfterMs: durationMs(env.ALERT_ESCALATE_AFTER),
      },
    });
  } catch (error) {
    instanceLock?.release();
    throw error;
  }
  logger.info({ provider: bot.db.provider, applied: bot.migrations.applied.length, alreadyApplied: bot.migrations.alreadyApplied }, "database ready");
  if (!linksAvailable && (await usesLinkMode(bot.db.sql))) {
    await bot.close();
    instanceLock?.release();
    throw new StartupError("startup_public_url_required", "PUBLIC_URL is required in production when link mode is used (a practice or an enrollment has delivery link): set it to the https:// address the bot's pages are reached at, e.g. https://checkin.example.org");
  }

  const status = new PlatformStatus();
  const readiness = new Readiness(readinessChecks(bot.db.sql, loadMigrations(migrationsDir(bot.db.provider)), status));
  const renderMetrics = () => metrics.render();
  // PORT carries what people and platforms reach (pages, Slack events, /healthz); OPS_PORT, on
  // 127.0.0.1 by default, carries /readyz details and /metrics for the scraper.
  const ops: WebServer = await createWebServer({ port: env.OPS_PORT, host: env.OPS_HOST, logger: logger.child({ server: "ops" }), routes: opsPortRoutes({ readiness, metrics: renderMetrics }) });
  await ops.listen();
  const http: WebServer = await createWebServer({
    port: env.PORT,
    host: listenHost(env),
    logger,
    trustProxy: env.TRUST_PROXY,
    ...(env.PUBLIC_URL ? { publicUrl: env.PUBLIC_URL } : {}),
    mountPoints: sink ? [SINK_EVENTS_PATH] : slack && !env.SLACK_APP_TOKEN ? [SLACK_EVENTS_PATH] : [],
    routes: publicRoutes({
      ops: { readiness, metrics: renderMetrics, ...(env.METRICS_TOKEN ? { token: env.METRICS_TOKEN } : {}) },
      dashboard: {
        auth: bot.dashboard.auth,
        dashboard: bot.dashboard.store,
        store: bot.store,
        engine: bot.engine,
        cipher,
        privacy: bot.privacy,
        clock: systemClock,
        logger: logger.child({ area: "dashboard" }),
        secureCookies: Boolean(env.PUBLIC_URL?.startsWith("https://")),
      },
      ...(linksAvailable ? { links: { pages: bot.engine.linkPages, inbound: bot.engine } } : {}),
    }),
  });
  boundPort = await http.listen();

  const install = (platform: ChatPlatform): void => {
    bot.platforms.set(platform.name, meterPlatform(platform, metrics));
  };
  const ticker = startTicker(bot.engine, logger, env.TICK_SECONDS);
  const others: ChatPlatform[] = [];
  let gateway: Leadership | null = null;
  if (sink) {
    const platform = createSinkPlatform({ file: sink, inbound: bot.engine, latencyMs: env.CHAT_SINK_LATENCY_MS });
    http.mount(SINK_EVENTS_PATH, (req, res) => platform.handleHttp(req, res));
    install(platform);
    others.push(platform);
  } else {
    // Adapters are loaded only when configured: Bolt and discord.js are large, and start-up time counts.
    if (slack) {
      const { createSlackAdapter } = await import("../adapters/slack/index.ts");
      const platform = createSlackAdapter({ inbound: bot.engine, logger, port: env.PORT, mountOn: http });
      install(platform);
      others.push(platform);
    }
    if (!slack && !discord) {
      const { createTerminalAdapter } = await import("../adapters/terminal/index.ts");
      const platform = createTerminalAdapter({
        inbound: bot.engine,
        input: process.stdin,
        afterLine: () => ticker.runNow(),
        // Ctrl-D, the end of piped input or /quit: shut down like SIGTERM.
        onInputEnd: () => process.kill(process.pid, "SIGTERM"),
      });
      install(platform);
      others.push(platform);
      process.stdout.write(`${TERMINAL_BANNER}Logs are written to ${logFile} (warnings and errors are also shown here).\n\n`);
    }
  }
  for (const platform of others) {
    status.set(platform.name, "starting");
    await platform.start();
    status.set(platform.name, "connected");
  }
  if (discord && !sink) {
    const { createDiscordAdapter } = await import("../adapters/discord/index.ts");
    gateway = await holdDiscordGateway(env, logger, install, () => createDiscordAdapter({ inbound: bot.engine, logger, commentMaxLength: bot.engine.context.options.commentMaxLength }), status, metrics);
  }
  logger.info({ platforms: status.snapshot(), port: http.port() }, "ready");

  let shuttingDown = false;
  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, "shutting down");
    readiness.setDraining();
    const report = await gracefulShutdown(
      {
        stopClaiming: () => bot.engine.stopClaiming(),
        drain: () => ticker.stop(),
        releaseLeases: () => bot.engine.releaseLeases(),
        close: [
          { name: "discord", run: async () => gateway?.stop() },
          ...others.map((p) => ({ name: p.name as PlatformName | string, run: () => p.stop() })),
          { name: "http", run: () => http.close() },
          { name: "ops-http", run: () => ops.close() },
          { name: "database", run: () => bot.close() },
          { name: "instance-lock", run: async () => instanceLock?.release() },
        ],
      },
      env.SHUTDOWN_GRACE_SECONDS * 1000,
      logger,
    );
    logger.info({ ...report }, "stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
  return bot;
}

const isEntry = process.argv[1] && /main\.(ts|js)$/.test(process.argv[1]);
if (isEntry) {
  main().catch((error: unknown) => {
    process.stderr.write(cliErrorText("alliance-checkin", error, "start-up failed"));
    process.exit(1);
  });
}
