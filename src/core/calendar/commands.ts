// `/checkin calendar connect <url> | status | disconnect`, for a therapist's own calendar or, by
// an admin, for a named therapist. Replies are private like every command reply. The address is
// a secret: it is encrypted before it is stored, never logged, never echoed; only its host is shown.

import { randomInt } from "node:crypto";
import type { EngineContext } from "../context.ts";
import { formatLocalDateTime, mention } from "../context.ts";
import type { Command } from "../commands/grammar.ts";
import { EXAMPLES } from "../commands/grammar.ts";
import type { ActorContext } from "../commands/guards.ts";
import { Denied } from "../commands/guards.ts";
import type { Enrollment, Person } from "../model.ts";
import type { Reply } from "../../ports/inbound.ts";
import type { CalendarFetchErrorCode } from "../../ports/calendar.ts";
import type { MessageKey, Translator } from "../../i18n/index.ts";
import { CALENDAR_CODE_ALPHABET } from "./feed.ts";
import type { CalendarServices } from "./services.ts";

type CalendarCommand = Extract<Command, { name: "calendar" }>;

const MAX_URL_LENGTH = 2000;

/** A new enrollment code, CI- and four characters, not used by any other enrollment. */
export async function newCalendarCode(ctx: EngineContext): Promise<string> {
  for (let i = 0; i < 20; i++) {
    const code = `CI-${Array.from({ length: 4 }, () => CALENDAR_CODE_ALPHABET[randomInt(CALENDAR_CODE_ALPHABET.length)]).join("")}`;
    if (!ctx.calendars || !(await ctx.calendars.store.calendarCodeTaken(code))) return code;
  }
  throw new Error("no free calendar code");
}

/** The words for a calendar error code, in the reader's language. */
export function calendarErrorText(t: Translator, code: string): string {
  const http = /^http_(\d{3})$/.exec(code);
  if (http) return t("calendar.error.http", { status: http[1] as string });
  const known: Record<string, MessageKey> = {
    bad_address: "calendar.error.bad_address",
    private_address: "calendar.error.private_address",
    dns_failed: "calendar.error.dns_failed",
    connection_failed: "calendar.error.connection_failed",
    timeout: "calendar.error.timeout",
    too_large: "calendar.error.too_large",
    too_many_redirects: "calendar.error.too_many_redirects",
    not_ics: "calendar.error.not_ics",
    too_many_events: "calendar.error.too_many_events",
    key_unavailable: "calendar.error.key_unavailable",
  };
  const key = known[code];
  return key ? t(key) : t("calendar.error.other", { code });
}

/** The therapist whose calendar the command is about, checking the actor may act for them. */
async function targetTherapist(ctx: EngineContext, a: ActorContext, c: CalendarCommand): Promise<Person> {
  if (!c.therapist || c.therapist.userId === a.actor.userId) {
    if (a.person?.isTherapist) return a.person;
    throw new Denied(a.isAdmin ? a.t("calendar.name_therapist", { example: EXAMPLES.calendar }) : a.t("command.denied"));
  }
  if (!a.isAdmin) throw new Denied(a.t("command.denied"));
  const therapist = await ctx.store.findPerson(a.practice.id, c.therapist.userId);
  if (!therapist?.isTherapist) throw new Denied(a.t("calendar.not_therapist", { therapist: mention(a.practice.platform, c.therapist.userId) }));
  return therapist;
}

async function audit(ctx: EngineContext, a: ActorContext, action: string, subject: Person, detail: Record<string, string | number | boolean | null>) {
  const actorPerson = a.person ?? (await ctx.store.ensurePerson(a.practice.id, a.actor.userId));
  await ctx.store.appendAudit({ practiceId: a.practice.id, actorPersonId: actorPerson.id, action, subjectPersonId: subject.id, detail, createdAt: ctx.clock.now() });
}

/** Gives every enrollment of the therapist that has no code yet (made before calendars existed) one. */
async function ensureCodes(ctx: EngineContext, enrollments: Enrollment[]): Promise<Enrollment[]> {
  const out: Enrollment[] = [];
  for (const e of enrollments) {
    out.push(e.calendarCode ? e : await ctx.store.updateEnrollment(e.id, { calendarCode: await newCalendarCode(ctx) }));
  }
  return out;
}

async function clientLines(ctx: EngineContext, a: ActorContext, enrollments: Enrollment[], upcoming: Map<string, number> | null): Promise<string[]> {
  const people = new Map((await ctx.store.getPeople(enrollments.map((e) => e.clientId))).map((p) => [p.id, p]));
  return enrollments.map((e) => {
    const client = mention(a.practice.platform, people.get(e.clientId)?.platformUserId ?? "?");
    const follows = e.scheduleSource !== "weekly";
    const params = { client, code: e.calendarCode ?? "?", count: upcoming?.get(e.id) ?? 0 };
    if (!follows) return a.t("calendar.client_weekly", params);
    return upcoming ? a.t("calendar.client_row", params) : a.t("calendar.client_code", params);
  });
}

async function connect(ctx: EngineContext, services: CalendarServices, a: ActorContext, c: CalendarCommand): Promise<Reply> {
  const therapist = await targetTherapist(ctx, a, c);
  const url = (c.url ?? "").trim();
  if (url.length === 0 || url.length > MAX_URL_LENGTH) return { text: `${calendarErrorText(a.t, "bad_address")} ${a.t("command.example", { example: EXAMPLES.calendar })}`, refused: true };
  const checked = await services.fetcher.check(url);
  if (!checked.ok) return { text: `${a.t("calendar.refused")} ${calendarErrorText(a.t, checked.code satisfies CalendarFetchErrorCode)}`, refused: true };
  const sealed = ctx.cipher.encrypt(url);
  const calendar = await services.store.saveCalendar({ practiceId: a.practice.id, therapistId: therapist.id, urlCipher: sealed.cipher, urlKeyId: sealed.keyId, host: checked.host, now: ctx.clock.now() });
  services.readings.delete(calendar.id);
  const enrollments = await ensureCodes(ctx, await ctx.store.listEnrollments(a.practice.id, { therapistId: therapist.id }));
  await audit(ctx, a, "calendar.connected", therapist, { host: checked.host });
  return {
    text: [
      a.t("calendar.connected", { host: checked.host, therapist: mention(a.practice.platform, therapist.platformUserId), minutes: Math.max(1, Math.round(services.options.pollSeconds / 60)) }),
      ...(enrollments.length > 0 ? [a.t("calendar.codes_header"), ...(await clientLines(ctx, a, enrollments, null))] : []),
    ].join("\n"),
  };
}

async function status(ctx: EngineContext, services: CalendarServices, a: ActorContext, c: CalendarCommand): Promise<Reply> {
  const therapist = await targetTherapist(ctx, a, c);
  const calendar = await services.store.calendarOfTherapist(therapist.id);
  const who = mention(a.practice.platform, therapist.platformUserId);
  if (!calendar) return { text: a.t("calendar.none", { therapist: who, example: EXAMPLES.calendar }) };
  const locale = a.person?.locale ?? a.practice.locale;
  const now = ctx.clock.now();
  const enrollments = await ensureCodes(ctx, await ctx.store.listEnrollments(a.practice.id, { therapistId: therapist.id }));
  const upcoming = new Map<string, number>();
  for (const row of await services.store.checkInsForCalendar(enrollments.map((e) => e.id), now)) {
    if (row.status === "scheduled" && row.calendarEventHash && row.dueAt.getTime() > now.getTime()) upcoming.set(row.enrollmentId, (upcoming.get(row.enrollmentId) ?? 0) + 1);
  }
  const when = (at: Date | null) => (at ? formatLocalDateTime(at, a.practice.timeZone, locale) : a.t("calendar.never"));
  const lines = [
    a.t("calendar.status_header", { therapist: who, host: calendar.host }),
    a.t("calendar.last_success", { when: when(calendar.lastSuccessAt) }),
    calendar.lastErrorCode
      ? a.t("calendar.last_error", { when: when(calendar.lastErrorAt), error: calendarErrorText(a.t, calendar.lastErrorCode) })
      : a.t("calendar.no_error"),
    ...(calendar.failingSince ? [a.t("calendar.failing_since", { when: when(calendar.failingSince) })] : []),
    ...(enrollments.length > 0 ? [a.t("calendar.upcoming_header", { days: services.options.horizonDays }), ...(await clientLines(ctx, a, enrollments, upcoming))] : [a.t("calendar.no_clients")]),
  ];
  return { text: lines.join("\n") };
}

async function disconnect(ctx: EngineContext, services: CalendarServices, a: ActorContext, c: CalendarCommand): Promise<Reply> {
  const therapist = await targetTherapist(ctx, a, c);
  const calendar = await services.store.calendarOfTherapist(therapist.id);
  const who = mention(a.practice.platform, therapist.platformUserId);
  if (!calendar || !(await services.store.deleteCalendar(therapist.id))) return { text: a.t("calendar.none", { therapist: who, example: EXAMPLES.calendar }), refused: true };
  services.readings.delete(calendar.id);
  // Sessions the calendar had scheduled are no longer known: their prompts are cancelled.
  const now = ctx.clock.now();
  const enrollments = await ctx.store.listEnrollments(a.practice.id, { therapistId: therapist.id });
  let cancelled = 0;
  for (const row of await services.store.checkInsForCalendar(enrollments.map((e) => e.id), now)) {
    if (row.status === "scheduled" && row.kind === "calendar" && (await services.store.updateCalendarCheckIn(row.id, ["scheduled"], { status: "cancelled", code: "calendar_disconnected" }, now))) cancelled++;
  }
  await audit(ctx, a, "calendar.disconnected", therapist, { host: calendar.host, cancelled });
  return { text: a.t("calendar.disconnected", { therapist: who, host: calendar.host, count: cancelled }) };
}

export async function calendarCommand(ctx: EngineContext, a: ActorContext, c: CalendarCommand): Promise<Reply> {
  const services = ctx.calendars;
  if (!services) return { text: a.t("command.not_available"), refused: true };
  switch (c.action) {
    case "connect":
      return connect(ctx, services, a, c);
    case "status":
      return status(ctx, services, a, c);
    case "disconnect":
      return disconnect(ctx, services, a, c);
  }
}

/** Who may run `calendar` at all (before any write): a therapist, or an admin. */
export function calendarRefusal(a: ActorContext): string | null {
  return a.isAdmin || a.person?.isTherapist ? null : a.t("command.denied");
}
