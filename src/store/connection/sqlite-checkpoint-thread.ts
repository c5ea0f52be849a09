// The thread behind SqliteCheckpointer (sqlite-checkpointer.ts): its own connection to the
// database file, which only checkpoints. Every `intervalMs` it copies what the WAL holds into the
// database file and syncs it (PASSIVE: no lock that readers or writers wait for). Once the WAL is
// `restartFrames` long it asks for a RESTART instead, so that the next write starts the WAL from
// its beginning again: that takes the write lock for as long as copying the few frames written
// since the last pass and one sync take (the main connection's writes retry meanwhile; without
// the lock, it is a PASSIVE pass and the next one tries again).

import { parentPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";
import type { CheckpointPass, CheckpointThreadData } from "./sqlite-checkpointer.ts";

const port = parentPort;
if (!port) throw new Error("sqlite-checkpoint-thread runs as a worker thread");

const { file, intervalMs, restartFrames } = workerData as CheckpointThreadData;
// Never waits for a lock: a busy checkpoint is a partial one, and the next pass carries on.
const db = new Database(file, { fileMustExist: true, timeout: 0 });
let walFrames = 0;
let backfilled = 0;

const timer = setInterval(() => {
  const mode = walFrames >= restartFrames ? "RESTART" : "PASSIVE";
  const [result] = db.pragma(`wal_checkpoint(${mode})`) as { busy: number; log: number; checkpointed: number }[];
  if (!result) return;
  const restarted = mode === "RESTART" && result.busy === 0;
  // `checkpointed` counts every frame copied since the WAL last started over. A restarted WAL
  // still reports the frames it had; the next write starts it again from frame one.
  const copied = result.checkpointed - backfilled;
  walFrames = restarted ? 0 : result.log;
  backfilled = restarted ? 0 : result.checkpointed;
  if (copied !== 0 || restarted) port.postMessage({ mode, restarted, walFrames: result.log, copied: Math.max(copied, 0) } satisfies CheckpointPass);
}, intervalMs);

port.on("message", (message: "stop") => {
  if (message !== "stop") return;
  clearInterval(timer);
  db.close();
  port.close();
});

port.postMessage("ready");
