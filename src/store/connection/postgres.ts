// PostgreSQL: statements outside transactions go through a few pipelined connections
// (PgPipeline), and one pg.Pool serves both explicit transactions and the Prisma client.
//
// Why two sets of connections and not one: a pipelined connection carries the statements of
// many callers interleaved, so it can never hold a transaction open for one of them, and pg's
// Pool cannot run its clients in pipeline mode. Prisma shares the Pool (PrismaPg accepts an
// existing pool and sets its own type parsers on each of its queries), so it needs no third.

import { createHash } from "node:crypto";
import pg from "pg";
import type { Logger } from "../../ports/logger.ts";
import { PgPipeline } from "../pg-pipeline.ts";
import type { OpenDatabase, PrismaDb, SqlConnection } from "./types.ts";
import { withoutPassword } from "./url.ts";

function toPgPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

const pgStatements = new Map<string, pg.QueryConfig>();

/**
 * The pg query for a `?`-placeholder statement. Data statements get a stable name, so each pooled
 * connection parses and plans them once (server-side prepared statements) instead of per call;
 * other statements (DDL in migrations) run unnamed.
 */
function pgStatement(sql: string): pg.QueryConfig {
  let statement = pgStatements.get(sql);
  if (!statement) {
    const text = toPgPlaceholders(sql);
    statement = /^\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b/i.test(text) ? { name: `q_${createHash("sha1").update(text).digest("hex").slice(0, 20)}`, text } : { text };
    if (pgStatements.size < 2000) pgStatements.set(sql, statement);
  }
  return statement;
}

/**
 * Dates are stored as UTC in `timestamp(3)` columns. pg would send a Date in the process's local
 * time with an offset, which PostgreSQL ignores for a timestamp without time zone: on a server
 * whose clock is not set to UTC every stored time would be shifted. Send UTC text instead.
 */
function toPgValue(value: unknown): unknown {
  return value instanceof Date ? value.toISOString() : value;
}

/** Whether a statement writes (and so needs a commit). */
function isWrite(sql: string): boolean {
  return /^\s*(INSERT|UPDATE|DELETE)\b/i.test(sql) || (/^\s*WITH\b/i.test(sql) && /\b(INSERT|UPDATE|DELETE)\b/i.test(sql));
}

/**
 * PostgreSQL connection. Outside an explicit transaction, statements go through a few pipelined
 * connections that batch what is issued together and group-commit writes (see PgPipeline).
 */
export class PostgresConnection implements SqlConnection {
  readonly provider = "postgresql" as const;

  /** `pipeline` is set for the top-level connection, null for one inside a transaction. */
  constructor(
    private readonly client: pg.Pool | pg.PoolClient,
    private readonly pipeline: PgPipeline | null,
  ) {}

  async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.run(sql, params)).rows as T[];
  }

  async execute(sql: string, params: unknown[] = []): Promise<number> {
    return (await this.run(sql, params)).rowCount ?? 0;
  }

  private run(sql: string, params: unknown[]): Promise<pg.QueryResult> {
    const statement = { ...pgStatement(sql), values: params.map(toPgValue) };
    if (!this.pipeline) return this.client.query(statement);
    return isWrite(sql) ? this.pipeline.write(statement) : this.pipeline.query(statement);
  }

  async transaction<T>(fn: (tx: SqlConnection) => Promise<T>): Promise<T> {
    if (!this.pipeline) return fn(this);
    const conn = await (this.client as pg.Pool).connect();
    try {
      await conn.query("BEGIN");
      const result = await fn(new PostgresConnection(conn, null));
      await conn.query("COMMIT");
      return result;
    } catch (error) {
      await conn.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      conn.release();
    }
  }
}

/** Prisma stores DateTime as UTC `timestamp(3)`; read it back as UTC, not local time. */
const utcTimestamp = (value: string) => new Date(`${value.replace(" ", "T")}Z`);
const pgTypes = {
  // Called for every column of every result, so it answers the common cases without a lookup.
  getTypeParser(oid: number, format?: string) {
    if (oid === 1114) return utcTimestamp;
    if (oid === 20) return Number;
    return pg.types.getTypeParser(oid, format as "text");
  },
} as pg.CustomTypesConfig;

export interface PostgresOptions {
  /** Maximum size of the pool shared by explicit transactions and the Prisma client (default 10). */
  poolSize?: number;
  /** Pipelined connections that carry the statements outside transactions (default 2). */
  pipelineConnections?: number;
  /** Where a connection that failed while idle is reported (its error code only). */
  logger?: Logger;
}

/** A driver error's code (SQLSTATE or a system code such as ECONNRESET), never its message. */
function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.length > 0 ? code : "unknown";
}

export async function openPostgres(url: string, options: PostgresOptions = {}): Promise<OpenDatabase> {
  const logger = options.logger;
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10, types: pgTypes, application_name: "alliance-checkin-pool" });
  // An idle pooled connection that breaks (server restart, network) is removed by pg and
  // replaced on next use; without a listener the error would end the process.
  pool.on("error", (error) => logger?.warn({ code: codeOf(error) }, "database pool connection failed; it is replaced on next use"));
  const pipeline = new PgPipeline(
    { connectionString: url, types: pgTypes, application_name: "alliance-checkin", keepAlive: true, connectionTimeoutMillis: 10_000 },
    options.pipelineConnections ?? 2,
    { onConnectionError: (error) => logger?.warn({ code: codeOf(error) }, "pipelined database connection failed; it is replaced on next use") },
  );
  const [{ PrismaClient: PostgresPrismaClient }, { PrismaPg }] = await Promise.all([import("../generated/postgresql/client.ts"), import("@prisma/adapter-pg")]);
  const prisma = new PostgresPrismaClient({ adapter: new PrismaPg(pool) });
  return {
    provider: "postgresql",
    prisma: prisma as unknown as PrismaDb,
    sql: new PostgresConnection(pool, pipeline),
    location: withoutPassword(url),
    async close() {
      await prisma.$disconnect();
      await pipeline.close();
      await pool.end();
    },
  };
}
