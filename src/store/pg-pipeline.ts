// A few long-lived PostgreSQL connections in pipeline mode for statements outside explicit
// transactions. Statements wait in a queue; whenever a connection has no answers outstanding,
// everything queued is written to it at once (one socket write) and answered together. Under
// load the batches grow by themselves, so each statement costs a fraction of a round trip and
// of a system call; when idle, a statement goes out at the end of the current event-loop turn.
//
// Reads (and other single statements) each end with their own Sync, so each is its own implicit
// transaction. Writes queued together are group-committed: one BEGIN … COMMIT block, so they
// cost one WAL flush together. If anything in the block fails, the block is rolled back and each
// write is retried on its own, so one caller's constraint error never fails another's write.

import pg from "pg";

interface Slot {
  client: pg.Client;
  connected: boolean;
  /** Statements written to this connection and not answered yet. */
  inflight: number;
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
  private closed = false;

  constructor(
    private readonly config: pg.ClientConfig,
    size: number,
  ) {
    this.slots = Array.from({ length: Math.max(1, size) }, () => null);
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
    const slot: Slot = { client, connected: false, inflight: 0 };
    this.slots[index] = slot;
    const forget = (error?: unknown) => {
      if (this.slots[index] !== slot) return;
      this.slots[index] = null;
      // Statements already written fail through pg; if nothing else can connect, fail the queue too.
      if (!slot.connected && error && this.slots.every((s) => s === null)) this.failQueued(error);
      this.scheduleDispatch();
    };
    // A broken connection is dropped; its in-flight statements fail, the next batch reconnects.
    client.on("error", forget);
    client.on("end", () => forget());
    client.connect().then(
      () => {
        slot.connected = true;
        this.scheduleDispatch();
      },
      (error: unknown) => forget(error),
    );
  }

  private failQueued(error: unknown): void {
    const queued = [...this.singles, ...this.writes];
    this.singles = [];
    this.writes = [];
    for (const p of queued) p.reject(error);
  }

  /** Writes everything queued to an idle connection, if there is one. */
  private dispatch(): void {
    if (this.closed || (this.singles.length === 0 && this.writes.length === 0)) return;
    const idle = this.slots.find((s): s is Slot => s !== null && s.connected && s.inflight === 0);
    if (!idle) {
      // All busy: the queue goes out when one of them has its answers. Open another if allowed.
      const free = this.slots.findIndex((s) => s === null);
      if (free >= 0) this.open(free);
      return;
    }
    const singles = this.singles;
    const writes = this.writes;
    this.singles = [];
    this.writes = [];
    if (writes.length === 1) singles.push(writes.pop()!);
    const stream = streamOf(idle.client);
    stream?.cork();
    try {
      for (const p of singles) this.send(idle, p.config).then(p.resolve, p.reject);
      if (writes.length > 0) this.commitGroup(idle, writes);
    } finally {
      stream?.uncork();
    }
  }

  /** Submits one statement on the slot's connection and keeps the in-flight count. */
  private send(slot: Slot, config: pg.QueryConfig | string): Promise<pg.QueryResult> {
    slot.inflight++;
    const settle = () => {
      slot.inflight--;
      if (slot.inflight === 0) this.scheduleDispatch();
    };
    const result = slot.client.query(config);
    result.then(settle, settle);
    return result;
  }

  private commitGroup(slot: Slot, writes: Pending[]): void {
    // Queued back to back, so nothing else interleaves inside the block on this connection.
    const sent = [this.send(slot, "BEGIN"), ...writes.map((w) => this.send(slot, w.config)), this.send(slot, "COMMIT")];
    void Promise.allSettled(sent).then((settled) => {
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
    this.failQueued(closedError());
    const slots = this.slots.splice(0).filter((s): s is Slot => s !== null);
    await Promise.all(slots.map((slot) => slot.client.end().catch(() => undefined)));
  }
}
