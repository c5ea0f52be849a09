// A real engine on a real database with a manual clock: a SQLite file in a temp folder, or,
// with TEST_DATABASE=postgres, a fresh PostgreSQL database created for the fixture and dropped
// in dispose(). An explicit `databaseUrl` wins over both.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { buildBot } from "../../src/app.ts";
import type { BotParts, BuildOptions } from "../../src/app.ts";
import { ManualClock } from "../../src/ports/clock.ts";
import { AesGcmCommentCipher } from "../../src/security/comment-cipher.ts";
import { silentLogger } from "../../src/ports/logger.ts";
import type { Logger } from "../../src/ports/logger.ts";
import type { ChatPlatform } from "../../src/ports/chat-platform.ts";
import type { Actor, Reply } from "../../src/ports/inbound.ts";
import type { PlatformName } from "../../src/core/model.ts";
import type { EngineOptions } from "../../src/core/context.ts";
import { createPgTestDatabase } from "./pg-test-database.ts";
import type { PgTestDatabase } from "./pg-test-database.ts";

/** Which database the integration suite runs on: TEST_DATABASE=postgres selects PostgreSQL. */
export const TEST_DATABASE: "sqlite" | "postgres" = process.env.TEST_DATABASE === "postgres" ? "postgres" : "sqlite";

export interface EngineFixture extends BotParts {
  clock: ManualClock;
  dir: string;
  databaseUrl: string;
  cipher: AesGcmCommentCipher;
  /** The raw key behind `cipher` (key rotation tests). */
  key: Buffer;
  /** Actor helper for the fixture's workspace. */
  actor(userId: string, opts?: { admin?: boolean; platform?: PlatformName; workspaceId?: string }): Actor;
  command(userId: string, text: string, opts?: { admin?: boolean; deliveryId?: string }): Promise<Reply>;
  press(userId: string, actionId: string, deliveryId?: string): Promise<Reply>;
  dispose(): Promise<void>;
}

export async function createEngineFixture(
  options: {
    platform?: ChatPlatform;
    start?: string;
    workspaceId?: string;
    logger?: Logger;
    engine?: Partial<EngineOptions>;
    databaseUrl?: string;
    calendar?: BuildOptions["calendar"];
    publicUrl?: () => string;
    /** Link mode: the signing key and the base URL of the pages. */
    links?: { signingKey: Buffer; publicUrl: () => string };
    onAlertEvent?: BuildOptions["onAlertEvent"];
  } = {},
): Promise<EngineFixture> {
  const dir = mkdtempSync(path.join(tmpdir(), "checkin-test-"));
  let pgDatabase: PgTestDatabase | null = null;
  if (!options.databaseUrl && TEST_DATABASE === "postgres") pgDatabase = await createPgTestDatabase();
  const databaseUrl = options.databaseUrl ?? pgDatabase?.url ?? `file:${path.join(dir, "bot.db")}`;
  const clock = new ManualClock(options.start ?? "2026-03-02T08:00:00Z");
  const key = randomBytes(32);
  const cipher = new AesGcmCommentCipher(key);
  let bot: BotParts;
  try {
    bot = await buildBot({
      databaseUrl,
      cipher,
      logger: options.logger ?? silentLogger,
      clock,
      engine: options.engine,
      ...(options.calendar ? { calendar: options.calendar } : {}),
      ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}),
      ...(options.links ? { linkSigningKey: options.links.signingKey, publicUrl: options.links.publicUrl } : {}),
      ...(options.onAlertEvent ? { onAlertEvent: options.onAlertEvent } : {}),
    });
  } catch (error) {
    await pgDatabase?.drop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const platformName = options.platform?.name ?? "terminal";
  if (options.platform) bot.platforms.set(options.platform.name, options.platform);
  const workspaceId = options.workspaceId ?? (platformName === "terminal" ? "local" : "W1");
  const actor = (userId: string, opts: { admin?: boolean; platform?: PlatformName; workspaceId?: string } = {}): Actor => {
    const made: Actor = { platform: opts.platform ?? platformName, workspaceId: opts.workspaceId ?? workspaceId, userId, isPlatformAdmin: opts.admin ?? false };
    // A test platform that tracks roles learns them from the actors, as a real platform knows them.
    (options.platform as { observe?: (a: Actor) => void } | undefined)?.observe?.(made);
    return made;
  };
  return {
    ...bot,
    clock,
    dir,
    databaseUrl,
    cipher,
    key,
    actor,
    command: (userId, text, opts = {}) =>
      bot.engine.receive({ type: "command", actor: actor(userId, opts), text, ...(opts.deliveryId ? { deliveryId: opts.deliveryId } : {}) }),
    press: (userId, actionId, deliveryId) => bot.engine.receive({ type: "action", actor: actor(userId), actionId, ...(deliveryId ? { deliveryId } : {}) }),
    async dispose() {
      await bot.close();
      await pgDatabase?.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
