// Alerts: one unresolved alert per enrollment (a partial unique index), compare-and-set updates,
// and follow-up claims that go out once across processes (dialect/claims.ts).

import { randomUUID } from "node:crypto";
import type { Alert, AlertStatus } from "../core/model.ts";
import type { AlertPatch, AlertStore, NewAlert } from "../ports/checkin-store.ts";
import type { SqlConnection } from "./database.ts";
import { claimDialects } from "./dialect/claims.ts";
import type { ClaimDialect } from "./dialect/claims.ts";
import { StoreError } from "./errors.ts";
import { toAlert } from "./rows.ts";
import { firstRow, UNRESOLVED_ALERT_SQL } from "./statements.ts";
import type { Row } from "./statements.ts";

/** Alert columns an AlertPatch may set (updatedAt is always present). */
const ALERT_PATCH_COLUMNS = [
  "status", "severity", "signals", "checkInId", "acknowledgedAt", "resolvedAt", "snoozedUntil",
  "platformChannelId", "platformMessageId", "remindedAt", "escalatedAt", "updatedAt",
] as const satisfies readonly (keyof AlertPatch)[];

export class SqlAlertStore implements AlertStore {
  private readonly claims: ClaimDialect;

  constructor(private readonly sql: SqlConnection) {
    this.claims = claimDialects[sql.provider];
  }

  async unresolvedAlert(enrollmentId: string): Promise<Alert | null> {
    const row = await firstRow(this.sql, UNRESOLVED_ALERT_SQL, [enrollmentId]);
    return row ? toAlert(row) : null;
  }

  async getAlert(id: string): Promise<Alert | null> {
    const row = await firstRow(this.sql, `SELECT * FROM "Alert" WHERE "id" = ?`, [id]);
    return row ? toAlert(row) : null;
  }

  async createAlert(input: NewAlert): Promise<Alert | null> {
    // The partial unique index Alert_one_unresolved_per_enrollment turns a concurrent second
    // alert into a no-op; the caller then folds its signals into the existing one.
    const rows = await this.sql.query<Row>(
      `INSERT INTO "Alert" ("id", "enrollmentId", "checkInId", "status", "severity", "signals", "createdAt", "updatedAt")
       VALUES (?, ?, ?, 'open', ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING *`,
      [randomUUID(), input.enrollmentId, input.checkInId, input.severity, JSON.stringify(input.signals), input.createdAt, input.createdAt],
    );
    return rows[0] ? toAlert(rows[0]) : null;
  }

  async undeliveredAlerts(notUpdatedSince: Date, limit: number): Promise<Alert[]> {
    const rows = await this.sql.query<Row>(
      `SELECT * FROM "Alert" WHERE "status" IN ('open', 'acknowledged') AND "platformMessageId" IS NULL AND "updatedAt" <= ?
       ORDER BY "updatedAt" ASC LIMIT ?`,
      [notUpdatedSince, limit],
    );
    return rows.map(toAlert);
  }

  async updateAlert(id: string, patch: AlertPatch): Promise<Alert> {
    const updated = await this.updateAlertWhere(id, patch, null);
    if (!updated) throw new StoreError("alert_not_found", `no alert ${id}`);
    return updated;
  }

  async updateAlertIfSignals(id: string, expected: Alert["signals"], patch: AlertPatch): Promise<Alert | null> {
    return this.updateAlertWhere(id, patch, JSON.stringify(expected));
  }

  /** Updates an alert; with `expectedSignals`, only if its stored signals are still exactly those. */
  private async updateAlertWhere(id: string, patch: AlertPatch, expectedSignals: string | null): Promise<Alert | null> {
    const entries = ALERT_PATCH_COLUMNS.filter((column) => patch[column] !== undefined).map(
      (column) => [column, column === "signals" ? JSON.stringify(patch.signals) : patch[column]] as const,
    );
    const rows = await this.sql.query<Row>(
      `UPDATE "Alert" SET ${entries.map(([column]) => `"${column}" = ?`).join(", ")} WHERE "id" = ?${expectedSignals === null ? "" : ` AND "signals" = ?`} RETURNING *`,
      [...entries.map(([, value]) => value), id, ...(expectedSignals === null ? [] : [expectedSignals])],
    );
    return rows[0] ? toAlert(rows[0]) : null;
  }

  async listAlerts(enrollmentIds: string[], statuses: AlertStatus[]): Promise<Alert[]> {
    if (enrollmentIds.length === 0 || statuses.length === 0) return [];
    // Alerts are written on the raw connection; reading them there too means a caller always
    // sees its own latest write, whatever the other connection's snapshot.
    const rows = await this.sql.query<Row>(
      `SELECT * FROM "Alert" WHERE "enrollmentId" IN (${enrollmentIds.map(() => "?").join(", ")}) AND "status" IN (${statuses.map(() => "?").join(", ")})
       ORDER BY "createdAt" DESC LIMIT 200`,
      [...enrollmentIds, ...statuses],
    );
    return rows.map(toAlert);
  }

  async claimAlertFollowUps(kind: "remind" | "escalate", createdBefore: Date, now: Date, limit: number): Promise<Alert[]> {
    const column = kind === "remind" ? "remindedAt" : "escalatedAt";
    const candidates = `SELECT "id" FROM "Alert" WHERE "status" = 'open' AND "${column}" IS NULL AND "createdAt" <= ?
      AND ("snoozedUntil" IS NULL OR "snoozedUntil" <= ?) ORDER BY "createdAt" LIMIT ?`;
    const rows = await this.sql.query<Row>(this.claims.claim("Alert", `"${column}" = ?`, candidates, `"${column}" IS NULL`), [now, createdBefore, now, limit]);
    return rows.map(toAlert);
  }
}
