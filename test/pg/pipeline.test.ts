// The pipelined PostgreSQL connections: writes issued together commit together (one
// transaction), a failing write fails only itself, reads come back to the right callers, a
// connection the server drops is replaced, and a closed pipeline refuses clearly.

import pg from "pg";
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import { PgPipeline } from "../../src/store/pg-pipeline.ts";
import { describePostgres } from "../support/pg-suite.ts";
import { waitFor } from "../support/bot-process.ts";

const APP = "pipeline-test";

await describePostgres("pipelined PostgreSQL connections", (database) => {
  let admin: pg.Client;
  let pipeline: PgPipeline;

  const insert = (id: string, value: number) => ({ text: `INSERT INTO "Item" ("id", "value") VALUES ($1, $2) RETURNING "id"`, values: [id, value] });
  /** The transaction that wrote each row (rows written in one transaction share it). */
  const writers = async () => (await admin.query<{ id: string; xmin: string }>(`SELECT "id", xmin::text AS "xmin" FROM "Item" ORDER BY "id"`)).rows;

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: database().url });
    await admin.connect();
    await admin.query(`CREATE TABLE "Item" ("id" TEXT PRIMARY KEY, "value" INTEGER NOT NULL CHECK ("value" >= 0))`);
  });
  afterAll(async () => {
    await admin.end();
  });
  beforeEach(async () => {
    await admin.query(`TRUNCATE "Item"`);
    pipeline = new PgPipeline({ connectionString: database().url, application_name: APP }, 2);
  });
  afterEach(async () => {
    await pipeline.close();
  });

  it("writes issued in the same turn are committed in one transaction", async () => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => pipeline.write(insert(`a${String(i).padStart(2, "0")}`, i))));
    expect(results.map((r) => r.rows[0]?.id)).toEqual(Array.from({ length: 20 }, (_, i) => `a${String(i).padStart(2, "0")}`));
    const rows = await writers();
    expect(rows).toHaveLength(20);
    expect(new Set(rows.map((r) => r.xmin)).size).toBe(1);
  });

  it("a failing write fails alone: the others of its group are retried on their own and stored", async () => {
    const good = Array.from({ length: 10 }, (_, i) => pipeline.write(insert(`b${i}`, i)));
    const bad = pipeline.write(insert("b-bad", -1)).then(
      () => null,
      (error: { code?: string }) => error.code,
    );
    const duplicate = pipeline.write(insert("b3", 99)).then(
      () => null,
      (error: { code?: string }) => error.code,
    );
    await expect(Promise.all(good)).resolves.toHaveLength(10);
    expect(await bad).toBe("23514"); // check_violation
    expect(await duplicate).toBe("23505"); // unique_violation
    const rows = await writers();
    expect(rows.map((r) => r.id)).toEqual(Array.from({ length: 10 }, (_, i) => `b${i}`));
    expect((await admin.query(`SELECT "value" FROM "Item" WHERE "id" = 'b3'`)).rows[0]?.value).toBe(3);
  });

  it("reads issued together each get their own result, and see writes that completed before them", async () => {
    await pipeline.write(insert("c1", 1));
    await pipeline.write(insert("c2", 2));
    const reads = await Promise.all(
      Array.from({ length: 30 }, (_, i) => pipeline.query({ text: `SELECT "value" + $1::int AS "v" FROM "Item" WHERE "id" = $2`, values: [i, i % 2 ? "c1" : "c2"] })),
    );
    expect(reads.map((r) => r.rows[0]?.v)).toEqual(Array.from({ length: 30 }, (_, i) => i + (i % 2 ? 1 : 2)));
  });

  it("a connection the server drops is replaced: later statements succeed", async () => {
    await pipeline.write(insert("d1", 1));
    await Promise.all([pipeline.query({ text: "SELECT 1" }), pipeline.query({ text: "SELECT 2" })]);
    const killed = await admin.query<{ pid: number }>(
      `SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND datname = $2`,
      [APP, database().name],
    );
    expect(killed.rowCount).toBeGreaterThan(0);
    const killedPids = killed.rows.map((r) => r.pid);
    await waitFor("the server to end the terminated backends", async () => {
      const left = await admin.query(`SELECT 1 FROM pg_stat_activity WHERE pid = ANY($1::int[])`, [killedPids]);
      return left.rowCount === 0;
    }, 30_000, 20);
    // Whatever was in flight on a dropped connection may fail; after that, statements work again.
    await waitFor("statements to succeed again", () =>
      Promise.all([pipeline.query({ text: "SELECT 1" }), pipeline.query({ text: "SELECT 2" })]).then(
        () => true,
        () => false,
      ), 30_000, 20);
    const after = await Promise.all([pipeline.write(insert("d2", 2)), pipeline.query({ text: `SELECT COUNT(*)::int AS "n" FROM "Item"` })]);
    expect(after[0].rows[0]?.id).toBe("d2");
    expect((await pipeline.query({ text: `SELECT COUNT(*)::int AS "n" FROM "Item"` })).rows[0]?.n).toBe(2);
  });

  it("one connection does the work while it has room; behind a slow statement the queue moves to another", async () => {
    const spilling = new PgPipeline({ connectionString: database().url, application_name: APP }, 2, { batchesPerConnection: 2, spillAfterMs: 50 });
    const pidOf = (result: pg.QueryResult) => Number(result.rows[0]?.pid);
    try {
      // Steady use, batch after batch: always the first connection.
      const steady = new Set<number>();
      for (let round = 0; round < 5; round++) {
        const results = await Promise.all(Array.from({ length: 10 }, () => spilling.query({ text: "SELECT pg_backend_pid() AS pid" })));
        for (const r of results) steady.add(pidOf(r));
      }
      expect(steady.size).toBe(1);
      const [first] = [...steady];
      // Two slow statements in two batches fill that connection; a quick read issued next does not wait for them.
      const order: string[] = [];
      const slow = (name: string) =>
        spilling.query({ text: "SELECT pg_backend_pid() AS pid, pg_sleep(0.6)" }).then((r) => (order.push(name), pidOf(r)));
      const slowA = slow("slow-a");
      await new Promise((resolve) => setImmediate(resolve));
      const slowB = slow("slow-b");
      await new Promise((resolve) => setImmediate(resolve));
      const quick = spilling.query({ text: "SELECT pg_backend_pid() AS pid" }).then((r) => (order.push("quick"), pidOf(r)));
      const [a, b, q] = await Promise.all([slowA, slowB, quick]);
      expect([a, b]).toEqual([first, first]);
      expect(q).not.toBe(first);
      expect(order[0]).toBe("quick");
    } finally {
      await spilling.close();
    }
  });

  it("with a single connection, everything waits its turn behind a slow statement", async () => {
    const single = new PgPipeline({ connectionString: database().url, application_name: APP }, 1, { spillAfterMs: 10 });
    try {
      const order: string[] = [];
      const slow = single.query({ text: "SELECT pg_sleep(0.3)" }).then(() => order.push("slow"));
      await new Promise((resolve) => setImmediate(resolve));
      const second = single.query({ text: "SELECT pg_sleep(0.3)" }).then(() => order.push("slow-2"));
      await new Promise((resolve) => setImmediate(resolve));
      const quick = single.query({ text: "SELECT 1" }).then(() => order.push("quick"));
      await Promise.all([slow, second, quick]);
      expect(order).toEqual(["slow", "slow-2", "quick"]);
    } finally {
      await single.close();
    }
  });

  it("once closed, statements are refused with a clear error", async () => {
    await pipeline.close();
    await expect(pipeline.query({ text: "SELECT 1" })).rejects.toThrow(/closed/);
    await expect(pipeline.write(insert("e1", 1))).rejects.toThrow(/closed/);
  });
});
