// The checks behind /readyz: the database answers, every committed migration is applied, and
// every configured platform is connected (or, for the Discord gateway, held by another replica).

import type { SqlConnection } from "../store/database.ts";
import { migrationsUpToDate } from "../store/migrate.ts";
import type { Migration } from "../store/migrate.ts";
import type { ReadinessCheck } from "./http-server.ts";

/** connected: serving; standby: another replica holds this platform's exclusive connection. */
export type PlatformState = "starting" | "connected" | "standby" | "stopped" | "failed";

export class PlatformStatus {
  private readonly states = new Map<string, PlatformState>();
  set(name: string, state: PlatformState): void {
    this.states.set(name, state);
  }
  snapshot(): Record<string, PlatformState> {
    return Object.fromEntries(this.states);
  }
}

export function readinessChecks(sql: SqlConnection, migrations: Migration[], platforms: PlatformStatus): ReadinessCheck[] {
  return [
    {
      name: "database",
      async check() {
        await sql.query("SELECT 1");
        return { ok: true };
      },
    },
    {
      name: "migrations",
      async check() {
        const ok = await migrationsUpToDate(sql, migrations);
        return ok ? { ok } : { ok, detail: "pending migrations" };
      },
    },
    {
      name: "platforms",
      async check() {
        const states = platforms.snapshot();
        const down = Object.entries(states).filter(([, s]) => s !== "connected" && s !== "standby");
        const detail = Object.entries(states).map(([name, s]) => `${name}:${s}`).join(",");
        return { ok: Object.keys(states).length > 0 && down.length === 0, detail };
      },
    },
  ];
}
