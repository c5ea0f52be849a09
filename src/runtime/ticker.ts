// Drives the engine's periodic work with node-cron. Overlapping ticks are skipped: a slow
// tick (a big burst) simply delays the next one. Several processes may tick at once; the
// database decides who sends.

import cron from "node-cron";
import type { CheckInEngine } from "../core/engine.ts";
import type { Logger } from "../ports/logger.ts";
import { errorCode } from "../core/dispatch.ts";

export interface Ticker {
  /** Runs one tick now (outside the schedule), waiting for any tick in progress first. */
  runNow(): Promise<void>;
  /** Stops scheduling and waits for the tick in progress. */
  stop(): Promise<void>;
}

export function startTicker(engine: CheckInEngine, logger: Logger, seconds: number): Ticker {
  let running: Promise<void> | null = null;
  const tick = (): Promise<void> => {
    if (running) return running;
    running = (async () => {
      try {
        const report = await engine.tick();
        if (report.dispatch.claimed > 0 || report.expired > 0 || report.reminders > 0) {
          logger.info({ claimed: report.dispatch.claimed, sent: report.dispatch.sent, rescheduled: report.dispatch.rescheduled, expired: report.expired, reminders: report.reminders }, "tick");
        }
      } catch (error) {
        logger.error({ err: errorCode(error) }, "tick failed");
      } finally {
        running = null;
      }
    })();
    return running;
  };
  const expression = seconds < 60 ? `*/${seconds} * * * * *` : `0 */${Math.max(1, Math.round(seconds / 60))} * * * *`;
  const task = cron.schedule(expression, () => void tick(), { noOverlap: true, name: "checkin-ticker" });
  return {
    async runNow() {
      if (running) await running;
      await tick();
    },
    async stop() {
      await task.stop();
      await task.destroy();
      if (running) await running;
    },
  };
}
