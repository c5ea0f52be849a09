// The therapist's and admin's web view: sign-in from a chat link, the caseload, a client's
// page with its chart and actions, and (admins) the practice overview, settings, audit log
// and exports. Every page is server-rendered and works without JavaScript. GET never changes
// state; every POST carries the CSRF token and goes, for anything the chat can do too,
// through the engine's inbound port as the signed-in person, so chat and web agree.

import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { encodeAction } from "../../../src/ports/action-ids.ts";
import { mention } from "../../../src/core/context.ts";
import type { Viewer } from "../../../src/dashboard/sessions.ts";
import { caseloadRows, parseFilter, parseSort, sortAndFilter, FILTERS, SORTS } from "../../../src/dashboard/views.ts";
import { translator } from "../../../src/i18n/index.ts";
import type { RouteModule } from "../server.ts";
import { localeFromRequest, sendPage } from "../views.ts";
import type { DashboardRoutesDeps } from "./../dashboard/context.ts";
import { actorOf, forbidden, notFound, SESSION_COOKIE, sendMessage, setViewer, viewerOf, visibleEnrollment } from "../dashboard/context.ts";
import { clientPageData, NOTE_MAX_LENGTH } from "../dashboard/client-page.ts";
import { adminRoutes } from "../dashboard/admin-routes.ts";

export type { DashboardRoutesDeps } from "../dashboard/context.ts";

type Body = Record<string, unknown>;
const bodyOf = (req: FastifyRequest): Body => (req.body && typeof req.body === "object" ? (req.body as Body) : {});
const text = (value: unknown): string => (typeof value === "string" ? value : "");
const SUBMISSION = /^[0-9a-f-]{36}$/;
const CHANGES = ["ack", "repaired", "snooze", "dismiss"] as const;
type Change = (typeof CHANGES)[number];

/** The engine's delivery id for one submitted form: a resubmitted form is a no-op. */
function deliveryId(body: Body): string | undefined {
  const submission = text(body.submission);
  return SUBMISSION.test(submission) ? `web:${submission}` : undefined;
}

export function dashboardRoutes(deps: DashboardRoutesDeps): RouteModule {
  const cookieOptions = { httpOnly: true, sameSite: "strict" as const, secure: deps.secureCookies, path: "/" };

  return (app: FastifyInstance) => {
    // ---- sign-in (no session yet) ----
    // GET shows a button; only the POST uses the link, so link previews and scanners cannot.
    app.get<{ Params: { practiceId: string; token: string } }>("/signin/:practiceId/:token", async (req, reply) => {
      const locale = localeFromRequest(req);
      return sendPage(reply, 200, "signin", { csrf: reply.generateCsrf() }, { locale, titleKey: "dashboard.signin.title" });
    });

    app.post<{ Params: { practiceId: string; token: string } }>("/signin/:practiceId/:token", { preHandler: app.csrfProtection }, async (req, reply) => {
      const result = await deps.auth.redeem(req.params.practiceId, req.params.token);
      if (!result.ok) return sendMessage(reply, 410, localeFromRequest(req), "dashboard.signin.failed_heading", "dashboard.signin.failed");
      // A session id the browser brought along is never kept (no fixation): it is ended.
      const previous = deps.auth.viewer(req.cookies[SESSION_COOKIE]);
      const old = await previous;
      if (old) await deps.auth.signOut(old.sessionHash);
      reply.setCookie(SESSION_COOKIE, result.sessionId, cookieOptions);
      await deps.store.appendAudit({ practiceId: result.viewer.practice.id, actorPersonId: result.viewer.person.id, action: "dashboard.signed_in", subjectPersonId: null, detail: {}, createdAt: deps.clock.now() });
      return reply.code(303).header("location", "/dashboard").send();
    });

    // ---- everything under /dashboard needs a live session ----
    app.register(async (signedIn) => {
      signedIn.addHook("preHandler", async (req, reply) => {
        const viewer = await deps.auth.viewer(req.cookies[SESSION_COOKIE]);
        if (!viewer) {
          reply.clearCookie(SESSION_COOKIE, { path: "/" });
          return sendMessage(reply, 401, localeFromRequest(req), "dashboard.signed_out.heading", "dashboard.signed_out.message");
        }
        setViewer(req, viewer);
      });

      signedIn.get<{ Querystring: Record<string, string> }>("/dashboard", async (req, reply) => caseloadPage(req, reply, viewerOf(req)));

      signedIn.get<{ Params: { enrollmentId: string } }>("/dashboard/clients/:enrollmentId", async (req, reply) => {
        const viewer = viewerOf(req);
        const view = await visibleEnrollment(deps, viewer, req.params.enrollmentId);
        if (!view) return notFound(reply, viewer);
        const data = await clientPageData(deps, viewer, view, { csrf: reply.generateCsrf() });
        return sendPage(reply, 200, "dashboard-client", { ...data, nav: nav(viewer, "caseload") }, { locale: viewer.locale, titleKey: "dashboard.client.title", titleParams: { client: String(data.client) } });
      });

      // Comments are decrypted on request, for the client's therapist only, and audited.
      signedIn.post<{ Params: { enrollmentId: string } }>("/dashboard/clients/:enrollmentId/comments", { preHandler: signedIn.csrfProtection }, async (req, reply) => {
        const viewer = viewerOf(req);
        const view = await visibleEnrollment(deps, viewer, req.params.enrollmentId);
        if (!view) return notFound(reply, viewer);
        if (view.enrollment.therapistId !== viewer.person.id) return forbidden(reply, viewer);
        const data = await clientPageData(deps, viewer, view, { csrf: reply.generateCsrf(), showComments: true });
        await deps.store.appendAudit({ practiceId: viewer.practice.id, actorPersonId: viewer.person.id, action: "comments.viewed", subjectPersonId: view.enrollment.clientId, detail: { enrollmentId: view.enrollment.id, via: "web" }, createdAt: deps.clock.now() });
        return sendPage(reply, 200, "dashboard-client", { ...data, nav: nav(viewer, "caseload") }, { locale: viewer.locale, titleKey: "dashboard.client.title", titleParams: { client: String(data.client) } });
      });

      // Acknowledge, mark repaired, snooze, dismiss: the same engine action as the chat buttons.
      signedIn.post<{ Params: { alertId: string } }>("/dashboard/alerts/:alertId", { preHandler: signedIn.csrfProtection }, async (req, reply) => {
        const viewer = viewerOf(req);
        const alert = /^[A-Za-z0-9_-]{1,64}$/.test(req.params.alertId) ? await deps.store.getAlert(req.params.alertId) : null;
        const view = alert ? await visibleEnrollment(deps, viewer, alert.enrollmentId) : null;
        if (!alert || !view) return notFound(reply, viewer);
        const t = translator(viewer.locale);
        const body = bodyOf(req);
        const change = text(body.change) as Change;
        const note = text(body.note).trim();
        const problem = !CHANGES.includes(change) ? t("dashboard.action.unknown") : [...note].length > NOTE_MAX_LENGTH ? t("dashboard.action.note_too_long", { length: [...note].length, max: NOTE_MAX_LENGTH }) : null;
        if (problem) return clientPage(reply, viewer, view, 400, { error: problem });
        const delivery = deliveryId(body);
        const result = await deps.engine.receive({ type: "action", actor: actorOf(viewer), actionId: encodeAction({ op: "alert", alertId: alert.id, change }), ...(delivery ? { deliveryId: delivery } : {}) });
        if (result.refused) return clientPage(reply, viewer, view, 409, { error: result.text });
        if (note && !result.duplicate) {
          const sealed = deps.cipher.encrypt(note);
          await deps.dashboard.addAlertNote({ alertId: alert.id, authorId: viewer.person.id, change, noteCipher: sealed.cipher, noteKeyId: sealed.keyId, createdAt: deps.clock.now() });
        }
        return clientPage(reply, viewer, view, 200, { notice: result.duplicate ? t("dashboard.action.already_done") : result.text });
      });

      // Check-in now, pause, resume: the chat commands, run as the signed-in person.
      for (const command of ["now", "pause", "resume"] as const) {
        signedIn.post<{ Params: { enrollmentId: string } }>(`/dashboard/clients/:enrollmentId/${command}`, { preHandler: signedIn.csrfProtection }, async (req, reply) => {
          const viewer = viewerOf(req);
          const view = await visibleEnrollment(deps, viewer, req.params.enrollmentId);
          if (!view) return notFound(reply, viewer);
          const delivery = deliveryId(bodyOf(req));
          const result = await deps.engine.receive({ type: "command", actor: actorOf(viewer), text: `${command} ${mention(viewer.practice.platform, view.clientUserId)}`, ...(delivery ? { deliveryId: delivery } : {}) });
          const fresh = (await deps.dashboard.enrollmentView(viewer.practice.id, view.enrollment.id)) ?? view;
          if (result.refused) return clientPage(reply, viewer, fresh, 409, { error: result.text });
          return clientPage(reply, viewer, fresh, 200, { notice: result.duplicate ? translator(viewer.locale)("dashboard.action.already_done") : result.text });
        });
      }

      signedIn.post("/dashboard/signout", { preHandler: signedIn.csrfProtection }, async (req, reply) => {
        const viewer = viewerOf(req);
        await deps.auth.signOut(viewer.sessionHash);
        reply.clearCookie(SESSION_COOKIE, { path: "/" });
        return sendMessage(reply, 200, viewer.locale, "dashboard.signed_out.heading", "dashboard.signed_out.by_you");
      });

      adminRoutes(signedIn, deps);
    });

    async function clientPage(reply: FastifyReply, viewer: Viewer, view: Parameters<typeof clientPageData>[2], status: number, extra: { notice?: string; error?: string }): Promise<FastifyReply> {
      const data = await clientPageData(deps, viewer, view, { csrf: reply.generateCsrf(), ...extra });
      return sendPage(reply, status, "dashboard-client", { ...data, nav: nav(viewer, "caseload") }, { locale: viewer.locale, titleKey: "dashboard.client.title", titleParams: { client: String(data.client) } });
    }

    async function caseloadPage(req: FastifyRequest<{ Querystring: Record<string, string> }>, reply: FastifyReply, viewer: Viewer): Promise<FastifyReply> {
      const t = translator(viewer.locale);
      const now = deps.clock.now();
      const sort = parseSort(req.query.sort);
      const filter = parseFilter(req.query.filter);
      // An admin sees the practice; a therapist (also one who is an admin, by default) their own clients.
      const scope = viewer.isAdmin && (!viewer.isTherapist || req.query.scope === "practice") ? "practice" : "mine";
      const entries = await deps.dashboard.caseload(viewer.practice.id, scope === "practice" ? null : viewer.person.id, now);
      const rows = sortAndFilter(caseloadRows(entries, viewer.practice.settings, { t, locale: viewer.locale, timeZone: viewer.practice.timeZone, platform: viewer.practice.platform, now }), sort, filter);
      return sendPage(
        reply,
        200,
        "dashboard-caseload",
        { rows, sort, filter, sorts: SORTS, filters: FILTERS, scope, canSwitchScope: viewer.isAdmin && viewer.isTherapist, total: entries.length, nav: nav(viewer, "caseload"), timeZone: viewer.practice.timeZone, csrf: reply.generateCsrf() },
        { locale: viewer.locale, titleKey: "dashboard.caseload.title" },
      );
    }
  };
}

/** The navigation bar's model: the links this viewer may use and the sign-out form's token. */
export function nav(viewer: Viewer, current: "caseload" | "overview" | "settings" | "audit"): Record<string, unknown> {
  return { current, isAdmin: viewer.isAdmin, who: mention(viewer.practice.platform, viewer.person.platformUserId) };
}
