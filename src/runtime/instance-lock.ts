// One process per SQLite file. The lock is a small side file (`<db>.instance-lock`) that this
// process opens as a SQLite database in exclusive locking mode and writes to once: SQLite then
// holds an OS file lock on it for as long as the connection is open. The operating system drops
// that lock when the process exits for any reason (including kill -9), so there is no stale lock
// file to clean up, and a second process sees the lock at once and refuses to start.

import { mkdirSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { StoreError } from "../store/errors.ts";

export class InstanceLockedError extends StoreError {
  constructor(readonly databaseFile: string, readonly holder: string | null) {
    super(
      "sqlite_in_use",
      `another bot process is already using the SQLite database ${databaseFile}${holder ? ` (${holder})` : ""}. ` +
        "SQLite supports one bot process per database file: stop the other process, or use PostgreSQL (DATABASE_URL=postgres://…) to run several replicas.",
    );
  }
}

export interface InstanceLock {
  readonly file: string;
  release(): void;
}

export function acquireSqliteInstanceLock(databaseFile: string, holder: string): InstanceLock {
  const file = `${databaseFile}.instance-lock`;
  // The lock sits next to the database, whose folder may not exist yet on a first run.
  mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file, { timeout: 0 });
  try {
    db.pragma("locking_mode = EXCLUSIVE");
    db.exec(`CREATE TABLE IF NOT EXISTS "holder" ("id" INTEGER PRIMARY KEY CHECK ("id" = 1), "who" TEXT NOT NULL, "since" TEXT NOT NULL)`);
    // A write in exclusive mode takes the lock and keeps it until the connection closes.
    db.prepare(`INSERT INTO "holder" ("id", "who", "since") VALUES (1, ?, ?) ON CONFLICT ("id") DO UPDATE SET "who" = excluded."who", "since" = excluded."since"`).run(holder, new Date().toISOString());
  } catch (error) {
    db.close();
    const code = (error as { code?: string }).code;
    if (code === "SQLITE_BUSY" || code === "SQLITE_LOCKED") throw new InstanceLockedError(databaseFile, null);
    throw error;
  }
  let open = true;
  return {
    file,
    release() {
      if (!open) return;
      open = false;
      db.close();
    },
  };
}
