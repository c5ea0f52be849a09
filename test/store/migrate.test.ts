import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createHash } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/store/database.ts";
import type { OpenDatabase, Provider } from "../../src/store/database.ts";
import { applyMigrations, loadMigrations, migrationsDir, migrationsUpToDate } from "../../src/store/migrate.ts";
import type { Migration } from "../../src/store/migrate.ts";
import { describePostgres } from "../support/pg-suite.ts";
import { runStoreProcessesTogether } from "../support/spawn-store-process.ts";

/** The columns `prisma migrate` creates for its bookkeeping table, per provider. */
const PRISMA_MIGRATIONS_SHAPE: Record<Provider, Record<string, { type: string; notNull: boolean }>> = {
  sqlite: {
    id: { type: "TEXT", notNull: true },
    checksum: { type: "TEXT", notNull: true },
    finished_at: { type: "DATETIME", notNull: false },
    migration_name: { type: "TEXT", notNull: true },
    logs: { type: "TEXT", notNull: false },
    rolled_back_at: { type: "DATETIME", notNull: false },
    started_at: { type: "DATETIME", notNull: true },
    applied_steps_count: { type: "INTEGER UNSIGNED", notNull: true },
  },
  postgresql: {
    id: { type: "character varying(36)", notNull: true },
    checksum: { type: "character varying(64)", notNull: true },
    finished_at: { type: "timestamp with time zone", notNull: false },
    migration_name: { type: "character varying(255)", notNull: true },
    logs: { type: "text", notNull: false },
    rolled_back_at: { type: "timestamp with time zone", notNull: false },
    started_at: { type: "timestamp with time zone", notNull: true },
    applied_steps_count: { type: "integer", notNull: true },
  },
};

const EXPECTED_TABLES = ["Alert", "AlertNote", "AuditEntry", "Calendar", "CheckIn", "Enrollment", "InboundEvent", "LinkToken", "Person", "Practice", "Response", "WebSession", "WebSignIn"];

async function tables(db: OpenDatabase): Promise<string[]> {
  const rows =
    db.provider === "sqlite"
      ? await db.sql.query<{ name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
      : await db.sql.query<{ name: string }>(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'`);
  return rows.map((r) => r.name).sort();
}

async function recorded(db: OpenDatabase): Promise<{ migration_name: string; checksum: string; applied_steps_count: number }[]> {
  return db.sql.query(`SELECT migration_name, checksum, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name`);
}

async function columnShape(db: OpenDatabase): Promise<Record<string, { type: string; notNull: boolean }>> {
  if (db.provider === "sqlite") {
    const rows = await db.sql.query<{ name: string; type: string; notnull: number }>(`PRAGMA table_info("_prisma_migrations")`);
    return Object.fromEntries(rows.map((r) => [r.name, { type: r.type, notNull: r.notnull === 1 }]));
  }
  const rows = await db.sql.query<{ name: string; type: string; nullable: string }>(
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, CASE WHEN a.attnotnull THEN 'NO' ELSE 'YES' END AS nullable
     FROM pg_attribute a WHERE a.attrelid = '"_prisma_migrations"'::regclass AND a.attnum > 0 AND NOT a.attisdropped`,
  );
  return Object.fromEntries(rows.map((r) => [r.name, { type: r.type, notNull: r.nullable === "NO" }]));
}

function withChecksum(m: Migration, sql: string): Migration {
  return { name: m.name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
}

/** The behaviour every provider shares. `open` gives a fresh connection to one fresh database. */
function sharedMigrationTests(provider: Provider, open: () => Promise<OpenDatabase>) {
  const migrations = () => loadMigrations(migrationsDir(provider));
  const opened: OpenDatabase[] = [];
  const connect = async () => {
    const db = await open();
    opened.push(db);
    return db;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((db) => db.close().catch(() => undefined)));
  });

  it("finds at least one committed migration, each with a sha256 checksum of its file", () => {
    const list = migrations();
    expect(list.length).toBeGreaterThan(0);
    for (const m of list) expect(m.checksum).toBe(createHash("sha256").update(m.sql).digest("hex"));
  });

  it("one_open_now_per_enrollment: of several open `now` check-ins already stored, the one furthest along is kept", async () => {
    const db = await connect();
    const all = migrations();
    const at = all.findIndex((m) => m.name.endsWith("_one_open_now_per_enrollment"));
    expect(at).toBeGreaterThan(0);
    await applyMigrations(db.sql, all.slice(0, at));
    const t = (minutes: number) => new Date(Date.UTC(2026, 2, 2, 10, minutes));
    await db.sql.execute(`INSERT INTO "Practice" ("id", "platform", "externalId", "updatedAt") VALUES ('p', 'terminal', 'local', ?)`, [t(0)]);
    for (const [id, role] of [["c", "isClient"], ["th", "isTherapist"]] as const) {
      await db.sql.execute(`INSERT INTO "Person" ("id", "practiceId", "platformUserId", "${role}", "updatedAt") VALUES (?, 'p', ?, true, ?)`, [id, id, t(0)]);
    }
    await db.sql.execute(
      `INSERT INTO "Enrollment" ("id", "practiceId", "clientId", "therapistId", "weekdays", "startTime", "sessionMinutes", "timeZone", "updatedAt") VALUES ('e', 'p', 'c', 'th', '1', '09:00', 50, 'UTC', ?)`,
      [t(0)],
    );
    const rows: [string, string, string, number][] = [
      ["now-sent-old", "now", "sent", 1],
      ["now-sent-new", "now", "sent", 2],
      ["now-queued-newest", "now", "scheduled", 3],
      ["now-answered", "now", "answered", 0],
      ["weekly-queued", "scheduled", "scheduled", 4],
    ];
    for (const [id, kind, status, minutes] of rows) {
      await db.sql.execute(
        `INSERT INTO "CheckIn" ("id", "enrollmentId", "kind", "status", "sessionEndAt", "dueAt", "remindAt", "closesAt", "updatedAt") VALUES (?, 'e', ?, ?, ?, ?, ?, ?, ?)`,
        [id, kind, status, t(minutes), t(minutes), t(minutes + 240), t(minutes + 2880), t(minutes)],
      );
    }
    await applyMigrations(db.sql, all);
    const after = await db.sql.query<{ id: string; status: string }>(`SELECT "id", "status" FROM "CheckIn" ORDER BY "id"`);
    expect(Object.fromEntries(after.map((r) => [r.id, r.status]))).toEqual({
      "now-answered": "answered",
      "now-queued-newest": "cancelled",
      "now-sent-new": "sent",
      "now-sent-old": "cancelled",
      "weekly-queued": "scheduled",
    });
  });

  it("applies every migration on a fresh database and records each once", async () => {
    const db = await connect();
    expect(await migrationsUpToDate(db.sql, migrations())).toBe(false);
    const report = await applyMigrations(db.sql, migrations());
    expect(report.applied).toEqual(migrations().map((m) => m.name));
    expect(report.alreadyApplied).toBe(0);
    expect(await tables(db)).toEqual([...EXPECTED_TABLES, "_prisma_migrations"].sort());
    const rows = await recorded(db);
    expect(rows.map((r) => r.migration_name)).toEqual(migrations().map((m) => m.name));
    expect(rows.map((r) => r.checksum)).toEqual(migrations().map((m) => m.checksum));
    for (const row of rows) expect(Number(row.applied_steps_count)).toBeGreaterThan(0);
    expect(await migrationsUpToDate(db.sql, migrations())).toBe(true);
  });

  it("is a no-op when applied again", async () => {
    const db = await connect();
    await applyMigrations(db.sql, migrations());
    const before = await db.sql.query(`SELECT * FROM "_prisma_migrations" ORDER BY migration_name`);
    const again = await applyMigrations(db.sql, migrations());
    expect(again.applied).toEqual([]);
    expect(again.alreadyApplied).toBe(migrations().length);
    expect(await db.sql.query(`SELECT * FROM "_prisma_migrations" ORDER BY migration_name`)).toEqual(before);
  });

  it("gives `_prisma_migrations` the Prisma CLI's column shape", async () => {
    const db = await connect();
    await applyMigrations(db.sql, migrations());
    expect(await columnShape(db)).toEqual(PRISMA_MIGRATIONS_SHAPE[provider]);
  });

  it("refuses a migration whose file changed after it was applied (migration_modified)", async () => {
    const db = await connect();
    await applyMigrations(db.sql, migrations());
    const edited = migrations().map((m, i) => (i === 0 ? withChecksum(m, `${m.sql}\n-- edited\n`) : m));
    await expect(applyMigrations(db.sql, edited)).rejects.toMatchObject({ name: "StoreError", code: "migration_modified" });
  });

  it("refuses a database that has a migration this version does not know (migration_unknown), changing nothing", async () => {
    const db = await connect();
    const future: Migration = withChecksum({ name: "29991231000000_future", sql: "", checksum: "" }, `CREATE TABLE "Future" ("id" TEXT NOT NULL PRIMARY KEY);\n`);
    await applyMigrations(db.sql, [...migrations(), future]);
    const later: Migration = withChecksum({ name: "29991231000001_later", sql: "", checksum: "" }, `CREATE TABLE "Later" ("id" TEXT NOT NULL PRIMARY KEY);\n`);
    await expect(applyMigrations(db.sql, [...migrations(), later])).rejects.toMatchObject({ code: "migration_unknown" });
    expect(await tables(db)).not.toContain("Later");
    expect((await recorded(db)).map((r) => r.migration_name)).not.toContain(later.name);
  });

  it("rolls back a migration that fails part-way: no table, no record", async () => {
    const db = await connect();
    await applyMigrations(db.sql, migrations());
    const broken: Migration = withChecksum(
      { name: "29991231000000_broken", sql: "", checksum: "" },
      `CREATE TABLE "Half" ("id" TEXT NOT NULL PRIMARY KEY);\n\nINSERT INTO "NoSuchTable" ("id") VALUES ('x');\n`,
    );
    await expect(applyMigrations(db.sql, [...migrations(), broken])).rejects.toThrow();
    expect(await tables(db)).not.toContain("Half");
    expect((await recorded(db)).map((r) => r.migration_name)).toEqual(migrations().map((m) => m.name));
  });
}

describe("migrations on SQLite", () => {
  let dir: string;
  let url: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "checkin-migrate-"));
    url = `file:${path.join(dir, "bot.db")}`;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  sharedMigrationTests("sqlite", () => openDatabase(url));

  it("runs the database in WAL journal mode", async () => {
    const db = await openDatabase(url);
    try {
      const [mode] = await db.sql.query<{ journal_mode: string }>(`PRAGMA journal_mode`);
      expect(mode?.journal_mode).toBe("wal");
    } finally {
      await db.close();
    }
  });

  it("the Prisma connection keeps a 2 MB page cache, the raw connection 8 MB", async () => {
    const db = await openDatabase(url);
    try {
      const viaPrisma = await db.prisma.$queryRawUnsafe<{ cache_size: number | bigint }[]>(`PRAGMA cache_size`);
      const [raw] = await db.sql.query<{ cache_size: number }>(`PRAGMA cache_size`);
      expect(Number(viaPrisma[0]?.cache_size)).toBe(-2000);
      expect(Number(raw?.cache_size)).toBe(-8192);
    } finally {
      await db.close();
    }
  });

  it("a write that meets another connection's write lock waits for it instead of failing", async () => {
    const a = await openDatabase(url);
    const b = await openDatabase(url);
    try {
      await applyMigrations(a.sql, loadMigrations(migrationsDir("sqlite")));
      const insert = (id: string) =>
        `INSERT INTO "Practice" ("id", "platform", "externalId", "updatedAt") VALUES ('${id}', 'terminal', '${id}', 0)`;
      let released = false;
      let locked!: () => void;
      const holding = new Promise<void>((resolve) => (locked = resolve));
      const holder = a.sql.transaction(async (tx) => {
        await tx.execute(insert("p1"));
        locked();
        // Hold the write lock a moment, so the other connection's write meets it.
        await new Promise((resolve) => setTimeout(resolve, 150));
        released = true;
      });
      await holding;
      const waiter = b.sql.execute(insert("p2")).then((n) => ({ n, afterRelease: released }));
      await holder;
      expect(await waiter).toEqual({ n: 1, afterRelease: true });
      expect((await a.sql.query(`SELECT "id" FROM "Practice" ORDER BY "id"`)).map((r) => r.id)).toEqual(["p1", "p2"]);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("two connections in one process migrating the same file at once both succeed, each migration recorded once", async () => {
    const a = await openDatabase(url);
    const b = await openDatabase(url);
    try {
      const list = loadMigrations(migrationsDir("sqlite"));
      const reports = await Promise.all([applyMigrations(a.sql, list), applyMigrations(b.sql, list)]);
      expect(reports.flatMap((r) => r.applied).sort()).toEqual(list.map((m) => m.name).sort());
      expect((await recorded(a)).map((r) => r.migration_name)).toEqual(list.map((m) => m.name));
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("two processes migrating the same file at once both succeed and each migration is recorded once", async () => {
    const results = await runStoreProcessesTogether<{ ok: boolean; applied?: string[]; code?: string }>([
      ["migrate", url],
      ["migrate", url],
    ]);
    expect(results.map((r) => r.ok)).toEqual([true, true]);
    const names = loadMigrations(migrationsDir("sqlite")).map((m) => m.name);
    // Exactly one of them applied the migrations; the other found them done.
    expect(results.flatMap((r) => r.applied ?? []).sort()).toEqual(names.sort());
    const db = await openDatabase(url);
    try {
      expect((await recorded(db)).map((r) => r.migration_name)).toEqual(names);
    } finally {
      await db.close();
    }
  }, 30_000);
});


await describePostgres(
  "migrations on PostgreSQL",
  (database) => {
    sharedMigrationTests("postgresql", () => openDatabase(database().url));

    it("concurrent runners on separate pools serialise on the advisory lock and record each migration once", async () => {
      const runners = await Promise.all([1, 2, 3, 4].map(() => openDatabase(database().url)));
      try {
        const list = loadMigrations(migrationsDir("postgresql"));
        const reports = await Promise.all(runners.map((db) => applyMigrations(db.sql, list)));
        expect(reports.flatMap((r) => r.applied).sort()).toEqual(list.map((m) => m.name).sort());
        expect(reports.filter((r) => r.applied.length > 0)).toHaveLength(1);
        const rows = await recorded(runners[0]!);
        expect(rows.map((r) => r.migration_name)).toEqual(list.map((m) => m.name));
      } finally {
        await Promise.all(runners.map((db) => db.close()));
      }
    });
  },
  { fresh: "test" },
);
