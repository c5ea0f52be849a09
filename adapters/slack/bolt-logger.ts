// Bridges Bolt's logger to ours. Bolt passes free-form arguments that can include request
// details, so only short string messages are forwarded, and debug output is dropped entirely.

import { LogLevel } from "@slack/bolt";
import type { Logger as BoltLogger } from "@slack/bolt";
import type { Logger } from "../../src/ports/logger.ts";

const MAX_MESSAGE = 160;

function summarise(parts: unknown[]): string {
  const first = parts.find((part): part is string => typeof part === "string") ?? "bolt log";
  // Bolt appends error details after these markers; they may quote payloads.
  const cut = first.split(/Error details|error details|\n/)[0] ?? first;
  return cut.slice(0, MAX_MESSAGE);
}

export function boltLoggerFor(logger: Logger): BoltLogger {
  let level: LogLevel = LogLevel.WARN;
  let name = "bolt";
  return {
    debug() {},
    info(...parts: unknown[]) {
      if (level === LogLevel.DEBUG || level === LogLevel.INFO) logger.info({ source: name }, summarise(parts));
    },
    warn(...parts: unknown[]) {
      if (level !== LogLevel.ERROR) logger.warn({ source: name }, summarise(parts));
    },
    error(...parts: unknown[]) {
      logger.error({ source: name }, summarise(parts));
    },
    setLevel(next: LogLevel) {
      level = next;
    },
    getLevel() {
      return level;
    },
    setName(next: string) {
      name = next;
    },
  };
}
