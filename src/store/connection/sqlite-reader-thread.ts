// The thread behind SqliteReader (sqlite-reader.ts): its own connection to the database file,
// reading only (query_only), answering the reads of each message one after another with the same
// statement and decoding as the main thread's read. A blocking wait for a lock is harmless here,
// so it has a busy timeout.

import { parentPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";
import { linkedDialects } from "../dialect/linked.ts";
import type { Row } from "../statements.ts";
import type { ReaderBatch, ReaderReplies, ReaderReply, ReaderRequest } from "./sqlite-reader.ts";
import { isCodedError } from "../../ports/errors.ts";

const port = parentPort;
if (!port) throw new Error("sqlite-reader-thread runs as a worker thread");

const { file } = workerData as { file: string };
const db = new Database(file, { fileMustExist: true, timeout: 5000 });
db.pragma("query_only = ON");
// The pages read a few rows per request; SQLite's default page cache is plenty.
db.pragma("cache_size = -2000");
const dialect = linkedDialects.sqlite;
const linked = db.prepare(dialect.sql);

function answer(request: ReaderRequest): ReaderReply {
  try {
    const row = linked.get(request.tokenHash) as Row | undefined;
    return { id: request.id, ok: true, value: row ? dialect.decode(row) : null };
  } catch (error) {
    // Only the code crosses back (SQLite's, or the store's own such as corrupt_row), never a message.
    const code = (error as { code?: unknown }).code;
    return { id: request.id, ok: false, code: typeof code === "string" ? code : error instanceof Error ? error.name : "unknown", coded: isCodedError(error) };
  }
}

/**
 * How long replies may wait for the rest of their batch. Under load a turn's batch holds the pages
 * of half the visitors (20-30 reads, about 2 ms here), and the main thread would wait for all of
 * them before it renders the first: replies go back every quarter millisecond instead.
 */
const REPLY_EVERY_MS = 0.25;

// A batch is one turn's reads of the main thread; each read is its own statement, so each sees
// what was committed when it ran.
port.on("message", (batch: ReaderBatch) => {
  let replies: ReaderReplies = [];
  let since = performance.now();
  for (const request of batch) {
    replies.push(answer(request));
    if (performance.now() - since >= REPLY_EVERY_MS) {
      port.postMessage(replies);
      replies = [];
      since = performance.now();
    }
  }
  if (replies.length > 0) port.postMessage(replies);
});
