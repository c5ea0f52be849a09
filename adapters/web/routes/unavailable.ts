// The one plain page for every link that opens nothing: unknown, expired, revoked, forged or
// another person's. It says what the reader can do and nothing about what exists.

import type { FastifyReply, FastifyRequest } from "fastify";
import { translate } from "../../../src/i18n/index.ts";
import { localeFromRequest, sendPage } from "../views.ts";

export function sendUnavailable(req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const locale = localeFromRequest(req);
  return sendPage(reply, 404, "error", { heading: translate(locale, "web.link.unavailable_heading"), message: translate(locale, "web.link.unavailable") }, { locale, titleKey: "web.link.unavailable_heading" });
}
