// The therapist's alert page in link mode: GET /a/<signed token> shows the reasons, the recent
// trend and the actions; POST /a/<token> (CSRF) runs acknowledge / repaired / snooze / dismiss
// through InboundPort.receive as the therapist the token names, which also edits the chat
// message, so the two stay in step. The dashboard builds its fuller therapist view around this.

import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { InboundPort } from "../../../src/ports/inbound.ts";
import type { AlertPage } from "../../../src/ports/link-pages.ts";
import { decodeAction } from "../../../src/ports/action-ids.ts";
import { translate } from "../../../src/i18n/index.ts";
import type { RouteModule } from "../server.ts";
import { sendPage } from "../views.ts";
import { sendUnavailable } from "./unavailable.ts";
import { LINK_SUBMISSION, newSubmissionId, tokenParam } from "./link-route.ts";
import type { LinkRouteDeps } from "./link-route.ts";

export const ALERT_PATH = "/a";

export type AlertRoutesDeps = LinkRouteDeps;

const tokenOf = (req: FastifyRequest): string => tokenParam(req, 400);

function showAlert(reply: FastifyReply, page: AlertPage, token: string, opts: { status?: number; done?: string; error?: string } = {}): FastifyReply {
  return sendPage(
    reply,
    opts.status ?? 200,
    "alert",
    { view: page.view, scheduleText: page.scheduleText, trend: page.trend, action: `${ALERT_PATH}/${token}`, csrf: reply.generateCsrf(), submission: newSubmissionId(), done: opts.done ?? null, error: opts.error ?? null },
    { locale: page.locale, titleKey: "web.alert.title" },
  );
}

export function alertRoutes(deps: AlertRoutesDeps): RouteModule {
  return (app: FastifyInstance) => {
    const limits = [deps.limiter.preHandler(app)];

    app.get(`${ALERT_PATH}/:token`, { preHandler: limits }, async (req, reply) => {
      const token = tokenOf(req);
      const page = await deps.pages.alertPage(token);
      if (!page) return sendUnavailable(req, reply);
      return showAlert(reply, page, token);
    });

    app.post(`${ALERT_PATH}/:token`, { preHandler: [...limits, app.csrfProtection] }, async (req, reply) => {
      const token = tokenOf(req);
      const page = await deps.pages.alertPage(token);
      if (!page) return sendUnavailable(req, reply);
      const body = (req.body ?? {}) as Record<string, unknown>;
      const action = decodeAction(body.actionId);
      // Only the actions this page offers, for this alert.
      const offered = page.view.buttons.some((b) => b.actionId === body.actionId);
      if (!action || action.op !== "alert" || action.alertId !== page.alertId || !offered || typeof body.submission !== "string" || !LINK_SUBMISSION.test(body.submission)) {
        return showAlert(reply, page, token, { status: 400, error: translate(page.locale, "web.error.bad_request") });
      }
      const result = await deps.inbound.receive({ type: "action", actor: page.actor, actionId: String(body.actionId), deliveryId: `web:${body.submission}` });
      const after = (await deps.pages.alertPage(token)) ?? page;
      if (result.refused && !result.duplicate) return showAlert(reply, after, token, { status: 409, error: result.text });
      return showAlert(reply, after, token, { done: result.duplicate ? after.view.status : result.text });
    });
  };
}
