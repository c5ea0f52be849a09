// SQLite: WAL checkpoints on a worker thread of their own, so that they never stop the event loop.
//
// Left to SQLite, the commit that takes the WAL past `wal_autocheckpoint` frames copies the whole
// WAL into the database file and syncs it, inside COMMIT on the main thread. At 10,000 frames
// (~40 MB) that took 36-60 ms here, almost all of it the sync (with synchronous = OFF, for the
// measurement only, no commit took over 8 ms), and every request in flight waited for it. The
// thread (sqlite-checkpoint-thread.ts) does the same copying and syncing in small passes on its
// own connection while the main connection's commits only append to the WAL.
//
// It starts after the connection's first STARTS_AFTER_COMMITS commits, so short-lived processes
// (commands, tests) do not start a thread for nothing. Until it is ready, and again if it stops,
// the main connection checkpoints in its commits as before (FALLBACK_FRAMES).

import type Database from "better-sqlite3";
import type { Worker } from "node:worker_threads";
import { siblingScript, startWorker } from "../../runtime/worker-script.ts";

/** What the thread is started with. */
export interface CheckpointThreadData {
  file: string;
  intervalMs: number;
  restartFrames: number;
}

/** A pass that copied frames or started the WAL over, as the thread reports it. */
export interface CheckpointPass {
  mode: "PASSIVE" | "RESTART";
  restarted: boolean;
  /** Frames in the WAL at the pass. */
  walFrames: number;
  /** Frames this pass copied into the database file. */
  copied: number;
}

/** Checkpoints in the main connection's commits, when the thread is not running: ~40 MB of WAL. */
export const FALLBACK_FRAMES = 10_000;
/** Commits before the thread starts. */
export const STARTS_AFTER_COMMITS = 100;
/** A pass every 100 ms copies at most a few MB at full load, so each sync is short. */
const INTERVAL_MS = 100;

export interface CheckpointerOptions {
  intervalMs?: number;
  /** WAL length at which a pass restarts it (default FALLBACK_FRAMES, the same bound as before). */
  restartFrames?: number;
  startsAfterCommits?: number;
}

export class SqliteCheckpointer {
  private worker: Worker | null = null;
  private commits = 0;
  private closed = false;
  /** Passes that copied frames or restarted the WAL; what the last of them reported. */
  readonly stats = { passes: 0, copied: 0, restarts: 0, last: null as CheckpointPass | null };
  /** Whether the thread runs and the main connection no longer checkpoints in its commits. */
  active = false;
  /** Why the thread stopped, if it stopped on its own. */
  failure: string | null = null;
  private readonly intervalMs: number;
  private readonly restartFrames: number;
  private readonly startsAfterCommits: number;

  constructor(
    private readonly file: string,
    private readonly db: Database.Database,
    options: CheckpointerOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? INTERVAL_MS;
    this.restartFrames = options.restartFrames ?? FALLBACK_FRAMES;
    this.startsAfterCommits = options.startsAfterCommits ?? STARTS_AFTER_COMMITS;
    db.pragma(`wal_autocheckpoint = ${FALLBACK_FRAMES}`);
  }

  /** The main connection committed: the thread starts once there have been enough commits. */
  committed(): void {
    if (this.worker || this.closed || this.failure || ++this.commits < this.startsAfterCommits) return;
    this.start();
  }

  private start(): void {
    let worker: Worker;
    try {
      worker = startWorker(siblingScript(import.meta.url, "sqlite-checkpoint-thread"), {
        workerData: { file: this.file, intervalMs: this.intervalMs, restartFrames: this.restartFrames } satisfies CheckpointThreadData,
        // It holds no rows, only a connection: a small heap is plenty.
        resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 16 },
      });
    } catch (error) {
      this.failure = error instanceof Error ? error.name : "start failed";
      return;
    }
    // The thread never keeps the process alive: shutting down is the main thread's decision.
    worker.unref();
    this.worker = worker;
    worker.on("message", (message: "ready" | CheckpointPass) => {
      if (message === "ready") {
        if (this.worker === worker && !this.closed) this.setActive(true);
        return;
      }
      this.stats.passes++;
      this.stats.copied += message.copied;
      if (message.restarted) this.stats.restarts++;
      this.stats.last = message;
    });
    const stopped = (reason: string) => {
      if (this.worker !== worker) return;
      this.worker = null;
      this.setActive(false);
      if (!this.closed) this.failure = reason;
    };
    worker.on("error", (error) => stopped(error.name));
    worker.on("exit", (code) => stopped(`exit ${code}`));
  }

  /** While the thread runs, commits only append to the WAL; otherwise they checkpoint as before. */
  private setActive(active: boolean): void {
    this.active = active;
    if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${active ? 0 : FALLBACK_FRAMES}`);
  }

  /** Stops the thread; the main connection checkpoints in its commits again. */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
    worker.postMessage("stop");
    // A pass in progress finishes first; a thread that does not stop within a second is stopped.
    // Its exit hands checkpointing back to the commits (`stopped` above).
    const timer = setTimeout(() => void worker.terminate(), 1000);
    await exited;
    clearTimeout(timer);
  }
}
