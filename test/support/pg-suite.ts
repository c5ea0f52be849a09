// A vitest suite on PostgreSQL: skipped visibly (in its title and on stderr) when no server
// answers, an error instead with REQUIRE_POSTGRES=1, with a fresh database per suite or per test
// that is dropped when the suite ends. The database lifecycle itself is test/support/pg-test-database.ts.

import { afterAll, beforeAll, beforeEach, describe } from "vitest";
import { createPgTestDatabase, probePostgres } from "./pg-test-database.ts";
import type { PgTestDatabase, PgTestDatabaseOptions } from "./pg-test-database.ts";

export interface PostgresSuiteOptions extends Omit<PgTestDatabaseOptions, "adminUrl"> {
  /** "test": a fresh database before each test; "suite" (default): one for the whole suite. */
  fresh?: "suite" | "test";
}

/**
 * Declares `title` as a suite on a fresh PostgreSQL database; `body` reads the current database
 * through the function it is given (inside hooks and tests). Await it at the top of the file.
 * Hooks the body registers run inside the fixture's: its `afterAll` runs before the drop.
 *
 * @example
 * await describePostgres("claims on PostgreSQL", (database) => {
 *   it("…", async () => { const store = await openStore(database().url); … });
 * }, { fresh: "test" });
 */
export async function describePostgres(title: string, body: (database: () => PgTestDatabase) => void, options: PostgresSuiteOptions = {}): Promise<void> {
  const unavailable = await probePostgres();
  const { fresh = "suite", ...create } = options;
  describe.skipIf(unavailable !== null)(`${title}${unavailable ? ` (skipped: ${unavailable})` : ""}`, () => {
    const created: PgTestDatabase[] = [];
    let current: PgTestDatabase | undefined;
    const make = async () => {
      current = await createPgTestDatabase(create);
      created.push(current);
    };
    if (fresh === "test") beforeEach(make);
    else beforeAll(make);
    afterAll(async () => {
      await Promise.all(created.splice(0).map((d) => d.drop()));
    });
    body(() => {
      if (!current) throw new Error("the PostgreSQL test database is not created yet (use it inside a hook or a test)");
      return current;
    });
  });
}
