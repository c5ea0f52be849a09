// A few long-lived PostgreSQL connections in pipeline mode for statements outside explicit
// transactions. Everything issued in one turn of the event loop goes to one connection in one
// socket write and is answered together: one round trip for the lot instead of one each (the
// next turn uses the next connection, so the server works on several batches at once).
//
// Reads are sent as they are; each ends with its own Sync, so each is its own implicit
// transaction. Writes of the same turn are group-committed: sent as one BEGIN … COMMIT block,
// so they cost one WAL flush together. If anything in the block fails, the block is rolled back
// and each write is retried on its own, so one caller's constraint error never fails another's.

import pg from "pg";

interface Slot {
  ready: Promise<pg.Client>;
  client: pg.Client;
  connected: boolean;
}

interface QueuedWrite {
  config: pg.QueryConfig;
  resolve(result: pg.QueryResult): void;
  reject(error: unknown): void;
}

interface Corkable {
  cork(): void;
  uncork(): void;
}

/** The socket under a pg client; pg does not type it, but corking it is how writes are grouped. */
function streamOf(client: pg.Client): Corkable | null {
  const stream = (client as unknown as { connection?: { stream?: Partial<Corkable> } }).connection?.stream;
  return stream && typeof stream.cork === "function" && typeof stream.uncork === "function" ? (stream as Corkable) : null;
}

export class PgPipeline {
  private readonly slots: (Slot | null)[];
  private next = 0;
  private readonly corked = new Set<pg.Client>();
  private writes: QueuedWrite[] = [];
  private turnScheduled = false;
  private closed = false;

  constructor(
    private readonly config: pg.ClientConfig,
    size: number,
  ) {
    this.slots = Array.from({ length: Math.max(1, size) }, () => null);
  }

  private open(index: number): Slot {
    const client = new pg.Client({ ...this.config, pipeline: true } as pg.ClientConfig);
    const forget = () => {
      if (this.slots[index]?.client === client) this.slots[index] = null;
    };
    // A broken connection is dropped; its in-flight statements fail, the next statement reconnects.
    client.on("error", forget);
    client.on("end", forget);
    const slot: Slot = { ready: client.connect().then(() => ((slot.connected = true), client)), client, connected: false };
    slot.ready.catch(forget);
    this.slots[index] = slot;
    return slot;
  }

  /** Runs one statement on its own (autocommit). */
  async query(config: pg.QueryConfig): Promise<pg.QueryResult> {
    const slot = this.acquire();
    // Queued synchronously when connected, so it joins this turn's write.
    return (slot.connected ? this.corkFor(slot.client) : this.corkFor(await slot.ready)).query(config);
  }

  /** Runs one writing statement, committed together with the other writes of this turn. */
  write(config: pg.QueryConfig): Promise<pg.QueryResult> {
    if (this.closed) return Promise.reject(new Error("the database connection is closed"));
    return new Promise((resolve, reject) => {
      this.writes.push({ config, resolve, reject });
      this.scheduleTurnEnd();
    });
  }

  /** The connection for this turn. */
  private acquire(): Slot {
    if (this.closed) throw new Error("the database connection is closed");
    return this.slots[this.next] ?? this.open(this.next);
  }

  /** Holds the client's socket writes until the turn ends. */
  private corkFor(client: pg.Client): pg.Client {
    if (!this.corked.has(client)) {
      streamOf(client)?.cork();
      this.corked.add(client);
      this.scheduleTurnEnd();
    }
    return client;
  }

  private scheduleTurnEnd(): void {
    if (this.turnScheduled) return;
    this.turnScheduled = true;
    setImmediate(() => void this.endTurn());
  }

  private async endTurn(): Promise<void> {
    const writes = this.writes;
    this.writes = [];
    // On a connected slot these queue their statements synchronously, joining this turn's write.
    const committing = writes.length > 1 ? this.commitGroup(writes) : writes.length === 1 ? this.runAlone(writes[0]!) : null;
    this.turnScheduled = false;
    this.next = (this.next + 1) % this.slots.length;
    for (const client of this.corked) streamOf(client)?.uncork();
    this.corked.clear();
    await committing;
  }

  private async runAlone(write: QueuedWrite): Promise<void> {
    try {
      write.resolve(await this.query(write.config));
    } catch (error) {
      write.reject(error);
    }
  }

  private async commitGroup(writes: QueuedWrite[]): Promise<void> {
    let results: pg.QueryResult[];
    try {
      const slot = this.acquire();
      const client = this.corkFor(slot.connected ? slot.client : await slot.ready);
      // Queued back to back with no await in between, so nothing else interleaves on this connection.
      const sent = [client.query("BEGIN"), ...writes.map((w) => client.query(w.config)), client.query("COMMIT")];
      const settled = await Promise.allSettled(sent);
      if (settled.some((s) => s.status === "rejected")) throw new Error("group failed");
      results = settled.map((s) => (s as PromiseFulfilledResult<pg.QueryResult>).value);
      // After a failure inside the block the server answers COMMIT with ROLLBACK.
      if (results.at(-1)?.command !== "COMMIT") throw new Error("group rolled back");
    } catch {
      await Promise.all(writes.map((w) => this.runAlone(w)));
      return;
    }
    writes.forEach((w, i) => w.resolve(results[i + 1]!));
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const client of this.corked) streamOf(client)?.uncork();
    this.corked.clear();
    const slots = this.slots.splice(0).filter((s): s is Slot => s !== null);
    await Promise.all(slots.map(async (slot) => (await slot.ready.catch(() => null))?.end().catch(() => undefined)));
  }
}
