// SQLite: the reads of link mode's pages run on a worker thread with its own connection to the
// same file (read-only by pragma). Every check-in page request (the GET, and each POST before its
// answer) starts with one, and on the main thread they would share the event loop with the
// engine's writes and the HTTP work; off it, page reads go on while the engine commits.
//
// The reader sees what was committed before its statement began (WAL), as the main connection's
// own reads do: a write whose promise resolved is visible. It never blocks the writer and holds no
// transaction between statements. The thread starts on the first read, so a practice that does
// not use link mode never starts it. If it cannot start or dies, each read waiting on it fails
// with `reader_unavailable` and the caller reads on the main connection instead; the next read
// starts a new thread.
//
// Reads asked for in one turn of the event loop (under load, the pages of every request that
// turn parsed) cross to the thread in one message, and their replies come back a few at a time
// (every quarter millisecond of reading): each message costs both threads a wake-up and a
// dispatch, whatever it carries, but the first pages need not wait for the last.

import type { Worker } from "node:worker_threads";
import { siblingScript, startWorker } from "../../runtime/worker-script.ts";
import type { LinkedCheckIn } from "../../ports/checkin-store.ts";
import { StoreError } from "../errors.ts";
import { ERROR_CODES } from "../../ports/errors.ts";
import type { ErrorCode } from "../../ports/errors.ts";

const isErrorCode = (code: string): code is ErrorCode => (ERROR_CODES as readonly string[]).includes(code);

/** A read the thread answers; see sqlite-reader-thread.ts. */
export interface ReaderRequest {
  id: number;
  read: "linkedCheckIn";
  tokenHash: string;
}

/** `coded`: the thread's error was one of this application's (its `code` is an ErrorCode). */
export type ReaderReply = { id: number; ok: true; value: LinkedCheckIn | null } | { id: number; ok: false; code: string; coded: boolean };

/** The reads of one turn, in one message; their replies come back in order, in one or more messages. */
export type ReaderBatch = ReaderRequest[];
export type ReaderReplies = ReaderReply[];

/** The reader thread is not there (it could not start, or it stopped): read on the main connection. */
export const readerUnavailable = (reason: string): StoreError => new StoreError("reader_unavailable", `the SQLite reader thread is unavailable (${reason})`);

export const isReaderUnavailable = (error: unknown): boolean => error instanceof StoreError && error.code === "reader_unavailable";

interface Pending {
  resolve(value: LinkedCheckIn | null): void;
  reject(error: Error): void;
}

/** The thread: sqlite-reader-thread next to this file (.js compiled, .ts from the sources). */
function threadWorker(file: string): Worker {
  // A small young generation: the thread's garbage is a few rows per read. With 4 MB instead of
  // V8's 16 the thread adds 26-28 MB of RSS instead of 37-38 under 2,000 reads at once, at the
  // same web check-in rate; a thread over its heap limit stops and is replaced.
  const options = { workerData: { file }, resourceLimits: { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 64 } };
  return startWorker(siblingScript(import.meta.url, "sqlite-reader-thread"), options);
}

export class SqliteReader {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  /** The reads asked for this turn, sent together when it ends (to the thread running then). */
  private batch: ReaderRequest[] = [];
  private sendScheduled = false;
  private nextId = 0;
  private closed = false;
  /** Threads started so far (1 unless one stopped and was replaced). */
  started = 0;
  /** Messages sent to the thread so far (each carries the reads of one turn). */
  messages = 0;

  constructor(private readonly file: string) {}

  /** The link whose token hash this is, with its check-in's context and response (LinkTokenStore.linkedCheckIn). */
  linkedCheckIn(tokenHash: string): Promise<LinkedCheckIn | null> {
    if (this.closed) return Promise.reject(readerUnavailable("closed"));
    try {
      if (!this.worker) this.start();
    } catch (error) {
      return Promise.reject(readerUnavailable(error instanceof Error ? error.name : "start failed"));
    }
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.batch.push({ id, read: "linkedCheckIn", tokenHash });
      if (!this.sendScheduled) {
        this.sendScheduled = true;
        setImmediate(() => this.send());
      }
    });
  }

  /** Sends this turn's reads. Reads for a thread that stopped meanwhile were failed (and dropped) with it. */
  private send(): void {
    this.sendScheduled = false;
    const batch = this.batch;
    this.batch = [];
    if (!this.worker || batch.length === 0) return;
    this.messages++;
    this.worker.postMessage(batch satisfies ReaderBatch);
  }

  /** Whether a thread is running now. */
  running(): boolean {
    return this.worker !== null;
  }

  private start(): Worker {
    const worker = threadWorker(this.file);
    this.started++;
    // The thread never keeps the process alive: shutting down is the main thread's decision.
    worker.unref();
    worker.on("message", (replies: ReaderReplies) => {
      for (const reply of replies) this.settle(reply);
    });
    const stopped = (reason: string) => {
      if (this.worker !== worker) return;
      this.worker = null;
      this.batch = [];
      const waiting = [...this.pending.values()];
      this.pending.clear();
      for (const request of waiting) request.reject(readerUnavailable(reason));
    };
    worker.on("error", (error) => stopped(error.name));
    worker.on("exit", (code) => stopped(`exit ${code}`));
    this.worker = worker;
    return worker;
  }

  private settle(reply: ReaderReply): void {
    const waiting = this.pending.get(reply.id);
    if (!waiting) return;
    this.pending.delete(reply.id);
    if (reply.ok) waiting.resolve(reply.value);
    // The store's own errors keep their code (corrupt_row …), as on the main connection;
    // anything else is reader_failed with SQLite's code. Nothing read from a row comes along.
    else if (reply.coded && isErrorCode(reply.code)) waiting.reject(new StoreError(reply.code, `a link read failed on the SQLite reader thread (${reply.code})`));
    else waiting.reject(new StoreError("reader_failed", `a link read failed on the SQLite reader thread (${reply.code})`));
  }

  /** Stops the thread (reads still waiting fail with `reader_unavailable`). */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    if (!worker) return;
    await worker.terminate();
  }
}
