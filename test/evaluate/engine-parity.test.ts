// The live engine and `npm run evaluate` produce the same alert events for the same history.
// Live: a real bot on a real database with a manual clock, the client answering prompts by
// pressing buttons and typing comments, prompts expiring on the ticker, `/checkin stop`.
// Back-test: the same history as rows. Both report the engine's alert lifecycle steps
// (EngineContext.onAlertEvent); they are compared row by row.

import { afterEach, describe, expect, it } from "vitest";
import { createEngineFixture } from "../support/engine-fixture.ts";
import type { EngineFixture } from "../support/engine-fixture.ts";
import { RecordingPlatform } from "../support/recording-platform.ts";
import type { ConsentView, PromptView } from "../../src/ports/chat-platform.ts";
import type { AlertEvent, FiredSignal } from "../../src/core/model.ts";
import { backtest } from "../../src/evaluate/backtest.ts";
import type { BacktestAlert } from "../../src/evaluate/backtest.ts";
import { trajectory } from "../core/rules/trajectory-data.ts";
import type { Step } from "../core/rules/trajectory-data.ts";

const WEEK = 7 * 86_400_000;
const START = Date.parse("2026-03-02T10:00:00Z"); // Monday; session 09:00-09:50 UTC, prompt due 10:00
const SESSION_END = START - 10 * 60_000;

/** One row's events, in a form both sides share: first action, urgency, and the signals that fired. */
interface RowEvents {
  row: number;
  action: string;
  urgent: boolean;
  signals: string[];
}

const signalKey = ({ checkInId: _id, ...signal }: FiredSignal) => JSON.stringify(signal);

function liveRow(row: number, events: AlertEvent[]): RowEvents | null {
  if (events.length === 0) return null;
  // A row answered press by press re-evaluates the check-in after each press: the same signal can fire twice.
  const signals = [...new Set(events.flatMap((e) => e.fired.map(signalKey)))].sort();
  return { row, action: events[0]!.action, urgent: events.some((e) => e.urgent), signals };
}

function backtestRow(alert: BacktestAlert): RowEvents {
  return { row: Number(alert.where.replace("row ", "")), action: alert.action, urgent: alert.severity === "urgent", signals: [...new Set(alert.signals.map(signalKey))].sort() };
}

let f: EngineFixture | null = null;
afterEach(async () => {
  await f?.dispose();
  f = null;
});

/** Runs the history through a live bot, step by step, and returns each row's alert events. */
async function live(steps: Step[]): Promise<RowEvents[]> {
  const platform = new RecordingPlatform("terminal");
  let events: AlertEvent[] = [];
  f = await createEngineFixture({ platform, start: "2026-03-02T08:00:00Z", onAlertEvent: (event) => events.push(event) });
  const fixture = f;
  expect((await fixture.command("admin", "enroll alice bob mon 09:00 50m UTC", { admin: true })).refused).toBeFalsy();

  const openPrompt = async (week: number): Promise<PromptView> => {
    fixture.clock.set(new Date(START + week * WEEK));
    await fixture.engine.tick();
    await fixture.engine.tick(); // a catch-up tick marks a missed week first; the next one sends this week's prompt
    let view = platform.lastTo("alice")?.view;
    if (view?.kind === "consent") {
      await fixture.press("alice", (view as ConsentView).accept.actionId);
      view = platform.lastTo("alice")?.view;
    }
    expect(view?.kind).toBe("prompt");
    return view as PromptView;
  };

  const rows: RowEvents[] = [];
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!;
    const spec = typeof step === "string" ? { s: step } : step;
    events = [];
    if (spec.s === "exp") {
      await openPrompt(i);
      fixture.clock.set(new Date(SESSION_END + i * WEEK + 49 * 3600_000)); // past the 48-hour answer window
      await fixture.engine.tick();
    } else if (spec.s === "stop") {
      fixture.clock.set(new Date(START + i * WEEK));
      expect((await fixture.command("alice", "stop")).refused).toBeFalsy();
    } else {
      const prompt = await openPrompt(i);
      const values = spec.s.split("").map(Number);
      for (let item = 0; item < 3; item++) await fixture.press("alice", prompt.rows[item]!.options[values[item]! - 1]!.actionId);
      const tension = spec.tension ?? "no";
      await fixture.press("alice", prompt.tension!.options.find((o) => o.value === tension)!.actionId);
      if (spec.talked) {
        const shown = platform.to("alice").find((m) => m.history[0] && (m.history[0] as PromptView).checkInId === prompt.checkInId)!.view as PromptView;
        await fixture.press("alice", shown.talkedThrough!.options.find((o) => o.value === spec.talked)!.actionId);
      }
      if (spec.comment) await fixture.engine.receive({ type: "comment", actor: fixture.actor("alice"), checkInId: prompt.checkInId, text: spec.comment });
    }
    const row = liveRow(i + 1, events);
    if (row) rows.push(row);
  }
  return rows;
}

/** The same history as back-test rows: each session's end as the date, tension "no" where the live client pressed it. */
async function evaluated(steps: Step[]): Promise<RowEvents[]> {
  const rows = trajectory(...steps).map((row, i) => ({
    ...row,
    date: new Date(SESSION_END + i * WEEK),
    ...(row.status === "answered" && row.tension === null ? { tension: "no" as const } : {}),
  }));
  return (await backtest(rows)).map(backtestRow);
}

const HISTORIES: { name: string; steps: Step[] }[] = [
  { name: "a sudden drop after five steady weeks", steps: ["555", "555", "555", "555", "555", "333"] },
  { name: "a slow decline", steps: ["555", "554", "544", "444", "443"] },
  { name: "tension not talked through", steps: ["555", "555", { s: "555", tension: "a_little", talked: "no" }] },
  { name: "a standing low level: alerted once", steps: ["333", "333", "333", "343"] },
  { name: "comment markers on a lower check-in", steps: ["555", "555", "555", { s: "444", comment: "you don't listen, whatever" }] },
  { name: "crisis language on an open alert: urgent update", steps: ["255", { s: "555", comment: "I want to die" }] },
  { name: "an explicit denial: a note, not a crisis", steps: ["555", { s: "555", comment: "I'm not going to hurt myself, it was a good session." }] },
  { name: "two expired check-ins in a row", steps: ["555", "555", "exp", "exp"] },
  { name: "stopping right after a low check-in", steps: ["555", "434", "stop"] },
  // The same finding again on the open alert changes nothing, so the engine reports no event (the
  // back-test before it ran the engine reported an update here).
  { name: "expired twice, answered, expired twice again", steps: ["555", "exp", "exp", "555", "exp", "exp"] },
  { name: "a stable client", steps: ["555", "554", "555", "545", "555"] },
];

describe("the live engine and npm run evaluate agree", () => {
  for (const { name, steps } of HISTORIES) {
    it(name, { timeout: 120_000 }, async () => {
      const fromEngine = await live(steps);
      const fromBacktest = await evaluated(steps);
      expect(fromBacktest).toEqual(fromEngine);
    });
  }

  it("the histories above raise alerts of every kind", { timeout: 120_000 }, async () => {
    const all = (await Promise.all(HISTORIES.map(({ steps }) => evaluated(steps)))).flat();
    const codes = new Set(all.flatMap((r) => r.signals.map((s) => (JSON.parse(s) as { code: string }).code)));
    for (const code of ["low_total", "drop_total", "reliable_drop", "decline", "tension", "comment_marker", "crisis_language", "crisis_denial", "withdrawal_missed", "withdrawal_stopped"]) expect(codes, code).toContain(code);
    expect(all.some((r) => r.action === "updated")).toBe(true);
    expect(all.some((r) => r.urgent)).toBe(true);
  });
});
