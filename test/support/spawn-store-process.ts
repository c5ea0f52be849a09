// Starts test/support/store-process.ts in child processes, releases them together, and
// collects each one's JSON result.

import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), "store-process.ts");

export async function runStoreProcessesTogether<T>(argsList: string[][]): Promise<T[]> {
  const children = argsList.map((args) => {
    const child = spawn(process.execPath, ["--import", "tsx", SCRIPT, ...args], { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (err += chunk));
    const ready = new Promise<void>((resolve, reject) => {
      const check = setInterval(() => {
        if (out.includes("ready\n")) {
          clearInterval(check);
          resolve();
        }
      }, 5);
      child.once("exit", (code) => {
        clearInterval(check);
        reject(new Error(`store process exited early (${code}): ${err}`));
      });
    });
    const done = new Promise<T>((resolve, reject) => {
      child.once("exit", (code) => {
        const line = out.split("\n").find((l) => l.startsWith("{"));
        if (code !== 0 || !line) reject(new Error(`store process failed (${code}): ${err}`));
        else resolve(JSON.parse(line) as T);
      });
    });
    return { child, ready, done };
  });
  await Promise.all(children.map((c) => c.ready));
  for (const c of children) c.child.stdin.end("go\n");
  return Promise.all(children.map((c) => c.done));
}
