import { describe, expect, it } from "vitest";
import {
  commentMarkers,
  decline,
  dropFromBaseline,
  evaluateSignals,
  HISTORY_WINDOW,
  lowItem,
  lowTotal,
  reliableDrop,
  RUPTURE_SIGNALS,
  tensionUnresolved,
} from "../../../src/core/rules/signals.ts";
import type { SignalContext } from "../../../src/core/rules/signals.ts";
import { reliableChange } from "../../../src/core/rules/baseline.ts";
import { withdrawalSignals } from "../../../src/core/rules/withdrawal.ts";
import type { ClosedOutcome } from "../../../src/core/rules/withdrawal.ts";
import { DEFAULT_THRESHOLDS } from "../../../src/core/model.ts";
import type { RuptureThresholds, ScoredCheckIn, TalkedThroughAnswer, TensionAnswer } from "../../../src/core/model.ts";
import { explainSignal } from "../../../src/core/views.ts";

let seq = 0;
function c(goal: number, task: number, bond: number, extra: { tension?: TensionAnswer; talked?: TalkedThroughAnswer; comment?: string } = {}): ScoredCheckIn {
  seq++;
  return { checkInId: `c${seq}`, sessionEndAt: new Date(Date.UTC(2026, 0, 1) + seq * 7 * 86_400_000), goal, task, bond, tension: extra.tension ?? null, talkedThrough: extra.talked ?? null, comment: extra.comment ?? null };
}
/** History written oldest first, as people read it; the rules get it newest first. */
const past = (...checkIns: ScoredCheckIn[]) => checkIns.slice().reverse();
const ctx = (current: ScoredCheckIn, history: ScoredCheckIn[] = [], t: Partial<RuptureThresholds> = {}): SignalContext => ({ current, history, thresholds: { ...DEFAULT_THRESHOLDS, ...t } });

describe("defaults (DESIGN.md)", () => {
  it("item ≤ 2, total < 12, drop ≥ 2 from a baseline of up to 5, RCI z 1.96 with SD floor 1, decline 3, 2 missed", () => {
    expect(DEFAULT_THRESHOLDS).toEqual({ lowItem: 2, lowTotal: 12, totalDrop: 2, itemDrop: 2, baselineSize: 5, rciZ: 1.96, rciSdFloor: 1, declineSteps: 3, missedInRow: 2 });
    expect(RUPTURE_SIGNALS).toEqual([lowItem, lowTotal, dropFromBaseline, reliableDrop, decline, tensionUnresolved, commentMarkers]);
  });
});

describe("absolute rules fire from the first check-in", () => {
  it("low item and low total", () => {
    expect(evaluateSignals(ctx(c(2, 5, 5))).map((s) => s.code)).toEqual(["low_item"]);
    expect(evaluateSignals(ctx(c(4, 4, 3))).map((s) => s.code)).toEqual(["low_total"]);
    expect(evaluateSignals(ctx(c(4, 4, 4)))).toEqual([]);
  });
});

describe("cold start: fewer than 3 earlier answered check-ins → only absolute rules", () => {
  it("a big drop after two check-ins raises only what is absolutely low", () => {
    const fired = evaluateSignals(ctx(c(3, 4, 4), past(c(5, 5, 5), c(5, 5, 5))));
    expect(fired.map((s) => s.code)).toEqual(["low_total"]);
  });
  it("with three earlier check-ins the drop from baseline fires", () => {
    const fired = evaluateSignals(ctx(c(4, 4, 4), past(c(5, 5, 5), c(5, 5, 5), c(5, 5, 5))));
    expect(fired.map((s) => s.code)).toEqual(["drop_total"]);
  });
});

describe("drop from baseline", () => {
  it("explains itself with the usual value and how many check-ins it averages", () => {
    const [item] = dropFromBaseline(ctx(c(5, 5, 2), past(c(5, 5, 4), c(5, 5, 5), c(5, 5, 4), c(5, 5, 4)))).filter((s) => s.code === "drop_item");
    expect(item).toEqual({ code: "drop_item", params: { item: "bond", value: 2, baseline: 4.3, count: 4 } });
    expect(explainSignal(item!, "en")).toBe("Bond 2/5, down from a usual 4.3 (last 4 check-ins).");
    expect(explainSignal(item!, "ro")).toBe("Relație 2/5, sub media obișnuită de 4.3 (ultimele 4 verificări).");
  });
  it("uses at most baselineSize check-ins", () => {
    const history = past(c(1, 1, 1), c(5, 5, 5), c(5, 5, 5), c(5, 5, 5), c(5, 5, 5), c(5, 5, 5));
    expect(dropFromBaseline(ctx(c(5, 5, 3), history))[0]?.params).toMatchObject({ baseline: 15, count: 5 });
    expect(dropFromBaseline(ctx(c(5, 5, 3), history, { baselineSize: 3 }))[0]?.params).toMatchObject({ count: 3 });
  });
});

describe("reliable drop (RCI)", () => {
  it("needs five earlier check-ins", () => {
    expect(reliableDrop(ctx(c(1, 1, 1), past(c(5, 5, 5), c(5, 5, 5), c(5, 5, 5), c(5, 5, 5))))).toEqual([]);
  });
  it("the SD floor keeps a perfectly flat history from calling a 1- or 2-point dip reliable", () => {
    const flat = past(c(4, 4, 4), c(4, 4, 4), c(4, 4, 4), c(4, 4, 4), c(4, 4, 4));
    expect(reliableChange(12, flat, 1.96, 1)).toMatchObject({ sd: 0, sdUsed: 1 });
    expect(reliableDrop(ctx(c(4, 4, 3), flat))).toEqual([]);
    expect(reliableDrop(ctx(c(4, 3, 3), flat))).toEqual([]);
    expect(reliableDrop(ctx(c(3, 3, 3), flat)).map((s) => s.code)).toEqual(["reliable_drop"]);
    // Without the floor even one point would have been "reliable".
    expect(reliableDrop(ctx(c(4, 4, 3), flat, { rciSdFloor: 0.01 }))).toHaveLength(1);
  });
  it("a noisy client needs a bigger drop than a steady one", () => {
    const noisy = past(c(5, 5, 5), c(3, 4, 3), c(5, 4, 5), c(3, 3, 4), c(5, 5, 4), c(4, 3, 3));
    const rc = reliableChange(10, noisy, 1.96, 1)!;
    expect(rc.sd).toBeGreaterThan(1);
    expect(rc.minDrop).toBeGreaterThan(reliableChange(10, past(c(4, 4, 4), c(4, 4, 4), c(4, 4, 4), c(4, 4, 4), c(4, 4, 4)), 1.96, 1)!.minDrop);
    expect(reliableDrop(ctx(c(3, 4, 3), noisy))).toEqual([]);
  });
  it("explains the index and the client's own threshold", () => {
    const [signal] = reliableDrop(ctx(c(3, 3, 3), past(c(4, 4, 4), c(4, 4, 4), c(4, 4, 4), c(4, 4, 4), c(4, 4, 4))));
    expect(explainSignal(signal!, "en")).toBe("Total 9/15 is a reliable drop from this client's usual 12 (RCI 2.74 ≥ 1.96: beyond their own variation over 5 check-ins, where a drop of 2.1 points would count).");
  });
});

describe("decline", () => {
  it("three consecutive decreases fire, two do not, a plateau breaks the run", () => {
    expect(decline(ctx(c(4, 4, 4), past(c(5, 5, 5), c(5, 5, 4), c(5, 4, 4))))[0]).toEqual({ code: "decline", params: { steps: 3, path: "15 → 14 → 13 → 12", from: 15, to: 12 } });
    expect(decline(ctx(c(4, 4, 4), past(c(5, 5, 5), c(5, 5, 5), c(5, 4, 4))))).toEqual([]);
    expect(decline(ctx(c(4, 4, 4), past(c(5, 5, 5), c(5, 5, 4), c(5, 5, 4), c(5, 4, 4))))).toEqual([]);
  });
  it("follows decline_steps", () => {
    expect(decline(ctx(c(4, 4, 4), past(c(5, 5, 5), c(5, 5, 5), c(5, 5, 4), c(5, 4, 4)), { declineSteps: 2 }))).toHaveLength(1);
  });
});

describe("tension not talked through", () => {
  it.each([
    ["yes", "no", true],
    ["a_little", "no", true],
    ["yes", "partly", true],
    ["a_little", "partly", false],
    ["yes", "yes", false],
    ["no", undefined, false],
  ] as const)("tension %s, talked %s → %s", (tension, talked, fires) => {
    expect(tensionUnresolved(ctx(c(5, 5, 5, { tension, ...(talked ? { talked } : {}) })))).toHaveLength(fires ? 1 : 0);
  });
  it("explains itself in the reader's language", () => {
    const [signal] = tensionUnresolved(ctx(c(5, 5, 5, { tension: "a_little", talked: "no" })));
    expect(explainSignal(signal!, "en")).toBe("Tension reported (A little); talked through: No.");
    expect(explainSignal(signal!, "ro")).toBe("Tensiune raportată (Puțin); s-a vorbit despre ea: Nu.");
  });
});

describe("comment markers", () => {
  it("one finding per category, crisis left to the safety net", () => {
    const fired = commentMarkers(ctx(c(5, 5, 5, { comment: "You don't listen. Whatever. This isn't helping. I want to die." })));
    expect(fired).toEqual([
      { code: "comment_marker", params: { category: "confrontation" } },
      { code: "comment_marker", params: { category: "withdrawal" } },
    ]);
    // The category in plain words; nothing the client did not write is quoted.
    expect(explainSignal(fired[0]!, "en")).toBe(
      "The comment has wording that often marks confrontation (disagreeing with or criticising the therapy or the therapist); read the comment for the client's own words.",
    );
    expect(explainSignal(fired[0]!, "ro")).toBe(
      "Comentariul are formulări care semnalează adesea confruntare (dezacord cu terapia sau cu terapeutul, ori critică a lor); citiți comentariul pentru cuvintele clientului.",
    );
    for (const signal of fired) for (const locale of ["en", "ro"] as const) expect(explainSignal(signal, locale)).not.toMatch(/["“”„«»]/);
  });
});

describe("withdrawal", () => {
  const at = (days: number) => new Date(Date.UTC(2026, 2, 1) + days * 86_400_000);
  const o = (status: ClosedOutcome["status"], day: number, scores: ClosedOutcome["scores"] = null): ClosedOutcome => ({ status, sessionEndAt: at(day), scores });
  const t = DEFAULT_THRESHOLDS;
  it("two consecutive expiries fire; downtime in between is transparent, an answer breaks the run", () => {
    expect(withdrawalSignals({ recent: [o("expired", 14), o("expired", 7)], trigger: { kind: "expired", paused: false }, thresholds: t })).toEqual([{ code: "withdrawal_missed", params: { count: 2 } }]);
    expect(withdrawalSignals({ recent: [o("expired", 14), o("missed_by_system", 7), o("expired", 0)], trigger: { kind: "expired", paused: false }, thresholds: t })).toHaveLength(1);
    expect(withdrawalSignals({ recent: [o("expired", 14), o("missed_by_system", 7), o("missed_by_system", 0)], trigger: { kind: "expired", paused: false }, thresholds: t })).toEqual([]);
    expect(withdrawalSignals({ recent: [o("expired", 14), o("answered", 7, { goal: 4, task: 4, bond: 4 }), o("expired", 0)], trigger: { kind: "expired", paused: false }, thresholds: t })).toEqual([]);
    expect(withdrawalSignals({ recent: [o("expired", 14), o("expired", 7)], trigger: { kind: "expired", paused: true }, thresholds: t })).toEqual([]);
  });
  it("stop or pause right after a low score fires; after a good one, or long after, it does not", () => {
    const low = [o("answered", 0, { goal: 2, task: 4, bond: 4 })];
    expect(withdrawalSignals({ recent: low, trigger: { kind: "stopped", at: at(2) }, thresholds: t })).toEqual([{ code: "withdrawal_stopped", params: { total: 10 } }]);
    expect(withdrawalSignals({ recent: low, trigger: { kind: "paused", at: at(2) }, thresholds: t })).toEqual([{ code: "withdrawal_paused", params: { total: 10 } }]);
    expect(withdrawalSignals({ recent: low, trigger: { kind: "stopped", at: at(30) }, thresholds: t })).toEqual([]);
    expect(withdrawalSignals({ recent: [o("answered", 0, { goal: 4, task: 4, bond: 4 })], trigger: { kind: "stopped", at: at(2) }, thresholds: t })).toEqual([]);
  });
});

describe("evaluation cost does not grow with history length", () => {
  /** A history whose reads are recorded: which indices were read and how often. */
  function watched(length: number) {
    const rows = Array.from({ length }, (_, i) => c(4 + (i % 2), 4, 4));
    const read = new Set<number>();
    const proxy = new Proxy(rows, {
      get(target, key, receiver) {
        if (typeof key === "string" && /^\d+$/.test(key)) read.add(Number(key));
        return Reflect.get(target, key, receiver);
      },
    });
    return { proxy, read, rows };
  }

  it("10 and 10,000 earlier check-ins give the same result and only the window is read", () => {
    const current = c(3, 3, 3, { tension: "yes", talked: "no", comment: "whatever" });
    const short = watched(10);
    const long = watched(10_000);
    // Same newest ten check-ins in both histories.
    for (let i = 0; i < 10; i++) long.rows[i] = short.rows[i] as ScoredCheckIn;
    const a = evaluateSignals(ctx(current, short.proxy));
    const b = evaluateSignals(ctx(current, long.proxy));
    expect(b).toEqual(a);
    expect(a.length).toBeGreaterThan(3);
    expect(Math.max(...long.read)).toBeLessThan(HISTORY_WINDOW);
    expect(long.read.size).toBeLessThanOrEqual(HISTORY_WINDOW);
  });
});
