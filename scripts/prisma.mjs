#!/usr/bin/env node
// Runs the Prisma CLI offline: the WASM schema engine through a driver adapter
// (prisma.config.ts) and empty placeholders for the native engines, so the CLI
// never tries to download anything.
//   node scripts/prisma.mjs generate            -> generates both clients
//   node scripts/prisma.mjs <any prisma args>   -> passes through
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const placeholderDir = path.join(tmpdir(), "alliance-checkin-prisma");
const placeholder = path.join(placeholderDir, "no-native-engine");
if (!existsSync(placeholder)) {
  mkdirSync(placeholderDir, { recursive: true });
  writeFileSync(placeholder, "");
}

export function runPrisma(args, extraEnv = {}) {
  const result = spawnSync(process.execPath, [path.join(root, "node_modules", "prisma", "build", "index.js"), ...args], {
    cwd: root,
    stdio: "inherit",
    env: {
      ...process.env,
      DATABASE_URL: process.env.DATABASE_URL ?? "file:./data/bot.db",
      PRISMA_SCHEMA_ENGINE_BINARY: placeholder,
      PRISMA_QUERY_ENGINE_LIBRARY: placeholder,
      PRISMA_HIDE_UPDATE_MESSAGE: "1",
      CHECKPOINT_DISABLE: "1",
      ...extraEnv,
    },
  });
  return result.status ?? 1;
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const args = process.argv.slice(2);
  if (args[0] === "generate" && args.length === 1) {
    let status = runPrisma(["generate", "--schema", "prisma/schema.prisma"]);
    if (status === 0) status = runPrisma(["generate", "--schema", "prisma/postgresql/schema.prisma"]);
    process.exit(status);
  }
  process.exit(runPrisma(args));
}
