// What the two link-mode pages (the client's check-in page and the therapist's alert page) share:
// their dependencies, the shape of the one-use submission id their forms carry, and the token read.

import type { FastifyRequest } from "fastify";
import type { InboundPort } from "../../../src/ports/inbound.ts";
import type { LinkPagesPort } from "../../../src/ports/link-pages.ts";
import type { LinkLimiter } from "./limits.ts";

export interface LinkRouteDeps {
  pages: LinkPagesPort;
  inbound: InboundPort;
  /** The link pages' rate limits (one limiter for both pages). */
  limiter: LinkLimiter;
}

/** A form's submission id: 16 random bytes, base64url. */
export const LINK_SUBMISSION = /^[A-Za-z0-9_-]{22}$/;

/** The link token in the path, or "" when it is missing or longer than `max` characters (opens nothing). */
export function tokenParam(req: FastifyRequest, max: number): string {
  const token = (req.params as { token?: unknown } | undefined)?.token;
  return typeof token === "string" && token.length <= max ? token : "";
}
