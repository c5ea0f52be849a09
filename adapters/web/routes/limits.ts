// Rate limits for the link pages: one budget per client address and one per link, so neither a
// guessing run over many tokens nor a loop on one link gets far. Both answer 429 with the
// plain error page.

import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from "fastify";

export interface LinkRateLimits {
  /** Requests per minute from one address (all link pages together). */
  perAddress: number;
  /** Requests per minute on one link. */
  perLink: number;
}

export const DEFAULT_LINK_RATE_LIMITS: LinkRateLimits = { perAddress: 120, perLink: 30 };

export function linkRateLimits(app: FastifyInstance, overrides: Partial<LinkRateLimits> | undefined, linkKey: (req: FastifyRequest) => string): preHandlerAsyncHookHandler[] {
  const limits = { ...DEFAULT_LINK_RATE_LIMITS, ...overrides };
  const tooMany = (_req: FastifyRequest, context: { statusCode?: number }) => Object.assign(new Error("too many requests"), { statusCode: context.statusCode ?? 429, code: "rate_limited" });
  return [
    app.rateLimit({ max: limits.perAddress, timeWindow: 60_000, keyGenerator: (req) => `addr:${req.ip}`, errorResponseBuilder: tooMany }) as preHandlerAsyncHookHandler,
    app.rateLimit({ max: limits.perLink, timeWindow: 60_000, keyGenerator: (req) => `link:${linkKey(req)}`, errorResponseBuilder: tooMany }) as preHandlerAsyncHookHandler,
  ];
}
