// Leader election for work only one replica may do at a time (the Discord gateway: two
// gateway sessions would both receive every interaction). PostgreSQL: a session-level advisory
// lock held on a dedicated connection. The database drops the lock the moment that connection
// closes, so when the leader dies (even kill -9) a follower's next attempt wins: takeover takes
// at most one retry interval. SQLite: one process per file is enforced elsewhere, so the single
// process simply leads.

import pg from "pg";
import type { Logger } from "../ports/logger.ts";
import { errorCode } from "../core/dispatch.ts";

export interface LeaderCallbacks {
  /** Called when this process becomes leader; start the exclusive work here. */
  onElected(): Promise<void>;
  /** Called when leadership is lost or given up; stop the exclusive work here. */
  onDeposed(): Promise<void>;
}

export interface Leadership {
  isLeader(): boolean;
  /** Stops competing; if leading, stops the work and releases the lock. */
  stop(): Promise<void>;
}

export interface PgLeaderOptions extends LeaderCallbacks {
  url: string;
  /** Advisory lock key shared by every replica competing for the same role. */
  lockKey: number;
  logger: Logger;
  /** How often a follower retries and a leader checks its connection. Default 1000 ms. */
  intervalMs?: number;
  /** Called each time an attempt finds the lock held by another process (this one stays a follower). */
  onLockHeldElsewhere?(): void;
}

/** Well-known advisory lock keys (arbitrary constants; the migration runner uses its own). */
export const LEADER_KEYS = { discordGateway: 727_274_101 } as const;

export function startPgLeader(options: PgLeaderOptions): Leadership {
  const intervalMs = options.intervalMs ?? 1000;
  const log = options.logger.child({ role: "leader", key: options.lockKey });
  let client: pg.Client | null = null;
  let leading = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let cycle: Promise<void> = Promise.resolve();
  /** Consecutive failures to start the leader's work; each doubles the wait (Discord limits logins). */
  let startFailures = 0;

  const dropConnection = async (): Promise<void> => {
    const current = client;
    client = null;
    if (current) await current.end().catch(() => undefined);
  };

  const depose = async (reason: string): Promise<void> => {
    if (!leading) return;
    leading = false;
    log.warn({ reason }, "leadership lost");
    await options.onDeposed().catch((error: unknown) => log.error({ err: errorCode(error) }, "stopping leader work failed"));
  };

  const connect = async (): Promise<pg.Client> => {
    const created = new pg.Client({ connectionString: options.url, keepAlive: true, connectionTimeoutMillis: 5000, application_name: "alliance-checkin-leader" });
    // A broken connection means the lock is gone (the server released it); react at once.
    created.on("error", (error) => {
      log.warn({ err: errorCode(error) }, "leader connection error");
      if (client === created) client = null;
      void created.end().catch(() => undefined);
      if (leading) cycle = cycle.then(() => depose("connection_error"));
    });
    await created.connect();
    // A leader whose network is cut stops leading when its own checks time out; the server,
    // in turn, drops the session once TCP keepalive notices. Keep each check short.
    await created.query("SET statement_timeout = 5000");
    return created;
  };

  const attempt = async (): Promise<void> => {
    if (stopped) return;
    try {
      if (!client) client = await connect();
      if (leading) {
        // Prove the session (and so the lock) is still alive.
        await client.query("SELECT 1");
        return;
      }
      const result = await client.query<{ locked: boolean }>("SELECT pg_try_advisory_lock($1) AS locked", [options.lockKey]);
      if (!result.rows[0]?.locked) {
        options.onLockHeldElsewhere?.();
        return;
      }
      if (!stopped) {
        leading = true;
        log.info({}, "elected leader");
        try {
          await options.onElected();
          startFailures = 0;
        } catch (error) {
          startFailures++;
          log.error({ err: errorCode(error), failures: startFailures }, "starting leader work failed; giving up leadership");
          leading = false;
          await options.onDeposed().catch(() => undefined);
          await dropConnection();
        }
      }
    } catch (error) {
      log.warn({ err: errorCode(error) }, "leader check failed");
      await dropConnection();
      await depose("check_failed");
    }
  };

  const schedule = (): void => {
    if (stopped) return;
    const backoff = startFailures === 0 ? intervalMs : Math.min(60_000, intervalMs * 2 ** startFailures);
    timer = setTimeout(() => {
      cycle = cycle.then(attempt).finally(schedule);
    }, backoff);
  };
  cycle = cycle.then(attempt).finally(schedule);

  return {
    isLeader: () => leading,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await cycle.catch(() => undefined);
      if (leading) {
        leading = false;
        await options.onDeposed().catch((error: unknown) => log.error({ err: errorCode(error) }, "stopping leader work failed"));
        await client?.query("SELECT pg_advisory_unlock($1)", [options.lockKey]).catch(() => undefined);
      }
      await dropConnection();
    },
  };
}

/** The single-process case (SQLite): this process leads; a failure to start fails start-up. */
export async function startSoleLeader(callbacks: LeaderCallbacks): Promise<Leadership> {
  await callbacks.onElected();
  let leading = true;
  return {
    isLeader: () => leading,
    async stop() {
      if (!leading) return;
      leading = false;
      await callbacks.onDeposed();
    },
  };
}
