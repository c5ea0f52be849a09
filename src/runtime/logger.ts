// Structured logging with pino. Callers log ids and codes only; redaction is a second line of
// defence for field names that could carry clinical data or secrets if someone slips.

import pino from "pino";
import type { Logger } from "../ports/logger.ts";

export const REDACTED_FIELDS = [
  "text", "comment", "comments", "body", "payload", "name", "displayName", "real_name", "goal", "task", "bond",
  "score", "scores", "tension", "talkedThrough", "token", "secret", "authorization", "headers", "view", "blocks",
  "*.text", "*.comment", "*.body", "*.payload", "*.name", "*.goal", "*.task", "*.bond", "*.score", "*.token", "*.headers",
];

export function createLogger(options: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  const base = pino(
    {
      level: options.level ?? "info",
      redact: { paths: REDACTED_FIELDS, censor: "[redacted]" },
      base: { app: "alliance-checkin" },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination,
  );
  return wrap(base);
}

/**
 * Terminal mode: every log line goes to `file` (JSON, as elsewhere), so nothing interleaves with
 * the conversation on stdout; warnings and errors are also shown on stderr as one short line.
 */
export function createFileLogger(options: { level?: string; file: string; stderr?: NodeJS.WritableStream }): Logger {
  const file = pino.destination({ dest: options.file, mkdir: true, sync: true });
  const stderr = options.stderr ?? process.stderr;
  const brief = {
    write(line: string): void {
      try {
        const record = JSON.parse(line) as { level?: number; msg?: string; code?: string; err?: string };
        const extra = [record.code, record.err].filter((v) => typeof v === "string" && v !== "").join(", ");
        stderr.write(`[${pino.levels.labels[record.level ?? 40] ?? "warn"}] ${record.msg ?? ""}${extra ? ` (${extra})` : ""}\n`);
      } catch {
        stderr.write(line);
      }
    },
  };
  return createLogger({
    level: options.level,
    destination: pino.multistream([
      { level: (options.level ?? "info") as pino.Level, stream: file },
      { level: "warn", stream: brief },
    ]),
  });
}

function wrap(base: pino.Logger): Logger {
  return {
    debug: (fields, msg) => base.debug(fields, msg),
    info: (fields, msg) => base.info(fields, msg),
    warn: (fields, msg) => base.warn(fields, msg),
    error: (fields, msg) => base.error(fields, msg),
    child: (bindings) => wrap(base.child(bindings)),
  };
}
