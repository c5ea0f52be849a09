// Retention: check-ins, answers, comments and closed alerts older than RETENTION_DAYS are
// deleted by a daily purge that runs after the engine's periodic work. Every replica may run it;
// the deletes are idempotent. The audit log keeps one entry per purge, with counts only.

import type { CheckInStore } from "../ports/checkin-store.ts";
import type { Clock } from "../ports/clock.ts";
import type { Logger } from "../ports/logger.ts";
import type { PrivacyStore, PurgeCounts } from "../ports/privacy-store.ts";
import { errorCode } from "../core/dispatch.ts";

export const DEFAULT_RETENTION_DAYS = 730;
const DAY_MS = 24 * 3600_000;

export interface RetentionDeps {
  privacy: PrivacyStore;
  store: CheckInStore;
  clock: Clock;
  logger: Logger;
  retentionDays: number;
  /** Time between purges; one day unless a test says otherwise. */
  intervalMs?: number;
}

export class RetentionJob {
  private lastRunAt: number | null = null;
  private running: Promise<PurgeCounts[] | null> | null = null;

  constructor(private readonly deps: RetentionDeps) {
    if (!Number.isInteger(deps.retentionDays) || deps.retentionDays < 1) throw new RangeError("retentionDays must be a positive whole number of days");
  }

  /** The oldest moment whose data is kept at `now`. */
  cutoff(now: Date): Date {
    return new Date(now.getTime() - this.deps.retentionDays * DAY_MS);
  }

  /** Purges if a day passed since the last purge in this process (or none ran yet). Never throws. */
  async runIfDue(): Promise<PurgeCounts[] | null> {
    const now = this.deps.clock.now().getTime();
    if (this.running) return null;
    if (this.lastRunAt !== null && now - this.lastRunAt < (this.deps.intervalMs ?? DAY_MS)) return null;
    this.lastRunAt = now;
    this.running = this.run().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** One purge now. Failures are logged with a code and reported as null. */
  async run(): Promise<PurgeCounts[] | null> {
    const now = this.deps.clock.now();
    try {
      const purged = await this.deps.privacy.purgeBefore(this.cutoff(now));
      for (const counts of purged) {
        const { practiceId, ...detail } = counts;
        await this.deps.store.appendAudit({ practiceId, actorPersonId: null, action: "retention.purged", subjectPersonId: null, detail: { ...detail, retentionDays: this.deps.retentionDays }, createdAt: now });
      }
      this.deps.logger.info({ practices: purged.length, checkIns: purged.reduce((sum, p) => sum + p.checkIns, 0), retentionDays: this.deps.retentionDays }, "retention purge finished");
      return purged;
    } catch (error) {
      this.deps.logger.error({ err: errorCode(error) }, "retention purge failed");
      return null;
    }
  }
}
