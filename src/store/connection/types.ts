// What a database connection offers the store, whichever database is underneath.

import type { PrismaClient as SqlitePrismaClient } from "../generated/sqlite/client.ts";
import type { SqliteReader } from "./sqlite-reader.ts";
import type { SqliteCheckpointer } from "./sqlite-checkpointer.ts";

export type Provider = "sqlite" | "postgresql";

/** The Prisma client type; both generated clients share the same model API. */
export type PrismaDb = SqlitePrismaClient;

/**
 * A minimal SQL connection for hot paths. Placeholders are written `?` for both providers.
 *
 * When a write is durable: every write is committed when its promise resolves, never before,
 * so a caller that awaited it may tell the user it was saved. How it gets there differs:
 * - SQLite, top level: `execute` queues the statement for the group commit at the end of the
 *   current event-loop turn and resolves after that COMMIT; `query` runs at once in its own
 *   implicit transaction (it is used for reads and for `UPDATE … RETURNING` claims, which must
 *   return rows). So two writes issued without awaiting the first may commit in either order.
 *   The file runs with `synchronous = NORMAL` in WAL mode: a commit survives a crash of the
 *   process; after a power cut the last commits before it may be lost.
 * - PostgreSQL, top level: both `query` and `execute` go through the pipeline; a writing
 *   statement (INSERT, UPDATE, DELETE, or WITH containing one) is group-committed with the other
 *   writes queued in the same turn, a read runs on its own. Either resolves after the server
 *   answered its COMMIT.
 * - Inside `transaction`: statements run in order and nothing is committed until `fn` resolves
 *   and the COMMIT succeeds; if `fn` throws, everything in it is rolled back.
 */
export interface SqlConnection {
  readonly provider: Provider;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  execute(sql: string, params?: unknown[]): Promise<number>;
  /** Runs `fn` inside one transaction on one connection. */
  transaction<T>(fn: (tx: SqlConnection) => Promise<T>): Promise<T>;
}

/** Synchronous statements, for a unit of work run inside a SQLite group commit. */
export interface SyncSql {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): T[];
  execute(sql: string, params?: unknown[]): number;
}

export interface OpenDatabase {
  provider: Provider;
  prisma: PrismaDb;
  sql: SqlConnection;
  /** For SQLite, the file path; for PostgreSQL, the URL without password. */
  location: string;
  /** SQLite: the reader thread for link mode's page reads (sqlite-reader.ts). */
  reader?: SqliteReader;
  /** SQLite: the thread that checkpoints the WAL (sqlite-checkpointer.ts). */
  checkpointer?: SqliteCheckpointer;
  close(): Promise<void>;
}
