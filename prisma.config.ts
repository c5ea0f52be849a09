import path from "node:path";
import { defineConfig } from "prisma/config";

// The CLI runs the WASM schema engine through a driver adapter, so no native
// engine is ever downloaded. See scripts/prisma.mjs for the environment it needs.
const url = process.env.DATABASE_URL ?? "file:./data/bot.db";
const isPostgres = /^postgres(ql)?:\/\//.test(url);

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: isPostgres
    ? path.join("prisma", "postgresql", "schema.prisma")
    : path.join("prisma", "schema.prisma"),
  migrations: {
    path: isPostgres ? path.join("prisma", "postgresql", "migrations") : path.join("prisma", "migrations"),
  },
  async adapter() {
    if (isPostgres) {
      const { PrismaPg } = await import("@prisma/adapter-pg");
      return new PrismaPg({ connectionString: url });
    }
    const { PrismaBetterSQLite3 } = await import("@prisma/adapter-better-sqlite3");
    return new PrismaBetterSQLite3({ url });
  },
});
