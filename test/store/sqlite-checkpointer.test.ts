// SQLite's WAL checkpoints on a thread of their own (src/store/connection/sqlite-checkpointer.ts):
// after the connection's first commits the thread takes over and the main connection's commits
// stop checkpointing; what the thread copies is in the database file itself; the WAL starts over
// once it is long; a thread that cannot run leaves the commits checkpointing as before, and one
// that stops after it took over hands checkpointing back to them; closing stops it. Real SQLite
// files throughout.

import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import type { Worker } from "node:worker_threads";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/store/database.ts";
import type { OpenDatabase } from "../../src/store/database.ts";
import { FALLBACK_FRAMES, SqliteCheckpointer, STARTS_AFTER_COMMITS } from "../../src/store/connection/sqlite-checkpointer.ts";
import { waitFor } from "../support/bot-process.ts";

const WAIT_MS = 60_000;

describe("SQLite WAL checkpointer", () => {
  let dir: string;
  const open: { close(): unknown }[] = [];
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "checkin-ckpt-"));
  });
  afterEach(async () => {
    for (const item of open.splice(0).reverse()) await item.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A WAL-mode file with one table, on a plain connection (what openSqlite gives the checkpointer). */
  function walFile(name = "bot.db"): { file: string; db: Database.Database } {
    const file = path.join(dir, name);
    const db = new Database(file);
    db.pragma("journal_mode = WAL");
    db.exec(`CREATE TABLE "Note" ("id" INTEGER PRIMARY KEY, "body" TEXT NOT NULL)`);
    open.push(db);
    return { file, db };
  }

  const autocheckpoint = (db: Database.Database) => db.pragma("wal_autocheckpoint", { simple: true });

  it("takes over after the first commits: the main connection stops checkpointing, and what the thread copied is in the database file", async () => {
    const database: OpenDatabase = await openDatabase(`file:${path.join(dir, "bot.db")}`);
    open.push(database);
    const checkpointer = database.checkpointer!;
    const raw = (database.sql as unknown as { db: Database.Database }).db;
    await database.sql.execute(`CREATE TABLE "Note" ("id" INTEGER PRIMARY KEY, "body" TEXT NOT NULL)`);
    expect(checkpointer.active).toBe(false);
    expect(autocheckpoint(raw)).toBe(FALLBACK_FRAMES);
    // Prisma's own connection checkpoints only past the same length, never at SQLite's 1,000 frames.
    const prismaAutocheckpoint = async () => Number(((await database.prisma.$queryRawUnsafe("PRAGMA wal_autocheckpoint")) as { wal_autocheckpoint: number | bigint }[])[0]?.wal_autocheckpoint);
    expect(await prismaAutocheckpoint()).toBe(FALLBACK_FRAMES);
    // One commit per awaited write (each is its own group commit).
    for (let i = 0; i < STARTS_AFTER_COMMITS; i++) await database.sql.execute(`INSERT INTO "Note" ("body") VALUES (?)`, [`note ${i}`]);
    await waitFor("the checkpoint thread to be ready", async () => checkpointer.active, WAIT_MS);
    expect(autocheckpoint(raw)).toBe(0);
    expect(await prismaAutocheckpoint()).toBe(FALLBACK_FRAMES);
    // The database file alone (without its WAL) comes to hold every row: the thread copied them.
    let copies = 0;
    const rowsInFileAlone = async () => {
      const copy = path.join(dir, `copy-${++copies}.db`);
      copyFileSync(path.join(dir, "bot.db"), copy);
      const alone = new Database(copy, { readonly: true });
      try {
        return (alone.prepare(`SELECT COUNT(*) AS count FROM "Note"`).get() as { count: number }).count === STARTS_AFTER_COMMITS;
      } catch {
        return false; // the table itself is not copied yet
      } finally {
        alone.close();
      }
    };
    await waitFor("every row in the database file", rowsInFileAlone, WAIT_MS);
    expect(checkpointer.stats.copied).toBeGreaterThan(0);
    expect(autocheckpoint(raw)).toBe(0);
    // Closing stops the thread and hands checkpointing back to the commits.
    await database.close();
    open.splice(open.indexOf(database), 1);
    expect(checkpointer.active).toBe(false);
    expect(checkpointer.failure).toBeNull();
  }, 120_000);

  it("starts the WAL over once it reaches the restart length, so the file stops growing", async () => {
    const { file, db } = walFile();
    const checkpointer = new SqliteCheckpointer(file, db, { startsAfterCommits: 1, restartFrames: 20, intervalMs: 10 });
    open.push(checkpointer);
    const insert = db.prepare(`INSERT INTO "Note" ("body") VALUES (?)`);
    const write = (rows: number) => {
      for (let i = 0; i < rows; i++) insert.run("x".repeat(3000));
      checkpointer.committed();
    };
    write(1);
    await waitFor("the checkpoint thread to be ready", async () => checkpointer.active, WAIT_MS);
    // Each round writes well past 20 frames and waits for the thread to start the WAL over, so
    // the next round writes it from its beginning again: the file stays one round long (without
    // restarts it would grow by a round each time).
    const sizes: number[] = [];
    for (let round = 0; round < 5; round++) {
      const restarts = checkpointer.stats.restarts;
      write(40);
      await waitFor("a restart of the WAL", async () => checkpointer.stats.restarts > restarts, WAIT_MS, 5);
      sizes.push(statSync(`${file}-wal`).size);
    }
    expect(sizes[0]).toBeGreaterThan(40 * 3000);
    expect(Math.max(...sizes)).toBeLessThan(sizes[0]! * 1.5);
    expect(checkpointer.stats.last?.mode).toBe("RESTART");
    expect(db.prepare(`SELECT COUNT(*) AS count FROM "Note"`).get()).toEqual({ count: 201 });
  }, 120_000);

  it("hands checkpointing back to the commits when the thread stops after it took over, and starts no other", async () => {
    const { file, db } = walFile();
    const checkpointer = new SqliteCheckpointer(file, db, { startsAfterCommits: 1, intervalMs: 10 });
    open.push(checkpointer);
    db.prepare(`INSERT INTO "Note" ("body") VALUES (?)`).run("first");
    checkpointer.committed();
    await waitFor("the checkpoint thread to be ready", async () => checkpointer.active, WAIT_MS);
    expect(autocheckpoint(db)).toBe(0);
    // The thread ends without being asked to (as when it runs out of memory or crashes).
    await (checkpointer as unknown as { worker: Worker }).worker.terminate();
    await waitFor("the checkpointer to notice", async () => checkpointer.failure, WAIT_MS);
    expect(checkpointer.active).toBe(false);
    expect(autocheckpoint(db)).toBe(FALLBACK_FRAMES);
    // Later commits checkpoint by themselves; no new thread is started behind them.
    db.prepare(`INSERT INTO "Note" ("body") VALUES (?)`).run("second");
    checkpointer.committed();
    expect((checkpointer as unknown as { worker: Worker | null }).worker).toBeNull();
    expect(autocheckpoint(db)).toBe(FALLBACK_FRAMES);
  }, 120_000);

  it("leaves the commits checkpointing when the thread cannot open the file, and starts no other", async () => {
    const { db } = walFile();
    const checkpointer = new SqliteCheckpointer(path.join(dir, "missing", "bot.db"), db, { startsAfterCommits: 1 });
    open.push(checkpointer);
    checkpointer.committed();
    await waitFor("the thread to fail", async () => checkpointer.failure, WAIT_MS);
    expect(checkpointer.active).toBe(false);
    expect(autocheckpoint(db)).toBe(FALLBACK_FRAMES);
    checkpointer.committed();
    expect(checkpointer.stats.passes).toBe(0);
    expect(existsSync(path.join(dir, "missing"))).toBe(false);
  }, 120_000);
});
