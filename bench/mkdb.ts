// Helper for running one worker scenario by hand: prints a fresh database URL.
//   npx tsx bench/mkdb.ts postgresql   → postgres://…/checkin_bench_…  (drop it afterwards)
import { createDatabase } from "./support.ts";

void createDatabase((process.argv[2] ?? "sqlite") as "sqlite" | "postgresql").then((db) => process.stdout.write(`${db.url}\n`));
