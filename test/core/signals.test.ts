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
  it("match DESIGN.md: item ≤ 2, total < 12, drop at least 2 points and beyond the client's own variation", () => {
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
    expect(lowItem(ctx(scored(2, 5, 5)))).toEqual([{ code: "low_item", params: { item: "goal", value: 2, threshold: 2, level: "reached" } }]);
  });

  it("reports each low item separately", () => {
    expect(lowItem(ctx(scored(1, 4, 2))).map((s) => s.params.item)).toEqual(["goal", "bond"]);
  });

  it("follows a practice threshold", () => {
    expect(lowItem(ctx(scored(3, 4, 4), [], { lowItem: 3 }))).toEqual([{ code: "low_item", params: { item: "goal", value: 3, threshold: 3, level: "reached" } }]);
    expect(lowItem(ctx(scored(2, 4, 4), [], { lowItem: 1 }))).toEqual([]);
  });
});

describe("lowTotal", () => {
  it("does not fire at exactly the threshold (strictly below only): a steady 4-4-4 stays quiet", () => {
    expect(lowTotal(ctx(scored(4, 4, 4)))).toEqual([]);
  });

  it("one or two below the threshold is borderline: it fires at the second low total, three below at once", () => {
    expect(lowTotal(ctx(scored(4, 4, 3)))).toEqual([]);
    expect(lowTotal(ctx(scored(4, 3, 3)))).toEqual([]);
    expect(lowTotal(ctx(scored(4, 4, 3), [scored(4, 3, 4)]))).toEqual([{ code: "low_total", params: { total: 11, threshold: 12, level: "reached" } }]);
    expect(lowTotal(ctx(scored(3, 3, 3)))).toEqual([{ code: "low_total", params: { total: 9, threshold: 12, level: "reached" } }]);
  });

  it("a standing low level is quiet until it is two points worse than its lowest", () => {
    const low = [scored(3, 3, 3), scored(3, 3, 3)];
    expect(lowTotal(ctx(scored(3, 3, 3), low))).toEqual([]);
    expect(lowTotal(ctx(scored(3, 3, 2), low))).toEqual([]);
    expect(lowTotal(ctx(scored(3, 2, 2), low))).toEqual([{ code: "low_total", params: { total: 7, threshold: 12, level: "worse", lowest: 9 } }]);
    expect(lowItem(ctx(scored(3, 3, 2), [scored(3, 3, 2)]))).toEqual([]);
    expect(lowItem(ctx(scored(3, 3, 1), [scored(3, 3, 2)]))).toEqual([{ code: "low_item", params: { item: "bond", value: 1, threshold: 2, level: "worse", lowest: 2 } }]);
  });

  it("follows a practice threshold", () => {
    expect(lowTotal(ctx(scored(3, 3, 3), [], { lowTotal: 9 }))).toEqual([]);
    expect(lowTotal(ctx(scored(4, 4, 4), [], { lowTotal: 15 }))).toHaveLength(1);
  });
});

// Issue 14: the drop is measured from an anchored baseline (the higher of the recent and the
// window medians) and must exceed both total_drop and rci_z · s* · √(1 + 1/n), s* the client's own
// SD floored at rci_floor (raised during the cold start). Boundary cases below.
const steady = (n: number, goal: number, task: number, bond: number) => Array.from({ length: n }, () => scored(goal, task, bond));

describe("dropFromBaseline", () => {
  it("needs three earlier check-ins (cold start)", () => {
    expect(dropFromBaseline(ctx(scored(1, 1, 1)))).toEqual([]);
    expect(dropFromBaseline(ctx(scored(1, 1, 1), [scored(5, 5, 5), scored(5, 5, 5)]))).toEqual([]);
  });

  it("after five flat check-ins: 3 points is ordinary, 4 is beyond the floored spread (2.33 · 1.25 · √1.2 ≈ 3.2)", () => {
    expect(dropFromBaseline(ctx(scored(4, 4, 4), steady(5, 5, 5, 5)))).toEqual([]);
    expect(dropFromBaseline(ctx(scored(4, 4, 3), steady(5, 4, 4, 4)))).toEqual([]);
    expect(dropFromBaseline(ctx(scored(4, 3, 4), steady(5, 5, 5, 5)))).toEqual([
      { code: "drop_total", params: { total: 11, baseline: 15, count: 5, sd: 1.3, minDrop: 3.2 } },
      { code: "drop_item", params: { item: "task", value: 3, baseline: 5, count: 5, minDrop: 2 } },
    ]);
  });

  it("fires an item drop of item_drop for a steady item, alongside or without the total", () => {
    expect(dropFromBaseline(ctx(scored(5, 5, 3), steady(5, 5, 5, 5)))).toEqual([{ code: "drop_item", params: { item: "bond", value: 3, baseline: 5, count: 5, minDrop: 2 } }]);
    expect(dropFromBaseline(ctx(scored(5, 5, 2), steady(5, 3, 5, 4)))).toEqual([{ code: "drop_item", params: { item: "bond", value: 2, baseline: 4, count: 5, minDrop: 2 } }]);
  });

  it("a noisy history raises the bar", () => {
    const noisy = [scored(5, 5, 5), scored(3, 4, 4), scored(5, 5, 4), scored(4, 3, 3), scored(5, 5, 5)];
    expect(dropFromBaseline(ctx(scored(4, 3, 3), noisy)).filter((s) => s.code === "drop_total")).toEqual([]);
  });

  it("ignores rises", () => {
    expect(dropFromBaseline(ctx(scored(5, 5, 5), steady(5, 1, 1, 1)))).toEqual([]);
  });

  it("follows practice thresholds", () => {
    expect(dropFromBaseline(ctx(scored(4, 4, 4), steady(5, 5, 5, 5), { rciZ: 1.5 }))).toHaveLength(1);
    expect(dropFromBaseline(ctx(scored(4, 4, 4), steady(5, 5, 5, 5), { rciZ: 1.5, totalDrop: 4 }))).toEqual([]);
    expect(dropFromBaseline(ctx(scored(4, 4, 4), steady(5, 5, 5, 5), { rciZ: 1, itemDrop: 1, rciSdFloor: 0.5 }))).toHaveLength(4);
  });
});

describe("evaluateSignals", () => {
  it("combines every signal's findings", () => {
    const fired = evaluateSignals(ctx(scored(4, 4, 1), steady(5, 4, 4, 4)));
    expect(fired.map((s) => s.code)).toEqual(["low_item", "low_total", "drop_item"]);
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
    for (let i = 0; i < 5; i++) await week(i, [5, 5, 5]);
    expect(await alertCount()).toBe(0);
    await week(5, [4, 4, 3]);
    expect(await alertCount()).toBe(1);
    const [message] = alertMessages();
    const first = message!.view as AlertView;
    expect(first.title).toContain("Possible alliance rupture");
    expect(first.reasons).toEqual([
      "Total 11/15, down from a usual 15 (last 5 check-ins; beyond this client's ordinary variation, where a drop of 3.2 points counts).",
      "Bond 3/5, down from a usual 5 (last 5 check-ins).",
      "Total 11/15 is a reliable drop from this client's usual 15 (RCI 2.92 ≥ 2.33: beyond their own variation over 5 check-ins, where a drop of 3.2 points would count).",
    ]);
    const stored = await f.store.getAlert(first.alertId);
    expect(stored?.signals.map((s) => s.code).sort()).toEqual(["drop_item", "drop_total", "reliable_drop"]);

    await week(6, [2, 4, 4]);
    expect(await alertCount()).toBe(1);
    expect(alertMessages()).toHaveLength(1); // the same message was edited
    const updated = message!.view as AlertView;
    expect(updated.alertId).toBe(first.alertId);
    expect(message!.history.length).toBeGreaterThan(1);
    expect(updated.reasons).toContain("Goals 2/5 (at or below 2): low level reached. A level, not a change: from now on it shows as a standing status and alerts again only if it gets worse.");
    expect(updated.reasons).toContain("Total 10/15 (below 12): low level reached. A level, not a change: from now on it shows as a standing status and alerts again only if it gets worse.");
    const after = await f.store.getAlert(first.alertId);
    expect(after?.status).toBe("open");
    expect(after?.signals.map((s) => s.code)).toContain("low_item");
  });

  it("a steady low level alerts once, titled as a level, and is then a standing status in trend", async () => {
    for (let i = 0; i < 4; i++) await week(i, [3, 3, 3]);
    expect(await alertCount()).toBe(1);
    const messages = alertMessages();
    expect(messages).toHaveLength(1);
    const view = messages[0]!.view as AlertView;
    expect(view.title).toContain("Low alliance level");
    expect(messages[0]!.history.length).toBe(1); // never edited: later weeks fired nothing
    const trend = (await f.command("bob", "trend alice")).text;
    expect(trend).toContain("Standing status: low level since");
    expect(trend).toContain("check-ins at this level: 4; now 9/15, lowest 9/15");
  });
});
