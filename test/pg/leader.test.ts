// The Discord gateway leader, with real processes against PostgreSQL: exactly one of three
// processes leads; when it is killed with SIGKILL another takes over; a leader stopping
// gracefully hands over too. Take-over times are printed, not asserted (a loaded machine may be
// slow); the waits are bounded by a generous timeout.

import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, expect, it } from "vitest";
import { describePostgres } from "../support/pg-suite.ts";
import { waitFor } from "../support/bot-process.ts";

const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "support", "leader-process.ts");
/** Generous bound for a take-over on a loaded machine; the time measured is printed. */
const TAKEOVER_WAIT_MS = 60_000;

interface Contender {
  child: ChildProcess;
  /** Resolves when the process has ended (its exit seen by this test process). */
  exited: Promise<void>;
  events: { event: string; pid: number; at: number }[];
}

function contend(url: string): Contender {
  const child = spawn(process.execPath, ["--import", "tsx", SCRIPT, url], { stdio: ["ignore", "pipe", "inherit"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const contender: Contender = { child, exited, events: [] };
  let buffer = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    buffer += chunk;
    const lines = buffer.split("\n");
    buffer = lines.pop() ?? "";
    for (const line of lines) if (line.startsWith("{")) contender.events.push(JSON.parse(line));
  });
  return contender;
}

const alive = (c: Contender): boolean => c.child.exitCode === null && c.child.signalCode === null;
/** The last transition (elected / deposed) decides; "held_elsewhere" reports are not transitions. */
const lastTransition = (c: Contender) => c.events.filter((e) => e.event !== "held_elsewhere").at(-1);
const leads = (c: Contender): boolean => alive(c) && lastTransition(c)?.event === "elected";
const heldElsewhereCount = (c: Contender): number => c.events.filter((e) => e.event === "held_elsewhere").length;

await describePostgres("Discord gateway leader on PostgreSQL", (database) => {
  const contenders: Contender[] = [];

  afterAll(async () => {
    for (const c of contenders) if (c.child.exitCode === null) c.child.kill("SIGKILL");
  });

  it("one leader at a time; SIGKILL of the leader → takeover within seconds; SIGTERM hands over", async () => {
    for (let i = 0; i < 3; i++) contenders.push(contend(database().url));
    await waitFor("all contenders started", async () => contenders.every((c) => c.events.length > 0), 60_000);
    const first = await waitFor("a leader", async () => contenders.find(leads), 60_000);
    // Once each of the others has tried, and failed, to take the lock three more times, none
    // has become leader as well.
    const others = contenders.filter((c) => c !== first);
    const before = others.map(heldElsewhereCount);
    await waitFor("three more failed lock attempts by each follower", async () => others.every((c, i) => heldElsewhereCount(c) >= before[i]! + 3), TAKEOVER_WAIT_MS);
    expect(contenders.filter(leads)).toEqual([first]);

    const killedAt = Date.now();
    first.child.kill("SIGKILL");
    // Until its exit is seen here, the killed process would still count as leading.
    await first.exited;
    const second = await waitFor("a new leader", async () => contenders.find((c) => c !== first && leads(c)), TAKEOVER_WAIT_MS, 20);
    const takeoverMs = (lastTransition(second)?.at ?? 0) - killedAt;
    expect(contenders.filter(leads)).toEqual([second]);

    const stoppedAt = Date.now();
    second.child.kill("SIGTERM");
    const third = await waitFor("a third leader", async () => contenders.find((c) => c !== first && c !== second && leads(c)), TAKEOVER_WAIT_MS, 20);
    // It said so before releasing the lock; its output may reach this process after the third's.
    await waitFor("the second to report itself deposed", async () => second.events.some((e) => e.event === "deposed"), TAKEOVER_WAIT_MS, 20);
    const handoverMs = (lastTransition(third)?.at ?? 0) - stoppedAt;
    process.stdout.write(`leader: takeover after SIGKILL ${takeoverMs} ms, after SIGTERM ${handoverMs} ms\n`);
  }, 480_000);
});
