// Wiring shared by main.ts, the demo, the benchmark and tests: open the database, apply
// migrations, and build the store and the engine around the given platforms.

import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { ChatPlatform } from "./ports/chat-platform.ts";
import type { Clock } from "./ports/clock.ts";
import { systemClock } from "./ports/clock.ts";
import type { CommentCipher } from "./ports/comment-cipher.ts";
import type { Logger } from "./ports/logger.ts";
import type { PlatformName } from "./core/model.ts";
import type { EngineContext, EngineOptions } from "./core/context.ts";
import { DEFAULT_ENGINE_OPTIONS } from "./core/context.ts";
import { CheckInEngine } from "./core/engine.ts";
import type { EngineHooks } from "./core/engine.ts";
import type { ExtraHandlers } from "./core/commands/handlers.ts";
import { openDatabase } from "./store/database.ts";
import type { OpenDatabase } from "./store/database.ts";
import { applyMigrations, loadMigrations, migrationsDir } from "./store/migrate.ts";
import type { MigrationReport } from "./store/migrate.ts";
import { PrismaCheckInStore } from "./store/prisma-store.ts";
import { meterStore } from "./runtime/metrics.ts";
import type { BotMetrics } from "./runtime/metrics.ts";
import { SqlPrivacyStore } from "./store/privacy-store.ts";
import type { PrivacyStore } from "./ports/privacy-store.ts";
import { createPrivacyModule, DEFAULT_RETENTION_DAYS } from "./privacy/index.ts";
import type { RetentionJob } from "./privacy/index.ts";
import { SqlWebAuthStore } from "./store/web-auth-store.ts";
import { SqlDashboardStore } from "./store/dashboard-store.ts";
import type { DashboardStore } from "./ports/dashboard.ts";
import type { WebAuthStore } from "./ports/web-auth.ts";
import { DashboardAuth } from "./dashboard/sessions.ts";
import { dashboardCommands } from "./dashboard/commands.ts";
import { platformRoles } from "./dashboard/roles.ts";
import type { RoleResolver } from "./dashboard/roles.ts";
import { SqlCalendarStore } from "./store/calendar-store.ts";
import type { CalendarFetcher } from "./ports/calendar.ts";
import { HttpCalendarFetcher } from "./calendar/http-fetcher.ts";
import type { HttpCalendarFetcherOptions } from "./calendar/http-fetcher.ts";
import { createCalendarServices } from "./core/calendar/services.ts";
import type { CalendarOptions } from "./core/calendar/services.ts";
import { createLinkTokens } from "./security/link-tokens.ts";

/** A therapist's alert link is valid for a day; each alert message carries a fresh one. */
export const DEFAULT_ALERT_LINK_TTL_MS = 24 * 3600_000;

export interface BotParts {
  db: OpenDatabase;
  store: PrismaCheckInStore;
  engine: CheckInEngine;
  migrations: MigrationReport;
  platforms: Map<PlatformName, ChatPlatform>;
  /** Data-rights store (export, erasure, retention, key rotation). */
  privacy: PrivacyStore;
  /** The daily retention purge, also run from the engine's afterTick hook. */
  retention: RetentionJob;
  /** The therapist's and admin's web view: its read side, sign-in links and sessions. */
  dashboard: { store: DashboardStore; webAuth: WebAuthStore; auth: DashboardAuth };
  close(): Promise<void>;
}

export interface BuildOptions {
  databaseUrl: string;
  cipher: CommentCipher;
  logger: Logger;
  clock?: Clock;
  engine?: Partial<EngineOptions>;
  hooks?: EngineHooks;
  extraCommands?: ExtraHandlers;
  /** Days answers, comments and closed alerts are kept (RETENTION_DAYS); default 730. */
  retentionDays?: number;
  /** Counts prompts, answers, alerts and lateness, and reports queue depth at scrape time. */
  metrics?: BotMetrics;
  /** Base URL of the bot's web pages (PUBLIC_URL); sign-in links start with it. Default http://localhost:3000; null: no web pages. */
  publicUrl?: string | null | (() => string | null);
  /** Who counts as therapist or admin at each dashboard request; default: the platform's current role (platformRoles). */
  roles?: RoleResolver;
  /** Appointment calendars: polling options and how feeds are read (default: HTTP with the private-address guard). */
  calendar?: { options?: Partial<CalendarOptions>; fetcher?: CalendarFetcher; http?: HttpCalendarFetcherOptions };
  /**
   * Link mode: the key that signs therapists' alert links (deriveLinkKey of the data key). Links
   * start with `publicUrl`. Without it link mode is unavailable (enroll and settings refuse it).
   */
  linkSigningKey?: Buffer;
  /** How long a therapist's alert link stays valid; default 24 hours. */
  alertLinkTtlMs?: number;
  /** Told of every alert lifecycle step (opened, updated, withdrawn, repaired). */
  onAlertEvent?: EngineContext["onAlertEvent"];
}

export async function openStore(databaseUrl: string, logger?: Logger): Promise<{ db: OpenDatabase; store: PrismaCheckInStore; migrations: MigrationReport }> {
  const db = await openDatabase(databaseUrl, logger ? { logger } : {});
  try {
    const migrations = await applyMigrations(db.sql, loadMigrations(migrationsDir(db.provider)));
    return { db, store: new PrismaCheckInStore(db), migrations };
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
}

export async function buildBot(options: BuildOptions): Promise<BotParts> {
  const opened = await openStore(options.databaseUrl, options.logger);
  const { db, migrations } = opened;
  const clock = options.clock ?? systemClock;
  const store = options.metrics ? meterStore(opened.store, options.metrics) : opened.store;
  options.metrics?.watchQueue(store, clock);
  const platforms = new Map<PlatformName, ChatPlatform>();
  const fixedUrl = options.publicUrl === undefined ? "http://localhost:3000" : options.publicUrl;
  const publicUrl = typeof fixedUrl === "function" ? fixedUrl : () => fixedUrl;
  const baseUrl = publicUrl();
  const context: EngineContext = {
    store,
    platform: (name) => platforms.get(name),
    clock,
    logger: options.logger,
    cipher: options.cipher,
    options: {
      ...DEFAULT_ENGINE_OPTIONS,
      ownerId: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
      ...(baseUrl ? { dashboardUrl: `${baseUrl.replace(/\/+$/, "")}/dashboard` } : {}),
      ...options.engine,
    },
    calendars: createCalendarServices(new SqlCalendarStore(db.sql), options.calendar?.fetcher ?? new HttpCalendarFetcher(options.calendar?.http), options.calendar?.options),
    ...(options.linkSigningKey
      ? { links: { baseUrl: () => (publicUrl() ?? "").replace(/\/+$/, ""), tokens: createLinkTokens(options.linkSigningKey), alertLinkTtlMs: options.alertLinkTtlMs ?? DEFAULT_ALERT_LINK_TTL_MS } }
      : {}),
    ...(options.onAlertEvent ? { onAlertEvent: options.onAlertEvent } : {}),
  };
  // Data rights and retention (issue 6): every engine built here gets them.
  const privacyStore = new SqlPrivacyStore(db.sql);
  const privacy = createPrivacyModule({ privacy: privacyStore, context, retentionDays: options.retentionDays ?? DEFAULT_RETENTION_DAYS });
  const hooks: EngineHooks = {
    ...options.hooks,
    async afterTick() {
      await options.hooks?.afterTick?.();
      await privacy.afterTick();
    },
  };
  const webAuth = new SqlWebAuthStore(db.sql);
  const dashboardAuth = new DashboardAuth({ auth: webAuth, store, clock, roles: options.roles ?? platformRoles((name) => platforms.get(name)) });
  const engine = new CheckInEngine(context, options.metrics ? options.metrics.hooks(hooks) : hooks, {
    ...privacy.commands,
    ...dashboardCommands({ auth: dashboardAuth, publicUrl }),
    ...options.extraCommands,
  });
  return {
    db,
    store,
    engine,
    migrations,
    platforms,
    privacy: privacyStore,
    retention: privacy.retention,
    dashboard: { store: new SqlDashboardStore(db.sql), webAuth, auth: dashboardAuth },
    async close() {
      await db.close();
    },
  };
}
