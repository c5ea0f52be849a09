// CSRF for the client's check-in page, as a double submit bound to the link: the browser holds a
// random secret in an httpOnly, SameSite=Strict cookie scoped to the check-in paths, and each
// form carries HMAC-SHA256(secret, link token). A POST without the cookie, without the field, or
// with a field made for another secret or another link is refused with 403 before the link is
// read. This is the protection @fastify/csrf-protection gives the other pages (secret in a cookie,
// token derived from it), without its per-page salt and hash rounds; the token is also tied to
// the one link it was served for. No server key is involved, so any replica verifies any form.

import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";

/** The cookie holding the browser's secret (only sent to the check-in pages). */
export const CHECKIN_CSRF_COOKIE = "checkin_form";
/** A secret: 18 random bytes, base64url. */
const SECRET = /^[A-Za-z0-9_-]{24}$/;
const SECRET_BYTES = 18;

/** Random bytes drawn in blocks: one system call per 256 secrets or submission ids instead of one each. */
const POOL_SIZE = 256 * 18;
let pool = randomBytes(POOL_SIZE);
let used = 0;

/** `bytes` fresh random bytes as base64url; no two calls share a byte. */
export function randomId(bytes: number): string {
  if (used + bytes > POOL_SIZE) {
    pool = randomBytes(POOL_SIZE);
    used = 0;
  }
  const id = pool.toString("base64url", used, used + bytes);
  used += bytes;
  return id;
}

const formToken = (secret: string, link: string): Buffer => createHmac("sha256", secret).update(link).digest();

function secretOf(req: FastifyRequest): string | null {
  const secret = req.cookies?.[CHECKIN_CSRF_COOKIE];
  return typeof secret === "string" && SECRET.test(secret) ? secret : null;
}

export interface CheckInCsrf {
  /** The token a page's form carries for `link`; sets the secret cookie when the browser has none. */
  token(req: FastifyRequest, reply: FastifyReply, link: string): string;
  /** preHandler: refuses (403) a POST whose `_csrf` field does not match its cookie and link. */
  check(req: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void): void;
}

export function checkInCsrf(options: { path: string; secure: boolean; link: (req: FastifyRequest) => string }): CheckInCsrf {
  const cookie = { path: options.path, sameSite: "strict" as const, httpOnly: true, secure: options.secure };
  return {
    token(req, reply, link) {
      let secret = secretOf(req);
      if (!secret) {
        secret = randomId(SECRET_BYTES);
        reply.setCookie(CHECKIN_CSRF_COOKIE, secret, cookie);
      }
      return formToken(secret, link).toString("base64url");
    },
    check(req, _reply, done) {
      const secret = secretOf(req);
      const given = (req.body as Record<string, unknown> | undefined)?._csrf;
      if (!secret || typeof given !== "string" || given.length !== 43) return done(refused(secret ? "FST_CSRF_INVALID_TOKEN" : "FST_CSRF_MISSING_SECRET"));
      const expected = formToken(secret, options.link(req));
      const presented = Buffer.from(given, "base64url");
      // Only the canonical spelling counts (the last base64url character has 2 unused bits).
      if (presented.length !== expected.length || !timingSafeEqual(presented, expected) || presented.toString("base64url") !== given) return done(refused("FST_CSRF_INVALID_TOKEN"));
      done();
    },
  };
}

const refused = (code: string): Error => Object.assign(new Error("invalid csrf token"), { statusCode: 403, code });
