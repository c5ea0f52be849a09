// Rows are parsed at the store boundary with one zod schema per table (src/store/rows.ts): a
// corrupt value is a coded error naming the table and column, and the schemas, prisma/schema.prisma
// and both migration trees agree on every table's columns and their nullability.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openStore } from "../../src/app.ts";
import type { OpenDatabase } from "../../src/store/database.ts";
import type { PrismaCheckInStore } from "../../src/store/prisma-store.ts";
import { StoreError } from "../../src/store/errors.ts";
import { COLUMNS, ROW_SCHEMAS } from "../../src/store/rows.ts";
import type { Table } from "../../src/store/rows.ts";
import { describePostgres } from "../support/pg-suite.ts";
import { insertCheckIns, seedEnrollment } from "../support/store-seed.ts";

interface Field {
  name: string;
  type: string;
  optional: boolean;
}

const SCALARS = new Set(["String", "Int", "Boolean", "DateTime"]);

/** Every model's scalar fields in prisma/schema.prisma, in order. */
function schemaModels(): Map<string, Field[]> {
  const schema = readFileSync(new URL("../../prisma/schema.prisma", import.meta.url), "utf8");
  const models = new Map<string, Field[]>();
  for (const match of schema.matchAll(/^model (\w+) \{([\s\S]*?)^\}/gm)) {
    const fields = match[2]!
      .split("\n")
      .map((line) => /^\s+(\w+)\s+(\w+)(\?)?(\s|$)/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null && SCALARS.has(m[2]!))
      .map((m) => ({ name: m[1]!, type: m[2]!, optional: m[3] === "?" }));
    models.set(match[1]!, fields);
  }
  return models;
}

const MODELS = schemaModels();

/** A column as a migrated database describes it. */
interface DbColumn {
  name: string;
  nullable: boolean;
}

async function sqliteColumns(db: OpenDatabase, table: string): Promise<DbColumn[]> {
  const rows = await db.sql.query<{ name: string; notnull: number }>(`PRAGMA table_info("${table}")`);
  return rows.map((r) => ({ name: r.name, nullable: r.notnull === 0 }));
}

async function postgresColumns(db: OpenDatabase, table: string): Promise<DbColumn[]> {
  const rows = await db.sql.query<{ name: string; nullable: string }>(
    `SELECT column_name AS "name", is_nullable AS "nullable" FROM information_schema.columns WHERE table_schema = 'public' AND table_name = ? ORDER BY ordinal_position`,
    [table],
  );
  return rows.map((r) => ({ name: r.name, nullable: r.nullable === "YES" }));
}

const byName = (columns: DbColumn[]) => Object.fromEntries(columns.map((c) => [c.name, c.nullable]));

function expectStoreError(error: unknown, table: string, column: string, value: string): void {
  expect(error).toBeInstanceOf(StoreError);
  const e = error as StoreError;
  expect(e.code).toBe("corrupt_row");
  expect(e.message).toContain(`"${table}"`);
  expect(e.message).toContain(`"${column}"`);
  // The stored value never appears in the message (it may be clinical data).
  expect(e.message).not.toContain(value);
}

describe("row schemas agree with prisma/schema.prisma", () => {
  for (const table of Object.keys(ROW_SCHEMAS) as Table[]) {
    it(`${table}: the same columns in the same order, the same nullability and types`, () => {
      const fields = MODELS.get(table);
      expect(fields, `model ${table} in schema.prisma`).toBeDefined();
      expect([...COLUMNS[table]]).toEqual(fields!.map((f) => f.name));
      const shape = ROW_SCHEMAS[table].shape as Record<string, { safeParse(value: unknown): { success: boolean } }>;
      for (const field of fields!) {
        const column = shape[field.name]!;
        expect(column.safeParse(null).success, `${table}.${field.name} accepts NULL`).toBe(field.optional);
        // Each column accepts what its type stores on either database, and refuses another type.
        if (field.type === "DateTime") {
          expect(column.safeParse(new Date(0)).success, `${table}.${field.name} accepts a time`).toBe(true);
          expect(column.safeParse("not a time").success, `${table}.${field.name} refuses text`).toBe(false);
        } else if (field.type === "Int") {
          expect(column.safeParse(3).success, `${table}.${field.name} accepts an integer`).toBe(true);
          expect(column.safeParse("three").success, `${table}.${field.name} refuses text`).toBe(false);
        } else if (field.type === "Boolean") {
          expect(column.safeParse(true).success && column.safeParse(0).success, `${table}.${field.name} accepts a boolean`).toBe(true);
          expect(column.safeParse("maybe").success, `${table}.${field.name} refuses text`).toBe(false);
        } else {
          expect(column.safeParse(7).success, `${table}.${field.name} refuses a number`).toBe(false);
        }
      }
    });
  }
});

function migrationTests(provider: "sqlite" | "postgresql", connect: () => Promise<{ db: OpenDatabase; store: PrismaCheckInStore }>) {
  let db: OpenDatabase;
  let store: PrismaCheckInStore;
  beforeEach(async () => {
    ({ db, store } = await connect());
  });
  afterEach(async () => {
    await db.close();
  });

  it("every model's columns and nullability are what the migrations created", async () => {
    for (const [table, fields] of MODELS) {
      const columns = provider === "sqlite" ? await sqliteColumns(db, table) : await postgresColumns(db, table);
      expect(byName(columns), `table ${table}`).toEqual(Object.fromEntries(fields.map((f) => [f.name, f.optional])));
    }
  });

  it("a check-in whose status is not one the bot writes is a corrupt_row error naming CheckIn.status", async () => {
    const enrollment = await seedEnrollment(store);
    const [checkIn] = await insertCheckIns(store, enrollment.id, 1, new Date("2026-03-02T10:00:00Z"));
    await db.sql.execute(`UPDATE "CheckIn" SET "status" = ? WHERE "id" = ?`, ["half-sent", checkIn!.id]);
    expectStoreError(await store.getCheckIn(checkIn!.id).catch((e: unknown) => e), "CheckIn", "status", "half-sent");
    // The joined read (one JSON value per table on PostgreSQL, aliased columns on SQLite) too.
    expectStoreError(await store.checkInContext(checkIn!.id).catch((e: unknown) => e), "CheckIn", "status", "half-sent");
  });

  it("the joined read gives every call objects of its own and sees every change to the four rows", async () => {
    const enrollment = await seedEnrollment(store);
    const [checkIn] = await insertCheckIns(store, enrollment.id, 1, new Date("2026-03-02T10:00:00Z"));
    const first = await store.checkInContext(checkIn!.id);
    const second = await store.checkInContext(checkIn!.id);
    expect(second).toEqual(first);
    expect(second!.checkIn).not.toBe(first!.checkIn);
    expect(second!.enrollment).not.toBe(first!.enrollment);
    expect(second!.client).not.toBe(first!.client);
    expect(second!.enrollment.weekdays).not.toBe(first!.enrollment.weekdays);
    first!.checkIn.status = "answered";
    first!.enrollment.weekdays.push(9);
    const third = await store.checkInContext(checkIn!.id);
    expect(third!.checkIn.status).toBe("scheduled");
    expect(third!.enrollment.weekdays).toEqual(second!.enrollment.weekdays);
    await db.sql.execute(`UPDATE "CheckIn" SET "status" = 'cancelled' WHERE "id" = ?`, [checkIn!.id]);
    await db.sql.execute(`UPDATE "Person" SET "locale" = 'ro' WHERE "id" = ?`, [enrollment.clientId]);
    const changed = await store.checkInContext(checkIn!.id);
    expect(changed!.checkIn.status).toBe("cancelled");
    expect(changed!.client.locale).toBe("ro");
    // A row read fine before and corrupted afterwards is still refused.
    await db.sql.execute(`UPDATE "CheckIn" SET "status" = ? WHERE "id" = ?`, ["half-sent", checkIn!.id]);
    expectStoreError(await store.checkInContext(checkIn!.id).catch((e: unknown) => e), "CheckIn", "status", "half-sent");
  });

  it("an alert whose severity was edited by hand is a corrupt_row error naming Alert.severity", async () => {
    const enrollment = await seedEnrollment(store);
    const alert = await store.createAlert({ enrollmentId: enrollment.id, checkInId: null, severity: "normal", signals: [], createdAt: new Date("2026-03-02T10:00:00Z") });
    await db.sql.execute(`UPDATE "Alert" SET "severity" = ? WHERE "id" = ?`, ["very-bad", alert!.id]);
    expectStoreError(await store.unresolvedAlert(enrollment.id).catch((e: unknown) => e), "Alert", "severity", "very-bad");
  });
}

describe("stored rows on SQLite", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "checkin-rows-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const file = () => path.join(dir, "bot.db");
  migrationTests("sqlite", () => openStore(`file:${file()}`));

  /** Writes with a connection of its own, as someone editing the file by hand would. */
  const writeRaw = (sql: string, params: unknown[]) => {
    const raw = new Database(file());
    try {
      raw.prepare(sql).run(...params);
    } finally {
      raw.close();
    }
  };

  it("a time column holding text is a corrupt_row error naming CheckIn.dueAt, on every read path", async () => {
    const { db, store } = await openStore(`file:${file()}`);
    try {
      const enrollment = await seedEnrollment(store);
      const [checkIn] = await insertCheckIns(store, enrollment.id, 1, new Date("2026-03-02T10:00:00Z"));
      writeRaw(`UPDATE "CheckIn" SET "dueAt" = ? WHERE "id" = ?`, ["next tuesday", checkIn!.id]);
      expectStoreError(await store.getCheckIn(checkIn!.id).catch((e: unknown) => e), "CheckIn", "dueAt", "next tuesday");
      expectStoreError(await store.checkInContext(checkIn!.id).catch((e: unknown) => e), "CheckIn", "dueAt", "next tuesday");
      expectStoreError(await store.queuedCheckIns(enrollment.id).catch((e: unknown) => e), "CheckIn", "dueAt", "next tuesday");
    } finally {
      await db.close();
    }
  });

  it("a boolean or integer column holding another type is a corrupt_row error naming the Person column", async () => {
    const { db, store } = await openStore(`file:${file()}`);
    try {
      const enrollment = await seedEnrollment(store);
      writeRaw(`UPDATE "Person" SET "isAdmin" = ? WHERE "id" = ?`, [7, enrollment.clientId]);
      expectStoreError(await store.getPerson(enrollment.clientId).catch((e: unknown) => e), "Person", "isAdmin", "7");
      writeRaw(`UPDATE "Person" SET "isAdmin" = 0, "digestWeekday" = ? WHERE "id" = ?`, ["weekly", enrollment.clientId]);
      expectStoreError(await store.getPerson(enrollment.clientId).catch((e: unknown) => e), "Person", "digestWeekday", "weekly");
    } finally {
      await db.close();
    }
  });
});

await describePostgres("stored rows on PostgreSQL", (database) => migrationTests("postgresql", () => openStore(database().url)), { fresh: "test" });
