// Graceful shutdown: stop claiming, let in-flight sends finish within a deadline, hand back any
// leases still held, then close platforms, the HTTP server and the database, in that order.

import type { Logger } from "../ports/logger.ts";
import { errorCode } from "../core/dispatch.ts";

export interface ShutdownSteps {
  /** Stop taking new work (claims, readiness). Synchronous and immediate. */
  stopClaiming(): void;
  /** Resolves when work already started (the tick in progress) has finished. */
  drain(): Promise<void>;
  /** Returns leases this process still holds to the queue; resolves to how many. */
  releaseLeases(): Promise<number>;
  /** Closes connections, in order. Each step's failure is logged and the next still runs. */
  close: { name: string; run(): Promise<void> }[];
}

export interface ShutdownReport {
  drained: boolean;
  released: number;
  elapsedMs: number;
}

export async function gracefulShutdown(steps: ShutdownSteps, deadlineMs: number, logger: Logger): Promise<ShutdownReport> {
  const started = Date.now();
  steps.stopClaiming();
  let timer: NodeJS.Timeout | undefined;
  const drained = await Promise.race([
    steps.drain().then(() => true, () => true),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), deadlineMs);
    }),
  ]);
  clearTimeout(timer);
  if (!drained) logger.warn({ deadlineMs }, "in-flight sends did not finish before the shutdown deadline; their leases are released");
  const released = await steps.releaseLeases().catch((error: unknown) => {
    logger.error({ err: errorCode(error) }, "releasing leases failed; they expire on their own");
    return 0;
  });
  for (const step of steps.close) {
    try {
      await step.run();
    } catch (error) {
      logger.error({ step: step.name, err: errorCode(error) }, "shutdown step failed");
    }
  }
  return { drained, released, elapsedMs: Date.now() - started };
}
