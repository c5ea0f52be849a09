// Table-driven client trajectories, replayed through the live rule code by the same back-test the
// `npm run evaluate` tool uses. Each states the alert events it expects (row → signal codes),
// or none. False alarms matter as much as misses: the stable and noisy rows must stay quiet.
// The table is in test/core/rules/trajectory-data.ts; test/core/trajectories-engine.test.ts runs
// a selection through the real engine on SQLite.

import { describe, expect, it } from "vitest";
import { backtest } from "../../src/evaluate/backtest.ts";
import { trajectory, TRAJECTORIES } from "./rules/trajectory-data.ts";
import type { Expected } from "./rules/trajectory-data.ts";

describe("client trajectories (expected alerts stated)", () => {
  it("there are at least 30", () => {
    expect(TRAJECTORIES.length).toBeGreaterThanOrEqual(30);
  });

  for (const { name, steps, expected } of TRAJECTORIES) {
    it(name, async () => {
      const alerts = await backtest(trajectory(...steps));
      const got: Expected = alerts.map((a) => {
        const row = Number(a.where.replace("row ", ""));
        const codes = a.signals.map((s) => s.code);
        return a.severity === "urgent" ? [row, codes, "!"] : [row, codes];
      });
      expect(got).toEqual(expected);
      alerts.forEach((a, i) => expect(a.action).toBe(i === 0 ? "opened" : "updated"));
      for (const a of alerts) for (const reason of a.reasons) expect(reason).not.toMatch(/\{\w+\}/);
    });
  }

  it("every explanation exists in Romanian too", async () => {
    for (const { steps } of TRAJECTORIES) {
      for (const a of await backtest(trajectory(...steps), { locale: "ro" })) for (const reason of a.reasons) expect(reason).not.toMatch(/\{\w+\}|undefined/);
    }
  });
});
