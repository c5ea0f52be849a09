// The PostgreSQL connections a store opens: Prisma and explicit transactions share one pool, and
// a connection that fails is reported with its error code (never its message) and replaced.

import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { openDatabase } from "../../src/store/database.ts";
import type { OpenDatabase } from "../../src/store/database.ts";
import type { Logger } from "../../src/ports/logger.ts";
import { describePostgres } from "../support/pg-suite.ts";

interface Logged {
  level: string;
  fields: Record<string, unknown>;
  msg: string;
}

function recordingLogger(into: Logged[]): Logger {
  const at = (level: string) => (fields: Record<string, unknown>, msg: string) => void into.push({ level, fields, msg });
  const logger: Logger = { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error"), child: () => logger };
  return logger;
}

async function waitFor(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

await describePostgres("PostgreSQL connections of one store", (database) => {
  let admin: pg.Client;
  let db: OpenDatabase;
  const logged: Logged[] = [];

  /** Connections to the test database other than the admin's, by application name. */
  const connections = async () =>
    (
      await admin.query<{ app: string }>(`SELECT application_name AS app FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [database().name])
    ).rows.map((r) => r.app);

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: database().url });
    await admin.connect();
    db = await openDatabase(database().url, { logger: recordingLogger(logged) });
  });
  afterAll(async () => {
    await db?.close();
    await admin?.end();
  });

  it("Prisma and explicit transactions use the same pooled connection, next to the pipelined ones", async () => {
    await db.prisma.practice.findMany({ take: 1 });
    await db.sql.transaction(async (tx) => tx.query(`SELECT 1 AS "one"`));
    await db.sql.query(`SELECT 1 AS "one"`);
    const apps = await connections();
    expect(apps.filter((app) => app !== "alliance-checkin")).toEqual(["alliance-checkin-pool"]);
    expect(apps.filter((app) => app === "alliance-checkin").length).toBeGreaterThanOrEqual(1);
  });

  it("a pooled or pipelined connection that the server ends is logged with its code and replaced", async () => {
    await db.prisma.practice.findMany({ take: 1 });
    await db.sql.query(`SELECT 1 AS "one"`);
    const secret = "s3cr3t-comment-text";
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [database().name]);
    await waitFor(
      () => logged.some((l) => l.msg.startsWith("database pool")) && logged.some((l) => l.msg.startsWith("pipelined database")),
      "both connection failures to be logged",
    );
    for (const entry of logged) {
      expect(entry.level).toBe("warn");
      // 57P01: admin_shutdown, what pg_terminate_backend sends.
      expect(entry.fields).toEqual({ code: "57P01" });
      expect(JSON.stringify(entry)).not.toContain(secret);
    }
    // Both kinds of connection come back on next use.
    expect(await db.sql.query<{ one: number }>(`SELECT 1 AS "one"`)).toEqual([{ one: 1 }]);
    expect(await db.prisma.practice.count()).toBe(0);
    expect(await db.sql.transaction(async (tx) => tx.query<{ one: number }>(`SELECT 1 AS "one"`))).toEqual([{ one: 1 }]);
  });
}, { migrate: true });
