#!/usr/bin/env node
// Creates the next migration for both providers from the change in prisma/schema.prisma.
//   npm run migration:new -- <name>
//   npm run migration:new -- <name> --empty   (no schema change: a migration to write by hand in
//                                              both trees, e.g. a partial index Prisma cannot express)
// Each migration folder keeps a copy of the schema it was made from (schema.prisma), so the
// next diff runs schema-to-schema with `prisma migrate diff`, offline and with no shadow database.
// The PostgreSQL diff connects to MIGRATION_PG_URL (default: local postgres) but changes nothing there.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync, copyFileSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { runPrisma } from "./prisma.mjs";
import { derivePostgresSchema } from "./derive-pg-schema.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const name = process.argv[2];
const empty = process.argv.includes("--empty");
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error("usage: npm run migration:new -- <name>   (lowercase letters, digits and _; e.g. add_digest_time)");
  process.exit(2);
}

const sqliteSchema = path.join(root, "prisma", "schema.prisma");
const pgSchema = path.join(root, "prisma", "postgresql", "schema.prisma");
writeFileSync(pgSchema, derivePostgresSchema(readFileSync(sqliteSchema, "utf8")));

const stamp = new Date().toISOString().replace(/[-:T]/g, "").slice(0, 14);
const folder = `${stamp}_${name}`;
let created = 0;

for (const provider of [
  { label: "sqlite", schema: sqliteSchema, dir: path.join(root, "prisma", "migrations"), url: "file::memory:" },
  { label: "postgresql", schema: pgSchema, dir: path.join(root, "prisma", "postgresql", "migrations"), url: process.env.MIGRATION_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres" },
]) {
  mkdirSync(provider.dir, { recursive: true });
  const previous = readdirSync(provider.dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && /^\d{14}_/.test(d.name))
    .map((d) => d.name)
    .sort()
    .at(-1);
  const from = previous
    ? ["--from-schema-datamodel", path.join(provider.dir, previous, "schema.prisma")]
    : ["--from-empty"];
  const out = path.join(provider.dir, folder);
  mkdirSync(out, { recursive: true });
  const sqlFile = path.join(out, "migration.sql");
  if (empty) {
    writeFileSync(sqlFile, "-- Written by hand (no change to prisma/schema.prisma): \n");
    copyFileSync(provider.schema, path.join(out, "schema.prisma"));
    console.log(`${provider.label}: wrote ${path.relative(root, sqlFile)} (empty: write the SQL by hand)`);
    created++;
    continue;
  }
  const status = runPrisma(
    ["migrate", "diff", ...from, "--to-schema-datamodel", provider.schema, "--script", "--output", sqlFile],
    { DATABASE_URL: provider.url },
  );
  if (status !== 0) {
    rmSync(out, { recursive: true, force: true });
    console.error(`prisma migrate diff failed for ${provider.label}`);
    process.exit(status);
  }
  const sql = readFileSync(sqlFile, "utf8");
  if (!/\b(CREATE|ALTER|DROP|INSERT|UPDATE)\b/i.test(sql)) {
    rmSync(out, { recursive: true, force: true });
    console.log(`${provider.label}: no schema change, no migration written`);
    continue;
  }
  copyFileSync(provider.schema, path.join(out, "schema.prisma"));
  const lock = path.join(provider.dir, "migration_lock.toml");
  if (!existsSync(lock)) writeFileSync(lock, `provider = "${provider.label}"\n`);
  console.log(`${provider.label}: wrote ${path.relative(root, sqlFile)}`);
  created++;
}
process.exit(created > 0 ? 0 : 0);
