// SQLite: one better-sqlite3 connection for the raw statements, with group commit, and the
// Prisma client over its own driver-adapter connection to the same file (WAL mode, so the two
// never block each other's reads). One process per SQLite file.

import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import type { OpenDatabase, PrismaDb, SqlConnection, SyncSql } from "./types.ts";
import { sqliteFilePath } from "./url.ts";
import { SqliteReader } from "./sqlite-reader.ts";
import { FALLBACK_FRAMES, SqliteCheckpointer } from "./sqlite-checkpointer.ts";

const BUSY_TIMEOUT_MS = 5000;

interface QueuedWrite {
  /** Runs synchronously inside the group's transaction; its result goes to the caller. */
  run(): unknown;
  resolve(result: unknown): void;
  reject(error: unknown): void;
}

/**
 * SQLite connection with group commit: single-statement writes issued in the same turn of the
 * event loop (e.g. the completions of concurrent sends) are committed together in one
 * transaction, so a burst pays for one WAL commit per group instead of one per row. Each caller
 * still gets its own result only after the commit, and a statement that fails (a constraint)
 * fails alone: SQLite rolls back just that statement, the others commit.
 */
export class SqliteConnection implements SqlConnection {
  readonly provider = "sqlite" as const;
  private readonly statements = new Map<string, Database.Statement>();
  private queue: QueuedWrite[] = [];
  private flushScheduled = false;
  /** Serialises group commits and explicit transactions on this one connection. */
  private exclusive: Promise<void> = Promise.resolve();

  /** The synchronous statements an atomic unit runs with. */
  private readonly syncSql: SyncSql = {
    query: <R>(sql: string, params: unknown[] = []) => this.prepare(sql).all(...params.map(toSqliteValue)) as R[],
    execute: (sql, params = []) => this.prepare(sql).run(...params.map(toSqliteValue)).changes,
  };

  /** `committed` runs after each commit of this connection (the WAL checkpointer counts them). */
  constructor(
    readonly db: Database.Database,
    private readonly committed: () => void = () => {},
  ) {}

  private prepare(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /**
   * This connection never waits for a lock synchronously (busy timeout 0): Prisma's connection
   * may hold a write transaction across awaits, and a blocking wait here would freeze the event
   * loop it needs to commit. Instead, a busy statement is retried after yielding.
   */
  private async withRetry<T>(run: () => T): Promise<T> {
    const deadline = Date.now() + BUSY_TIMEOUT_MS;
    for (let delay = 1; ; delay = Math.min(delay * 2, 50)) {
      try {
        return run();
      } catch (error) {
        const code = (error as { code?: string }).code;
        if ((code !== "SQLITE_BUSY" && code !== "SQLITE_LOCKED") || Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /** Runs `fn` once no group commit or transaction is in progress on this connection. */
  private async exclusively<T>(fn: () => Promise<T>): Promise<T> {
    const previous = this.exclusive;
    let release!: () => void;
    this.exclusive = new Promise<void>((resolve) => (release = resolve));
    await previous;
    try {
      return await fn();
    } finally {
      release();
    }
  }

  async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    const statement = this.prepare(sql);
    const values = params.map(toSqliteValue);
    return this.withRetry(() => statement.all(...values) as T[]);
  }

  async execute(sql: string, params: unknown[] = []): Promise<number> {
    const statement = this.prepare(sql);
    const values = params.map(toSqliteValue);
    return this.enqueue(() => statement.run(...values).changes);
  }

  /**
   * Runs `unit` atomically inside the next group commit: its statements commit with the other
   * writes of this turn, and if it throws, a savepoint undoes only its own statements.
   */
  async atomic<T>(unit: (tx: SyncSql) => T): Promise<T> {
    // Prepared once like any other statement: every button press runs these.
    const savepoint = this.prepare("SAVEPOINT unit");
    const release = this.prepare("RELEASE unit");
    return this.enqueue(() => {
      savepoint.run();
      try {
        const result = unit(this.syncSql);
        release.run();
        return result;
      } catch (error) {
        this.prepare("ROLLBACK TO unit").run();
        release.run();
        throw error;
      }
    });
  }

  private enqueue<T>(run: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ run, resolve: resolve as (result: unknown) => void, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    this.flushScheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    await this.exclusively(async () => {
      try {
        await this.withRetry(() => this.db.exec("BEGIN IMMEDIATE"));
      } catch (error) {
        for (const write of batch) write.reject(error);
        return;
      }
      // From BEGIN to COMMIT everything is synchronous: nothing else runs on this connection.
      const results: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = batch.map((write) => {
        try {
          return { ok: true, value: write.run() };
        } catch (error) {
          return { ok: false, error };
        }
      });
      try {
        this.db.exec("COMMIT");
      } catch (error) {
        if (this.db.inTransaction) this.db.exec("ROLLBACK");
        for (const write of batch) write.reject(error);
        return;
      }
      this.committed();
      batch.forEach((write, i) => {
        const result = results[i]!;
        if (result.ok) write.resolve(result.value);
        else write.reject(result.error);
      });
    });
  }

  async transaction<T>(fn: (tx: SqlConnection) => Promise<T>): Promise<T> {
    return this.exclusively(async () => {
      await this.withRetry(() => this.db.exec("BEGIN IMMEDIATE"));
      try {
        const result = await fn(new SqliteTransaction(this.db, (sql) => this.prepare(sql)));
        this.db.exec("COMMIT");
        this.committed();
        return result;
      } catch (error) {
        if (this.db.inTransaction) this.db.exec("ROLLBACK");
        throw error;
      }
    });
  }
}

/** The connection's atomic group-committed unit (SQLite at top level), or null where there is none. */
export function atomicUnit(sql: SqlConnection): (<T>(unit: (tx: SyncSql) => T) => Promise<T>) | null {
  return sql instanceof SqliteConnection ? (unit) => sql.atomic(unit) : null;
}

/** Statements inside an explicit transaction run directly, in order, on the owning connection. */
class SqliteTransaction implements SqlConnection {
  readonly provider = "sqlite" as const;
  constructor(
    private readonly db: Database.Database,
    private readonly prepare: (sql: string) => Database.Statement,
  ) {}
  async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.prepare(sql).all(...params.map(toSqliteValue)) as T[];
  }
  async execute(sql: string, params: unknown[] = []): Promise<number> {
    return this.prepare(sql).run(...params.map(toSqliteValue)).changes;
  }
  async transaction<T>(fn: (tx: SqlConnection) => Promise<T>): Promise<T> {
    return fn(this);
  }
}

function toSqliteValue(value: unknown): unknown {
  if (value instanceof Date) return value.getTime();
  if (typeof value === "boolean") return value ? 1 : 0;
  if (value === undefined) return null;
  return value;
}

/** Page cache of the Prisma client's connection, in KiB (SQLite's own default size). */
const PRISMA_CACHE_KIB = 2000;
/**
 * Page cache of the raw connection (the hot paths), in KiB. better-sqlite3 would give it 16 MB.
 * With 8 MB the bench measured the same burst and ingestion rates, about 12 MB less peak RSS
 * when polling 200 calendars, and web check-ins (a larger database) about 4 % slower.
 */
const RAW_CACHE_KIB = 8192;

export async function openSqlite(url: string): Promise<OpenDatabase> {
  const file = sqliteFilePath(url);
  const dir = path.dirname(file);
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
  // Opening may wait for another process that is creating or migrating the same file (a
  // blocking wait is harmless before anything else runs); afterwards this connection never
  // blocks (see SqliteConnection.withRetry).
  const db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("foreign_keys = ON");
  // WAL checkpoints: on a thread of their own once the connection has committed a while, in the
  // commits until then (every ~40 MB of WAL rather than SQLite's 4 MB: bursts commit often).
  const checkpointer = new SqliteCheckpointer(file, db);
  // Planner statistics: without them SQLite may pick an index that scans every open check-in
  // instead of one enrollment's rows. Analyse tables whose statistics are missing or stale now,
  // and keep them fresh hourly (cheap: sampled, and only where the data changed a lot).
  db.pragma("analysis_limit = 400");
  db.exec("PRAGMA optimize = 0x10002");
  db.pragma("busy_timeout = 0");
  db.pragma(`cache_size = -${RAW_CACHE_KIB}`);
  // Each provider's Prisma client and driver adapter is loaded only when used: start-up time.
  const [{ PrismaClient: SqlitePrismaClient }, { PrismaBetterSQLite3 }] = await Promise.all([
    import("../generated/sqlite/client.ts"),
    import("@prisma/adapter-better-sqlite3"),
  ]);
  const prisma = new SqlitePrismaClient({
    adapter: new PrismaBetterSQLite3({ url: `file:${file}`, timeout: BUSY_TIMEOUT_MS }, { timestampFormat: "unixepoch-ms" }),
  });
  // The Prisma connection serves commands and admin reads; the hot paths (claims, answers, pages)
  // use the raw one. 2 MB of page cache is enough for the Prisma side; with the raw connection's
  // 8 MB it keeps a process polling 200 calendars inside its 200 MB budget.
  await prisma.$queryRawUnsafe(`PRAGMA cache_size = -${PRISMA_CACHE_KIB}`);
  // Its commits checkpoint only past the same ~40 MB of WAL as the raw connection's fallback, not
  // at SQLite's 4 MB: with the checkpoint thread running, the WAL is often longer than 4 MB
  // between its restarts, and a Prisma write would then checkpoint and sync on the event loop.
  await prisma.$queryRawUnsafe(`PRAGMA wal_autocheckpoint = ${FALLBACK_FRAMES}`);
  const optimizer = setInterval(() => {
    try {
      db.exec("PRAGMA optimize");
    } catch {
      // busy: the next round will do it
    }
  }, 3_600_000);
  optimizer.unref();
  const reader = new SqliteReader(file);
  return {
    provider: "sqlite",
    prisma: prisma as PrismaDb,
    sql: new SqliteConnection(db, () => checkpointer.committed()),
    checkpointer,
    location: file,
    reader,
    async close() {
      clearInterval(optimizer);
      await checkpointer.close();
      await reader.close();
      await prisma.$disconnect();
      db.close();
    },
  };
}
