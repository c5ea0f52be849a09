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
import { anchoredDrop, reliableChange } from "../../../src/core/rules/baseline.ts";
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

describe("defaults (DESIGN.md, issue 14)", () => {
  it("item ≤ 2, total < 12, drops beyond the client's own variation (RCI z 2.33, SD floor 1.25, at least 2 points), decline of 3 over up to 6, 2 missed", () => {
    expect(DEFAULT_THRESHOLDS).toEqual({ lowItem: 2, lowTotal: 12, totalDrop: 2, itemDrop: 2, baselineSize: 5, rciZ: 2.33, rciSdFloor: 1.25, declineFall: 3, declineWindow: 6, missedInRow: 2 });
    expect(RUPTURE_SIGNALS).toEqual([lowItem, lowTotal, dropFromBaseline, reliableDrop, decline, tensionUnresolved, commentMarkers]);
  });
});

describe("level rules fire from the first check-in", () => {
  it("a low item, and a clearly low total, at once; a borderline total (10–11) needs a second low", () => {
    expect(evaluateSignals(ctx(c(2, 5, 5))).map((s) => s.code)).toEqual(["low_item"]);
    expect(evaluateSignals(ctx(c(3, 3, 3))).map((s) => s.code)).toEqual(["low_total"]);
    expect(evaluateSignals(ctx(c(4, 4, 3)))).toEqual([]);
    expect(evaluateSignals(ctx(c(4, 4, 3), past(c(4, 3, 4)))).map((s) => s.params.level)).toEqual(["reached"]);
    expect(evaluateSignals(ctx(c(4, 4, 4)))).toEqual([]);
  });
});

describe("cold start: fewer than 3 earlier answered check-ins → only level, tension and comment rules", () => {
  it("a big drop after two check-ins raises only what is absolutely low", () => {
    const fired = evaluateSignals(ctx(c(3, 3, 3), past(c(5, 5, 5), c(5, 5, 5))));
    expect(fired.map((s) => s.code)).toEqual(["low_total"]);
  });
  it("with three earlier check-ins a drop fires only beyond the raised cold-start floor (5 points from a flat 15)", () => {
    expect(evaluateSignals(ctx(c(4, 4, 4), past(c(5, 5, 5), c(5, 5, 5), c(5, 5, 5))))).toEqual([]);
    expect(evaluateSignals(ctx(c(4, 3, 3), past(c(5, 5, 5), c(5, 5, 5), c(5, 5, 5)))).map((s) => s.code)).toEqual(["drop_total"]);
  });
});

describe("drop from the anchored baseline", () => {
  it("explains itself with the usual value, how many check-ins, and this client's own minimum drop", () => {
    const [item] = dropFromBaseline(ctx(c(5, 5, 2), past(c(5, 5, 4), c(5, 5, 4), c(5, 5, 5), c(5, 5, 4), c(5, 5, 4)))).filter((s) => s.code === "drop_item");
    expect(item).toEqual({ code: "drop_item", params: { item: "bond", value: 2, baseline: 4, count: 5, minDrop: 2 } });
    expect(explainSignal(item!, "en")).toBe("Bond 2/5, down from a usual 4 (last 5 check-ins).");
    expect(explainSignal(item!, "ro")).toBe("Relație 2/5, sub nivelul obișnuit de 4 (ultimele 5 verificări).");
    const [totalDrop] = dropFromBaseline(ctx(c(4, 4, 3), past(c(5, 5, 5), c(5, 5, 5), c(5, 5, 5), c(5, 5, 5), c(5, 5, 5))));
    expect(totalDrop).toEqual({ code: "drop_total", params: { total: 11, baseline: 15, count: 5, sd: 1.3, minDrop: 3.2 } });
    expect(explainSignal(totalDrop!, "en")).toBe("Total 11/15, down from a usual 15 (last 5 check-ins; beyond this client's ordinary variation, where a drop of 3.2 points counts).");
  });
  it("the anchor is the higher of the recent and the window medians: it does not sink with a decline, nor with one bad week", () => {
    const decline = past(c(5, 5, 5), c(5, 5, 5), c(5, 5, 5), c(5, 5, 5), c(5, 5, 5), c(5, 4, 4), c(5, 4, 4), c(4, 4, 4), c(4, 4, 4));
    expect(anchoredDrop(11, decline.map((x) => x.goal + x.task + x.bond), { size: 5, z: 2.33, sdFloor: 1.25, minPoints: 2 })?.anchor).toBe(15);
    const badWeek = past(c(5, 5, 5), c(5, 5, 5), c(5, 5, 5), c(3, 3, 3), c(5, 5, 5));
    expect(anchoredDrop(11, badWeek.map((x) => x.goal + x.task + x.bond), { size: 5, z: 2.33, sdFloor: 1.25, minPoints: 2 })?.anchor).toBe(15);
  });
  it("a noisy client needs a bigger drop than a steady one", () => {
    const steady = [15, 15, 15, 15, 15, 15];
    const noisy = [15, 11, 14, 10, 14, 12];
    const a = anchoredDrop(11, steady, { size: 5, z: 2.33, sdFloor: 1.25, minPoints: 2 })!;
    const b = anchoredDrop(10, noisy, { size: 5, z: 2.33, sdFloor: 1.25, minPoints: 2 })!;
    expect(a.sdUsed).toBe(1.25);
    expect(b.minDrop).toBeGreaterThan(a.minDrop);
    expect(b.drop).toBeLessThan(b.minDrop);
  });
  it("uses the practice's minimum drop, z and floor", () => {
    const flat = past(c(5, 5, 5), c(5, 5, 5), c(5, 5, 5), c(5, 5, 5), c(5, 5, 5));
    expect(dropFromBaseline(ctx(c(5, 4, 4), flat))).toEqual([]);
    expect(dropFromBaseline(ctx(c(5, 4, 4), flat, { rciZ: 1, rciSdFloor: 1 })).map((s) => s.code)).toEqual(["drop_total"]);
    expect(dropFromBaseline(ctx(c(5, 4, 4), flat, { rciZ: 1, rciSdFloor: 1, totalDrop: 3 }))).toEqual([]);
  });
});

describe("reliable drop (RCI)", () => {
  it("needs five earlier check-ins", () => {
    expect(reliableDrop(ctx(c(1, 1, 1), past(c(5, 5, 5), c(5, 5, 5), c(5, 5, 5), c(5, 5, 5))))).toEqual([]);
  });
  it("the SD floor keeps a perfectly flat history from calling a 1- to 3-point dip reliable", () => {
    const flat = past(c(4, 4, 4), c(4, 4, 4), c(4, 4, 4), c(4, 4, 4), c(4, 4, 4));
    expect(reliableChange(12, flat, 2.33, 1.25)).toMatchObject({ sd: 0, sdUsed: 1.25 });
    expect(reliableDrop(ctx(c(4, 4, 3), flat))).toEqual([]);
    expect(reliableDrop(ctx(c(4, 3, 3), flat))).toEqual([]);
    expect(reliableDrop(ctx(c(3, 3, 3), flat))).toEqual([]);
    expect(reliableDrop(ctx(c(3, 3, 2), flat)).map((s) => s.code)).toEqual(["reliable_drop"]);
    // Without the floor even one point would have been "reliable".
    expect(reliableDrop(ctx(c(4, 4, 3), flat, { rciSdFloor: 0.01 }))).toHaveLength(1);
  });
  it("a noisy client needs a bigger drop than a steady one", () => {
    const noisy = past(c(5, 5, 5), c(3, 4, 3), c(5, 4, 5), c(3, 3, 4), c(5, 5, 4), c(4, 3, 3));
    const rc = reliableChange(10, noisy, 2.33, 1.25)!;
    expect(rc.sd).toBeGreaterThan(1.25);
    expect(rc.minDrop).toBeGreaterThan(reliableChange(10, past(c(4, 4, 4), c(4, 4, 4), c(4, 4, 4), c(4, 4, 4), c(4, 4, 4)), 2.33, 1.25)!.minDrop);
    expect(reliableDrop(ctx(c(3, 4, 3), noisy))).toEqual([]);
  });
  it("explains the index and the client's own threshold", () => {
    const [signal] = reliableDrop(ctx(c(3, 3, 2), past(c(4, 4, 4), c(4, 4, 4), c(4, 4, 4), c(4, 4, 4), c(4, 4, 4))));
    expect(explainSignal(signal!, "en")).toBe("Total 8/15 is a reliable drop from this client's usual 12 (RCI 2.92 ≥ 2.33: beyond their own variation over 5 check-ins, where a drop of 3.2 points would count).");
  });
});

describe("decline (plateaus allowed)", () => {
  it("15 → 13 → 13 → 12 is a decline of 3; a plateau after it does not re-fire; two falls of 1 are not", () => {
    expect(decline(ctx(c(4, 4, 4), past(c(5, 5, 5), c(5, 4, 4), c(5, 4, 4))))[0]).toEqual({ code: "decline", params: { fall: 3, count: 4, path: "15 → 13 → 13 → 12", from: 15, to: 12 } });
    expect(decline(ctx(c(4, 4, 4), past(c(5, 5, 5), c(5, 4, 4), c(5, 4, 4), c(4, 4, 4))))).toEqual([]);
    expect(decline(ctx(c(5, 4, 4), past(c(5, 5, 5), c(5, 5, 5), c(5, 5, 4))))).toEqual([]);
  });
  it("a rise breaks it, one fall after a flat run is a drop, not a decline", () => {
    expect(decline(ctx(c(4, 4, 4), past(c(5, 5, 5), c(5, 4, 4), c(5, 5, 4), c(5, 4, 4))))).toEqual([]);
    expect(decline(ctx(c(4, 4, 4), past(c(5, 5, 5), c(5, 5, 5), c(5, 5, 5), c(5, 5, 5))))).toEqual([]);
  });
  it("counts from the client's usual level before it, not from a one-off good week", () => {
    expect(decline(ctx(c(4, 4, 4), past(c(4, 5, 5), c(4, 5, 4), c(4, 5, 5), c(5, 5, 5), c(5, 4, 5), c(5, 4, 4))))).toEqual([]);
  });
  it("follows decline_fall and decline_window", () => {
    const hist = past(c(5, 5, 5), c(5, 5, 4), c(5, 5, 4), c(5, 4, 4));
    expect(decline(ctx(c(5, 4, 4), hist, {}))).toEqual([]);
    expect(decline(ctx(c(4, 4, 4), hist, {}))).toHaveLength(1);
    expect(decline(ctx(c(4, 4, 4), hist, { declineFall: 4 }))).toEqual([]);
    expect(decline(ctx(c(4, 4, 4), hist, { declineWindow: 3 }))).toEqual([]);
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
      "Comentariul are formulări care semnalează adesea confruntare (dezacord cu terapia sau cu terapeutul, ori critică a lor); cuvintele clientului se văd doar în comentariu.",
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
