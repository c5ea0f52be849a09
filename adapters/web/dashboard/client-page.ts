// The client page's model: header, the SVG chart with its table, the alert history with
// reasons and notes, and the action forms. Comment text and notes are decrypted only for the
// client's own therapist, and comments only on request (a POST that is audited).

import { randomUUID } from "node:crypto";
import type { Alert, Locale } from "../../../src/core/model.ts";
import { mention } from "../../../src/core/context.ts";
import { formatDate } from "../../../src/dashboard/format.ts";
import { explainSignal } from "../../../src/core/views.ts";
import { formatSchedule } from "../../../src/core/schedule.ts";
import { total } from "../../../src/core/rules/baseline.ts";
import { chartModel, renderChart } from "../../../src/dashboard/chart.ts";
import type { ChartLabels } from "../../../src/dashboard/chart.ts";
import type { Viewer } from "../../../src/dashboard/sessions.ts";
import type { EnrollmentView } from "../../../src/ports/dashboard.ts";
import { translator } from "../../../src/i18n/index.ts";
import type { Translator } from "../../../src/i18n/index.ts";
import type { DashboardRoutesDeps } from "./context.ts";
import { mayReadClinicalText } from "./context.ts";

/** Check-ins on the chart and in its table. */
export const CLIENT_HISTORY_LIMIT = 200;
/** Alerts listed in the history. */
export const ALERT_HISTORY_LIMIT = 50;
/** Longest note accepted with an alert action. */
export const NOTE_MAX_LENGTH = 1000;

export interface ClientPageOptions {
  showComments?: boolean;
  notice?: string | null;
  error?: string | null;
  csrf: string;
}

function chartLabels(t: Translator, client: string, count: number): ChartLabels {
  return {
    total: t("dashboard.chart.total"),
    goal: t("item.goal.name"),
    task: t("item.task.name"),
    bond: t("item.bond.name"),
    baseline: t("dashboard.chart.baseline"),
    alert: t("dashboard.chart.alert"),
    title: t("dashboard.chart.title", { client }),
    summary: t("dashboard.chart.summary", { count }),
    point: (p, date) => t("dashboard.chart.point", { date, total: p.total, goal: p.goal, task: p.task, bond: p.bond }),
    episode: (e, from, to) => t("dashboard.chart.episode", { from, to, outcome: t(`alert.status.${e.outcome}` as "alert.status.open") }),
  };
}

function alertStatusText(t: Translator, alert: Alert, timeZone: string, locale: Locale, now: Date): string {
  const base = t(`alert.status.${alert.status}` as "alert.status.open");
  return alert.snoozedUntil && alert.snoozedUntil > now && (alert.status === "open" || alert.status === "acknowledged")
    ? `${base} · ${t("alert.status.snoozed", { until: formatDate(alert.snoozedUntil, timeZone, locale) })}`
    : base;
}

export async function clientPageData(deps: DashboardRoutesDeps, viewer: Viewer, view: EnrollmentView, options: ClientPageOptions): Promise<Record<string, unknown>> {
  const { enrollment } = view;
  const t = translator(viewer.locale);
  const tz = viewer.practice.timeZone;
  const locale = viewer.locale;
  const now = deps.clock.now();
  const platform = viewer.practice.platform;
  const client = mention(platform, view.clientUserId);
  const clinical = mayReadClinicalText(viewer, view);
  const [history, alerts, comments] = await Promise.all([
    deps.dashboard.clientHistory(enrollment.id, CLIENT_HISTORY_LIMIT),
    deps.dashboard.alertHistory(enrollment.id, ALERT_HISTORY_LIMIT),
    options.showComments && clinical ? deps.dashboard.encryptedComments(enrollment.id, CLIENT_HISTORY_LIMIT) : Promise.resolve([]),
  ]);
  const thresholds = viewer.practice.settings.thresholds;
  const model = chartModel(history.scored, alerts.map((a) => a.alert), { baselineSize: thresholds.baselineSize, totalDrop: thresholds.totalDrop, now });
  const chart = history.scored.length > 0 ? renderChart(model, chartLabels(t, client, history.scored.length), tz, locale) : "";
  const commentText = new Map<string, string>();
  for (const row of comments) {
    try {
      commentText.set(row.checkInId, deps.cipher.decrypt(row.commentCipher, row.commentKeyId));
    } catch {
      commentText.set(row.checkInId, t("dashboard.client.comment_unreadable"));
    }
  }
  const tension = (p: (typeof history.scored)[number]) =>
    p.tension === "no"
      ? t("tension.no")
      : p.tension
      ? t("dashboard.client.tension_value", { tension: t(`tension.${p.tension}` as "tension.no"), talked: p.talkedThrough ? t(`talked.${p.talkedThrough}` as "talked.yes") : "–" })
      : "–";
  const rows = history.scored
    .map((p, i) => ({
      date: formatDate(p.sessionEndAt, tz, locale),
      goal: p.goal,
      task: p.task,
      bond: p.bond,
      total: total(p),
      baseline: model.points[i]?.baseline === null || model.points[i]?.baseline === undefined ? "–" : (model.points[i]!.baseline as number).toFixed(1),
      tension: tension(p),
      comment: p.hasComment ? (commentText.get(p.checkInId) ?? t("dashboard.client.comment_hidden")) : "",
    }))
    .reverse();
  const unresolved = alerts.find((a) => a.alert.status === "open" || a.alert.status === "acknowledged")?.alert ?? null;
  const notesOf = (notes: (typeof alerts)[number]["notes"]) =>
    notes.map((n) => {
      let text = t("dashboard.client.note_hidden");
      if (clinical) {
        try {
          text = deps.cipher.decrypt(n.noteCipher, n.noteKeyId);
        } catch {
          text = t("dashboard.client.comment_unreadable");
        }
      }
      return { at: formatDate(n.createdAt, tz, locale, "dateTime"), author: n.authorUserId ? mention(platform, n.authorUserId) : "?", change: t(`dashboard.action.${n.change}` as "dashboard.action.ack"), text };
    });
  return {
    client,
    therapist: mention(platform, view.therapistUserId),
    enrollmentId: enrollment.id,
    schedule: `${formatSchedule(enrollment, locale)} · ${enrollment.timeZone}`,
    enrollmentStatus: t(`enrollment.status.${enrollment.status}` as "enrollment.status.active"),
    paused: enrollment.status === "paused" || Boolean(enrollment.pausedUntil && enrollment.pausedUntil > now),
    ended: enrollment.status === "ended",
    next: history.nextDueAt ? formatDate(history.nextDueAt, tz, locale, "dateTime") : t("dashboard.none"),
    answered: history.answeredCount,
    shown: history.scored.length,
    missed: history.unanswered.filter((u) => u.status === "expired").length,
    chart,
    episodes: model.episodes.map((e) => ({ from: formatDate(e.from, tz, locale), to: formatDate(e.to, tz, locale), outcome: t(`alert.status.${e.outcome}` as "alert.status.open") })),
    rows,
    clinical,
    showComments: Boolean(options.showComments && clinical),
    alerts: alerts.map(({ alert, notes }) => ({
      id: alert.id,
      status: alertStatusText(t, alert, tz, locale, now),
      statusCode: alert.status,
      opened: formatDate(alert.createdAt, tz, locale, "dateTime"),
      acknowledged: alert.acknowledgedAt ? formatDate(alert.acknowledgedAt, tz, locale, "dateTime") : null,
      resolved: alert.resolvedAt ? formatDate(alert.resolvedAt, tz, locale, "dateTime") : null,
      urgent: alert.severity === "urgent",
      reasons: alert.signals.map((s) => explainSignal(s, locale)),
      notes: notesOf(notes),
    })),
    unresolved: unresolved ? { id: unresolved.id, open: unresolved.status === "open" } : null,
    noteMax: NOTE_MAX_LENGTH,
    submissions: { now: randomUUID(), pause: randomUUID(), alert: randomUUID() },
    csrf: options.csrf,
    notice: options.notice ?? null,
    error: options.error ?? null,
    isAdmin: viewer.isAdmin,
  };
}
