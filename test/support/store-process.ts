// Runs in a separate Node process (spawned by store tests through tsx) so that two processes
// really contend for one SQLite file. Usage:
//   store-process.ts migrate <databaseUrl>
//   store-process.ts claim <databaseUrl> <owner> <nowIso> <batch>
// Waits for a "go" line on stdin before working, so both processes start together.
// Prints one JSON line on stdout.

import { createInterface } from "node:readline";
import { openDatabase } from "../../src/store/database.ts";
import { applyMigrations, loadMigrations, migrationsDir } from "../../src/store/migrate.ts";
import { PrismaCheckInStore } from "../../src/store/prisma-store.ts";

const [mode, url, owner, nowIso, batch] = process.argv.slice(2);
const db = await openDatabase(url as string);
process.stdout.write("ready\n");
const lines = createInterface({ input: process.stdin });
await new Promise<void>((resolve) => lines.once("line", () => resolve()));
lines.close();
try {
  if (mode === "migrate") {
    const report = await applyMigrations(db.sql, loadMigrations(migrationsDir(db.provider)));
    process.stdout.write(`${JSON.stringify({ ok: true, applied: report.applied })}\n`);
  } else {
    const store = new PrismaCheckInStore(db);
    const claimed: string[] = [];
    for (;;) {
      const rows = await store.claimDueCheckIns(new Date(nowIso as string), owner as string, 60_000, Number(batch));
      if (rows.length === 0) break;
      claimed.push(...rows.map((r) => r.id));
    }
    process.stdout.write(`${JSON.stringify({ ok: true, claimed })}\n`);
  }
} catch (error) {
  process.stdout.write(`${JSON.stringify({ ok: false, code: (error as { code?: string }).code ?? String(error) })}\n`);
} finally {
  await db.close();
  process.exit(0);
}
