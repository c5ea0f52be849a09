// What the two link-mode pages (the client's check-in page and the therapist's alert page) share:
// their dependencies and the shape of the one-use submission id their forms carry.

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
