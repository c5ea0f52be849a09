// Claims: a conditional update of the rows a candidate query picks, safe when several processes
// claim at once. PostgreSQL locks the candidates and skips rows another claimant holds
// (FOR UPDATE SKIP LOCKED); SQLite has one writer at a time, so a plain subquery is enough.

import type { Provider } from "../database.ts";

export interface Statement {
  sql: string;
  params: unknown[];
}

export interface ClaimDialect {
  /**
   * `UPDATE table SET set WHERE id IN (candidates) [AND extra] RETURNING *`. `candidates`
   * selects only "id"; the parameters are those of `set`, then `candidates`.
   */
  claim(table: string, set: string, candidates: string, extra?: string): string;
  /**
   * Claims due check-ins (`due`) and those whose lease expired (`expired`), each query picking
   * "id" and "dueAt" in dueAt order with a LIMIT, merged and cut to `limit`.
   */
  claimCheckIns(due: Statement, expired: Statement, limit: number, set: Statement): Statement;
}

const postgresql: ClaimDialect = {
  claim: (table, set, candidates, extra) =>
    `UPDATE "${table}" AS t SET ${set} FROM (${candidates} FOR UPDATE SKIP LOCKED) AS d WHERE t."id" = d."id"${extra ? ` AND ${extra}` : ""} RETURNING t.*`,
  claimCheckIns: (due, expired, limit, set) => ({
    sql: `WITH due AS (${due.sql} FOR UPDATE SKIP LOCKED), expired AS (${expired.sql} FOR UPDATE SKIP LOCKED),
        picked AS (SELECT "id" FROM (SELECT * FROM due UNION ALL SELECT * FROM expired) AS u ORDER BY "dueAt" ASC LIMIT ?)
      UPDATE "CheckIn" AS c SET ${set.sql} FROM picked AS d WHERE c."id" = d."id" RETURNING c.*`,
    params: [...due.params, ...expired.params, limit, ...set.params],
  }),
};

const sqlite: ClaimDialect = {
  claim: (table, set, candidates, extra) => `UPDATE "${table}" SET ${set} WHERE "id" IN (${candidates})${extra ? ` AND ${extra}` : ""} RETURNING *`,
  claimCheckIns: (due, expired, limit, set) => ({
    sql: `UPDATE "CheckIn" SET ${set.sql}
      WHERE "id" IN (SELECT "id" FROM (SELECT * FROM (${due.sql}) UNION ALL SELECT * FROM (${expired.sql})) ORDER BY "dueAt" ASC LIMIT ?) RETURNING *`,
    params: [...set.params, ...due.params, ...expired.params, limit],
  }),
};

export const claimDialects: Record<Provider, ClaimDialect> = { postgresql, sqlite };
