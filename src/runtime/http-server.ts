// The process's one HTTP server on PORT: liveness (/healthz), readiness (/readyz), Prometheus
// metrics (/metrics), and any routes mounted by platform adapters (the Slack receiver mounts
// /slack/events here, so Slack's HTTP mode and the health check share the port in every replica).

import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "../ports/logger.ts";
import { errorCode } from "../core/dispatch.ts";

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/** One named readiness check; `ok: false` makes /readyz answer 503. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<{ ok: boolean; detail?: string }>;
}

export interface OpsServerOptions {
  port: number;
  host?: string;
  logger: Logger;
  readiness: ReadinessCheck[];
  metrics?: () => Promise<{ contentType: string; body: string }>;
  /** Milliseconds a readiness check may take before it counts as failed. */
  checkTimeoutMs?: number;
}

export interface OpsServer {
  /** Routes requests for `path` (exact match, any method) to `handler`. */
  mount(path: string, handler: RequestHandler): void;
  /** From now on /readyz answers 503 (graceful shutdown: let the load balancer drain us). */
  setDraining(): void;
  listen(): Promise<number>;
  port(): number;
  close(): Promise<void>;
}

export function createOpsServer(options: OpsServerOptions): OpsServer {
  const mounts = new Map<string, RequestHandler>();
  const timeoutMs = options.checkTimeoutMs ?? 2000;
  let draining = false;
  let server: Server | undefined;

  const readiness = async (): Promise<{ ready: boolean; checks: Record<string, { ok: boolean; detail?: string }> }> => {
    const results = await Promise.all(
      options.readiness.map(async (c) => {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<{ ok: boolean; detail: string }>((resolve) => {
          timer = setTimeout(() => resolve({ ok: false, detail: "timeout" }), timeoutMs);
        });
        try {
          return [c.name, await Promise.race([c.check(), timeout])] as const;
        } catch (error) {
          return [c.name, { ok: false, detail: errorCode(error) }] as const;
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    const checks = Object.fromEntries(results);
    if (draining) checks.shutdown = { ok: false, detail: "draining" };
    return { ready: Object.values(checks).every((c) => c.ok), checks };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    const mounted = mounts.get(path);
    if (mounted) return mounted(req, res);
    if (req.method !== "GET" && req.method !== "HEAD") return send(res, 405, "text/plain", "method not allowed\n");
    if (path === "/healthz") return send(res, 200, "application/json", `${JSON.stringify({ status: "ok" })}\n`);
    if (path === "/readyz") {
      const { ready, checks } = await readiness();
      return send(res, ready ? 200 : 503, "application/json", `${JSON.stringify({ status: ready ? "ready" : "not_ready", checks })}\n`);
    }
    if (path === "/metrics" && options.metrics) {
      const { contentType, body } = await options.metrics();
      return send(res, 200, contentType, body);
    }
    return send(res, 404, "text/plain", "not found\n");
  };

  return {
    mount(path, handler) {
      mounts.set(path, handler);
    },
    setDraining() {
      draining = true;
    },
    async listen() {
      if (server) return this.port();
      const created = createServer((req, res) => {
        Promise.resolve(handle(req, res)).catch((error: unknown) => {
          options.logger.error({ code: errorCode(error) }, "http request failed");
          if (!res.headersSent) send(res, 500, "text/plain", "internal error\n");
          else res.end();
        });
      });
      await new Promise<void>((resolve, reject) => {
        created.once("error", reject);
        created.listen(options.port, options.host, () => {
          created.off("error", reject);
          resolve();
        });
      });
      server = created;
      const port = this.port();
      options.logger.info({ port }, "http server listening");
      return port;
    },
    port() {
      const address = server?.address();
      return address && typeof address === "object" ? (address as AddressInfo).port : options.port;
    },
    async close() {
      const current = server;
      server = undefined;
      if (!current) return;
      await new Promise<void>((resolve) => {
        current.close(() => resolve());
        current.closeIdleConnections();
        setTimeout(() => current.closeAllConnections(), 1000).unref();
      });
    },
  };
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { "content-type": contentType, "cache-control": "no-store" });
  res.end(body);
}
