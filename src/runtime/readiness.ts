// The checks behind /readyz: the database answers, every committed migration is applied, and
// every configured platform is connected (or, for the Discord gateway, held by another replica).

import type { SqlConnection } from "../store/database.ts";
import { migrationsUpToDate } from "../store/migrate.ts";
import type { Migration } from "../store/migrate.ts";
import { errorCode } from "../core/dispatch.ts";

/** One named readiness check; `ok: false` makes /readyz answer 503. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<{ ok: boolean; detail?: string }>;
}

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, { ok: boolean; detail?: string }>;
}

/**
 * Runs the readiness checks (each bounded by a timeout) and remembers whether the process is
 * draining. The web server's /readyz and the ops server's /readyz share one instance.
 */
export class Readiness {
  private draining = false;
  constructor(
    private readonly checks: ReadinessCheck[],
    private readonly timeoutMs = 2000,
  ) {}

  /** From now on the report is "not ready" (graceful shutdown: let the load balancer drain us). */
  setDraining(): void {
    this.draining = true;
  }

  async evaluate(): Promise<ReadinessReport> {
    const results = await Promise.all(
      this.checks.map(async (c) => {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<{ ok: boolean; detail: string }>((resolve) => {
          timer = setTimeout(() => resolve({ ok: false, detail: "timeout" }), this.timeoutMs);
        });
        try {
          return [c.name, await Promise.race([c.check(), timeout])] as const;
        } catch (error) {
          return [c.name, { ok: false, detail: errorCode(error) }] as const;
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    const checks: ReadinessReport["checks"] = Object.fromEntries(results);
    if (this.draining) checks.shutdown = { ok: false, detail: "draining" };
    return { ready: Object.values(checks).every((c) => c.ok), checks };
  }
}

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
