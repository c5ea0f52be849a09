// DATABASE_URL: which database it names, and how to show it without its password.

import path from "node:path";
import { StoreError } from "../errors.ts";
import type { Provider } from "./types.ts";

export function providerOf(url: string): Provider {
  if (/^postgres(ql)?:\/\//i.test(url)) return "postgresql";
  if (url.startsWith("file:")) return "sqlite";
  throw new StoreError("bad_database_url", `DATABASE_URL must start with file: (SQLite) or postgres:// (PostgreSQL)`);
}

export function sqliteFilePath(url: string): string {
  const raw = url.slice("file:".length).split("?")[0] ?? "";
  if (raw === ":memory:" || raw === "") throw new StoreError("bad_database_url", "DATABASE_URL must name a SQLite file, e.g. file:./data/bot.db");
  return path.resolve(raw);
}

/** The URL with its password replaced by `***`. */
export function withoutPassword(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@");
}
