// What the two link-mode pages (the client's check-in page and the therapist's alert page) share:
// their dependencies, the shape of the one-use submission id their forms carry, and the token read.

import { randomFillSync } from "node:crypto";
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

/**
 * Random bytes for submission ids, drawn from the system's CSPRNG 4 KB at a time (as Node.js
 * does for randomUUID): every form page needs one, and one randomBytes call per page cost the
 * server 8-9 µs under load.
 */
const pool = Buffer.alloc(4096);
let used = pool.length;

/** A new submission id for a form (LINK_SUBMISSION); each byte is used once. */
export function newSubmissionId(): string {
  if (used + 16 > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  const id = pool.toString("base64url", used, used + 16);
  // Taken bytes are overwritten at once, so no id can be read back from the pool later.
  pool.fill(0, used, used + 16);
  used += 16;
  return id;
}

/** The link token in the path, or "" when it is missing or longer than `max` characters (opens nothing). */
export function tokenParam(req: FastifyRequest, max: number): string {
  const token = (req.params as { token?: unknown } | undefined)?.token;
  return typeof token === "string" && token.length <= max ? token : "";
}
