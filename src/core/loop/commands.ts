// Command pieces of the therapist's loop, called from src/core/commands/handlers.ts:
// `/checkin digest …` (the therapist's own digest day and time) and the rupture → repair
// episodes shown by `/checkin trend`.

import type { EngineContext } from "../context.ts";
import { formatLocalDate } from "../context.ts";
import type { Command } from "../commands/grammar.ts";
import type { ActorContext } from "../commands/guards.ts";
import { Denied } from "../commands/guards.ts";
import type { Enrollment, Locale } from "../model.ts";
import type { Reply } from "../../ports/inbound.ts";
import { explainSignal } from "../views.ts";
import { digestSchedule, weekdayName } from "./digest.ts";

/** Episodes listed by `trend` (newest last). Bounded like every other per-client read. */
export const TREND_EPISODES = 5;

/** `/checkin digest` shows, `digest off` stops, `digest mon 08:00` sets the therapist's weekly digest. */
export async function digestCommand(ctx: EngineContext, a: ActorContext, c: Extract<Command, { name: "digest" }>): Promise<Reply> {
  if (!a.person?.isTherapist) throw new Denied(a.t("command.denied"));
  let person = a.person;
  if (c.off) person = await ctx.store.updatePerson(person.id, { digestWeekday: 0, digestTime: null });
  else if (c.weekday !== undefined && c.time !== undefined) person = await ctx.store.updatePerson(person.id, { digestWeekday: c.weekday, digestTime: c.time });
  if (c.off || c.weekday !== undefined) {
    await ctx.store.appendAudit({ practiceId: a.practice.id, actorPersonId: person.id, action: "digest.changed", subjectPersonId: null, detail: { weekday: person.digestWeekday ?? null, time: person.digestTime ?? null }, createdAt: ctx.clock.now() });
  }
  const schedule = digestSchedule(person);
  if (!schedule) return { text: a.t("command.digest.off") };
  const locale: Locale = person.locale ?? a.practice.locale;
  return { text: a.t("command.digest.on", { weekday: weekdayName(locale, schedule.weekday), time: schedule.time, timeZone: a.practice.timeZone }) };
}

/** "Rupture → repair episodes" lines for `trend`: each alert with its reasons and how it ended. */
export async function episodeLines(ctx: EngineContext, a: ActorContext, enrollment: Enrollment): Promise<string[]> {
  const alerts = (await ctx.store.listAlerts([enrollment.id], ["open", "acknowledged", "repaired", "dismissed"])).slice(0, TREND_EPISODES).reverse();
  if (alerts.length === 0) return [];
  const locale: Locale = a.person?.locale ?? a.practice.locale;
  const date = (d: Date | null) => (d ? formatLocalDate(d, enrollment.timeZone, locale) : "?");
  return [
    a.t("command.trend.episodes"),
    ...alerts.map((alert) => {
      const outcome =
        alert.status === "open"
          ? a.t("command.trend.outcome.open")
          : alert.status === "acknowledged"
            ? a.t("command.trend.outcome.acknowledged", { date: date(alert.acknowledgedAt) })
            : a.t(`command.trend.outcome.${alert.status as "repaired" | "dismissed"}`, { date: date(alert.resolvedAt) });
      return a.t("command.trend.episode", { opened: date(alert.createdAt), reasons: alert.signals.map((s) => explainSignal(s, locale)).join(" "), outcome });
    }),
  ];
}
