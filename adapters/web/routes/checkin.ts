// The client's check-in page in link mode: GET /c/<token> shows consent, the questions, the
// thank-you or the closed note; POST /c/<token> answers and POST /c/<token>/consent consents,
// both with CSRF and through InboundPort.receive as the client the token vouches for. GET never
// changes anything, so link previews and mail scanners cannot answer or consume a check-in.
// Every token that opens nothing (unknown, expired, revoked) gets the same plain page.

import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import type { InboundPort, Reply } from "../../../src/ports/inbound.ts";
import type { CheckInPage } from "../../../src/ports/link-pages.ts";
import type { FormAnswers } from "../../../src/ports/inbound.ts";
import { translate } from "../../../src/i18n/index.ts";
import type { MessageKey } from "../../../src/i18n/index.ts";
import { ITEMS, TALKED_THROUGH_ANSWERS, TENSION_ANSWERS } from "../../../src/core/model.ts";
import { encodeAction } from "../../../src/ports/action-ids.ts";
import type { RouteModule } from "../server.ts";
import { renderPart, sendPage } from "../views.ts";
import { sendUnavailable } from "./unavailable.ts";
import { LINK_SUBMISSION, newSubmissionId, tokenParam } from "./link-route.ts";
import type { LinkRouteDeps } from "./link-route.ts";

export const CHECKIN_PATH = "/c";

export type CheckInRoutesDeps = LinkRouteDeps;

/** What the form may carry; anything else is ignored. Values are checked one by one below. */
const FormBody = z
  .object({
    submission: z.string().optional(),
    goal: z.string().optional(),
    task: z.string().optional(),
    bond: z.string().optional(),
    tension: z.string().optional(),
    talked: z.string().optional(),
    comment: z.string().optional(),
  })
  .passthrough();

export type FormValues = { goal?: number; task?: number; bond?: number; tension?: string; talked?: string; comment: string };

/** Parses the posted form into answers, or the first problem as a locale key. */
export function readForm(body: unknown, page: CheckInPage): { answers: FormAnswers; values: FormValues } | { error: MessageKey; params?: Record<string, string | number>; values: FormValues } {
  const parsed = FormBody.safeParse(body);
  const raw = parsed.success ? parsed.data : {};
  const values: FormValues = { comment: typeof raw.comment === "string" ? raw.comment : "" };
  let bad = !parsed.success;
  const answers: FormAnswers = {};
  for (const item of ITEMS) {
    const text = raw[item];
    if (text === undefined || text === "") continue;
    if (!/^[1-5]$/.test(text)) {
      bad = true;
      continue;
    }
    answers[item] = Number(text);
    values[item] = Number(text);
  }
  if (page.askTension && raw.tension !== undefined && raw.tension !== "") {
    if ((TENSION_ANSWERS as readonly string[]).includes(raw.tension)) {
      answers.tension = raw.tension as FormAnswers["tension"];
      values.tension = raw.tension;
    } else bad = true;
  }
  // "Was it talked through?" counts only after a tension other than "no".
  if (page.askTension && answers.tension && answers.tension !== "no" && raw.talked !== undefined && raw.talked !== "") {
    if ((TALKED_THROUGH_ANSWERS as readonly string[]).includes(raw.talked)) {
      answers.talkedThrough = raw.talked as FormAnswers["talkedThrough"];
      values.talked = raw.talked;
    } else bad = true;
  }
  if (bad) return { error: "answer.bad_value", values };
  const length = [...values.comment].length;
  if (page.askComment && length > page.commentMaxLength) return { error: "answer.comment_too_long", params: { length, max: page.commentMaxLength }, values };
  if (ITEMS.some((item) => answers[item] === undefined)) return { error: "web.checkin.missing_items", values };
  if (page.askComment && values.comment.trim() !== "") answers.comment = values.comment;
  return { answers, values };
}

/** The form's questions (templates/checkin-questions.eta) for these values. */
function renderQuestions(page: CheckInPage, values: FormValues): string {
  return renderPart("checkin-questions", { page, values, items: ITEMS, tensionAnswers: TENSION_ANSWERS, talkedAnswers: TALKED_THROUGH_ANSWERS }, page.locale);
}

/**
 * The questions of a form that nothing fills in yet (no stored answer, no values sent back), the
 * page most visits open. They depend only on these settings, so they are rendered once per
 * combination (two locales, the two questions on or off, one length limit per process: a few
 * entries) and then reused (with the pooled submission ids, the web check-ins bench measured
 * 727-763 µs of main-thread work per check-in instead of 760-807).
 */
const blankQuestions = new Map<string, string>();
export function questionsOf(page: CheckInPage, values: FormValues): string {
  const blank = ITEMS.every((item) => values[item] === undefined) && values.tension === undefined && values.talked === undefined && values.comment === "" && !page.answers?.hasComment;
  if (!blank) return renderQuestions(page, values);
  const key = `${page.locale}|${page.askTension}|${page.askComment}|${page.commentMaxLength}`;
  let html = blankQuestions.get(key);
  if (html === undefined) {
    html = renderQuestions(page, values);
    blankQuestions.set(key, html);
  }
  return html;
}

function formData(page: CheckInPage, csrf: string, token: string, values: FormValues | null, error: string | null) {
  const stored = page.answers;
  const shown: FormValues = values ?? {
    goal: stored?.goal ?? undefined,
    task: stored?.task ?? undefined,
    bond: stored?.bond ?? undefined,
    tension: stored?.tension ?? undefined,
    talked: stored?.talkedThrough ?? undefined,
    comment: "",
  };
  return { page, action: `${CHECKIN_PATH}/${token}`, csrf, submission: newSubmissionId(), error, questions: questionsOf(page, shown) };
}

function showPage(reply: FastifyReply, page: CheckInPage, token: string, opts: { edit?: boolean; status?: number; values?: FormValues; error?: string; notice?: string; crisis?: string } = {}): FastifyReply {
  const common = { locale: page.locale, titleKey: "web.checkin.title" as const };
  const status = opts.status ?? 200;
  switch (page.state) {
    case "consent":
      return sendPage(reply, status, "checkin-consent", { page, action: `${CHECKIN_PATH}/${token}/consent`, csrf: reply.generateCsrf(), submission: newSubmissionId(), error: opts.error ?? null }, common);
    case "declined":
      return sendPage(reply, status, "checkin-closed", { message: translate(page.locale, "consent.declined"), notice: opts.notice ?? null }, common);
    case "closed":
      return sendPage(reply, status, "checkin-closed", { message: translate(page.locale, page.answers ? "web.checkin.closed_answered" : "web.checkin.closed"), notice: opts.notice ?? null }, common);
    case "answered":
      if (!opts.edit) {
        return sendPage(reply, status, "checkin-thanks", { page, editHref: `${CHECKIN_PATH}/${token}?edit=1`, notice: opts.notice ?? null, crisis: opts.crisis ?? null }, common);
      }
      return sendPage(reply, status, "checkin-form", formData(page, reply.generateCsrf(), token, opts.values ?? null, opts.error ?? null), { ...common, scripts: ["checkin.js"] });
    case "open":
      return sendPage(reply, status, "checkin-form", formData(page, reply.generateCsrf(), token, opts.values ?? null, opts.error ?? null), { ...common, scripts: ["checkin.js"] });
  }
}

const tokenOf = (req: FastifyRequest): string => tokenParam(req, 200);

export function checkInRoutes(deps: CheckInRoutesDeps): RouteModule {
  return (app: FastifyInstance) => {
    const limits = [deps.limiter.preHandler(app)];

    app.get(`${CHECKIN_PATH}/:token`, { preHandler: limits }, async (req, reply) => {
      const token = tokenOf(req);
      const page = await deps.pages.checkInPage(token);
      if (!page) return sendUnavailable(req, reply);
      const edit = (req.query as Record<string, unknown> | undefined)?.edit === "1";
      return showPage(reply, page, token, { edit });
    });

    app.post(`${CHECKIN_PATH}/:token`, { preHandler: [...limits, app.csrfProtection] }, async (req, reply) => {
      const token = tokenOf(req);
      const page = await deps.pages.checkInPage(token);
      if (!page) return sendUnavailable(req, reply);
      if (page.state !== "open" && page.state !== "answered") return showPage(reply, page, token, { status: 409 });
      const submission = (req.body as Record<string, unknown> | undefined)?.submission;
      if (typeof submission !== "string" || !LINK_SUBMISSION.test(submission)) return showPage(reply, page, token, { edit: true, status: 400, error: translate(page.locale, "web.error.bad_request") });
      const form = readForm(req.body, page);
      if ("error" in form) {
        return showPage(reply, page, token, { edit: true, status: 422, values: form.values, error: translate(page.locale, form.error, form.params) });
      }
      const answered: Reply = await deps.inbound.receive({ type: "answers", actor: page.actor, checkInId: page.checkInId, answers: form.answers, deliveryId: `web:${submission}` });
      if (answered.refused && !answered.duplicate) {
        // The engine refused (closed meanwhile, edit window over …): its wording, nothing stored.
        const after = (await deps.pages.checkInPage(token)) ?? page;
        return showPage(reply, after, token, { edit: after.state === "open" || after.state === "answered", status: 409, values: form.values, error: answered.text, notice: answered.text });
      }
      // Stored: the thank-you comes from the page read above and the answers, not a second read.
      return showPage(reply, deps.pages.answeredPage(page, form.answers), token, { ...(answered.crisis ? { crisis: answered.text } : {}) });
    });

    app.post(`${CHECKIN_PATH}/:token/consent`, { preHandler: [...limits, app.csrfProtection] }, async (req, reply) => {
      const token = tokenOf(req);
      const page = await deps.pages.checkInPage(token);
      if (!page) return sendUnavailable(req, reply);
      const body = (req.body ?? {}) as Record<string, unknown>;
      if (page.state !== "consent") return showPage(reply, page, token, { status: 409 });
      if ((body.choice !== "yes" && body.choice !== "no") || typeof body.submission !== "string" || !LINK_SUBMISSION.test(body.submission)) {
        return showPage(reply, page, token, { status: 400, error: translate(page.locale, "web.error.bad_request") });
      }
      const answered = await deps.inbound.receive({
        type: "action",
        actor: page.actor,
        actionId: encodeAction({ op: "consent", checkInId: page.checkInId, accept: body.choice === "yes" }),
        deliveryId: `web:${body.submission}`,
      });
      const after = (await deps.pages.checkInPage(token)) ?? page;
      return showPage(reply, after, token, { status: answered.refused && !answered.duplicate ? 409 : 200, ...(answered.refused ? { error: answered.text } : {}) });
    });
  };
}
