// Link mode: check-in links, stored as the hash of their token only.

import { randomUUID } from "node:crypto";
import type { LinkedCheckIn, LinkTokenRecord, LinkTokenStore } from "../ports/checkin-store.ts";
import type { OpenDatabase, PrismaDb, Provider, SqlConnection } from "./database.ts";
import { contextDialects } from "./dialect/context.ts";
import { aliasedColumns, pickAliased, toLinkToken, toResponse } from "./rows.ts";
import { CONTEXT_JOINS, firstRow } from "./statements.ts";
import type { Row } from "./statements.ts";

/**
 * The link (`lt`) and the response (`r`, absent until a first answer) next to the context's
 * columns. PostgreSQL returns one JSON value per table, as the context read does; SQLite returns
 * every column aliased by table.
 */
const LINKED_COLUMNS: Record<Provider, { columns: string; link(row: Row): Row; response(row: Row): Row | null }> = {
  postgresql: {
    columns: `row_to_json(lt) AS "lt", row_to_json(r) AS "r"`,
    link: (row) => row.lt as Row,
    response: (row) => (row.r as Row | null) ?? null,
  },
  sqlite: {
    columns: `${aliasedColumns("LinkToken", "lt")}, ${aliasedColumns("Response", "r")}`,
    link: (row) => pickAliased(row, "LinkToken", "lt"),
    response: (row) => (row.r__id === null || row.r__id === undefined ? null : pickAliased(row, "Response", "r")),
  },
};

export class SqlLinkTokenStore implements LinkTokenStore {
  private readonly prisma: PrismaDb;
  private readonly sql: SqlConnection;
  private readonly linkedSql: string;

  constructor(db: Pick<OpenDatabase, "prisma" | "sql">) {
    this.prisma = db.prisma;
    this.sql = db.sql;
    const { provider } = db.sql;
    this.linkedSql = `SELECT ${LINKED_COLUMNS[provider].columns}, ${contextDialects[provider].columns}
      FROM ${CONTEXT_JOINS} JOIN "LinkToken" lt ON lt."checkInId" = c."id" LEFT JOIN "Response" r ON r."checkInId" = c."id"
      WHERE lt."tokenHash" = ?`;
  }

  async createLinkToken(input: Omit<LinkTokenRecord, "revokedAt"> & { createdAt: Date }): Promise<void> {
    await this.sql.execute(`INSERT INTO "LinkToken" ("id", "tokenHash", "checkInId", "personId", "expiresAt", "createdAt") VALUES (?, ?, ?, ?, ?, ?)`, [
      randomUUID(),
      input.tokenHash,
      input.checkInId,
      input.personId,
      input.expiresAt,
      input.createdAt,
    ]);
  }

  async linkedCheckIn(tokenHash: string): Promise<LinkedCheckIn | null> {
    // Every check-in page (GET, and each POST before and after its answer) starts here.
    const row = await firstRow(this.sql, this.linkedSql, [tokenHash]);
    if (!row) return null;
    const dialect = LINKED_COLUMNS[this.sql.provider];
    const response = dialect.response(row);
    return { link: toLinkToken(dialect.link(row)), context: contextDialects[this.sql.provider].decode(row), response: response ? toResponse(response) : null };
  }

  async revokeLinkTokens(personId: string, now: Date): Promise<number> {
    const result = await this.prisma.linkToken.updateMany({ where: { personId, revokedAt: null }, data: { revokedAt: now } });
    return result.count;
  }
}
