// Inbound receipts (a redelivered event changes nothing) and the audit log.

import { randomUUID } from "node:crypto";
import type { AuditEntry, PlatformName } from "../core/model.ts";
import type { InboundStore, NewAuditEntry } from "../ports/checkin-store.ts";
import type { OpenDatabase, PrismaDb, SqlConnection } from "./database.ts";
import { toAudit, toDate } from "./rows.ts";
import { firstRow, RECEIPT_KEY_MAX, RECEIPT_SQL } from "./statements.ts";

export class SqlInboundStore implements InboundStore {
  private readonly prisma: PrismaDb;
  private readonly sql: SqlConnection;

  constructor(db: Pick<OpenDatabase, "prisma" | "sql">) {
    this.prisma = db.prisma;
    this.sql = db.sql;
  }

  async recordDelivery(platform: PlatformName, deliveryId: string, now: Date): Promise<boolean> {
    const inserted = await this.sql.execute(
      RECEIPT_SQL,
      [randomUUID(), platform, deliveryId.slice(0, RECEIPT_KEY_MAX), now],
    );
    return inserted === 1;
  }

  async deliveryRecordedAt(platform: PlatformName, key: string): Promise<Date | null> {
    const row = await firstRow(this.sql, `SELECT "receivedAt" FROM "InboundEvent" WHERE "platform" = ? AND "eventKey" = ?`, [platform, key.slice(0, RECEIPT_KEY_MAX)]);
    return row ? toDate(row.receivedAt) : null;
  }

  async claimDelivery(platform: PlatformName, deliveryId: string, now: Date, staleBefore: Date): Promise<"first" | "retaken" | "duplicate"> {
    const key = deliveryId.slice(0, RECEIPT_KEY_MAX);
    if ((await this.sql.execute(RECEIPT_SQL, [randomUUID(), platform, key, now])) === 1) return "first";
    const retaken = await this.sql.execute(
      `UPDATE "InboundEvent" SET "receivedAt" = ? WHERE "platform" = ? AND "eventKey" = ? AND "completedAt" IS NULL AND "receivedAt" < ?`,
      [now, platform, key, staleBefore],
    );
    return retaken === 1 ? "retaken" : "duplicate";
  }

  async completeDelivery(platform: PlatformName, deliveryId: string, now: Date): Promise<void> {
    await this.sql.execute(`UPDATE "InboundEvent" SET "completedAt" = ? WHERE "platform" = ? AND "eventKey" = ?`, [now, platform, deliveryId.slice(0, RECEIPT_KEY_MAX)]);
  }

  async appendAudit(entry: NewAuditEntry): Promise<void> {
    await this.prisma.auditEntry.create({
      data: {
        id: randomUUID(),
        practiceId: entry.practiceId,
        actorPersonId: entry.actorPersonId,
        action: entry.action,
        subjectPersonId: entry.subjectPersonId,
        detail: JSON.stringify(entry.detail),
        createdAt: entry.createdAt,
      },
    });
  }

  async listAudit(practiceId: string, subjectPersonId: string, limit: number): Promise<AuditEntry[]> {
    const rows = await this.prisma.auditEntry.findMany({
      where: { practiceId, subjectPersonId },
      orderBy: { createdAt: "desc" },
      take: limit,
    });
    return rows.map(toAudit);
  }
}
