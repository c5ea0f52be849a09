// Liveness, readiness and Prometheus metrics. /healthz is open everywhere. On the public port,
// /readyz answers with its status code and status only, and /metrics is absent, unless the
// request carries `Authorization: Bearer <METRICS_TOKEN>`; the ops port (OPS_PORT, bound to
// 127.0.0.1 by default) serves both in full.

import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Readiness } from "../../../src/runtime/readiness.ts";
import type { RouteModule } from "../server.ts";

export interface OpsRoutesOptions {
  readiness: Readiness;
  metrics?: () => Promise<{ contentType: string; body: string }>;
  /** "private": the ops port (everything open); "public": details only with the bearer token. */
  exposure: "private" | "public";
  /** METRICS_TOKEN; on the public port, without it /metrics is not served at all. */
  token?: string;
}

const digest = (value: string): Buffer => createHash("sha256").update(value).digest();

function bearerMatches(req: FastifyRequest, token: string | undefined): boolean {
  if (!token) return false;
  const header = req.headers.authorization;
  if (typeof header !== "string" || !header.startsWith("Bearer ")) return false;
  return timingSafeEqual(digest(header.slice("Bearer ".length)), digest(token));
}

export function opsRoutes(options: OpsRoutesOptions): RouteModule {
  return (app: FastifyInstance) => {
    const privileged = (req: FastifyRequest): boolean => options.exposure === "private" || bearerMatches(req, options.token);

    app.get("/healthz", async (_req, reply) => reply.type("application/json").send({ status: "ok" }));

    app.get("/readyz", async (req, reply) => {
      const { ready, checks } = await options.readiness.evaluate();
      const status = ready ? "ready" : "not_ready";
      return reply.code(ready ? 200 : 503).type("application/json").send(privileged(req) ? { status, checks } : { status });
    });

    if (options.metrics) {
      const metrics = options.metrics;
      app.get("/metrics", async (req, reply) => {
        if (options.exposure === "public" && !options.token) return reply.callNotFound();
        if (!privileged(req)) return reply.code(401).header("www-authenticate", 'Bearer realm="metrics"').type("text/plain").send("unauthorized\n");
        const { contentType, body } = await metrics();
        return reply.type(contentType).send(body);
      });
    }
  };
}
