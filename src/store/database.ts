// Opens the database named by DATABASE_URL: a Prisma client over a driver adapter, plus a raw
// driver connection for the few hot paths (claims, sends, answers) where Prisma's per-query
// overhead would dominate. Both point at the same database. One file per connection kind:
// connection/sqlite.ts and connection/postgres.ts; the URL rules are in connection/url.ts, and
// when a write is durable is documented on SqlConnection (connection/types.ts).

import type { Logger } from "../ports/logger.ts";
import { openPostgres } from "./connection/postgres.ts";
import { openSqlite } from "./connection/sqlite.ts";
import type { OpenDatabase } from "./connection/types.ts";
import { providerOf } from "./connection/url.ts";

export type { OpenDatabase, PrismaDb, Provider, SqlConnection, SyncSql } from "./connection/types.ts";
export { providerOf, sqliteFilePath } from "./connection/url.ts";
export { atomicUnit } from "./connection/sqlite.ts";

export interface OpenOptions {
  /** Maximum PostgreSQL pool size, shared by explicit transactions and the Prisma client. */
  poolSize?: number;
  /** PostgreSQL connections that carry the pipelined statements outside transactions. */
  pipelineConnections?: number;
  /** Where connection failures are reported, by error code only. */
  logger?: Logger;
}

export async function openDatabase(url: string, options: OpenOptions = {}): Promise<OpenDatabase> {
  return providerOf(url) === "sqlite" ? openSqlite(url) : openPostgres(url, options);
}
