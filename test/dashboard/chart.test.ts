// The client chart's SVG carries the right points for a known history: each total's dot sits
// where the fixed geometry puts that date and value, the rupture → repair episode is shaded
// from the check-in that opened the alert to the repair, and the alert marker is on that check-in.

import { describe, expect, it } from "vitest";
import { parseHTML } from "linkedom";
import { CHART_COLOURS, CHART_GEOMETRY, chartModel, renderChart } from "../../src/dashboard/chart.ts";
import type { ChartLabels } from "../../src/dashboard/chart.ts";
import type { Alert } from "../../src/core/model.ts";
import type { ScoredPoint } from "../../src/ports/dashboard.ts";

const DAY = 86_400_000;
const start = Date.UTC(2026, 2, 2, 10);
const scores: [number, number, number][] = [
  [4, 4, 4], [4, 5, 4], [5, 4, 4], [4, 4, 5], [2, 3, 2], [3, 3, 3], [4, 4, 4], [4, 5, 5],
];
const points: ScoredPoint[] = scores.map(([goal, task, bond], i) => ({
  checkInId: `c${i}`, sessionEndAt: new Date(start + i * 7 * DAY), goal, task, bond, tension: null, talkedThrough: null, hasComment: false,
}));
const alert: Alert = {
  id: "a1", enrollmentId: "e1", checkInId: "c4", status: "repaired", severity: "normal", signals: [{ code: "low_item", params: { item: "goal", value: 2 } }],
  createdAt: new Date(start + 28 * DAY + 60_000), updatedAt: new Date(start + 42 * DAY), acknowledgedAt: new Date(start + 29 * DAY), resolvedAt: new Date(start + 42 * DAY + 60_000),
  snoozedUntil: null, platformChannelId: null, platformMessageId: null,
};
const labels: ChartLabels = {
  total: "Total", goal: "Goal", task: "Task", bond: "Bond", baseline: "Baseline", alert: "Alert", title: "Scores over time", summary: "8 check-ins",
  point: (p, date) => `${date}: total ${p.total} (goal ${p.goal}, task ${p.task}, bond ${p.bond})`,
  episode: (e, from, to) => `${from} – ${to}: ${e.outcome}`,
};

const g = CHART_GEOMETRY;
const t0 = points[0]!.sessionEndAt.getTime();
const t1 = points.at(-1)!.sessionEndAt.getTime();
const xOf = (t: number) => g.marginLeft + ((t - t0) / (t1 - t0)) * (g.width - g.marginLeft - g.marginRight);
const yOf = (v: number) => g.totalHeight - g.marginBottom - ((v - 3) / 12) * (g.totalHeight - g.marginBottom - g.marginTop);

function render() {
  const model = chartModel(points, [alert], { baselineSize: 5, totalDrop: 2, now: new Date(start + 60 * DAY) });
  const svg = renderChart(model, labels, "UTC", "en");
  const { document } = parseHTML(`<!doctype html><html><body>${svg}</body></html>`);
  return { model, svg, document };
}

describe("client chart", () => {
  it("the model holds the totals, the rolling baseline, the episode and the marker", () => {
    const { model } = render();
    expect(model.points.map((p) => p.total)).toEqual([12, 13, 13, 13, 7, 9, 12, 14]);
    expect(model.points.slice(0, 3).map((p) => p.baseline)).toEqual([null, null, null]);
    expect(model.points[3]!.baseline).toBeCloseTo((12 + 13 + 13) / 3, 6);
    expect(model.points[5]!.baseline).toBeCloseTo((12 + 13 + 13 + 13 + 7) / 5, 6);
    expect(model.episodes).toEqual([{ alertId: "a1", from: points[4]!.sessionEndAt, to: alert.resolvedAt, outcome: "repaired" }]);
    expect(model.markers).toEqual([{ alertId: "a1", at: points[4]!.sessionEndAt, total: 7 }]);
  });

  it("every total is a dot at its date and value, with its numbers in its title", () => {
    const { document } = render();
    const dots = [...document.querySelectorAll("svg.chart-total g.dot-total circle")];
    expect(dots).toHaveLength(points.length);
    dots.forEach((dot, i) => {
      const p = points[i]!;
      const value = p.goal + p.task + p.bond;
      expect(Number(dot.getAttribute("cx"))).toBeCloseTo(xOf(p.sessionEndAt.getTime()), 1);
      expect(Number(dot.getAttribute("cy"))).toBeCloseTo(yOf(value), 1);
      expect(dot.querySelector("title")?.textContent).toBe(`${["2", "9", "16", "23", "30"][i] ?? ""}${i < 5 ? " Mar 2026" : ""}${i >= 5 ? ["6 Apr 2026", "13 Apr 2026", "20 Apr 2026"][i - 5] : ""}: total ${value} (goal ${p.goal}, task ${p.task}, bond ${p.bond})`);
    });
  });

  it("the total line runs through every point, and the baseline band covers the check-ins that have a baseline", () => {
    const { document } = render();
    const line = document.querySelector("svg.chart-total g.line-total path, svg.chart-total path.line-total");
    const vertices = [...(line?.getAttribute("d") ?? "").matchAll(/[ML]([\d.]+),([\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(vertices).toHaveLength(points.length);
    vertices.forEach(([x, y], i) => {
      const p = points[i]!;
      expect(x).toBeCloseTo(xOf(p.sessionEndAt.getTime()), 1);
      expect(y).toBeCloseTo(yOf(p.goal + p.task + p.bond), 1);
    });
    const band = document.querySelector("svg.chart-total g.baseline-band path, svg.chart-total path.baseline-band");
    const bandXs = [...(band?.getAttribute("d") ?? "").matchAll(/[ML]([\d.]+),/g)].map((m) => Number(m[1]));
    expect(Math.min(...bandXs)).toBeCloseTo(xOf(points[3]!.sessionEndAt.getTime()), 1);
    expect(Math.max(...bandXs)).toBeCloseTo(xOf(points.at(-1)!.sessionEndAt.getTime()), 1);
    for (const item of ["goal", "task", "bond"]) {
      const d = document.querySelector(`svg.chart-items g.line-${item} path, svg.chart-items path.line-${item}`)?.getAttribute("d") ?? "";
      expect([...d.matchAll(/[ML][\d.]+,[\d.]+/g)], item).toHaveLength(points.length);
    }
  });

  it("the rupture → repair episode is shaded from the opening check-in to the repair, in the repaired colour", () => {
    const { document } = render();
    const rects = [...document.querySelectorAll("svg.chart-total g.episode rect")];
    expect(rects).toHaveLength(1);
    const rect = rects[0]!;
    const left = xOf(points[4]!.sessionEndAt.getTime());
    const right = xOf(alert.resolvedAt!.getTime());
    expect(Number(rect.getAttribute("x"))).toBeCloseTo(left, 1);
    expect(Number(rect.getAttribute("width"))).toBeCloseTo(right - left, 1);
    expect(rect.getAttribute("fill")).toBe(CHART_COLOURS.episode.repaired);
    expect(rect.querySelector("title")?.textContent).toBe("30 Mar 2026 – 13 Apr 2026: repaired");
    // The items panel shades the same span.
    expect(document.querySelectorAll("svg.chart-items g.episode rect")).toHaveLength(1);
  });

  it("the alert marker sits on the check-in that opened the alert", () => {
    const { document } = render();
    const marker = document.querySelector("svg.chart-total g.alert-marker path");
    const [, mx, my] = /^translate\(([\d.]+),([\d.]+)\)$/.exec(marker?.getAttribute("transform") ?? "") ?? [];
    expect(Number(mx)).toBeCloseTo(xOf(points[4]!.sessionEndAt.getTime()), 1);
    expect(Number(my)).toBeCloseTo(yOf(7), 1);
  });

  it("goal, task and bond are drawn on their own 1–5 panel", () => {
    const { document } = render();
    for (const item of ["goal", "task", "bond"]) {
      expect(document.querySelector(`svg.chart-items g.line-${item}, svg.chart-items path.line-${item}`), item).not.toBeNull();
      expect(document.querySelectorAll(`svg.chart-items g.dot-${item} > *`)).toHaveLength(points.length);
    }
  });

  it("is CSP-clean and names itself for assistive technology", () => {
    const { svg, document } = render();
    expect(svg).not.toMatch(/<style|style=|<script|javascript:/i);
    const chart = document.querySelector("svg.chart-total");
    expect(chart?.getAttribute("aria-label")).toBe("Scores over time");
    expect(chart?.getAttribute("aria-description")).toBe("8 check-ins");
  });

  it("an open alert's episode runs to the newest check-in", () => {
    const open: Alert = { ...alert, status: "open", resolvedAt: null, acknowledgedAt: null };
    const model = chartModel(points, [open], { baselineSize: 5, totalDrop: 2, now: new Date(start + 60 * DAY) });
    expect(model.episodes[0]).toMatchObject({ from: points[4]!.sessionEndAt, to: points.at(-1)!.sessionEndAt, outcome: "open" });
  });
});
