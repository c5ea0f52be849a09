// Runs the real bot (src/main.ts) in a child process, as a replica would run in production,
// and talks to it over its HTTP port. Used by the replica, crash, lock and shutdown tests.

import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const MAIN = path.join(ROOT, "src", "main.ts");

/** A key shared by every replica of one test, as a deployment would share DATA_ENCRYPTION_KEY. */
export const TEST_KEY = randomBytes(32).toString("hex");

export interface BotProcess {
  child: ChildProcess;
  pid: number;
  /** Resolves with the HTTP port once the process logged "ready"; rejects if it exits first. */
  ready: Promise<number>;
  /** Resolves with the exit code (or signal) when the process ends. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  isReady(): boolean;
  port(): number;
  /** The ops port (/metrics, /readyz details), bound to 127.0.0.1. */
  opsPort(): number;
  stdout(): string;
  stderr(): string;
  /** Parsed JSON log lines so far. */
  logs(): Record<string, unknown>[];
  kill(signal?: NodeJS.Signals): void;
}

export function spawnBot(env: Record<string, string>): BotProcess {
  const child = spawn(process.execPath, ["--import", "tsx", MAIN], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      NODE_ENV: "test",
      LOG_LEVEL: "info",
      PORT: "0",
      OPS_PORT: "0",
      TICK_SECONDS: "1",
      DATA_ENCRYPTION_KEY: TEST_KEY,
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  let port = 0;
  let opsPort = 0;
  let ready = false;
  let killed = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
  });
  const readyPromise = new Promise<number>((resolve, reject) => {
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
      if (!ready) {
        for (const line of out.split("\n")) {
          if (!line.startsWith("{")) continue;
          try {
            const entry = JSON.parse(line) as { msg?: string; port?: number; server?: string };
            if (entry.msg === "http server listening" && entry.port) {
              if (entry.server === "ops") opsPort = entry.port;
              else port = entry.port;
            }
            if (entry.msg === "ready") {
              ready = true;
              resolve(port);
            }
          } catch {
            // a partial line; the rest arrives with the next chunk
          }
        }
      }
    });
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (err += chunk));
    void exited.then(({ code, signal }) => {
      if (!ready) reject(new Error(`bot exited before ready (code ${code}, signal ${signal}): ${err.slice(-2000)}`));
    });
  });
  readyPromise.catch(() => undefined);
  return {
    child,
    pid: child.pid ?? -1,
    ready: readyPromise,
    exited,
    isReady: () => ready && !killed && child.exitCode === null && child.signalCode === null,
    port: () => port,
    opsPort: () => opsPort,
    stdout: () => out,
    stderr: () => err,
    logs: () =>
      out
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .flatMap((l) => {
          try {
            return [JSON.parse(l) as Record<string, unknown>];
          } catch {
            return [];
          }
        }),
    kill(signal = "SIGKILL") {
      if (child.exitCode !== null || child.signalCode !== null) return;
      if (signal === "SIGKILL") killed = true;
      child.kill(signal);
    },
  };
}

/** Posts one inbound event to a bot's sink platform; throws when the process does not answer. */
export async function postEvent(port: number, event: unknown, timeoutMs = 5000): Promise<{ text: string; refused?: boolean; duplicate?: boolean }> {
  const response = await fetch(`http://127.0.0.1:${port}/sink/events`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(event),
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return (await response.json()) as { text: string; refused?: boolean; duplicate?: boolean };
}

export async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs: number, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
