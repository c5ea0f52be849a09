// Weekly digest: one short direct message per therapist per week, at the day and time they chose
// (`/checkin digest mon 08:00`, default Monday 08:00 in the practice time zone, `off` to stop).
// A digest is due on its local day from its time until midnight; the once-per-week guarantee
// across restarts and replicas comes from a receipt key (digest:<person>:<local date>) in the
// store's delivery-receipt table, written before sending (at most once). A week with nothing to
// report (no answers, no missed check-ins, no open alert) sends no message.

import { TZDate } from "@date-fns/tz";
import { format, getISODay } from "date-fns";
import type { EngineContext } from "../context.ts";
import { formatLocalDate, localeFor, mention } from "../context.ts";
import type { Person, Practice } from "../model.ts";
import { total } from "../rules/baseline.ts";
import { standingLevel } from "../rules/level.ts";
import { HISTORY_WINDOW } from "../rules/signals.ts";
import { trendLine } from "../views.ts";
import { linkModeFor } from "../links.ts";
import { translate, translator } from "../../i18n/index.ts";
import { errorCode } from "../dispatch.ts";

export const DEFAULT_DIGEST_WEEKDAY = 1;
export const DEFAULT_DIGEST_TIME = "08:00";
/** Digest checks run at most this often per engine (listing therapists is not free). */
const CHECK_EVERY_MS = 60_000;
const lastCheck = new WeakMap<EngineContext, number>();
const WEEK_MS = 7 * 24 * 3600_000;

/** The therapist's digest day and time, or null when turned off. */
export function digestSchedule(person: Pick<Person, "digestWeekday" | "digestTime">): { weekday: number; time: string } | null {
  if (person.digestWeekday === 0) return null;
  return { weekday: person.digestWeekday ?? DEFAULT_DIGEST_WEEKDAY, time: person.digestTime ?? DEFAULT_DIGEST_TIME };
}

/** The local date the digest is due on, if `now` falls in its window (its day, from its time). */
export function digestDueDate(now: Date, timeZone: string, schedule: { weekday: number; time: string }): string | null {
  const local = new TZDate(now.getTime(), timeZone);
  if (getISODay(local) !== schedule.weekday || format(local, "HH:mm") < schedule.time) return null;
  return format(local, "yyyy-MM-dd");
}

/** Builds the digest text for one therapist (every active client, one line each). */
export async function buildDigest(ctx: EngineContext, practice: Practice, therapist: Person): Promise<string | null> {
  const enrollments = await ctx.store.listEnrollments(practice.id, { therapistId: therapist.id });
  if (enrollments.length === 0) return null;
  const t = translator(localeFor(practice, therapist));
  const weekAgo = ctx.clock.now().getTime() - WEEK_MS;
  const lines = [t("digest.header", { count: enrollments.length })];
  let activity = false;
  for (const enrollment of enrollments) {
    const [client, rows, alert, closed] = await Promise.all([
      ctx.store.getPerson(enrollment.clientId),
      // The sparkline shows 6; the standing level looks as far back as the rules do.
      ctx.store.recentScored(enrollment.id, HISTORY_WINDOW + 1),
      ctx.store.unresolvedAlert(enrollment.id),
      ctx.store.recentClosedCheckIns(enrollment.id, 5),
    ]);
    const who = mention(practice.platform, client?.platformUserId ?? "?");
    const missed = closed.filter((c) => c.status === "expired" && c.sessionEndAt.getTime() >= weekAgo).length;
    const last = rows[0];
    if (alert || missed > 0 || (last && last.sessionEndAt.getTime() >= weekAgo)) activity = true;
    if (!last) {
      lines.push(t("digest.row_empty", { client: who, missed }));
      continue;
    }
    const alertText = t(alert ? (alert.status === "open" ? "digest.alert.open" : "digest.alert.acknowledged") : "digest.alert.none");
    // Link mode: the digest names the client and the alert state, never scores.
    if (linkModeFor(ctx, practice, enrollment)) {
      lines.push(t("link.digest_row", { client: who, alert: alertText, missed }));
      continue;
    }
    const totals = rows.slice(0, 6).map((r) => total(r)).reverse();
    // A standing low level (a state, alerted once when reached) is shown every week.
    const levelNote = (newestFirst: typeof rows): string[] => {
      const level = standingLevel(newestFirst, practice.settings.thresholds);
      return level ? [t("digest.level", { since: formatLocalDate(level.since, enrollment.timeZone, localeFor(practice, therapist)), count: level.count })] : [];
    };
    lines.push(
      t("digest.row", {
        client: who,
        trend: trendLine(totals),
        goal: last.goal,
        task: last.task,
        bond: last.bond,
        total: total(last),
        alert: [t(alert ? (alert.status === "open" ? "digest.alert.open" : "digest.alert.acknowledged") : "digest.alert.none"), ...levelNote(rows)].join("; "),
        missed,
      }),
    );
  }
  // A week without answers, missed check-ins or open alerts has nothing to report: no message.
  if (!activity) return null;
  lines.push(t("digest.footer"));
  if (ctx.options.dashboardUrl) lines.push(t("digest.dashboard", { url: ctx.options.dashboardUrl }));
  return lines.join("\n");
}

/** Sends every digest that is due now; returns how many were sent. */
export async function sendWeeklyDigests(ctx: EngineContext, opts: { force?: boolean } = {}): Promise<number> {
  const now = ctx.clock.now();
  const previous = lastCheck.get(ctx);
  if (!opts.force && previous !== undefined && now.getTime() - previous < CHECK_EVERY_MS && now.getTime() >= previous) return 0;
  lastCheck.set(ctx, now.getTime());
  const practices = new Map<string, Practice | null>();
  let sent = 0;
  for (const therapist of await ctx.store.listActiveTherapists()) {
    try {
      const schedule = digestSchedule(therapist);
      if (!schedule) continue;
      if (!practices.has(therapist.practiceId)) practices.set(therapist.practiceId, await ctx.store.getPractice(therapist.practiceId));
      const practice = practices.get(therapist.practiceId);
      if (!practice) continue;
      const due = digestDueDate(now, practice.timeZone, schedule);
      if (!due) continue;
      if (!(await ctx.store.recordDelivery(practice.platform, `digest:${therapist.id}:${due}`, now))) continue;
      const text = await buildDigest(ctx, practice, therapist);
      if (!text) continue;
      const result = await ctx.platform(practice.platform)?.sendDirect({ workspaceId: practice.externalId, userId: therapist.platformUserId }, { kind: "notice", text });
      if (result?.ok) sent++;
      else ctx.logger.warn({ personId: therapist.id, code: result?.code ?? "no_platform" }, "weekly digest not delivered");
    } catch (error) {
      ctx.logger.error({ personId: therapist.id, err: errorCode(error) }, "weekly digest failed");
    }
  }
  return sent;
}

/** Weekday name for replies, in the reader's language. */
export function weekdayName(locale: Parameters<typeof translate>[0], weekday: number): string {
  return translate(locale, `weekday.${weekday}` as Parameters<typeof translate>[1]);
}
