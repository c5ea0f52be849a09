#!/usr/bin/env node
// Writes prisma/postgresql/schema.prisma from prisma/schema.prisma.
// Only the datasource provider and the generator output differ.
//   node scripts/derive-pg-schema.mjs          -> writes the file
//   node scripts/derive-pg-schema.mjs --check  -> exits 1 if the file is stale
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const source = path.join(root, "prisma", "schema.prisma");
const target = path.join(root, "prisma", "postgresql", "schema.prisma");

export function derivePostgresSchema(sqliteSchema) {
  const out = sqliteSchema
    .replace(/provider\s*=\s*"sqlite"/, 'provider = "postgresql"')
    .replace('output       = "../src/store/generated/sqlite"', 'output       = "../../src/store/generated/postgresql"')
    .replace(
      /^\/\/ Source of truth[^\n]*\n\/\/[^\n]*\n/m,
      "// GENERATED from prisma/schema.prisma by `npm run schema:derive`. Do not edit.\n",
    );
  if (out === sqliteSchema || !out.includes('"postgresql"') || !out.includes("generated/postgresql")) {
    throw new Error("prisma/schema.prisma no longer has the expected provider/output lines");
  }
  return out;
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const derived = derivePostgresSchema(readFileSync(source, "utf8"));
  if (process.argv.includes("--check")) {
    let current = "";
    try { current = readFileSync(target, "utf8"); } catch { /* missing counts as stale */ }
    if (current !== derived) {
      console.error("prisma/postgresql/schema.prisma is stale: run `npm run schema:derive`");
      process.exit(1);
    }
    console.log("prisma/postgresql/schema.prisma is up to date");
  } else {
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, derived);
    console.log(`wrote ${path.relative(root, target)}`);
  }
}
