// Link mode: check-in links, stored as the hash of their token only.

import { randomUUID } from "node:crypto";
import type { LinkedCheckIn, LinkTokenRecord, LinkTokenStore } from "../ports/checkin-store.ts";
import type { OpenDatabase, PrismaDb, SqlConnection } from "./database.ts";
import { contextMemo } from "./dialect/context-memo.ts";
import { linkedDialects } from "./dialect/linked.ts";
import type { LinkedDialect } from "./dialect/linked.ts";
import { firstRow } from "./statements.ts";
import { isReaderUnavailable } from "./connection/sqlite-reader.ts";
import type { SqliteReader } from "./connection/sqlite-reader.ts";

export class SqlLinkTokenStore implements LinkTokenStore {
  private readonly prisma: PrismaDb;
  private readonly sql: SqlConnection;
  private readonly linked: LinkedDialect;
  private readonly reader: SqliteReader | null;

  constructor(db: Pick<OpenDatabase, "prisma" | "sql" | "reader">) {
    this.prisma = db.prisma;
    this.sql = db.sql;
    this.linked = linkedDialects[db.sql.provider];
    this.reader = db.reader ?? null;
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
    // Every check-in page (GET, and each POST before its answer) starts here. SQLite reads on its
    // reader thread, or here when that thread is not there.
    if (this.reader) {
      try {
        return await this.reader.linkedCheckIn(tokenHash);
      } catch (error) {
        if (!isReaderUnavailable(error)) throw error;
      }
    }
    const row = await firstRow(this.sql, this.linked.sql, [tokenHash]);
    if (!row) return null;
    const linked = this.linked.decode(row);
    // On PostgreSQL the answer write that may follow (a submitted page) can decide on this read.
    if (this.linked.versions) contextMemo(this.sql).remember({ context: linked.context, versions: this.linked.versions(row) });
    return linked;
  }

  async revokeLinkTokens(personId: string, now: Date): Promise<number> {
    const result = await this.prisma.linkToken.updateMany({ where: { personId, revokedAt: null }, data: { revokedAt: now } });
    return result.count;
  }
}
