// Executes parsed `/checkin` commands. Each subcommand is a small named handler behind a guard.

import type { EngineContext } from "../context.ts";
import { formatLocalDate, formatLocalDateTime, mention } from "../context.ts";
import type { Command } from "./grammar.ts";
import type { ActorContext } from "./guards.ts";
import { adminEnrollmentOf, Denied, requireAdmin, requireClinicianOf, requireSelfClient } from "./guards.ts";
import type { Enrollment, Locale, Person } from "../model.ts";
import type { Reply } from "../../ports/inbound.ts";
import { canonicalTimeZone, deferForQuietHours, formatSchedule, localSessionStart, parseDurationMinutes, parseSchedule } from "../schedule.ts";
import { createImmediateCheckIn, materialiseNext, rescheduleEnrollment, SAME_SESSION_MS } from "../scheduling.ts";
import { restoreReminderAfterPause } from "../dispatch.ts";
import { SETTINGS, SETTING_KEYS } from "./settings.ts";
import { total } from "../rules/signals.ts";
import { standingLevel } from "../rules/level.ts";
import { explainSignal, trendLine } from "../views.ts";
import { notifyPerson } from "../notify.ts";
import { revokeClientLinks } from "../links.ts";
import { EXAMPLES } from "./grammar.ts";
import { help } from "./help.ts";
import { evaluateWithdrawal } from "../alerts.ts";
import { digestCommand, episodeLines } from "../loop/commands.ts";
import { calendarCommand, newCalendarCode } from "../calendar/commands.ts";
import type { ScheduleSource, WeeklySchedule } from "../model.ts";
import { placeName } from "./people.ts";

type Handler<C extends Command> = (ctx: EngineContext, a: ActorContext, command: C) => Promise<Reply>;
type CommandOf<N extends Command["name"]> = Extract<Command, { name: N }>;

const ok = (text: string): Reply => ({ text });
const fail = (text: string): Reply => ({ text, refused: true });

async function audit(ctx: EngineContext, a: ActorContext, action: string, subject: Person | null, detail: Record<string, string | number | boolean | null> = {}) {
  const actorPerson = a.person ?? (await ctx.store.ensurePerson(a.practice.id, a.actor.userId));
  await ctx.store.appendAudit({ practiceId: a.practice.id, actorPersonId: actorPerson.id, action, subjectPersonId: subject?.id ?? null, detail, createdAt: ctx.clock.now() });
}

function nextText(a: ActorContext, enrollment: Enrollment, dueAt: Date | null | undefined): string {
  return dueAt ? formatLocalDateTime(dueAt, enrollment.timeZone, localeOfActor(a)) : a.t("command.none");
}

function localeOfActor(a: ActorContext) {
  return a.person?.locale ?? a.practice.locale;
}

/** No weekly rule: the calendar alone decides (schedule=calendar). */
const NO_WEEKLY_RULE: WeeklySchedule = { weekdays: [], startTime: "00:00", sessionMinutes: 0 };

/** The weekly rule and/or the calendar, in the reader's language (replies and lists). */
function scheduleText(a: ActorContext, e: WeeklySchedule & { scheduleSource: ScheduleSource; calendarCode: string | null }): string {
  const code = e.calendarCode ?? "?";
  if (e.scheduleSource === "calendar") return a.t("schedule.calendar_only", { code });
  const weekly = formatSchedule(e, localeOfActor(a));
  return e.scheduleSource === "both" ? a.t("schedule.weekly_and_calendar", { schedule: weekly, code }) : weekly;
}

/** The rule for a command's schedule text and source: none for the calendar alone. */
function ruleOrRefusal(a: ActorContext, text: string, source: ScheduleSource, usage: string): WeeklySchedule {
  return source === "calendar" ? NO_WEEKLY_RULE : scheduleOrRefusal(a, text, usage);
}

/** Validates a schedule string; returns the parsed schedule or a specific refusal. */
function scheduleOrRefusal(a: ActorContext, text: string, usage: string) {
  const parsed = parseSchedule(text);
  if (parsed.ok) return parsed.schedule;
  const key = parsed.code === "bad_shape" ? "command.error.bad_schedule_shape" : (`command.error.${parsed.code}` as const);
  throw new Denied(`${a.t(key, { detail: parsed.detail })} ${a.t("command.example", { example: usage })}`);
}

const enroll: Handler<CommandOf<"enroll">> = async (ctx, a, c) => {
  requireAdmin(a);
  const scheduleSource = c.source ?? "weekly";
  const schedule = ruleOrRefusal(a, c.schedule, scheduleSource, EXAMPLES.enroll);
  const timeZone = c.timeZone ? canonicalTimeZone(c.timeZone) : a.practice.timeZone;
  if (!timeZone) return fail(`${a.t("command.error.bad_timezone", { got: c.timeZone ?? "" })} ${a.t("command.example", { example: EXAMPLES.enroll })}`);
  const delay = c.delay === undefined ? 10 : parseDurationMinutes(c.delay);
  if (delay === null || delay < 0 || delay > 1440) return fail(`${a.t("command.error.bad_delay", { got: c.delay ?? "" })} ${a.t("command.example", { example: EXAMPLES.enroll })}`);
  if (c.client.userId === c.therapist.userId) return fail(a.t("command.error.same_person"));
  // Link mode needs the address of the bot's pages (PUBLIC_URL).
  if ((c.delivery ?? a.practice.settings.delivery) === "link" && !ctx.links) return fail(a.t("link.unavailable"));
  const platform = ctx.platform(a.practice.platform);
  const reach = platform?.checkReachable ? await platform.checkReachable({ workspaceId: a.practice.externalId, userId: c.client.userId }) : { ok: true as const };
  if (!reach.ok) return fail(a.t("command.unreachable", { client: mention(a.practice.platform, c.client.userId), code: reach.code, place: placeName(a.t, a.practice.platform) }));
  const client = await ctx.store.ensurePerson(a.practice.id, c.client.userId);
  if (await ctx.store.currentEnrollmentForClient(client.id)) return fail(a.t("command.already_enrolled"));
  const therapist = await ctx.store.ensurePerson(a.practice.id, c.therapist.userId);
  await ctx.store.updatePerson(client.id, { isClient: true, stoppedAt: null, undeliverableAt: null, undeliverableCode: null, ...(c.locale ? { locale: c.locale } : {}) });
  if (!therapist.isTherapist) await ctx.store.updatePerson(therapist.id, { isTherapist: true });
  const enrollment = await ctx.store.createEnrollment({
    practiceId: a.practice.id,
    clientId: client.id,
    therapistId: therapist.id,
    ...schedule,
    timeZone,
    delayMinutes: delay,
    reminderMinutes: a.practice.settings.reminderMinutes,
    windowMinutes: a.practice.settings.windowMinutes,
    locale: c.locale ?? null,
    scheduleSource,
    calendarCode: await newCalendarCode(ctx),
    delivery: c.delivery ?? null,
  });
  const next = await materialiseNext(ctx.store, enrollment, ctx.clock.now());
  await audit(ctx, a, "enrollment.created", client, { enrollmentId: enrollment.id, therapistId: therapist.id, scheduleSource });
  const lines = [
    a.t("command.enrolled", {
      client: mention(a.practice.platform, c.client.userId),
      therapist: mention(a.practice.platform, c.therapist.userId),
      schedule: scheduleText(a, enrollment),
      timeZone,
      next: scheduleSource === "calendar" ? a.t("schedule.next_from_calendar") : nextText(a, enrollment, next?.dueAt),
    }),
    a.t("command.enrolled_code", { code: enrollment.calendarCode ?? "?" }),
  ];
  if (scheduleSource !== "weekly" && ctx.calendars && !(await ctx.calendars.store.calendarOfTherapist(therapist.id))) {
    lines.push(a.t("command.enrolled_no_calendar", { therapist: mention(a.practice.platform, c.therapist.userId) }));
  }
  return ok(lines.join("\n"));
};

const changeSchedule: Handler<CommandOf<"schedule">> = async (ctx, a, c) => {
  const { client, enrollment } = await adminEnrollmentOf(ctx, a, c.client.userId);
  const scheduleSource = c.source ?? "weekly";
  const schedule = ruleOrRefusal(a, c.schedule, scheduleSource, EXAMPLES.schedule);
  const calendarCode = enrollment.calendarCode ?? (await newCalendarCode(ctx));
  const updated = await ctx.store.updateEnrollment(enrollment.id, { ...schedule, scheduleSource, calendarCode });
  const next = await rescheduleEnrollment(ctx.store, updated, ctx.clock.now());
  await audit(ctx, a, "enrollment.rescheduled", client, { enrollmentId: enrollment.id, scheduleSource });
  const nextLabel = scheduleSource === "calendar" ? a.t("schedule.next_from_calendar") : nextText(a, updated, next?.dueAt);
  return ok(a.t("command.rescheduled", { client: mention(a.practice.platform, c.client.userId), schedule: scheduleText(a, updated), next: nextLabel }));
};

/** End of the local day `yyyy-MM-dd` in the enrollment's zone: pausing "until" a date includes it. */
function endOfLocalDay(date: string, timeZone: string): Date {
  return new Date(localSessionStart(date, "23:59", timeZone).getTime() + 60_000);
}

const pause: Handler<CommandOf<"pause">> = async (ctx, a, c) => {
  if (c.client) {
    const { client, enrollment } = await requireClinicianOf(ctx, a, c.client.userId);
    const until = c.until ? endOfLocalDay(c.until, enrollment.timeZone) : null;
    const updated = await ctx.store.updateEnrollment(enrollment.id, until ? { pausedUntil: until, status: "active" } : { status: "paused", pausedUntil: null });
    await rescheduleEnrollment(ctx.store, updated, ctx.clock.now());
    await audit(ctx, a, "enrollment.paused", client, { enrollmentId: enrollment.id, until: c.until ?? null });
    return ok(a.t("command.paused", { client: mention(a.practice.platform, c.client.userId), until: c.until ? a.t("command.paused_until", { date: c.until }) : "" }));
  }
  const { client, enrollment } = await requireSelfClient(ctx, a);
  const until = c.until ? endOfLocalDay(c.until, enrollment.timeZone) : null;
  const updated = await ctx.store.updateEnrollment(enrollment.id, until ? { pausedUntil: until, status: "active" } : { status: "paused", pausedUntil: null });
  await rescheduleEnrollment(ctx.store, updated, ctx.clock.now());
  await audit(ctx, a, "client.paused", client, { until: c.until ?? null });
  await evaluateWithdrawal(ctx, enrollment, a.practice, { kind: "paused", at: ctx.clock.now() });
  return ok(a.t("command.self.paused", { until: c.until ? a.t("command.paused_until", { date: c.until }) : "" }));
};

const resume: Handler<CommandOf<"resume">> = async (ctx, a, c) => {
  const target = c.client ? await requireClinicianOf(ctx, a, c.client.userId) : await requireSelfClient(ctx, a);
  const updated = await ctx.store.updateEnrollment(target.enrollment.id, { status: "active", pausedUntil: null });
  if (!c.client) await ctx.store.updatePerson(target.client.id, { pausedUntil: null });
  const next = await rescheduleEnrollment(ctx.store, updated, ctx.clock.now());
  await restoreReminderAfterPause(ctx, updated);
  await audit(ctx, a, c.client ? "enrollment.resumed" : "client.resumed", target.client, { enrollmentId: updated.id });
  if (!c.client) return ok(a.t("command.self.resumed"));
  return ok(a.t("command.resumed", { client: mention(a.practice.platform, c.client.userId), next: nextText(a, updated, next?.dueAt) }));
};

const end: Handler<CommandOf<"end">> = async (ctx, a, c) => {
  const { client, enrollment } = await adminEnrollmentOf(ctx, a, c.client.userId);
  const now = ctx.clock.now();
  await ctx.store.updateEnrollment(enrollment.id, { status: "ended", endedAt: now });
  await ctx.store.cancelScheduledCheckIns(enrollment.id, now);
  await revokeClientLinks(ctx, client.id);
  await audit(ctx, a, "enrollment.ended", client, { enrollmentId: enrollment.id });
  return ok(a.t("command.ended", { client: mention(a.practice.platform, c.client.userId) }));
};

const skipDate: Handler<CommandOf<"skip">> = async (ctx, a, c) => {
  const { client, enrollment } = await adminEnrollmentOf(ctx, a, c.client.userId);
  const skipDates = [...new Set([...enrollment.skipDates, c.date])].sort();
  const updated = await ctx.store.updateEnrollment(enrollment.id, { skipDates });
  await rescheduleEnrollment(ctx.store, updated, ctx.clock.now());
  await audit(ctx, a, "enrollment.skip_date", client, { enrollmentId: enrollment.id, date: c.date });
  return ok(a.t("command.skipped_date", { client: mention(a.practice.platform, c.client.userId), date: c.date }));
};

const list: Handler<CommandOf<"list">> = async (ctx, a) => {
  requireAdmin(a);
  const enrollments = await ctx.store.listEnrollments(a.practice.id);
  if (enrollments.length === 0) return ok(a.t("command.list.empty"));
  const lines = [a.t("command.list.header")];
  for (const e of enrollments.slice(0, 100)) {
    const [client, therapist, next] = await Promise.all([ctx.store.getPerson(e.clientId), ctx.store.getPerson(e.therapistId), ctx.store.nextScheduledCheckIn(e.id)]);
    lines.push(
      a.t("command.list.row", {
        client: mention(a.practice.platform, client?.platformUserId ?? "?"),
        therapist: mention(a.practice.platform, therapist?.platformUserId ?? "?"),
        schedule: scheduleText(a, e),
        timeZone: e.timeZone,
        status: a.t(`enrollment.status.${e.status}` as "enrollment.status.active"),
        next: nextText(a, e, next?.dueAt),
      }),
    );
  }
  return ok(lines.join("\n"));
};

const settings: Handler<CommandOf<"settings">> = async (ctx, a, c) => {
  requireAdmin(a);
  if (!c.key) {
    return ok([a.t("command.settings.header"), ...SETTING_KEYS.map((key) => `${key} = ${SETTINGS[key]?.read(a.practice)}`)].join("\n"));
  }
  const spec = SETTINGS[c.key];
  if (!spec) return fail(a.t("command.settings.unknown_key", { got: c.key, keys: SETTING_KEYS.join(", ") }));
  if (c.value === undefined) return ok(`${c.key} = ${spec.read(a.practice)}`);
  const change = spec.apply(c.value, a.practice);
  if (!change) return fail(a.t("command.settings.bad_value", { got: c.value, key: c.key, example: spec.example }));
  if (change.settings?.delivery === "link" && !ctx.links) return fail(a.t("link.unavailable"));
  const updated = await ctx.store.updatePractice(a.practice.id, change);
  await audit(ctx, a, "settings.changed", null, { key: c.key, value: spec.read(updated) });
  return ok(a.t("command.settings.saved", { key: c.key, value: spec.read(updated) }));
};

/**
 * `/checkin now`: at most one check-in per session. An open prompt for a session that just ended,
 * or an open `now` prompt, is reported; a queued one (quiet hours, the usual delay after a
 * session, an earlier `now`) is released to go at once when quiet hours allow, and reported.
 * Two `now` at the same moment (two replicas, a double click) are kept to one by the store: at
 * most one open `now` check-in per enrollment; the one that loses reports the other's.
 */
const now: Handler<CommandOf<"now">> = async (ctx, a, c) => {
  const { client, enrollment } = await requireClinicianOf(ctx, a, c.client.userId);
  const at = ctx.clock.now();
  const who = mention(a.practice.platform, c.client.userId);
  const locale = localeOfActor(a);
  // A client the last send could not reach: try again at once (no back-off), and say so honestly.
  const unreachable = client.undeliverableAt
    ? ok(a.t("command.now.unreachable", { client: who, code: client.undeliverableCode ?? "undeliverable", place: placeName(a.t, a.practice.platform) }))
    : null;
  /** What is already pending for this session, worded; null when nothing is. */
  const pending = async (): Promise<Reply | null> => {
    const open = await ctx.store.openCheckIn(enrollment.id, at);
    if (open && (open.kind === "now" || at.getTime() - open.sessionEndAt.getTime() < SAME_SESSION_MS)) {
      // Not an error: the reply says what is already pending.
      return ok(a.t("command.now.open", { client: who, closes: formatLocalDateTime(open.closesAt, enrollment.timeZone, locale) }));
    }
    const queued = (await ctx.store.queuedCheckIns(enrollment.id)).find(
      (q) => q.kind === "now" || (q.sessionEndAt <= at && at.getTime() - q.sessionEndAt.getTime() < SAME_SESSION_MS),
    );
    if (!queued) return null;
    if (unreachable) await ctx.store.updatePerson(client.id, { unreachableRetryAt: null });
    const released = queued.status === "scheduled" && queued.dueAt > at && (await ctx.store.releaseCheckIn(queued.id, at, at));
    await audit(ctx, a, "checkin.now", client, { enrollmentId: enrollment.id, released, pending: queued.id });
    const due = released ? at : queued.dueAt;
    const goesAt = deferForQuietHours(due > at ? due : at, a.practice.settings.quietHours, enrollment.timeZone);
    if (unreachable) return unreachable;
    if (goesAt > at) return ok(a.t("command.now.pending", { client: who, when: formatLocalDateTime(goesAt, enrollment.timeZone, locale) }));
    return ok(a.t("command.now.released", { client: who }));
  };
  const existing = await pending();
  if (existing) return existing;
  if (unreachable) await ctx.store.updatePerson(client.id, { unreachableRetryAt: null });
  const created = await createImmediateCheckIn(ctx.store, enrollment, at);
  if (!created) {
    // Another `now` made one a moment ago; report it. Failing that, the open `now` check-in is one
    // whose window has just passed and that the next tick closes.
    return (await pending()) ?? ok(a.t("command.now.closing", { client: who }));
  }
  await audit(ctx, a, "checkin.now", client, { enrollmentId: enrollment.id });
  if (unreachable) return unreachable;
  const sendAt = deferForQuietHours(at, a.practice.settings.quietHours, enrollment.timeZone);
  if (sendAt > at) return ok(a.t("command.now.deferred", { client: who, when: formatLocalDateTime(sendAt, enrollment.timeZone, locale) }));
  return ok(a.t("command.now.created", { client: who }));
};

/** The client's standing low level (rules/level.ts), shown between alerts; none when not at a low level. */
function levelLine(a: ActorContext, newestFirst: Parameters<typeof standingLevel>[0], timeZone: string, locale: Locale): string[] {
  const level = standingLevel(newestFirst, a.practice.settings.thresholds);
  if (!level) return [];
  return [a.t("command.trend.level", { since: formatLocalDate(level.since, timeZone, locale), count: level.count, total: level.total, lowest: level.lowest })];
}

const trend: Handler<CommandOf<"trend">> = async (ctx, a, c) => {
  const { client, enrollment } = await requireClinicianOf(ctx, a, c.client.userId);
  const rows = (await ctx.store.recentScored(enrollment.id, 12)).reverse();
  await audit(ctx, a, "trend.viewed", client, { enrollmentId: enrollment.id });
  const who = mention(a.practice.platform, c.client.userId);
  if (rows.length === 0) return ok(a.t("command.trend.empty", { client: who }));
  const totals = rows.map((r) => total(r));
  const locale = localeOfActor(a);
  return ok(
    [
      a.t("command.trend.header", { client: who, trend: `${trendLine(totals)} (${totals.join(", ")})` }),
      ...rows.map((r) => {
        const line = a.t("command.trend.row", { date: formatLocalDateTime(r.sessionEndAt, enrollment.timeZone, locale), goal: r.goal, task: r.task, bond: r.bond, total: total(r) });
        return r.fromCalendar ? `${line} ${a.t("command.trend.calendar_mark")}` : line;
      }),
      ...(rows.some((r) => r.fromCalendar) ? [a.t("command.trend.calendar_legend")] : []),
      ...levelLine(a, rows.slice().reverse(), enrollment.timeZone, locale),
      ...(await episodeLines(ctx, a, enrollment)),
    ].join("\n"),
  );
};

const alerts: Handler<CommandOf<"alerts">> = async (ctx, a) => {
  if (!a.isAdmin && !a.person?.isTherapist) throw new Denied(a.t("command.denied"));
  const enrollments = await ctx.store.listEnrollments(a.practice.id, a.isAdmin ? {} : { therapistId: a.person?.id as string });
  const open = await ctx.store.listAlerts(enrollments.map((e) => e.id), ["open", "acknowledged"]);
  if (open.length === 0) return ok(a.t("command.alerts.none"));
  const byId = new Map(enrollments.map((e) => [e.id, e]));
  const locale = localeOfActor(a);
  const lines: string[] = [];
  for (const alert of open) {
    const client = await ctx.store.getPerson(byId.get(alert.enrollmentId)?.clientId ?? "");
    lines.push(a.t("command.alerts.row", { client: mention(a.practice.platform, client?.platformUserId ?? "?"), status: a.t(`alert.status.${alert.status}` as "alert.status.open"), reasons: alert.signals.map((s) => explainSignal(s, locale)).join(" ") }));
    await audit(ctx, a, "alert.viewed", client, { alertId: alert.id });
  }
  return ok(lines.join("\n"));
};

const stop: Handler<CommandOf<"stop">> = async (ctx, a) => {
  const { client, enrollment } = await requireSelfClient(ctx, a);
  const at = ctx.clock.now();
  await ctx.store.updatePerson(client.id, { stoppedAt: at });
  await ctx.store.updateEnrollment(enrollment.id, { status: "ended", endedAt: at });
  await ctx.store.cancelScheduledCheckIns(enrollment.id, at);
  await revokeClientLinks(ctx, client.id);
  await closeOpenPrompt(ctx, a, enrollment, at);
  await audit(ctx, a, "consent.withdrawn", client, { enrollmentId: enrollment.id });
  const therapist = await ctx.store.getPerson(enrollment.therapistId);
  if (therapist) await notifyPerson(ctx, a.practice, therapist, "notice.client_stopped", { client: mention(a.practice.platform, client.platformUserId) });
  await evaluateWithdrawal(ctx, enrollment, a.practice, { kind: "stopped", at });
  return ok(a.t("command.self.stopped"));
};

/** `stop` ends prompts at once: an open prompt is closed, and edited to say so (deleted in tidy mode). */
async function closeOpenPrompt(ctx: EngineContext, a: ActorContext, enrollment: Enrollment, at: Date): Promise<void> {
  const open = await ctx.store.openCheckIn(enrollment.id, at);
  if (!open || !(await ctx.store.transitionCheckIn(open.id, ["sent"], "cancelled", at))) return;
  if (!open.platformChannelId || !open.platformMessageId) return;
  const platform = ctx.platform(a.practice.platform);
  const to = { workspaceId: a.practice.externalId, userId: a.actor.userId };
  const ref = { channelId: open.platformChannelId, messageId: open.platformMessageId };
  const deleted = a.practice.settings.tidyMode && platform?.delete ? await platform.delete(to, ref) : null;
  if (!deleted?.ok) await platform?.update(to, ref, { kind: "closed", text: a.t("prompt.closed") });
}

const privacy: Handler<CommandOf<"privacy">> = async (_ctx, a) => ok(a.t("command.privacy"));

/** Export, erasure, own-data and audit listing are handled by the privacy module when wired in. */
export type ExtraHandlers = Partial<{ [N in Command["name"]]: Handler<CommandOf<N>> }>;

const HANDLERS: { [N in Command["name"]]?: Handler<CommandOf<N>> } = {
  enroll,
  schedule: changeSchedule,
  pause,
  resume,
  end,
  skip: skipDate,
  list,
  settings,
  now,
  trend,
  alerts,
  stop,
  help,
  privacy,
  digest: digestCommand,
  calendar: calendarCommand,
};

export async function runCommand(ctx: EngineContext, a: ActorContext, command: Command, extra: ExtraHandlers = {}): Promise<Reply> {
  const handler = (extra[command.name] ?? HANDLERS[command.name]) as Handler<Command> | undefined;
  if (!handler) return fail(a.t("command.not_available"));
  try {
    return await handler(ctx, a, command);
  } catch (error) {
    if (error instanceof Denied) return fail(error.reply);
    throw error;
  }
}

