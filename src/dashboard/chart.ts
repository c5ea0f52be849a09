// The client page's chart, rendered on the server as SVG by Observable Plot with linkedom as
// its document: no chart code reaches the browser. Two panels share one time axis: the total
// (3–15) with the client's baseline band and the alert markers, and goal/task/bond (1–5).
// Rupture → repair episodes are shaded on both. Plot's inline <style> and style attributes are
// removed so the page's strict CSP holds; the stylesheet styles the classes instead.
// chartModel() is the data (tested on its own); renderChart() draws it. (In Plot a string mark
// option is a field name, so marks are told apart by class, not by an aria label.)

import * as Plot from "@observablehq/plot";
import { parseHTML } from "linkedom";
import { formatDate } from "./format.ts";
import type { Alert, AlertStatus, Locale } from "../core/model.ts";
import { total } from "../core/rules/baseline.ts";
import type { ScoredPoint } from "../ports/dashboard.ts";

export interface ChartPoint {
  at: Date;
  goal: number;
  task: number;
  bond: number;
  total: number;
  /** Mean of the earlier baseline_size totals (null in cold start). */
  baseline: number | null;
}

export interface Episode {
  alertId: string;
  from: Date;
  to: Date;
  outcome: AlertStatus;
}

export interface AlertMarker {
  alertId: string;
  at: Date;
  total: number | null;
}

export interface ChartModel {
  points: ChartPoint[];
  episodes: Episode[];
  markers: AlertMarker[];
  /** Half-width of the baseline band (total_drop): a total on or below its lower edge is a drop. */
  band: number;
  domain: [Date, Date];
}

/** Builds what the chart shows from the history (oldest first) and the alerts. */
export function chartModel(points: readonly ScoredPoint[], alerts: readonly Alert[], opts: { baselineSize: number; totalDrop: number; now: Date }): ChartModel {
  const totals = points.map((p) => total(p));
  const chartPoints: ChartPoint[] = points.map((p, i) => {
    const before = totals.slice(Math.max(0, i - opts.baselineSize), i);
    return { at: p.sessionEndAt, goal: p.goal, task: p.task, bond: p.bond, total: totals[i] as number, baseline: before.length >= 3 ? before.reduce((a, b) => a + b, 0) / before.length : null };
  });
  const first = points[0]?.sessionEndAt ?? opts.now;
  const last = points.at(-1)?.sessionEndAt ?? opts.now;
  const byCheckIn = new Map(points.map((p, i) => [p.checkInId, { at: p.sessionEndAt, total: totals[i] as number }]));
  const episodes: Episode[] = [];
  const markers: AlertMarker[] = [];
  // A withdrawn alert rested on answers the client corrected: it is not an episode.
  for (const alert of [...alerts].filter((a) => a.status !== "withdrawn").sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())) {
    const opened = alert.checkInId ? byCheckIn.get(alert.checkInId) : undefined;
    const from = opened?.at ?? alert.createdAt;
    const closed = alert.status === "repaired" || alert.status === "dismissed";
    const to = closed && alert.resolvedAt ? alert.resolvedAt : last > opts.now ? last : opts.now;
    if (to < first) continue; // entirely before the charted span
    markers.push({ alertId: alert.id, at: from, total: opened?.total ?? null });
    episodes.push({ alertId: alert.id, from: from < first ? first : from, to: to > last ? last : to, outcome: alert.status });
  }
  return { points: chartPoints, episodes, markers, band: opts.totalDrop, domain: [first, last.getTime() === first.getTime() ? new Date(first.getTime() + 86_400_000) : last] };
}

export interface ChartLabels {
  total: string;
  goal: string;
  task: string;
  bond: string;
  baseline: string;
  alert: string;
  /** Accessible name of the whole chart, e.g. "Alliance scores over time for @alice". */
  title: string;
  /** One sentence summary for screen readers (the table beside has every number). */
  summary: string;
  /** A point's tooltip, e.g. "3 Dec 2026: total 12 (goal 4, task 4, bond 4)". */
  point(p: ChartPoint, date: string): string;
  episode(e: Episode, from: string, to: string): string;
}

/** Geometry, fixed so that positions can be checked: x runs over `domain`, total y over 3–15. */
export const CHART_GEOMETRY = { width: 720, totalHeight: 260, itemHeight: 180, marginLeft: 40, marginRight: 20, marginTop: 20, marginBottom: 30 } as const;

/** Colours (SVG attributes cannot read CSS variables); each series also differs by line and symbol. */
export const CHART_COLOURS = {
  total: "#1a4d8f",
  goal: "#6a1b9a",
  task: "#00695c",
  bond: "#b3541e",
  band: "#c9d8ec",
  baseline: "#4a6a94",
  alert: "#b71c1c",
  episode: { open: "#e57373", acknowledged: "#ffb74d", repaired: "#81c784", dismissed: "#bdbdbd", withdrawn: "#e0e0e0" } satisfies Record<AlertStatus, string>,
} as const;

/** Above this many check-ins the item panel draws lines only (the table has every value). */
const ITEM_DOTS_UP_TO = 60;

const { document } = parseHTML("<!doctype html><html><body></body></html>");

/** The few DOM members used on Plot's output (linkedom nodes; the project has no DOM lib). */
interface SvgNode {
  outerHTML: string;
  remove(): void;
  removeAttribute(name: string): void;
  setAttribute(name: string, value: string): void;
  querySelectorAll(selector: string): Iterable<SvgNode>;
}

/** CSP: no <style>, no style attributes. Accessibility: the SVG is one image with a name; its parts are not announced (the table beside it has every value). */
function strip(svg: SvgNode): string {
  for (const style of [...svg.querySelectorAll("style")]) style.remove();
  for (const styled of [svg, ...svg.querySelectorAll("[style]")]) styled.removeAttribute("style");
  for (const labelled of svg.querySelectorAll("[aria-label]")) labelled.removeAttribute("aria-label");
  for (const hidden of svg.querySelectorAll("[aria-hidden]")) hidden.removeAttribute("aria-hidden");
  svg.setAttribute("role", "img");
  return svg.outerHTML;
}

export function renderChart(model: ChartModel, labels: ChartLabels, timeZone: string, locale: Locale): string {
  const g = CHART_GEOMETRY;
  const day = (d: Date) => formatDate(d, timeZone, locale, "day");
  const full = (d: Date) => formatDate(d, timeZone, locale, "date");
  const x = { type: "utc" as const, domain: model.domain, tickFormat: day, label: null, ticks: 6 };
  const episodes = (y1: number, y2: number) =>
    Plot.rectY(model.episodes, {
      x1: "from",
      x2: (e: Episode) => (e.to.getTime() - e.from.getTime() < 86_400_000 ? new Date(e.from.getTime() + 86_400_000) : e.to),
      y1,
      y2,
      className: "episode",
      fill: (e: Episode) => CHART_COLOURS.episode[e.outcome],
      fillOpacity: 0.35,
      title: (e: Episode) => labels.episode(e, full(e.from), full(e.to)),
    });
  const withBaseline = model.points.filter((p) => p.baseline !== null);
  const totalPlot = Plot.plot({
    document: document as never,
    width: g.width,
    height: g.totalHeight,
    marginLeft: g.marginLeft,
    marginRight: g.marginRight,
    marginTop: g.marginTop,
    marginBottom: g.marginBottom,
    className: "chart-total",
    ariaLabel: labels.title,
    ariaDescription: labels.summary,
    x,
    y: { domain: [3, 15], label: labels.total, ticks: [3, 6, 9, 12, 15], grid: true },
    marks: [
      episodes(3, 15),
      Plot.areaY(withBaseline, { x: "at", y1: (p: ChartPoint) => Math.max(3, (p.baseline as number) - model.band), y2: (p: ChartPoint) => Math.min(15, (p.baseline as number) + model.band), className: "baseline-band", fill: CHART_COLOURS.band }),
      Plot.lineY(withBaseline, { x: "at", y: "baseline", className: "baseline", stroke: CHART_COLOURS.baseline, strokeDasharray: "4 3" }),
      Plot.lineY(model.points, { x: "at", y: "total", className: "line-total", stroke: CHART_COLOURS.total, strokeWidth: 2 }),
      Plot.dot(model.points, { x: "at", y: "total", className: "dot-total", fill: CHART_COLOURS.total, r: 3, title: (p: ChartPoint) => labels.point(p, full(p.at)) }),
      Plot.dot(
        model.markers.filter((m) => m.total !== null),
        { x: "at", y: "total", className: "alert-marker", symbol: "triangle", r: 7, stroke: CHART_COLOURS.alert, strokeWidth: 2, fill: "none", title: (m: AlertMarker) => `${labels.alert}: ${full(m.at)}` },
      ),
      Plot.ruleX(model.markers.filter((m) => m.total === null), { x: "at", className: "alert-rule", stroke: CHART_COLOURS.alert, strokeDasharray: "2 2" }),
    ],
  });
  const itemPlot = Plot.plot({
    document: document as never,
    width: g.width,
    height: g.itemHeight,
    marginLeft: g.marginLeft,
    marginRight: g.marginRight,
    marginTop: g.marginTop,
    marginBottom: g.marginBottom,
    className: "chart-items",
    ariaLabel: `${labels.goal}, ${labels.task}, ${labels.bond}`,
    x,
    y: { domain: [1, 5], ticks: [1, 2, 3, 4, 5], tickFormat: "d", grid: true, label: null },
    marks: [
      episodes(1, 5),
      ...(["goal", "task", "bond"] as const).flatMap((item) => [
        Plot.lineY(model.points, { x: "at", y: item, className: `line-${item}`, stroke: CHART_COLOURS[item], strokeWidth: 1.5, strokeDasharray: item === "goal" ? undefined : item === "task" ? "6 3" : "2 2" }),
        ...(model.points.length > ITEM_DOTS_UP_TO ? [] : [Plot.dot(model.points, { x: "at", y: item, className: `dot-${item}`, fill: CHART_COLOURS[item], symbol: item === "goal" ? "circle" : item === "task" ? "square" : "diamond", r: 2.5 })]),
      ]),
    ],
  });
  return `${strip(totalPlot as unknown as SvgNode)}${strip(itemPlot as unknown as SvgNode)}`;
}
