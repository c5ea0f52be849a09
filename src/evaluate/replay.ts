// Replays history rows through the live engine code: a temporary SQLite database (the real store
// and migrations), a clock set to each row's date, and the engine's own functions for each kind of
// row, the ones the bot calls for the same events:
// - answered: the store's answer and comment writes, the crisis screen (screenCommentForCrisis)
//   and rule evaluation (evaluateCheckIn, which opens or updates the alert, withdraws it, or
//   records a repair);
// - expired: the therapist loop's withdrawal check (withdrawalAfterExpiry); an expiry while the
//   client is paused is a cancelled check-in, as the bot cancels those;
// - paused, stopped: the withdrawal check the pause and stop commands run (evaluateWithdrawal);
// - missed_by_system, skipped: stored as closed check-ins, which later withdrawal checks read.
// The alert events are the engine's own (EngineContext.onAlertEvent), grouped per row.
// Nothing is sent anywhere: the replay has no chat platform.

import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { EngineContext } from "../core/context.ts";
import { DEFAULT_ENGINE_OPTIONS } from "../core/context.ts";
import type { AlertEvent, Enrollment, FiredSignal, Locale, Practice, RuptureThresholds } from "../core/model.ts";
import { DEFAULT_THRESHOLDS } from "../core/model.ts";
import { evaluateCheckIn, evaluateWithdrawal } from "../core/alerts.ts";
import { screenCommentForCrisis } from "../core/loop/crisis.ts";
import { withdrawalAfterExpiry } from "../core/loop/index.ts";
import { explainSignal } from "../core/views.ts";
import { ManualClock } from "../ports/clock.ts";
import { silentLogger } from "../ports/logger.ts";
import type { AnswerPatch, CheckInStore } from "../ports/checkin-store.ts";
import { AesGcmCommentCipher } from "../security/comment-cipher.ts";
import { openDatabase } from "../store/database.ts";
import type { OpenDatabase } from "../store/database.ts";
import { applyMigrations, loadMigrations, migrationsDir } from "../store/migrate.ts";
import { PrismaCheckInStore } from "../store/prisma-store.ts";
import type { HistoryRow } from "./history.ts";

/** One row's alert event: what the engine did to the client's alert on that row. */
export interface BacktestAlert {
  /** Where in the input: "line 7" / "entry 3". */
  where: string;
  date: string;
  action: AlertEvent["action"];
  severity: "normal" | "urgent";
  signals: FiredSignal[];
  reasons: string[];
}

export interface BacktestOptions {
  thresholds?: Partial<RuptureThresholds>;
  locale?: Locale;
  /** Called after each client of a practice is replayed (`done` of `total`). */
  onProgress?: (done: number, total: number) => void;
}

/** A replay database; each `replay` is one client with an enrollment of their own. */
export interface Replay {
  replay(rows: readonly HistoryRow[]): Promise<BacktestAlert[]>;
  /** Several clients, each with an enrollment of their own; results in input order. */
  replayEach(clientsRows: readonly (readonly HistoryRow[])[]): Promise<BacktestAlert[][]>;
  close(): Promise<void>;
}

const WINDOW_MS = 48 * 3600_000;


export async function openReplay(options: BacktestOptions = {}): Promise<Replay> {
  const dir = mkdtempSync(path.join(tmpdir(), "checkin-evaluate-"));
  let db: OpenDatabase | null = null;
  try {
    db = await openDatabase(`file:${path.join(dir, "replay.db")}`);
    await applyMigrations(db.sql, loadMigrations(migrationsDir(db.provider)));
    return await startReplay(db, dir, options);
  } catch (error) {
    await db?.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

async function startReplay(db: OpenDatabase, dir: string, options: BacktestOptions): Promise<Replay> {
  const store: CheckInStore = new PrismaCheckInStore(db);
  const locale = options.locale ?? "en";
  const cipher = new AesGcmCommentCipher(randomBytes(32));
  const created = await store.ensurePractice("terminal", "evaluate");
  const practice: Practice = await store.updatePractice(created.id, {
    locale,
    settings: { ...created.settings, thresholds: { ...DEFAULT_THRESHOLDS, ...options.thresholds } },
  });
  const therapist = await store.updatePerson((await store.ensurePerson(practice.id, "therapist")).id, { isTherapist: true });
  let clients = 0;

  async function replayClient(rows: readonly HistoryRow[]): Promise<BacktestAlert[]> {
    // The client's own clock and event list.
    const clock = new ManualClock("2000-01-01T00:00:00Z");
    let events: AlertEvent[] = [];
    const ctx: EngineContext = {
      store,
      platform: () => undefined,
      clock,
      logger: silentLogger,
      cipher,
      options: { ...DEFAULT_ENGINE_OPTIONS, ownerId: "evaluate" },
      onAlertEvent: (event) => events.push(event),
    };
    const client = await store.ensurePerson(practice.id, `client-${++clients}`);
    let enrollment: Enrollment = await store.createEnrollment({
      practiceId: practice.id,
      clientId: client.id,
      therapistId: therapist.id,
      weekdays: [1],
      startTime: "09:00",
      sessionMinutes: 50,
      timeZone: "UTC",
      delayMinutes: 10,
      reminderMinutes: 240,
      windowMinutes: WINDOW_MS / 60_000,
      locale,
    });
    const owned = { enrollment, practice, client, locale };
    let paused = false;
    let lastSessionEnd = -Infinity;
    const alerts: BacktestAlert[] = [];

    /** A check-in for the row, with the status the row names. */
    const checkIn = async (row: HistoryRow, status: "sent" | "expired" | "missed_by_system" | "skipped" | "cancelled") => {
      // Sessions of a client have distinct end times; two rows on one date are a millisecond apart.
      const end = Math.max(row.date.getTime(), lastSessionEnd + 1);
      lastSessionEnd = end;
      const inserted = await store.insertCheckIn({ enrollmentId: enrollment.id, kind: "scheduled", sessionEndAt: new Date(end), dueAt: new Date(end), remindAt: new Date(end), closesAt: new Date(end + WINDOW_MS) });
      if (!inserted) throw new Error("the replay could not store a check-in");
      await store.transitionCheckIn(inserted.id, ["scheduled"], status, clock.now());
      return inserted;
    };

    for (const row of rows) {
      clock.set(row.date);
      events = [];
      if (row.status === "answered") {
        const { id } = await checkIn(row, "sent");
        const patch: AnswerPatch = { goal: row.goal as number, task: row.task as number, bond: row.bond as number };
        if (row.tension) patch.tension = row.tension;
        if (row.talkedThrough) patch.talkedThrough = row.talkedThrough;
        await store.saveAnswer(id, patch, clock.now());
        if (row.comment) {
          const sealed = ctx.cipher.encrypt(row.comment);
          await store.saveComment(id, sealed.cipher, sealed.keyId, clock.now());
          await screenCommentForCrisis(ctx, owned, id, row.comment);
        }
        await evaluateCheckIn(ctx, enrollment, practice, id);
      } else if (row.status === "expired") {
        const expired = await checkIn(row, paused ? "cancelled" : "expired");
        if (!paused) await withdrawalAfterExpiry(ctx, [expired]);
      } else if (row.status === "missed_by_system" || row.status === "skipped") {
        await checkIn(row, row.status);
      } else if (row.status === "paused" || row.status === "stopped") {
        await evaluateWithdrawal(ctx, enrollment, practice, { kind: row.status, at: clock.now() });
        // A stop in a history file is followed by more rows only when the client came back: like a pause.
        enrollment = await store.updateEnrollment(enrollment.id, { status: "paused" });
        paused = true;
      } else if (row.status === "resumed") {
        enrollment = await store.updateEnrollment(enrollment.id, { status: "active" });
        paused = false;
      }
      const event = rowEvent(row, events, locale);
      if (event) alerts.push(event);
    }
    return alerts;
  }

  return {
    replay: replayClient,
    async replayEach(clientsRows) {
      // One after the other: the store's Prisma writes (audit, enrollments) would wait on SQLite's lock otherwise.
      const results: BacktestAlert[][] = [];
      for (const rows of clientsRows) {
        results.push(await replayClient(rows));
        options.onProgress?.(results.length, clientsRows.length);
      }
      return results;
    },
    async close() {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The row's alert events as one: the first step's action, urgent if any was, and every signal that fired. */
function rowEvent(row: HistoryRow, events: readonly AlertEvent[], locale: Locale): BacktestAlert | null {
  const first = events[0];
  if (!first) return null;
  // The check-in id a signal carries is the replay database's, not the file's.
  const signals = events.flatMap((e) => e.fired).map(({ checkInId: _id, ...signal }) => signal);
  return {
    where: row.where,
    date: row.date.toISOString().slice(0, 10),
    action: first.action,
    severity: events.some((e) => e.urgent) ? "urgent" : "normal",
    signals,
    reasons: signals.map((signal) => explainSignal(signal, locale)),
  };
}
