// The admin's pages: practice overview, settings (through `/checkin settings`, so the form has
// exactly the chat's validation and wording), the audit log with filters, and exports (the
// same JSON and CSV files as `/checkin export`, as downloads). Therapists get 403 here.

import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { TZDate } from "@date-fns/tz";
import { mention } from "../../../src/core/context.ts";
import { formatDate } from "../../../src/dashboard/format.ts";
import { SETTINGS, SETTING_KEYS } from "../../../src/core/commands/settings.ts";
import { formatSchedule, isValidLocalDate } from "../../../src/core/schedule.ts";
import { alertsBySignal, weeklyCompletion } from "../../../src/dashboard/views.ts";
import type { Viewer } from "../../../src/dashboard/sessions.ts";
import { buildExportDocument, exportFiles, exportStem } from "../../../src/privacy/data-export.ts";
import { catalogs, translator } from "../../../src/i18n/index.ts";
import { sendPage } from "../views.ts";
import type { DashboardRoutesDeps } from "./context.ts";
import { actorOf, forbidden, notFound, viewerOf } from "./context.ts";

/** Weeks shown in the completion table and counted for alerts by signal. */
export const OVERVIEW_WEEKS = 8;
export const AUDIT_PAGE = 50;

type Body = Record<string, unknown>;
const text = (value: unknown): string => (typeof value === "string" ? value : "");

function nav(viewer: Viewer, current: string, _csrf?: string): Record<string, unknown> {
  return { current, isAdmin: viewer.isAdmin, who: mention(viewer.practice.platform, viewer.person.platformUserId) };
}

/** Start of a local date (yyyy-MM-dd) in the practice time zone. */
function localDayStart(date: string, timeZone: string): Date {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  return new Date(new TZDate(y, m - 1, d, 0, 0, 0, timeZone).getTime());
}

export function adminRoutes(app: FastifyInstance, deps: DashboardRoutesDeps): void {
  const adminOnly = async (req: FastifyRequest, reply: FastifyReply) => {
    const viewer = viewerOf(req);
    if (!viewer.isAdmin) return forbidden(reply, viewer);
  };

  app.get("/dashboard/overview", { preHandler: adminOnly }, async (req, reply) => {
    const viewer = viewerOf(req);
    const t = translator(viewer.locale);
    const now = deps.clock.now();
    const tz = viewer.practice.timeZone;
    const overview = await deps.dashboard.overview(viewer.practice.id, new Date(now.getTime() - OVERVIEW_WEEKS * 7 * 86_400_000));
    const v = { t, locale: viewer.locale, timeZone: tz, platform: viewer.practice.platform, now };
    const delivery = (e: unknown): string => {
      const mode = (e as { delivery?: string | null }).delivery ?? (viewer.practice.settings as { delivery?: string }).delivery ?? "chat";
      return t(`dashboard.delivery.${mode === "link" ? "link" : "chat"}` as "dashboard.delivery.chat");
    };
    return sendPage(
      reply,
      200,
      "dashboard-overview",
      {
        nav: nav(viewer, "overview"),
        enrollments: overview.enrollments.map((e) => ({
          client: mention(viewer.practice.platform, e.clientUserId),
          clientUserId: e.clientUserId,
          therapist: mention(viewer.practice.platform, e.therapistUserId),
          enrollmentId: e.enrollment.id,
          schedule: formatSchedule(e.enrollment, viewer.locale),
          timeZone: e.enrollment.timeZone,
          status: t(`enrollment.status.${e.enrollment.status}` as "enrollment.status.active"),
          delivery: delivery(e.enrollment),
          next: e.nextDueAt ? formatDate(e.nextDueAt, tz, viewer.locale, "dateTime") : t("dashboard.none"),
        })),
        weeks: weeklyCompletion(overview.outcomes, OVERVIEW_WEEKS, v),
        signals: alertsBySignal(overview.alerts).map((s) => ({ ...s, name: `dashboard.signal.${s.code}` in catalogs.en ? t(`dashboard.signal.${s.code}` as "dashboard.signal.low_item") : s.code })),
        alertCount: overview.alerts.length,
        undeliverable: overview.undeliverable.map((p) => ({
          client: mention(viewer.practice.platform, p.platformUserId),
          since: p.undeliverableAt ? formatDate(p.undeliverableAt, tz, viewer.locale, "dateTime") : "",
          code: p.undeliverableCode ?? "",
        })),
        csrf: reply.generateCsrf(),
        weeksShown: OVERVIEW_WEEKS,
      },
      { locale: viewer.locale, titleKey: "dashboard.overview.title" },
    );
  });

  const settingsPage = async (reply: FastifyReply, viewer: Viewer, status: number, outcome: { saved: string[]; errors: Record<string, string>; values?: Record<string, string> }) => {
    const practice = (await deps.store.getPractice(viewer.practice.id)) ?? viewer.practice;
    const t = translator(viewer.locale);
    const fields = SETTING_KEYS.map((key) => {
      const spec = SETTINGS[key]!;
      return { key, value: outcome.values?.[key] ?? spec.read(practice), example: spec.example, error: outcome.errors[key] ?? null, label: t(`dashboard.settings.key.${key}` as "dashboard.settings.key.locale") };
    });
    return sendPage(reply, status, "dashboard-settings", { nav: nav(viewer, "settings"), fields, saved: outcome.saved, errorCount: Object.keys(outcome.errors).length, csrf: reply.generateCsrf() }, { locale: viewer.locale, titleKey: "dashboard.settings.title" });
  };

  app.get("/dashboard/settings", { preHandler: adminOnly }, async (req, reply) => settingsPage(reply, viewerOf(req), 200, { saved: [], errors: {} }));

  // Each changed field runs `/checkin settings <key> <value>` as the admin: same checks, same replies, same audit.
  app.post("/dashboard/settings", { preHandler: [adminOnly, app.csrfProtection] }, async (req, reply) => {
    const viewer = viewerOf(req);
    const body = (req.body && typeof req.body === "object" ? req.body : {}) as Body;
    const practice = (await deps.store.getPractice(viewer.practice.id)) ?? viewer.practice;
    const saved: string[] = [];
    const errors: Record<string, string> = {};
    const values: Record<string, string> = {};
    for (const key of SETTING_KEYS) {
      if (!(key in body)) continue;
      const value = text(body[key]).trim();
      values[key] = value;
      if (value === SETTINGS[key]!.read(practice)) continue;
      if (value === "") {
        errors[key] = translator(viewer.locale)("command.settings.bad_value", { got: "", key, example: SETTINGS[key]!.example });
        continue;
      }
      const result = await deps.engine.receive({ type: "command", actor: actorOf(viewer), text: `settings ${key} ${value.replace(/\s+/g, " ")}` });
      if (result.refused) errors[key] = result.text;
      else saved.push(result.text);
    }
    const failed = Object.keys(errors).length > 0;
    return settingsPage(reply, viewer, failed ? 400 : 200, { saved, errors, values: failed ? values : undefined });
  });

  app.get<{ Querystring: Record<string, string> }>("/dashboard/audit", { preHandler: adminOnly }, async (req, reply) => {
    const viewer = viewerOf(req);
    const t = translator(viewer.locale);
    const tz = viewer.practice.timeZone;
    const q = req.query;
    const actions = await deps.dashboard.auditActions(viewer.practice.id);
    const action = actions.includes(text(q.action)) ? text(q.action) : "";
    const personText = text(q.person).trim().replace(/^<@!?|>$/g, "").replace(/^@/, "");
    const person = personText ? await deps.dashboard.personByUserId(viewer.practice.id, personText) : null;
    const from = isValidLocalDate(text(q.from)) ? text(q.from) : "";
    const to = isValidLocalDate(text(q.to)) ? text(q.to) : "";
    const page = Math.max(0, Math.min(10_000, Number.parseInt(text(q.page), 10) || 0));
    const problems = [
      ...(text(q.from) && !from ? [t("dashboard.audit.bad_date", { got: text(q.from).slice(0, 20) })] : []),
      ...(text(q.to) && !to ? [t("dashboard.audit.bad_date", { got: text(q.to).slice(0, 20) })] : []),
    ];
    const rows =
      personText && !person
        ? []
        : await deps.dashboard.auditLog(
            viewer.practice.id,
            {
              ...(action ? { action } : {}),
              ...(person ? { personId: person.id } : {}),
              ...(from ? { from: localDayStart(from, tz) } : {}),
              ...(to ? { to: new Date(localDayStart(to, tz).getTime() + 86_400_000) } : {}),
            },
            AUDIT_PAGE + 1,
            page * AUDIT_PAGE,
          );
    await deps.store.appendAudit({ practiceId: viewer.practice.id, actorPersonId: viewer.person.id, action: "audit.viewed", subjectPersonId: person?.id ?? null, detail: { via: "web", entries: Math.min(rows.length, AUDIT_PAGE) }, createdAt: deps.clock.now() });
    const platform = viewer.practice.platform;
    const query = (p: number) => new URLSearchParams({ ...(action ? { action } : {}), ...(personText ? { person: personText } : {}), ...(from ? { from } : {}), ...(to ? { to } : {}), page: String(p) }).toString();
    return sendPage(
      reply,
      problems.length > 0 ? 400 : 200,
      "dashboard-audit",
      {
        nav: nav(viewer, "audit"),
        csrf: reply.generateCsrf(),
        actions,
        filter: { action, person: personText, from, to },
        problems,
        unknownPerson: Boolean(personText && !person),
        rows: rows.slice(0, AUDIT_PAGE).map((r) => ({
          at: formatDate(r.entry.createdAt, tz, viewer.locale, "dateTime"),
          action: r.entry.action,
          actor: r.actorUserId ? mention(platform, r.actorUserId) : t("privacy.audit.system"),
          subject: r.subjectUserId ? mention(platform, r.subjectUserId) : "",
          detail: Object.entries(r.entry.detail)
            .filter(([, value]) => value !== null && value !== "")
            .map(([key, value]) => `${key}=${String(value)}`)
            .join(", "),
        })),
        previous: page > 0 ? `/dashboard/audit?${query(page - 1)}` : null,
        next: rows.length > AUDIT_PAGE ? `/dashboard/audit?${query(page + 1)}` : null,
        timeZone: tz,
      },
      { locale: viewer.locale, titleKey: "dashboard.audit.title" },
    );
  });

  // The same two files `/checkin export` sends, as a download; audited as data.exported.
  app.post("/dashboard/export", { preHandler: [adminOnly, app.csrfProtection] }, async (req, reply) => {
    const viewer = viewerOf(req);
    const body = (req.body && typeof req.body === "object" ? req.body : {}) as Body;
    const format = text(body.format);
    const subject = await deps.dashboard.personByUserId(viewer.practice.id, text(body.client));
    if (!subject || (format !== "json" && format !== "csv")) return notFound(reply, viewer);
    const now = deps.clock.now();
    const records = await deps.privacy.clientRecords(subject);
    const document = buildExportDocument(
      records,
      (cipher, keyId) => {
        try {
          return deps.cipher.decrypt(cipher, keyId);
        } catch {
          return null;
        }
      },
      now,
    );
    const file = exportFiles(document, exportStem(subject.platformUserId, now), "")[format === "json" ? 0 : 1]!;
    await deps.store.appendAudit({ practiceId: viewer.practice.id, actorPersonId: viewer.person.id, action: "data.exported", subjectPersonId: subject.id, detail: { checkIns: records.checkIns.length, formats: format, via: "web" }, createdAt: now });
    return reply
      .code(200)
      .type(`${file.contentType}; charset=utf-8`)
      .header("content-disposition", `attachment; filename="${file.filename}"`)
      .send(file.content);
  });
}
