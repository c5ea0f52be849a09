// Runs src/runtime/leader.ts in its own process against PostgreSQL and prints one JSON line per
// transition: {"event":"elected"|"deposed","pid":…,"at":…}, and {"event":"held_elsewhere",…} each
// time an attempt finds the lock taken by another process. Usage: leader-process.ts <databaseUrl>
// SIGTERM stops competing (and releases leadership) before exiting.

import { startPgLeader, LEADER_KEYS } from "../../src/runtime/leader.ts";
import { silentLogger } from "../../src/ports/logger.ts";

const url = process.argv[2] as string;
const say = (event: string) => process.stdout.write(`${JSON.stringify({ event, pid: process.pid, at: Date.now() })}\n`);
const leadership = startPgLeader({
  url,
  lockKey: LEADER_KEYS.discordGateway,
  logger: silentLogger,
  intervalMs: 250,
  async onElected() {
    say("elected");
  },
  async onDeposed() {
    say("deposed");
  },
  onLockHeldElsewhere() {
    say("held_elsewhere");
  },
});
say("started");
process.on("SIGTERM", () => {
  void leadership.stop().then(() => {
    say("stopped");
    process.exit(0);
  });
});
