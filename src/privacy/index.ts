// The privacy module as the composition root sees it: the data-rights subcommands and the
// periodic retention purge. src/app.ts builds one per engine, so every entry point has them.

import type { EngineContext } from "../core/context.ts";
import type { ExtraHandlers } from "../core/commands/handlers.ts";
import type { PrivacyStore } from "../ports/privacy-store.ts";
import { privacyCommands } from "./commands.ts";
import { RetentionJob } from "./retention.ts";

export { DEFAULT_RETENTION_DAYS, RetentionJob } from "./retention.ts";
export { rotateCommentKeys } from "./key-rotation.ts";

export interface PrivacyModule {
  commands: ExtraHandlers;
  retention: RetentionJob;
  /** Engine hook: runs the retention purge once a day. */
  afterTick(): Promise<void>;
}

export function createPrivacyModule(deps: { privacy: PrivacyStore; context: EngineContext; retentionDays: number; retentionIntervalMs?: number }): PrivacyModule {
  const { context } = deps;
  const retention = new RetentionJob({
    privacy: deps.privacy,
    store: context.store,
    clock: context.clock,
    logger: context.logger,
    retentionDays: deps.retentionDays,
    ...(deps.retentionIntervalMs !== undefined ? { intervalMs: deps.retentionIntervalMs } : {}),
  });
  return {
    commands: privacyCommands(deps.privacy),
    retention,
    async afterTick() {
      await retention.runIfDue();
    },
  };
}
