// Link mode: check-in links, stored as the hash of their token only.

import { randomUUID } from "node:crypto";
import type { LinkTokenRecord, LinkTokenStore } from "../ports/checkin-store.ts";
import type { OpenDatabase, PrismaDb, SqlConnection } from "./database.ts";
import { toLinkToken } from "./rows.ts";
import { firstRow } from "./statements.ts";

export class SqlLinkTokenStore implements LinkTokenStore {
  private readonly prisma: PrismaDb;
  private readonly sql: SqlConnection;

  constructor(db: Pick<OpenDatabase, "prisma" | "sql">) {
    this.prisma = db.prisma;
    this.sql = db.sql;
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

  async findLinkToken(tokenHash: string): Promise<LinkTokenRecord | null> {
    const row = await firstRow(this.sql, `SELECT * FROM "LinkToken" WHERE "tokenHash" = ?`, [tokenHash]);
    if (!row) return null;
    return toLinkToken(row);
  }

  async revokeLinkTokens(personId: string, now: Date): Promise<number> {
    const result = await this.prisma.linkToken.updateMany({ where: { personId, revokedAt: null }, data: { revokedAt: now } });
    return result.count;
  }
}
