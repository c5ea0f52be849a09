// The one PostgreSQL fixture of the tests and the bench: a fresh database (`<prefix>_<random>`)
// created through `pg`, optionally migrated, and dropped afterwards; and whether a server is
// there at all. Test suites use it through `describePostgres` (test/support/pg-suite.ts), which
// adds the visible skip; bench/support.ts uses it directly. No vitest import here, so bench
// processes do not load the test runner.

import { randomBytes } from "node:crypto";
import pg from "pg";
import { openDatabase } from "../../src/store/database.ts";
import { applyMigrations, loadMigrations, migrationsDir } from "../../src/store/migrate.ts";

/** The server the tests use; TEST_POSTGRES_URL overrides it (the bench passes BENCH_POSTGRES_URL). */
export const PG_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

/** Why PostgreSQL cannot be used at `url` (the password masked), or null when it can. */
export async function postgresUnavailableReason(url = PG_ADMIN_URL): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return null;
  } catch (error) {
    return `PostgreSQL unreachable at ${url.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@")}: ${(error as Error).message}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * For a test suite: null when PostgreSQL is usable, otherwise the reason it is not; the suite then
 * skips and says so on stderr. With REQUIRE_POSTGRES=1 (set by .ci/run) an unreachable server is
 * an error instead.
 */
export async function probePostgres(url = PG_ADMIN_URL): Promise<string | null> {
  const reason = await postgresUnavailableReason(url);
  if (reason === null) return null;
  if (process.env.REQUIRE_POSTGRES === "1") throw new Error(`REQUIRE_POSTGRES=1 but ${reason}`);
  console.warn(`SKIPPING PostgreSQL suite: ${reason} (set REQUIRE_POSTGRES=1 to make this a failure)`);
  return reason;
}

export interface PgTestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

export interface PgTestDatabaseOptions {
  /** The server to create it on. Default PG_ADMIN_URL. */
  adminUrl?: string;
  /** Name prefix, so a left-over database says what made it. Default `checkin_test`. */
  prefix?: string;
  /** Apply the bot's PostgreSQL migrations before returning. Default false (an empty database). */
  migrate?: boolean;
}

async function withAdmin<T>(adminUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function createPgTestDatabase(options: PgTestDatabaseOptions = {}): Promise<PgTestDatabase> {
  const adminUrl = options.adminUrl ?? PG_ADMIN_URL;
  const name = `${options.prefix ?? "checkin_test"}_${randomBytes(6).toString("hex")}`;
  await withAdmin(adminUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database: PgTestDatabase = {
    name,
    url: url.toString(),
    drop: () => withAdmin(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
  if (options.migrate) {
    const db = await openDatabase(database.url);
    try {
      await applyMigrations(db.sql, loadMigrations(migrationsDir("postgresql")));
    } finally {
      await db.close();
    }
  }
  return database;
}
