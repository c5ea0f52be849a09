// Same-run baselines: the raw driver (better-sqlite3 or pg, no Prisma, no engine) doing the
// minimal equivalent writes one at a time, each in its own transaction.

import Database from "better-sqlite3";
import pg from "pg";
import { randomUUID } from "node:crypto";
import type { Provider } from "../src/store/database.ts";

/** `file:/path/bench.db` → `/path/bench.db` (kept local so a baseline process loads no Prisma). */
const sqliteFilePath = (url: string): string => url.slice("file:".length).split("?")[0] ?? "";

export interface RawConnection {
  /** Runs the statements in one transaction. */
  transaction(statements: [string, unknown[]][]): Promise<void>;
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export async function openRaw(provider: Provider, url: string): Promise<RawConnection> {
  if (provider === "sqlite") {
    const db = new Database(sqliteFilePath(url), { timeout: 5000 });
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    const cache = new Map<string, Database.Statement>();
    const prepare = (sql: string) => {
      let statement = cache.get(sql);
      if (!statement) cache.set(sql, (statement = db.prepare(sql)));
      return statement;
    };
    const toValue = (v: unknown) => (v instanceof Date ? v.getTime() : v);
    return {
      async transaction(statements) {
        db.transaction(() => {
          for (const [sql, params] of statements) prepare(sql).run(...params.map(toValue));
        })();
      },
      async query<T>(sql: string, params: unknown[] = []) {
        return prepare(sql).all(...params.map(toValue)) as T[];
      },
      async close() {
        db.close();
      },
    };
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const numbered = (sql: string) => {
    let n = 0;
    return sql.replace(/\?/g, () => `$${++n}`);
  };
  return {
    async transaction(statements) {
      await client.query("BEGIN");
      for (const [sql, params] of statements) await client.query({ text: numbered(sql), values: params, name: undefined });
      await client.query("COMMIT");
    },
    async query<T>(sql: string, params: unknown[] = []) {
      return (await client.query(numbered(sql), params)).rows as T[];
    },
    async close() {
      await client.end();
    },
  };
}

/** The minimal write of a send: one single-row UPDATE per check-in, each its own transaction. */
export async function rawSendLoop(raw: RawConnection, ids: string[]): Promise<number> {
  const started = performance.now();
  for (const id of ids) {
    const now = new Date();
    await raw.transaction([[`UPDATE "CheckIn" SET "status" = 'sent', "sentAt" = ?, "updatedAt" = ? WHERE "id" = ?`, [now, now, id]]]);
  }
  return performance.now() - started;
}

/** The minimal write of an answer: insert the response and mark the check-in answered, in one transaction. */
export async function rawAnswerLoop(raw: RawConnection, ids: string[]): Promise<number> {
  const started = performance.now();
  for (const id of ids) {
    const now = new Date();
    await raw.transaction([
      [`INSERT INTO "Response" ("id", "checkInId", "goal", "task", "bond", "completedAt", "createdAt", "updatedAt") VALUES (?, ?, 4, 4, 4, ?, ?, ?)`, [randomUUID(), id, now, now, now]],
      [`UPDATE "CheckIn" SET "status" = 'answered', "answeredAt" = ?, "updatedAt" = ? WHERE "id" = ?`, [now, now, id]],
    ]);
  }
  return performance.now() - started;
}
