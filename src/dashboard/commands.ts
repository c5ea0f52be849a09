// `/checkin dashboard` (a private one-time sign-in link for therapists and admins) and
// `/checkin signout` (ends every dashboard session of the person). Wired into the engine by
// src/app.ts through ExtraHandlers, like the data-rights commands.

import type { ExtraHandlers } from "../core/commands/handlers.ts";
import { Denied } from "../core/commands/guards.ts";
import { formatLocalDateTime } from "../core/context.ts";
import type { DashboardAuth } from "./sessions.ts";

export interface DashboardCommandOptions {
  auth: DashboardAuth;
  /** Base URL of the bot's web pages (PUBLIC_URL), without a trailing slash. */
  publicUrl: () => string | null;
}

export function dashboardCommands(options: DashboardCommandOptions): ExtraHandlers {
  return {
    async dashboard(ctx, a) {
      if (!a.isAdmin && !a.person?.isTherapist) throw new Denied(a.t("command.denied"));
      const base = options.publicUrl();
      if (!base) return { text: a.t("dashboard.unavailable"), refused: true };
      let person = a.person ?? (await ctx.store.ensurePerson(a.practice.id, a.actor.userId));
      // A platform admin (workspace owner, Manage Server) may have no stored admin flag yet.
      if (a.actor.isPlatformAdmin && !person.isAdmin) person = await ctx.store.updatePerson(person.id, { isAdmin: true });
      const link = await options.auth.issueLink(a.practice, person);
      await ctx.store.appendAudit({ practiceId: a.practice.id, actorPersonId: person.id, action: "dashboard.link_issued", subjectPersonId: null, detail: {}, createdAt: ctx.clock.now() });
      const locale = person.locale ?? a.practice.locale;
      return {
        text: a.t("dashboard.link", {
          url: `${base.replace(/\/+$/, "")}${link.path}`,
          until: formatLocalDateTime(link.expiresAt, a.practice.timeZone, locale),
        }),
      };
    },

    async signout(ctx, a) {
      if (!a.person) return { text: a.t("dashboard.signed_out", { count: 0 }) };
      const count = await options.auth.signOutEverywhere(a.person.id);
      if (count > 0) {
        await ctx.store.appendAudit({ practiceId: a.practice.id, actorPersonId: a.person.id, action: "dashboard.signed_out", subjectPersonId: null, detail: { sessions: count }, createdAt: ctx.clock.now() });
      }
      return { text: a.t("dashboard.signed_out", { count }) };
    },
  };
}
