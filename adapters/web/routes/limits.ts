// Rate limits for the link pages: one budget per client address (all link pages together, the
// check-in and the alert pages alike) and one per link, so neither a guessing run over many
// tokens nor a loop on one link gets far. Both answer 429 with the plain error page.
//
// Both budgets are checked in one preHandler through @fastify/rate-limit's createRateLimit():
// the plugin's own rateLimit() hooks run at most once per request, so two of them on one route
// would only ever apply the first.

import { hash } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from "fastify";

export interface LinkRateLimits {
  /** Requests per minute from one address (all link pages together). */
  perAddress: number;
  /** Requests per minute on one link. */
  perLink: number;
}

export const DEFAULT_LINK_RATE_LIMITS: LinkRateLimits = { perAddress: 120, perLink: 30 };

const WINDOW_MS = 60_000;

/** A stable key for the per-link rate limit that is not the token itself. */
export const tokenKey = (token: string): string => hash("sha256", token, "base64url").slice(0, 22);

const linkOf = (req: FastifyRequest): string => {
  const token = (req.params as Record<string, unknown> | undefined)?.token;
  return tokenKey(typeof token === "string" ? token.slice(0, 400) : "");
};

type Check = ReturnType<FastifyInstance["createRateLimit"]>;

/** The link pages' budgets, shared by every route module that takes its preHandler. */
export interface LinkLimiter {
  readonly limits: LinkRateLimits;
  preHandler(app: FastifyInstance): preHandlerAsyncHookHandler;
}

export function createLinkLimiter(overrides?: Partial<LinkRateLimits>): LinkLimiter {
  const limits = { ...DEFAULT_LINK_RATE_LIMITS, ...overrides };
  let checks: { address: Check; link: Check } | null = null;
  return {
    limits,
    preHandler(app) {
      // Built once, from the first scope that asks, so every link page shares one store.
      checks ??= {
        address: app.createRateLimit({ max: limits.perAddress, timeWindow: WINDOW_MS, keyGenerator: (req) => `addr:${req.ip}` }),
        link: app.createRateLimit({ max: limits.perLink, timeWindow: WINDOW_MS, keyGenerator: (req) => `link:${linkOf(req)}` }),
      };
      const { address, link } = checks;
      return async (req: FastifyRequest, reply: FastifyReply) => {
        for (const check of [address, link]) {
          const result = await check(req);
          if (result.isAllowed || !result.isExceeded) continue;
          reply.header("retry-after", String(result.ttlInSeconds));
          throw Object.assign(new Error("too many requests"), { statusCode: 429, code: "rate_limited" });
        }
      };
    },
  };
}
