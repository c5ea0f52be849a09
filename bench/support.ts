// Shared pieces of the benchmark: throwaway databases, a counting zero-latency platform, the
// engine wiring and small statistics helpers.

import { mkdtempSync, rmSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import path from "node:path";
import { buildBot } from "../src/app.ts";
import type { BotParts } from "../src/app.ts";
import type { ChatPlatform, MessageRef, OutboundView, PlatformRole, Recipient, SendResult } from "../src/ports/chat-platform.ts";
import type { Provider } from "../src/store/database.ts";
import { silentLogger } from "../src/ports/logger.ts";
import { AesGcmCommentCipher } from "../src/security/comment-cipher.ts";
import { createPgTestDatabase, PG_ADMIN_URL as TEST_PG_ADMIN_URL, postgresUnavailableReason } from "../test/support/pg-test-database.ts";

/**
 * The Node.js flags the Dockerfile starts the bot with. Every benchmark process runs with them,
 * so memory and speed figures are those of the deployed bot (test/deploy checks they agree).
 */
export const BOT_NODE_FLAGS = ["--max-old-space-size=256"];

/** The PostgreSQL server the bench uses (BENCH_POSTGRES_URL, else the tests' default). */
export const PG_ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? TEST_PG_ADMIN_URL;

export interface BenchDatabase {
  provider: Provider;
  url: string;
  drop(): Promise<void>;
}

export async function postgresAvailable(): Promise<boolean> {
  return (await postgresUnavailableReason(PG_ADMIN_URL)) === null;
}

/** A fresh, empty database: a SQLite file in a temp folder or a PostgreSQL database with a random name. */
export async function createDatabase(provider: Provider): Promise<BenchDatabase> {
  if (provider === "sqlite") {
    const dir = mkdtempSync(path.join(tmpdir(), "checkin-bench-"));
    return { provider, url: `file:${path.join(dir, "bench.db")}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const database = await createPgTestDatabase({ adminUrl: PG_ADMIN_URL, prefix: "checkin_bench" });
  return { provider, url: database.url, drop: database.drop };
}

/** A platform that answers every call at once (or after `latencyMs`) and only counts. */
export class CountingPlatform implements ChatPlatform {
  readonly name = "terminal" as const;
  sent = 0;
  updated = 0;
  private counter = 0;
  constructor(private readonly latencyMs = 0) {}
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  async sendDirect(to: Recipient, _view: OutboundView): Promise<SendResult> {
    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    this.sent++;
    return { ok: true, ref: { channelId: `D-${to.userId}`, messageId: `m${++this.counter}` } };
  }
  async currentRole(): Promise<PlatformRole> {
    return "member";
  }
  async update(_to: Recipient, ref: MessageRef, _view: OutboundView): Promise<SendResult> {
    this.updated++;
    return { ok: true, ref };
  }
}

export async function buildBenchBot(url: string, platform: ChatPlatform, engine: Record<string, number> = {}): Promise<BotParts> {
  const bot = await buildBot({ databaseUrl: url, cipher: new AesGcmCommentCipher(randomBytes(32)), logger: silentLogger, engine });
  bot.platforms.set(platform.name, platform);
  return bot;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}

export const round = (value: number, digits = 1): number => Number(value.toFixed(digits));

export const peakRssMb = (): number => round(process.resourceUsage().maxRSS / 1024);
