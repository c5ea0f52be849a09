// Starting a worker thread from a module that may run compiled (dist/, .js) or from the
// TypeScript sources under tsx (tests, `npm start`, the bench's own workers).

import { Worker } from "node:worker_threads";
import type { WorkerOptions } from "node:worker_threads";

/**
 * A worker running `script`. A .js script starts as it is. A .ts script gets a short bootstrap
 * that registers tsx in the thread first, since a worker does not inherit tsx's loader, and then
 * imports it (a failure there stops the thread with an error, as a failing .js script does).
 */
export function startWorker(script: URL, options: WorkerOptions = {}): Worker {
  if (!script.pathname.endsWith(".ts")) return new Worker(script, options);
  const bootstrap = `import("tsx/esm/api").then(({ register }) => { register(); return import(${JSON.stringify(script.href)}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}

/** `name`.ts next to `moduleUrl` when that module is itself .ts, else `name`.js. */
export const siblingScript = (moduleUrl: string, name: string): URL => new URL(`./${name}${moduleUrl.endsWith(".ts") ? ".ts" : ".js"}`, moduleUrl);
