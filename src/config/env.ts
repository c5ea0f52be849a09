// Configuration from the environment (and .env), validated with zod. A bad or missing value
// stops start-up with a message that names the variable and the expected form.

import { z } from "zod";
import { parseDurationMinutes } from "../core/schedule.ts";
import { CodedError } from "../ports/errors.ts";

const csv = z
  .string()
  .optional()
  .transform((v) => (v ? v.split(",").map((s) => s.trim()).filter(Boolean) : []));

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** A delay such as "24h", "90m" or "3d" (see parseDurationMinutes); at least one minute. */
const alertDelay = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .refine((v) => (parseDurationMinutes(v) ?? 0) > 0, "must be a duration such as 24h, 90m or 3d");

/** Milliseconds of a duration already validated by the schema (ALERT_REMIND_AFTER, ALERT_ESCALATE_AFTER). */
export function durationMs(text: string): number {
  return (parseDurationMinutes(text) ?? 0) * 60_000;
}

export const EnvSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: z
    .string()
    .default("file:./data/bot.db")
    .refine((v) => /^(file:|postgres(ql)?:\/\/)/i.test(v), "must start with file: (SQLite) or postgres:// (PostgreSQL)"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).optional(),
  OPS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  OPS_HOST: z.string().min(1).default("127.0.0.1"),
  METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
  PUBLIC_URL: z
    .string()
    .url()
    .refine((v) => /^https?:\/\//i.test(v) && !/[?#]/.test(v), "must be an http:// or https:// address without query or fragment")
    .optional(),
  TRUST_PROXY: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v === "false" ? false : v === "true" ? true : /^\d+$/.test(v) ? Number(v) : v)),
  TICK_SECONDS: z.coerce.number().int().min(1).max(3600).default(15),
  LEASE_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  SEND_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(16),
  SHUTDOWN_GRACE_SECONDS: z.coerce.number().min(0).max(600).default(10),
  CHAT_SINK_FILE: z.string().optional(),
  CHAT_SINK_LATENCY_MS: z.coerce.number().int().min(0).max(60_000).default(0),
  DATA_ENCRYPTION_KEY: z.string().optional(),
  DATA_ENCRYPTION_PREVIOUS_KEYS: csv,
  LOCAL_KEY_FILE: z.string().optional(),
  CONSENT_VERSION: z.string().min(1).max(40).default("2026-11"),
  RETENTION_DAYS: positiveInt(730),
  ALERT_REMIND_AFTER: alertDelay("24h"),
  ALERT_ESCALATE_AFTER: alertDelay("72h"),
  CALENDAR_POLL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
  CALENDAR_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(120).default(20),
  CALENDAR_ALLOW_PRIVATE: z.enum(["0", "1"]).default("0").transform((v) => v === "1"),
  SLACK_BOT_TOKEN: z.string().optional(),
  SLACK_SIGNING_SECRET: z.string().optional(),
  SLACK_APP_TOKEN: z.string().optional(),
  SLACK_API_URL: z.string().url().optional(),
  SLACK_ADMIN_USER_IDS: csv,
  DISCORD_TOKEN: z.string().optional(),
  DISCORD_APPLICATION_ID: z.string().optional(),
  DISCORD_GUILD_IDS: csv,
  DISCORD_ADMIN_ROLE_ID: z.string().optional(),
  DISCORD_API_URL: z.string().url().optional(),
});

export type Env = z.infer<typeof EnvSchema>;

/** The environment cannot start the bot; the message names the variable, never its value. */
export class ConfigError extends CodedError {
  constructor(message: string) {
    super("bad_config", message);
    this.name = "ConfigError";
  }
}

const EXPECTED: Partial<Record<keyof Env, string>> = {
  DATABASE_URL: "file:./data/bot.db or postgres://user:pass@host:5432/db",
  PORT: "a port number, e.g. 3000",
  HOST: "a listen address, e.g. 127.0.0.1 or 0.0.0.0",
  OPS_PORT: "a port number, e.g. 9464 (0 picks a free port)",
  OPS_HOST: "a listen address, e.g. 127.0.0.1",
  METRICS_TOKEN: "a random string of 16+ characters (openssl rand -hex 32)",
  PUBLIC_URL: "the https:// address the bot's pages are reached at, e.g. https://checkin.example.org",
  TICK_SECONDS: "seconds between ticks, 1-3600",
  LEASE_SECONDS: "seconds a claimed check-in stays leased, 1-3600",
  SEND_CONCURRENCY: "parallel sends per process, 1-256",
  SHUTDOWN_GRACE_SECONDS: "seconds to finish in-flight sends on SIGTERM, 0-600",
  LOG_LEVEL: "one of fatal, error, warn, info, debug, trace, silent",
  NODE_ENV: "development, production or test",
  CHAT_SINK_LATENCY_MS: "milliseconds, 0-60000",
  CONSENT_VERSION: "a short version label of 1-40 characters, e.g. 2026-11",
  RETENTION_DAYS: "a whole number of days, e.g. 730",
  CALENDAR_POLL_SECONDS: "seconds between reads of one calendar, 1-86400",
  CALENDAR_TIMEOUT_SECONDS: "seconds one calendar read may take, 1-120",
  CALENDAR_ALLOW_PRIVATE: "0 or 1",
  SLACK_API_URL: "a URL such as https://slack-gov.com/api/",
  DISCORD_API_URL: "a URL such as https://discord.com/api",
};

export function loadEnv(source: Record<string, string | undefined> = process.env): Env {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? "?") as keyof Env;
      const expected = EXPECTED[name];
      return `  ${name}: ${issue.message}${expected ? ` (expected ${expected})` : ""}`;
    });
    throw new ConfigError(`invalid configuration:\n${lines.join("\n")}`);
  }
  const env = parsed.data;
  const slackAny = env.SLACK_BOT_TOKEN || env.SLACK_SIGNING_SECRET || env.SLACK_APP_TOKEN;
  if (slackAny && !env.SLACK_BOT_TOKEN) throw new ConfigError("SLACK_BOT_TOKEN is required when Slack is configured (expected xoxb-…)");
  if (slackAny && !env.SLACK_APP_TOKEN && !env.SLACK_SIGNING_SECRET) {
    throw new ConfigError("SLACK_SIGNING_SECRET is required for Slack in HTTP mode (or set SLACK_APP_TOKEN for Socket Mode)");
  }
  if (env.CHAT_SINK_FILE && env.NODE_ENV === "production") throw new ConfigError("CHAT_SINK_FILE (the load-test platform) is not available in production; unset it");
  if (env.DISCORD_TOKEN && env.DISCORD_GUILD_IDS.length === 0) throw new ConfigError("DISCORD_GUILD_IDS is required when DISCORD_TOKEN is set (expected comma-separated guild ids)");
  return env;
}

/** The listen address: HOST, or 127.0.0.1 outside production and 0.0.0.0 in production. */
export function listenHost(env: Env): string {
  return env.HOST ?? (env.NODE_ENV === "production" ? "0.0.0.0" : "127.0.0.1");
}

/**
 * The base URL of the bot's web pages without a trailing slash: PUBLIC_URL, or, outside
 * production, http://localhost:PORT (so link mode can be tried on one machine). In production
 * without PUBLIC_URL there is none, and link mode is refused.
 */
export function publicBaseUrl(env: Env, boundPort: number = env.PORT): string | null {
  if (env.PUBLIC_URL) return env.PUBLIC_URL.replace(/\/+$/, "");
  return env.NODE_ENV === "production" ? null : `http://localhost:${boundPort}`;
}

export const hasSlack = (env: Env): boolean => Boolean(env.SLACK_BOT_TOKEN);
export const hasDiscord = (env: Env): boolean => Boolean(env.DISCORD_TOKEN);
