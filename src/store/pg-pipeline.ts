// A few long-lived PostgreSQL connections in pipeline mode for statements outside explicit
// transactions. Statements wait in a queue; at the end of each event-loop turn everything queued
// is written to a connection at once (one socket write) and answered together. Under load the
// batches grow by themselves, so each statement costs a fraction of a round trip and of a
// system call; when idle, a statement goes out at the end of the current turn.
//
// A connection takes up to two batches at a time: the server works on one while the bot reads
// the answers to the previous one and gathers the next. Everything goes to the first connection
// while it has room. Another connection is used only when every connection in use is full and
// has been waiting on its oldest batch for a while (a slow statement), so one slow statement
// does not hold up the rest; otherwise one server process does all the work, which on a small
// machine costs less CPU per statement than several processes taking turns.
//
// Reads (and other single statements) each end with their own Sync, so each is its own implicit
// transaction. Writes queued together are group-committed: one BEGIN … COMMIT block, so they
// cost one WAL flush together. If anything in the block fails, the block is rolled back and each
// write is retried on its own, so one caller's constraint error never fails another's write.

import pg from "pg";

interface Slot {
  client: pg.Client;
  connected: boolean;
  /** When each batch written to this connection and not fully answered yet was written, oldest first. */
  batches: number[];
}

export interface PipelineOptions {
  /** Batches a connection may have outstanding at once (default 2). */
  batchesPerConnection?: number;
  /** How long a full connection waits on its oldest batch before another connection is used (default 25 ms). */
  spillAfterMs?: number;
  /** Called when a connection fails (it is dropped and replaced by the next batch). */
  onConnectionError?: (error: unknown) => void;
}

interface Pending {
  config: pg.QueryConfig;
  resolve(result: pg.QueryResult): void;
  reject(error: unknown): void;
}

interface Corkable {
  cork(): void;
  uncork(): void;
}

/** The socket under a pg client; pg does not type it, but corking it is how a batch becomes one write. */
function streamOf(client: pg.Client): Corkable | null {
  const stream = (client as unknown as { connection?: { stream?: Partial<Corkable> } }).connection?.stream;
  return stream && typeof stream.cork === "function" && typeof stream.uncork === "function" ? (stream as Corkable) : null;
}

const closedError = () => new Error("the database connection is closed");

export class PgPipeline {
  private readonly slots: (Slot | null)[];
  /** Statements that run on their own: reads, and writes retried after their group failed. */
  private singles: Pending[] = [];
  /** Writes to commit together. */
  private writes: Pending[] = [];
  private dispatchScheduled = false;
  private spillTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly batchesPerConnection: number;
  private readonly spillAfterMs: number;
  private readonly onConnectionError: (error: unknown) => void;

  constructor(
    private readonly config: pg.ClientConfig,
    size: number,
    options: PipelineOptions = {},
  ) {
    this.slots = Array.from({ length: Math.max(1, size) }, () => null);
    this.batchesPerConnection = Math.max(1, options.batchesPerConnection ?? 2);
    this.spillAfterMs = Math.max(0, options.spillAfterMs ?? 25);
    this.onConnectionError = options.onConnectionError ?? (() => undefined);
  }

  /** Runs one statement on its own (autocommit). */
  query(config: pg.QueryConfig): Promise<pg.QueryResult> {
    return this.enqueue(this.singles, config);
  }

  /** Runs one writing statement, committed together with the writes queued alongside it. */
  write(config: pg.QueryConfig): Promise<pg.QueryResult> {
    return this.enqueue(this.writes, config);
  }

  private enqueue(queue: Pending[], config: pg.QueryConfig): Promise<pg.QueryResult> {
    if (this.closed) return Promise.reject(closedError());
    return new Promise((resolve, reject) => {
      queue.push({ config, resolve, reject });
      this.scheduleDispatch();
    });
  }

  /** Dispatches at the end of this turn, so statements issued together travel together. */
  private scheduleDispatch(): void {
    if (this.dispatchScheduled || this.closed) return;
    this.dispatchScheduled = true;
    setImmediate(() => {
      this.dispatchScheduled = false;
      this.dispatch();
    });
  }

  private open(index: number): void {
    const client = new pg.Client({ ...this.config, pipeline: true } as pg.ClientConfig);
    const slot: Slot = { client, connected: false, batches: [] };
    this.slots[index] = slot;
    const forget = (error?: unknown) => {
      if (this.slots[index] !== slot) return;
      this.slots[index] = null;
      // Statements already written fail through pg; if nothing else can connect, fail the queue too.
      if (!slot.connected && error && this.slots.every((s) => s === null)) this.failQueued(error);
      this.scheduleDispatch();
    };
    // A broken connection is dropped; its in-flight statements fail, the next batch reconnects.
    client.on("error", (error) => {
      // A failing connection may emit more than one error; the first one says why.
      if (this.slots[index] === slot) this.onConnectionError(error);
      forget(error);
    });
    client.on("end", () => forget());
    client.connect().then(
      () => {
        slot.connected = true;
        this.scheduleDispatch();
      },
      (error: unknown) => {
        this.onConnectionError(error);
        forget(error);
      },
    );
  }

  private failQueued(error: unknown): void {
    const queued = [...this.singles, ...this.writes];
    this.singles = [];
    this.writes = [];
    for (const p of queued) p.reject(error);
  }

  /**
   * The connection for the next batch: the first with room, going past a full one only when it
   * has waited spillAfterMs on its oldest batch. Null when the queue must wait; a wait on a full
   * connection arms a timer for the moment it would count as slow.
   */
  private pickSlot(): Slot | null {
    const now = Date.now();
    for (let i = 0; i < this.slots.length; i++) {
      const slot = this.slots[i] as Slot | null;
      if (slot === null) {
        this.open(i); // dispatches when connected
        return null;
      }
      if (!slot.connected) return null;
      if (slot.batches.length < this.batchesPerConnection) return slot;
      const waited = now - (slot.batches[0] ?? now);
      if (waited < this.spillAfterMs) {
        this.armSpillTimer(this.spillAfterMs - waited);
        return null;
      }
    }
    return null;
  }

  private armSpillTimer(ms: number): void {
    if (this.spillTimer || this.closed) return;
    this.spillTimer = setTimeout(() => {
      this.spillTimer = null;
      this.dispatch();
    }, Math.max(1, ms));
    this.spillTimer.unref();
  }

  /** Writes everything queued to a connection with room, if there is one. */
  private dispatch(): void {
    if (this.closed || (this.singles.length === 0 && this.writes.length === 0)) return;
    const slot = this.pickSlot();
    if (!slot) return;
    const singles = this.singles;
    const writes = this.writes;
    this.singles = [];
    this.writes = [];
    if (writes.length === 1) singles.push(writes.pop()!);
    const answered: Promise<unknown>[] = [];
    const stream = streamOf(slot.client);
    stream?.cork();
    try {
      for (const p of singles) {
        const result = slot.client.query(p.config);
        result.then(p.resolve, p.reject);
        answered.push(result);
      }
      if (writes.length > 0) answered.push(this.commitGroup(slot, writes));
    } finally {
      stream?.uncork();
    }
    const sentAt = Date.now();
    slot.batches.push(sentAt);
    // A connection answers in order, so the batch that settles is the oldest one.
    void Promise.allSettled(answered).then(() => {
      slot.batches.shift();
      this.scheduleDispatch();
    });
  }

  /** Sends one group-committed block; settles when the server has answered all of it. */
  private commitGroup(slot: Slot, writes: Pending[]): Promise<void> {
    // Queued back to back, so nothing else interleaves inside the block on this connection.
    const sent = [slot.client.query("BEGIN"), ...writes.map((w) => slot.client.query(w.config)), slot.client.query("COMMIT")];
    return Promise.allSettled(sent).then((settled) => {
      const results = settled.map((s) => (s.status === "fulfilled" ? s.value : null));
      // After a failure inside the block the server answers COMMIT with ROLLBACK.
      if (results.every((r) => r !== null) && results.at(-1)?.command === "COMMIT") {
        writes.forEach((w, i) => w.resolve(results[i + 1]!));
        return;
      }
      for (const w of writes) this.enqueue(this.singles, w.config).then(w.resolve, w.reject);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.spillTimer) clearTimeout(this.spillTimer);
    this.failQueued(closedError());
    const slots = this.slots.splice(0).filter((s): s is Slot => s !== null);
    await Promise.all(slots.map((slot) => slot.client.end().catch(() => undefined)));
  }
}
