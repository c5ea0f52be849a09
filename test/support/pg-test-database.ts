// A fresh PostgreSQL database per test run: `checkin_test_<random>`, created through `pg` and
// dropped afterwards. When no server answers, `probePostgres` says why so suites can skip visibly.

import { randomBytes } from "node:crypto";
import pg from "pg";

export const PG_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

/**
 * null when PostgreSQL is usable, otherwise the reason it is not; the suite then skips and says so
 * on stderr. With REQUIRE_POSTGRES=1 (set by .ci/run) an unreachable server is an error instead.
 */
export async function probePostgres(url = PG_ADMIN_URL): Promise<string | null> {
  const reason = await probe(url);
  if (reason === null) return null;
  if (process.env.REQUIRE_POSTGRES === "1") throw new Error(`REQUIRE_POSTGRES=1 but ${reason}`);
  console.warn(`SKIPPING PostgreSQL suite: ${reason} (set REQUIRE_POSTGRES=1 to make this a failure)`);
  return reason;
}

async function probe(url: string): Promise<string | null> {
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

export interface PgTestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

export async function createPgTestDatabase(): Promise<PgTestDatabase> {
  const name = `checkin_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: PG_ADMIN_URL });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
