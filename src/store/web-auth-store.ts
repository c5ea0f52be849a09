// WebAuthStore over the raw SQL connection. The SQL runs unchanged on SQLite and PostgreSQL.

import type { NewSignIn, WebAuthStore, WebIdentity, WebSessionRecord } from "../ports/web-auth.ts";
import type { SqlConnection } from "./database.ts";
import { toDate } from "./rows.ts";

type Row = Record<string, unknown>;

function toSession(row: Row): WebSessionRecord {
  return {
    idHash: String(row.idHash),
    practiceId: String(row.practiceId),
    personId: String(row.personId),
    createdAt: toDate(row.createdAt) as Date,
    lastSeenAt: toDate(row.lastSeenAt) as Date,
  };
}

export class SqlWebAuthStore implements WebAuthStore {
  constructor(private readonly sql: SqlConnection) {}

  async createSignIn(link: NewSignIn): Promise<void> {
    await this.sql.execute(`INSERT INTO "WebSignIn" ("tokenHash", "practiceId", "personId", "createdAt", "expiresAt") VALUES (?, ?, ?, ?, ?)`, [
      link.tokenHash,
      link.practiceId,
      link.personId,
      link.createdAt,
      link.expiresAt,
    ]);
  }

  async consumeSignIn(tokenHash: string, now: Date): Promise<WebIdentity | null> {
    const changed = await this.sql.execute(`UPDATE "WebSignIn" SET "usedAt" = ? WHERE "tokenHash" = ? AND "usedAt" IS NULL AND "expiresAt" > ?`, [now, tokenHash, now]);
    if (changed !== 1) return null;
    const [row] = await this.sql.query<Row>(`SELECT "practiceId", "personId" FROM "WebSignIn" WHERE "tokenHash" = ?`, [tokenHash]);
    return row ? { practiceId: String(row.practiceId), personId: String(row.personId) } : null;
  }

  async createSession(session: WebSessionRecord): Promise<void> {
    await this.sql.execute(`INSERT INTO "WebSession" ("idHash", "practiceId", "personId", "createdAt", "lastSeenAt") VALUES (?, ?, ?, ?, ?)`, [
      session.idHash,
      session.practiceId,
      session.personId,
      session.createdAt,
      session.lastSeenAt,
    ]);
  }

  async activeSession(idHash: string, idleSince: Date, now: Date, touchAfter: Date): Promise<WebSessionRecord | null> {
    const [row] = await this.sql.query<Row>(`SELECT * FROM "WebSession" WHERE "idHash" = ? AND "revokedAt" IS NULL AND "lastSeenAt" > ?`, [idHash, idleSince]);
    if (!row) return null;
    const session = toSession(row);
    if (session.lastSeenAt < touchAfter) {
      await this.sql.execute(`UPDATE "WebSession" SET "lastSeenAt" = ? WHERE "idHash" = ? AND "revokedAt" IS NULL`, [now, idHash]);
      session.lastSeenAt = now;
    }
    return session;
  }

  async revokeSession(idHash: string, now: Date): Promise<boolean> {
    return (await this.sql.execute(`UPDATE "WebSession" SET "revokedAt" = ? WHERE "idHash" = ? AND "revokedAt" IS NULL`, [now, idHash])) === 1;
  }

  async revokeSessionsOf(personId: string, now: Date): Promise<number> {
    return this.sql.execute(`UPDATE "WebSession" SET "revokedAt" = ? WHERE "personId" = ? AND "revokedAt" IS NULL`, [now, personId]);
  }

  async purgeWebAuth(before: Date): Promise<number> {
    const links = await this.sql.execute(`DELETE FROM "WebSignIn" WHERE "expiresAt" < ?`, [before]);
    const sessions = await this.sql.execute(`DELETE FROM "WebSession" WHERE "lastSeenAt" < ? OR "revokedAt" < ?`, [before, before]);
    return links + sessions;
  }
}
