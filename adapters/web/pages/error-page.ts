// The plain page for any error a browser may see (404, 413, 415, 429, 500). It names what the
// visitor can do and nothing about what exists on the server.

import type { FastifyRequest } from "fastify";
import { translate } from "../../../src/i18n/index.ts";
import type { MessageKey } from "../../../src/i18n/index.ts";
import { localeFromRequest, renderPage } from "../views.ts";

function messageKey(status: number): MessageKey {
  if (status === 404) return "web.error.not_found";
  if (status === 413) return "web.error.too_large";
  if (status === 415) return "web.error.bad_request";
  if (status === 429) return "web.error.too_many";
  if (status < 500) return "web.error.bad_request";
  return "web.error.internal";
}

export function renderErrorPage(req: FastifyRequest, status: number): string {
  const locale = localeFromRequest(req);
  return renderPage(
    "error",
    { heading: translate(locale, "web.error.heading"), message: translate(locale, messageKey(status)) },
    { locale, titleKey: "web.error.heading" },
  );
}
