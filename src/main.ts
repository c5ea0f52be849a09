// Composition root: config → key → store → engine → platforms → ticker. The only file that
// knows every adapter. Without chat credentials (outside production) it runs in the terminal.

import { config as loadDotenv } from "dotenv";
import path from "node:path";
import { loadEnv, hasDiscord, hasSlack, ConfigError } from "./config/env.ts";
import type { Env } from "./config/env.ts";
import { createLogger } from "./runtime/logger.ts";
import type { Logger } from "./ports/logger.ts";
import { buildBot } from "./app.ts";
import type { BotParts } from "./app.ts";
import { startTicker } from "./runtime/ticker.ts";
import { AesGcmCommentCipher, loadOrCreateLocalKey, parseKey } from "./security/comment-cipher.ts";
import { sqliteFilePath } from "./store/database.ts";
import { createTerminalAdapter } from "../adapters/terminal/index.ts";
import { createSlackAdapter } from "../adapters/slack/index.ts";
import { createDiscordAdapter } from "../adapters/discord/index.ts";

export class StartupError extends Error {
  readonly code = "startup";
}

function buildCipher(env: Env, logger: Logger): AesGcmCommentCipher {
  const previous = env.DATA_ENCRYPTION_PREVIOUS_KEYS.map((k) => parseKey(k, "DATA_ENCRYPTION_PREVIOUS_KEYS"));
  if (env.DATA_ENCRYPTION_KEY) return new AesGcmCommentCipher(parseKey(env.DATA_ENCRYPTION_KEY), previous);
  if (env.NODE_ENV === "production") {
    throw new StartupError("DATA_ENCRYPTION_KEY is required in production (32 random bytes as hex; generate with: openssl rand -hex 32)");
  }
  const keyFile = env.LOCAL_KEY_FILE ?? path.join(env.DATABASE_URL.startsWith("file:") ? path.dirname(sqliteFilePath(env.DATABASE_URL)) : "data", "local-encryption.key");
  const { key, created } = loadOrCreateLocalKey(keyFile);
  logger.warn({ keyFile, created }, "using a local encryption key file; set DATA_ENCRYPTION_KEY for any real deployment and back the key up");
  return new AesGcmCommentCipher(key, previous);
}

export async function main(): Promise<BotParts> {
  loadDotenv({ quiet: true });
  const env = loadEnv();
  const logger = createLogger({ level: env.LOG_LEVEL });
  const slack = hasSlack(env);
  const discord = hasDiscord(env);
  if (env.NODE_ENV === "production" && !slack && !discord) {
    throw new StartupError(
      "no chat platform is configured: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN), or DISCORD_TOKEN, DISCORD_APPLICATION_ID and DISCORD_GUILD_IDS. Terminal mode is not available in production.",
    );
  }
  const cipher = buildCipher(env, logger);
  const bot = await buildBot({ databaseUrl: env.DATABASE_URL, cipher, logger, engine: { consentVersion: env.CONSENT_VERSION }, retentionDays: env.RETENTION_DAYS });
  logger.info({ provider: bot.db.provider, applied: bot.migrations.applied.length, alreadyApplied: bot.migrations.alreadyApplied }, "database ready");

  const ticker = startTicker(bot.engine, logger, env.TICK_SECONDS);
  if (slack) bot.platforms.set("slack", createSlackAdapter({ inbound: bot.engine, logger, port: env.PORT }));
  if (discord) bot.platforms.set("discord", createDiscordAdapter({ inbound: bot.engine, logger }));
  if (!slack && !discord) {
    bot.platforms.set("terminal", createTerminalAdapter({ inbound: bot.engine, input: process.stdin, afterLine: () => ticker.runNow() }));
    process.stdout.write(
      [
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
      ].join("\n"),
    );
  }
  for (const platform of bot.platforms.values()) await platform.start();

  let shuttingDown = false;
  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, "shutting down");
    bot.engine.stopClaiming();
    await ticker.stop();
    const released = await bot.engine.releaseLeases().catch(() => 0);
    for (const platform of bot.platforms.values()) await platform.stop().catch(() => undefined);
    await bot.close();
    logger.info({ released }, "stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
  return bot;
}

const isEntry = process.argv[1] && /main\.(ts|js)$/.test(process.argv[1]);
if (isEntry) {
  main().catch((error: unknown) => {
    const message = error instanceof ConfigError || error instanceof StartupError || (error instanceof Error && "code" in error) ? error.message : "start-up failed";
    process.stderr.write(`alliance-checkin: ${message}\n`);
    if (!(error instanceof ConfigError || error instanceof StartupError) && error instanceof Error) process.stderr.write(`${error.name}: ${error.message}\n`);
    process.exit(1);
  });
}
