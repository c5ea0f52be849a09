// Start-up migration runner. Applies the committed SQL migrations in order, each in a
// transaction, under a lock (SQLite write lock / PostgreSQL advisory lock), and records them in a
// `_prisma_migrations` table with the same shape the Prisma CLI uses, so `prisma migrate status`
// agrees where a user has the CLI. Prisma's own `migrate deploy` cannot run here: it needs a
// native engine on PostgreSQL, and clinic networks often cannot download one.

import { createHash, randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Provider, SqlConnection } from "./database.ts";
import { StoreError } from "./errors.ts";

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationReport {
  applied: string[];
  alreadyApplied: number;
}

/** Arbitrary constant key for pg_advisory_xact_lock; shared by every replica. */
const PG_MIGRATION_LOCK_KEY = 727_274_001;

function findProjectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(path.join(dir, "prisma", "migrations"))) return dir;
    dir = path.dirname(dir);
  }
  throw new StoreError("migrations_missing", "cannot find the prisma/migrations folder next to the application");
}

export function migrationsDir(provider: Provider, root = findProjectRoot()): string {
  return provider === "sqlite" ? path.join(root, "prisma", "migrations") : path.join(root, "prisma", "postgresql", "migrations");
}

export function loadMigrations(dir: string): Migration[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(dir, entry.name, "migration.sql")))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

const CREATE_TABLE: Record<Provider, string> = {
  sqlite: `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id" TEXT PRIMARY KEY NOT NULL,
    "checksum" TEXT NOT NULL,
    "finished_at" DATETIME,
    "migration_name" TEXT NOT NULL,
    "logs" TEXT,
    "rolled_back_at" DATETIME,
    "started_at" DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0
  )`,
  postgresql: `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id" VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum" VARCHAR(64) NOT NULL,
    "finished_at" TIMESTAMPTZ,
    "migration_name" VARCHAR(255) NOT NULL,
    "logs" TEXT,
    "rolled_back_at" TIMESTAMPTZ,
    "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count" INTEGER NOT NULL DEFAULT 0
  )`,
};

/** Splits a migration file into statements; Prisma's generated SQL ends each with `;` at line end. */
export function splitStatements(sql: string): string[] {
  return sql
    .split(/;\s*(?:\r?\n|$)/)
    .map((statement) => statement.replace(/^\s*--.*$/gm, "").trim())
    .filter((statement) => statement.length > 0);
}

export async function applyMigrations(sql: SqlConnection, migrations: Migration[]): Promise<MigrationReport> {
  return sql.transaction(async (tx) => {
    if (tx.provider === "postgresql") {
      await tx.execute(`SELECT pg_advisory_xact_lock(${PG_MIGRATION_LOCK_KEY})`);
    }
    await tx.execute(CREATE_TABLE[tx.provider]);
    const rows = await tx.query<{ migration_name: string; checksum: string; finished_at: unknown; rolled_back_at: unknown }>(
      `SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"`,
    );
    const done = new Map(rows.filter((r) => r.finished_at !== null && r.rolled_back_at === null).map((r) => [r.migration_name, r.checksum]));
    const known = new Set(migrations.map((m) => m.name));
    const unknown = [...done.keys()].filter((name) => !known.has(name));
    if (unknown.length > 0) {
      throw new StoreError(
        "migration_unknown",
        `the database has migrations this version does not know (${unknown.join(", ")}); run the newer version of the bot or restore a backup`,
      );
    }
    const applied: string[] = [];
    for (const migration of migrations) {
      const checksum = done.get(migration.name);
      if (checksum !== undefined) {
        if (checksum !== migration.checksum) {
          throw new StoreError(
            "migration_modified",
            `migration ${migration.name} was changed after it was applied; committed migrations must never be edited`,
          );
        }
        continue;
      }
      const statements = splitStatements(migration.sql);
      for (const statement of statements) await tx.execute(statement);
      const now = new Date();
      await tx.execute(
        `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count) VALUES (?, ?, ?, ?, NULL, NULL, ?, ?)`,
        tx.provider === "sqlite"
          ? [randomUUID(), migration.checksum, now.toISOString(), migration.name, now.toISOString(), statements.length]
          : [randomUUID(), migration.checksum, now, migration.name, now, statements.length],
      );
      applied.push(migration.name);
    }
    return { applied, alreadyApplied: done.size };
  });
}

/** True when every committed migration is recorded as applied (used by /readyz). */
export async function migrationsUpToDate(sql: SqlConnection, migrations: Migration[]): Promise<boolean> {
  try {
    const rows = await sql.query<{ migration_name: string }>(
      `SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    );
    const done = new Set(rows.map((r) => r.migration_name));
    return migrations.every((m) => done.has(m.name));
  } catch {
    return false;
  }
}
