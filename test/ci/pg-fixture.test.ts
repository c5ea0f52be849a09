// The PostgreSQL test fixture is one module: it creates, migrates and drops databases for every
// test and for the bench, and no other test or bench file does that on its own.

import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { expect, it } from "vitest";
import { loadMigrations, migrationsDir } from "../../src/store/migrate.ts";
import { describePostgres } from "../support/pg-suite.ts";
import { createPgTestDatabase, PG_ADMIN_URL } from "../support/pg-test-database.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const FIXTURE = path.join("test", "support", "pg-test-database.ts");

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(relative);
    return entry.name.endsWith(".ts") ? [relative] : [];
  });
}

it("no test or bench file but the fixture creates, drops or probes a PostgreSQL database itself", () => {
  const offenders = [...sourceFiles("test"), ...sourceFiles("bench")].filter((file) => {
    if (file === FIXTURE || file === path.join("test", "ci", "pg-fixture.test.ts")) return false;
    const text = readFileSync(path.join(ROOT, file), "utf8");
    return /CREATE DATABASE|DROP DATABASE|describe\.skipIf\(pgUnavailable/.test(text);
  });
  expect(offenders).toEqual([]);
});

const databaseExists = async (name: string): Promise<boolean> => {
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    return (await admin.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [name])).rowCount === 1;
  } finally {
    await admin.end();
  }
};

await describePostgres("the PostgreSQL fixture", (database) => {
  it("describePostgres gives the suite an empty database of its own", async () => {
    expect(database().name).toMatch(/^checkin_test_[0-9a-f]{12}$/);
    expect(await databaseExists(database().name)).toBe(true);
    const client = new pg.Client({ connectionString: database().url });
    await client.connect();
    try {
      const tables = await client.query(`SELECT 1 FROM information_schema.tables WHERE table_schema = 'public'`);
      expect(tables.rowCount).toBe(0);
    } finally {
      await client.end();
    }
  });

  it("with migrate, the database has every migration applied; drop removes it", async () => {
    const migrated = await createPgTestDatabase({ migrate: true, prefix: "checkin_fixture" });
    try {
      expect(migrated.name).toMatch(/^checkin_fixture_/);
      const client = new pg.Client({ connectionString: migrated.url });
      await client.connect();
      try {
        const applied = await client.query<{ migration_name: string }>(`SELECT migration_name FROM "_prisma_migrations" ORDER BY migration_name`);
        expect(applied.rows.map((r) => r.migration_name)).toEqual(loadMigrations(migrationsDir("postgresql")).map((m) => m.name));
        expect((await client.query(`SELECT 1 FROM information_schema.tables WHERE table_name = 'CheckIn'`)).rowCount).toBe(1);
      } finally {
        await client.end();
      }
    } finally {
      await migrated.drop();
    }
    expect(await databaseExists(migrated.name)).toBe(false);
  });
});
