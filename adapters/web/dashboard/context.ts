// What the dashboard's routes share: their dependencies, the signed-in viewer of a request,
// and the rules for who may see what. A client the viewer may not see answers 404, as an
// unknown one does, so nothing tells a therapist which other clients exist.

import type { FastifyReply, FastifyRequest } from "fastify";
import type { CheckInStore } from "../../../src/ports/checkin-store.ts";
import type { Clock } from "../../../src/ports/clock.ts";
import type { CommentCipher } from "../../../src/ports/comment-cipher.ts";
import type { DashboardStore, EnrollmentView } from "../../../src/ports/dashboard.ts";
import type { Actor, InboundPort } from "../../../src/ports/inbound.ts";
import type { Logger } from "../../../src/ports/logger.ts";
import type { PrivacyStore } from "../../../src/ports/privacy-store.ts";
import type { DashboardAuth, Viewer } from "../../../src/dashboard/sessions.ts";
import { translator } from "../../../src/i18n/index.ts";
import type { MessageKey } from "../../../src/i18n/index.ts";
import { sendPage } from "../views.ts";

export const SESSION_COOKIE = "checkin_session";

export interface DashboardRoutesDeps {
  auth: DashboardAuth;
  dashboard: DashboardStore;
  store: CheckInStore;
  engine: InboundPort;
  cipher: CommentCipher;
  privacy: PrivacyStore;
  clock: Clock;
  logger: Logger;
  /** PUBLIC_URL is https: the session cookie is Secure. */
  secureCookies: boolean;
}

const viewers = new WeakMap<FastifyRequest, Viewer>();

export function setViewer(req: FastifyRequest, viewer: Viewer): void {
  viewers.set(req, viewer);
}

/** The request's viewer; only called behind the session hook, which answers 401 without one. */
export function viewerOf(req: FastifyRequest): Viewer {
  const viewer = viewers.get(req);
  if (!viewer) throw new Error("dashboard route without a session");
  return viewer;
}

/** The viewer as the engine's inbound port sees a person: workspace + user id, admin right from the platform. */
export function actorOf(viewer: Viewer): Actor {
  return { platform: viewer.practice.platform, workspaceId: viewer.practice.externalId, userId: viewer.person.platformUserId, isPlatformAdmin: viewer.isAdmin };
}

/** Admins see every client of their practice; a therapist sees their own clients. */
export function maySee(viewer: Viewer, view: EnrollmentView): boolean {
  return view.enrollment.practiceId === viewer.practice.id && (viewer.isAdmin || view.enrollment.therapistId === viewer.person.id);
}

/** Comment text and therapists' notes: only the client's own therapist, admin or not. */
export function mayReadClinicalText(viewer: Viewer, view: EnrollmentView): boolean {
  return view.enrollment.practiceId === viewer.practice.id && view.enrollment.therapistId === viewer.person.id;
}

/** A plain message page in the viewer's (or visitor's) language. */
export function sendMessage(reply: FastifyReply, status: number, locale: Viewer["locale"], headingKey: MessageKey, messageKey: MessageKey, params: Record<string, string | number> = {}): FastifyReply {
  const t = translator(locale);
  return sendPage(reply, status, "error", { heading: t(headingKey), message: t(messageKey, params) }, { locale, titleKey: headingKey });
}

/** The visible "not found" for anything the viewer may not see. */
export function notFound(reply: FastifyReply, viewer: Viewer): FastifyReply {
  return sendMessage(reply, 404, viewer.locale, "dashboard.not_found.heading", "dashboard.not_found.message");
}

export function forbidden(reply: FastifyReply, viewer: Viewer): FastifyReply {
  return sendMessage(reply, 403, viewer.locale, "dashboard.forbidden.heading", "dashboard.forbidden.message");
}

/** Loads an enrollment the viewer may see, or null (the caller answers 404). */
export async function visibleEnrollment(deps: DashboardRoutesDeps, viewer: Viewer, enrollmentId: string): Promise<EnrollmentView | null> {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(enrollmentId)) return null;
  const view = await deps.dashboard.enrollmentView(viewer.practice.id, enrollmentId);
  return view && maySee(viewer, view) ? view : null;
}
