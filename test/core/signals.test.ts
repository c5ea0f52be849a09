import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { commentMarkers, decline, dropFromBaseline, evaluateSignals, HISTORY_WINDOW, lowItem, lowTotal, reliableDrop, RUPTURE_SIGNALS, tensionUnresolved, total } from "../../src/core/rules/signals.ts";
import type { RuptureSignal, SignalContext } from "../../src/core/rules/signals.ts";
import { DEFAULT_THRESHOLDS } from "../../src/core/model.ts";
import type { RuptureThresholds, ScoredCheckIn } from "../../src/core/model.ts";
import { createEngineFixture } from "../support/engine-fixture.ts";
import type { EngineFixture } from "../support/engine-fixture.ts";
import { RecordingPlatform } from "../support/recording-platform.ts";
import type { AlertView, ConsentView, PromptView } from "../../src/ports/chat-platform.ts";

let seq = 0;
function scored(goal: number, task: number, bond: number): ScoredCheckIn {
  seq++;
  return { checkInId: `c${seq}`, sessionEndAt: new Date(Date.UTC(2026, 0, 1) + seq * 86_400_000), goal, task, bond, tension: null, talkedThrough: null, comment: null };
}

function ctx(current: ScoredCheckIn, history: ScoredCheckIn[] = [], thresholds: Partial<RuptureThresholds> = {}): SignalContext {
  return { current, history, thresholds: { ...DEFAULT_THRESHOLDS, ...thresholds } };
}

describe("defaults", () => {
  it("match DESIGN.md: item ≤ 2, total < 12, drop ≥ 2", () => {
    expect(DEFAULT_THRESHOLDS).toMatchObject({ lowItem: 2, lowTotal: 12, totalDrop: 2, itemDrop: 2 });
    expect(RUPTURE_SIGNALS).toEqual([lowItem, lowTotal, dropFromBaseline, reliableDrop, decline, tensionUnresolved, commentMarkers]);
    expect(total({ goal: 1, task: 2, bond: 3 })).toBe(6);
  });
});

describe("lowItem", () => {
  it("does not fire above the threshold", () => {
    expect(lowItem(ctx(scored(3, 3, 3)))).toEqual([]);
  });

  it("fires at exactly the threshold (≤), with the item, value and threshold", () => {
    expect(lowItem(ctx(scored(2, 5, 5)))).toEqual([{ code: "low_item", params: { item: "goal", value: 2, threshold: 2 } }]);
  });

  it("reports each low item separately", () => {
    expect(lowItem(ctx(scored(1, 4, 2))).map((s) => s.params.item)).toEqual(["goal", "bond"]);
  });

  it("follows a practice threshold", () => {
    expect(lowItem(ctx(scored(3, 4, 4), [], { lowItem: 3 }))).toEqual([{ code: "low_item", params: { item: "goal", value: 3, threshold: 3 } }]);
    expect(lowItem(ctx(scored(2, 4, 4), [], { lowItem: 1 }))).toEqual([]);
  });
});

describe("lowTotal", () => {
  it("does not fire at exactly the threshold (strictly below only): a steady 4-4-4 stays quiet", () => {
    expect(lowTotal(ctx(scored(4, 4, 4)))).toEqual([]);
  });

  it("fires one below the threshold", () => {
    expect(lowTotal(ctx(scored(4, 4, 3)))).toEqual([{ code: "low_total", params: { total: 11, threshold: 12 } }]);
  });

  it("follows a practice threshold", () => {
    expect(lowTotal(ctx(scored(4, 4, 3), [], { lowTotal: 11 }))).toEqual([]);
    expect(lowTotal(ctx(scored(5, 5, 4), [], { lowTotal: 15 }))).toHaveLength(1);
  });
});

// Issue 5 replaced "drop from the previous check-in" by "drop from the baseline" (mean of the last
// 3–5 answered check-ins; none during the cold start). The boundary cases below follow that rule.
const steady = (goal: number, task: number, bond: number) => [scored(goal, task, bond), scored(goal, task, bond), scored(goal, task, bond)];

describe("dropFromBaseline", () => {
  it("needs three earlier check-ins (cold start)", () => {
    expect(dropFromBaseline(ctx(scored(1, 1, 1)))).toEqual([]);
    expect(dropFromBaseline(ctx(scored(1, 1, 1), [scored(5, 5, 5), scored(5, 5, 5)]))).toEqual([]);
  });

  it("does not fire for a drop one short of the thresholds", () => {
    expect(dropFromBaseline(ctx(scored(4, 4, 3), steady(4, 4, 4)))).toEqual([]);
  });

  it("fires for a total drop of exactly totalDrop, spread over items (no item drop)", () => {
    expect(dropFromBaseline(ctx(scored(4, 3, 3), steady(4, 4, 4)))).toEqual([{ code: "drop_total", params: { total: 10, baseline: 12, count: 3 } }]);
  });

  it("fires for an item drop of exactly itemDrop, alongside the total drop", () => {
    expect(dropFromBaseline(ctx(scored(5, 5, 3), steady(5, 5, 5)))).toEqual([
      { code: "drop_total", params: { total: 13, baseline: 15, count: 3 } },
      { code: "drop_item", params: { item: "bond", value: 3, baseline: 5, count: 3 } },
    ]);
  });

  it("fires an item drop even when another item rose and the total held", () => {
    expect(dropFromBaseline(ctx(scored(5, 5, 2), steady(3, 5, 4)))).toEqual([{ code: "drop_item", params: { item: "bond", value: 2, baseline: 4, count: 3 } }]);
  });

  it("compares with the mean of recent check-ins, not only the last one (history is newest first)", () => {
    expect(dropFromBaseline(ctx(scored(3, 3, 3), [scored(3, 3, 3), scored(5, 5, 5), scored(5, 5, 5)]))).toEqual([{ code: "drop_total", params: { total: 9, baseline: 13, count: 3 } }]);
    expect(dropFromBaseline(ctx(scored(4, 4, 4), [scored(5, 5, 5), scored(4, 4, 4), scored(4, 4, 4)]))).toEqual([]);
  });

  it("ignores rises", () => {
    expect(dropFromBaseline(ctx(scored(5, 5, 5), steady(1, 1, 1)))).toEqual([]);
  });

  it("follows practice thresholds", () => {
    expect(dropFromBaseline(ctx(scored(4, 3, 3), steady(4, 4, 4), { totalDrop: 3 }))).toEqual([]);
    expect(dropFromBaseline(ctx(scored(4, 4, 3), steady(4, 4, 4), { totalDrop: 1, itemDrop: 1 }))).toHaveLength(2);
  });
});

describe("evaluateSignals", () => {
  it("combines every signal's findings", () => {
    const fired = evaluateSignals(ctx(scored(4, 4, 2), [scored(4, 4, 4), scored(4, 4, 4), scored(4, 4, 4)]));
    expect(fired.map((s) => s.code)).toEqual(["low_item", "low_total", "drop_total", "drop_item"]);
  });

  it("returns nothing for a steady client", () => {
    expect(evaluateSignals(ctx(scored(4, 4, 4), [scored(4, 4, 4), scored(4, 4, 4)]))).toEqual([]);
  });

  it(`shows signals at most HISTORY_WINDOW (${HISTORY_WINDOW}) earlier check-ins, newest first`, () => {
    const history = Array.from({ length: 3 * HISTORY_WINDOW }, () => scored(4, 4, 4));
    const seen: ScoredCheckIn[][] = [];
    const spy: RuptureSignal = (c) => {
      seen.push(c.history);
      return [];
    };
    evaluateSignals(ctx(scored(4, 4, 4), history), [spy]);
    expect(seen[0]).toEqual(history.slice(0, HISTORY_WINDOW));
    const short = history.slice(0, 3);
    evaluateSignals(ctx(scored(4, 4, 4), short), [spy]);
    expect(seen[1]).toEqual(short);
  });
});

describe("alerts through the engine", () => {
  let f: EngineFixture;
  let platform: RecordingPlatform;
  beforeEach(async () => {
    platform = new RecordingPlatform("terminal");
    f = await createEngineFixture({ platform, start: "2026-03-02T08:00:00Z" });
    const reply = await f.command("admin", "enroll alice bob mon 09:00 50m UTC", { admin: true });
    expect(reply.refused).toBeFalsy();
  });
  afterEach(async () => f.dispose());

  /** Runs week `week` (0 = 2 March): sends the prompt and answers it. */
  async function week(weekIndex: number, values: [number, number, number]) {
    f.clock.set(new Date(Date.parse("2026-03-02T10:00:00Z") + weekIndex * 7 * 86_400_000));
    await f.engine.tick();
    let view = platform.lastTo("alice")?.view;
    if (view?.kind === "consent") {
      await f.press("alice", (view as ConsentView).accept.actionId);
      view = platform.lastTo("alice")?.view;
    }
    expect(view?.kind).toBe("prompt");
    const prompt = view as PromptView;
    for (let i = 0; i < 3; i++) await f.press("alice", prompt.rows[i]!.options[values[i]! - 1]!.actionId);
    await f.press("alice", prompt.tension!.options[0]!.actionId);
    expect((await f.store.getCheckIn(prompt.checkInId))?.status).toBe("answered");
  }

  const alertMessages = () => platform.to("bob").filter((m) => m.view.kind === "alert");
  const alertCount = async () => Number((await f.db.sql.query<{ n: number }>(`SELECT COUNT(*) AS "n" FROM "Alert"`))[0]!.n);

  it("a stable 4-4-4 client raises no alert over six check-ins", async () => {
    for (let i = 0; i < 6; i++) await week(i, [4, 4, 4]);
    expect(await alertCount()).toBe(0);
    expect(alertMessages()).toEqual([]);
    expect((await f.command("bob", "trend alice")).text).toContain("12, 12, 12, 12, 12, 12");
  });

  it("a drop 5-5-5 → 4-4-3 raises one alert; a second low check-in updates it instead of adding another", async () => {
    for (let i = 0; i < 3; i++) await week(i, [5, 5, 5]);
    expect(await alertCount()).toBe(0);
    await week(3, [4, 4, 3]);
    expect(await alertCount()).toBe(1);
    const [message] = alertMessages();
    const first = message!.view as AlertView;
    expect(first.reasons).toEqual(["Total 11/15 (below 12).", "Total 11/15, down from a usual 15 (last 3 check-ins).", "Bond 3/5, down from a usual 5 (last 3 check-ins)."]);
    const stored = await f.store.getAlert(first.alertId);
    expect(stored?.signals.map((s) => s.code).sort()).toEqual(["drop_item", "drop_total", "low_total"]);

    await week(4, [2, 4, 4]);
    expect(await alertCount()).toBe(1);
    expect(alertMessages()).toHaveLength(1); // the same message was edited
    const updated = message!.view as AlertView;
    expect(updated.alertId).toBe(first.alertId);
    expect(message!.history.length).toBeGreaterThan(1);
    expect(updated.reasons).toContain("Goals 2/5 (at or below 2).");
    expect(updated.reasons).toContain("Total 10/15 (below 12).");
    const after = await f.store.getAlert(first.alertId);
    expect(after?.status).toBe("open");
    expect(after?.signals.map((s) => s.code)).toContain("low_item");
  });
});
