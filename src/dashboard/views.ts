// Page models for the dashboard, built from the read port's rows: the caseload rows (status,
// last check-in, trend, misses, next check-in; sorted and filtered), and the practice
// overview's weekly completion rates and alert counts by signal. Pure and HTTP-free; times are
// shown in the practice time zone, words in the viewer's language.

import { format, startOfISOWeek } from "date-fns";
import { TZDate } from "@date-fns/tz";
import type { Locale, PlatformName, PracticeSettings } from "../core/model.ts";
import { mention } from "../core/context.ts";
import { formatDate } from "./format.ts";
import { total } from "../core/rules/baseline.ts";
import { trendLine } from "../core/views.ts";
import type { Translator } from "../i18n/index.ts";
import type { CaseloadEntry, PracticeOverview } from "../ports/dashboard.ts";
import { caseloadStatus, COLOUR_RANK } from "./status.ts";
import type { CaseloadStatus, StatusColour } from "./status.ts";

/** How many totals the caseload's small trend shows. */
export const CASELOAD_TREND = 8;

export const SORTS = ["status", "client", "last", "next", "missed"] as const;
export type CaseloadSort = (typeof SORTS)[number];
export const FILTERS = ["all", "red", "amber", "green", "grey"] as const;
export type CaseloadFilter = (typeof FILTERS)[number];

export interface CaseloadRow {
  enrollmentId: string;
  client: string;
  therapist: string;
  status: CaseloadStatus;
  statusLabel: string;
  lastAt: Date | null;
  lastText: string;
  lastTotal: number | null;
  answered: number;
  /** Oldest first. */
  trend: number[];
  trendLine: string;
  missed: number;
  nextAt: Date | null;
  nextText: string;
}

export interface ViewContext {
  t: Translator;
  locale: Locale;
  timeZone: string;
  platform: PlatformName;
  now: Date;
}

export function statusLabel(t: Translator, status: CaseloadStatus, v: Pick<ViewContext, "timeZone" | "locale">): string {
  const params: Record<string, string | number> = { ...status.params };
  if (status.since) params.since = formatDate(status.since, v.timeZone, v.locale);
  return t(`dashboard.status.${status.reason}` as "dashboard.status.on_track", params);
}

export function caseloadRows(entries: CaseloadEntry[], settings: PracticeSettings, v: ViewContext): CaseloadRow[] {
  return entries.map((entry) => {
    const status = caseloadStatus(entry, settings.thresholds, v.now);
    const last = entry.recent[0] ?? null;
    const lastOutcome = entry.recentOutcomes[0] ?? null;
    const trend = entry.recent.slice(0, CASELOAD_TREND).map((p) => total(p)).reverse();
    const lastAt = lastOutcome?.sessionEndAt ?? null;
    const lastText = !lastOutcome
      ? v.t("dashboard.none")
      : lastOutcome.status === "answered" && last
        ? v.t("dashboard.caseload.last_answered", { date: formatDate(lastOutcome.sessionEndAt, v.timeZone, v.locale), total: total(last) })
        : v.t(`dashboard.outcome.${lastOutcome.status}` as "dashboard.outcome.expired", { date: formatDate(lastOutcome.sessionEndAt, v.timeZone, v.locale) });
    return {
      enrollmentId: entry.enrollment.id,
      client: mention(v.platform, entry.client.platformUserId),
      therapist: mention(v.platform, entry.therapistUserId),
      status,
      statusLabel: statusLabel(v.t, status, v),
      lastAt,
      lastText,
      lastTotal: last ? total(last) : null,
      answered: entry.answeredCount,
      trend,
      trendLine: trend.length > 0 ? trendLine(trend) : "",
      missed: entry.missed30d,
      nextAt: entry.nextDueAt,
      nextText: entry.nextDueAt ? formatDate(entry.nextDueAt, v.timeZone, v.locale, "dateTime") : v.t("dashboard.none"),
    };
  });
}

const time = (d: Date | null, missing: number) => (d ? d.getTime() : missing);

/** Sorts (a stable tie-break on the client) and filters the caseload rows. */
export function sortAndFilter(rows: CaseloadRow[], sort: CaseloadSort, filter: CaseloadFilter): CaseloadRow[] {
  const kept = filter === "all" ? rows : rows.filter((r) => r.status.colour === (filter as StatusColour));
  const byClient = (a: CaseloadRow, b: CaseloadRow) => a.client.localeCompare(b.client);
  const compare: Record<CaseloadSort, (a: CaseloadRow, b: CaseloadRow) => number> = {
    status: (a, b) => COLOUR_RANK[a.status.colour] - COLOUR_RANK[b.status.colour] || time(b.lastAt, 0) - time(a.lastAt, 0),
    client: () => 0,
    last: (a, b) => time(b.lastAt, 0) - time(a.lastAt, 0),
    next: (a, b) => time(a.nextAt, Number.MAX_SAFE_INTEGER) - time(b.nextAt, Number.MAX_SAFE_INTEGER),
    missed: (a, b) => b.missed - a.missed,
  };
  return [...kept].sort((a, b) => compare[sort](a, b) || byClient(a, b));
}

export function parseSort(value: unknown): CaseloadSort {
  return (SORTS as readonly unknown[]).includes(value) ? (value as CaseloadSort) : "status";
}

export function parseFilter(value: unknown): CaseloadFilter {
  return (FILTERS as readonly unknown[]).includes(value) ? (value as CaseloadFilter) : "all";
}

export interface WeekCompletion {
  weekStart: string;
  label: string;
  answered: number;
  /** Check-ins the client could answer: answered, expired or skipped (system downtime excluded). */
  due: number;
  /** Whole percent, or null for a week with nothing due. */
  rate: number | null;
}

/** Completion per ISO week (practice time zone), the newest `weeks` weeks, oldest first. */
export function weeklyCompletion(outcomes: PracticeOverview["outcomes"], weeks: number, v: ViewContext): WeekCompletion[] {
  const weekOf = (d: Date) => format(startOfISOWeek(new TZDate(d.getTime(), v.timeZone)), "yyyy-MM-dd");
  const out: WeekCompletion[] = [];
  for (let i = weeks - 1; i >= 0; i--) {
    const start = startOfISOWeek(new TZDate(v.now.getTime() - i * 7 * 86_400_000, v.timeZone));
    out.push({ weekStart: format(start, "yyyy-MM-dd"), label: formatDate(start, v.timeZone, v.locale), answered: 0, due: 0, rate: null });
  }
  const index = new Map(out.map((w) => [w.weekStart, w]));
  for (const o of outcomes) {
    if (o.status === "missed_by_system") continue;
    const week = index.get(weekOf(o.sessionEndAt));
    if (!week) continue;
    week.due++;
    if (o.status === "answered") week.answered++;
  }
  for (const w of out) w.rate = w.due > 0 ? Math.round((100 * w.answered) / w.due) : null;
  return out;
}

/** How many alerts each signal contributed to (an alert with two signals counts for both), most first. */
export function alertsBySignal(alerts: PracticeOverview["alerts"]): { code: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const alert of alerts) for (const code of new Set(alert.signals.map((s) => s.code))) counts.set(code, (counts.get(code) ?? 0) + 1);
  return [...counts.entries()].map(([code, count]) => ({ code, count })).sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
}
