// The process's HTTP server, built on Fastify. Security headers come from @fastify/helmet (worked
// out once at start-up, see helmetHeaders), form
// bodies from @fastify/formbody, CSRF from @fastify/csrf-protection (cookie-held secret), rate
// limits from @fastify/rate-limit and the stylesheet/script from @fastify/static; nothing is
// loaded from another origin. Routes are registered in one place (routes.ts). Raw Node handlers
// (the Slack receiver, the load-test sink) attach to declared mount points, which answer 503
// until their handler is attached. Request logs name the route pattern, never the URL, so a
// link token in a path never reaches a log line.

import Fastify from "fastify";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import helmet from "@fastify/helmet";
import type { FastifyHelmetOptions } from "@fastify/helmet";
import formbody from "@fastify/formbody";
import cookie from "@fastify/cookie";
import csrf from "@fastify/csrf-protection";
import rateLimit from "@fastify/rate-limit";
import staticFiles from "@fastify/static";
import type { Logger } from "../../src/ports/logger.ts";
import { ASSETS_DIR, ASSETS_PREFIX } from "./views.ts";
import { renderErrorPage } from "./pages/error-page.ts";

export type RawHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/** A set of routes; registered in routes.ts, each in its own file. */
export type RouteModule = (app: FastifyInstance) => void | Promise<void>;

/** Form bodies and JSON larger than this are refused with 413 before any handler runs. */
export const BODY_LIMIT_BYTES = 64 * 1024;

export interface WebServerOptions {
  port: number;
  /** Listen address (HOST): 127.0.0.1 outside production by default. */
  host?: string;
  logger: Logger;
  /** PUBLIC_URL: https turns on HSTS and Secure cookies. */
  publicUrl?: string;
  /** TRUST_PROXY: trust X-Forwarded-* from the reverse proxy (client address for rate limits). */
  trustProxy?: boolean | string | number;
  /** Paths whose raw handler is attached later with mount(); 503 until then. */
  mountPoints?: string[];
  /** Route modules, registered in order (see routes.ts). */
  routes: RouteModule[];
}

export interface WebServer {
  /** Attaches a raw Node handler to a declared mount point (any method). */
  mount(path: string, handler: RawHandler): void;
  /** The Fastify instance (tests use inject()). Routes are added through `routes`, not here. */
  readonly app: FastifyInstance;
  listen(): Promise<number>;
  port(): number;
  close(): Promise<void>;
}

export async function createWebServer(options: WebServerOptions): Promise<WebServer> {
  const https = options.publicUrl?.startsWith("https://") ?? false;
  const trust = options.trustProxy ?? false;
  const app: FastifyInstance = Fastify({
    logger: false,
    bodyLimit: BODY_LIMIT_BYTES,
    // Signed therapist links are about 130 characters; longer path parameters get 414.
    routerOptions: { maxParamLength: 300 },
    // A number trusts that many proxy hops in front of us.
    trustProxy: typeof trust === "number" ? (_address: string, hop: number) => hop < trust : trust,
    return503OnClosing: true,
    forceCloseConnections: "idle",
  });
  const log = options.logger;

  // Raw mount points live in their own context: no body parsing (the handler reads the
  // stream itself, e.g. to verify Slack's signature over the exact bytes), no headers plugins.
  const mounts = new Map<string, RawHandler>();
  const declared = new Set(options.mountPoints ?? []);
  await app.register(async (raw) => {
    raw.removeAllContentTypeParsers();
    raw.addContentTypeParser("*", (_req, _payload, done) => done(null, undefined));
    for (const path of declared) {
      raw.all(path, async (req, reply) => {
        const handler = mounts.get(path);
        if (!handler) {
          await reply.code(503).header("retry-after", "5").send();
          return;
        }
        reply.hijack();
        try {
          await handler(req.raw, reply.raw);
        } catch (error) {
          log.error({ code: errorCodeOf(error), route: path }, "http request failed");
          if (!reply.raw.headersSent) reply.raw.writeHead(500).end();
          else reply.raw.end();
        }
      });
    }
  });

  await app.register(async (web) => {
    // Helmet's headers are the same on every page (no nonces: scripts come from 'self' only), so
    // they are worked out once here and set from a plain hook, instead of helmet rebuilding its
    // middleware on every request.
    const headers = { ...(await helmetHeaders(https)), "x-robots-tag": "noindex, nofollow" };
    web.addHook("onRequest", (_req, reply, done) => {
      reply.headers(headers);
      done();
    });
    // Pages post HTML forms only: every other content type (JSON and plain text included) is 415.
    web.removeAllContentTypeParsers();
    await web.register(formbody, { bodyLimit: BODY_LIMIT_BYTES });
    await web.register(cookie);
    await web.register(csrf, {
      cookieKey: "checkin_csrf",
      cookieOpts: { path: "/", sameSite: "strict", httpOnly: true, secure: https, signed: false },
      getToken: (req: FastifyRequest) => {
        const body = req.body as Record<string, unknown> | undefined;
        return typeof body?._csrf === "string" ? body._csrf : undefined;
      },
    });
    await web.register(rateLimit, { global: false });
    await web.register(staticFiles, {
      root: ASSETS_DIR,
      prefix: `${ASSETS_PREFIX}/`,
      index: false,
      list: false,
      dotfiles: "deny",
      maxAge: "1h",
    });

    // Pages are private to one person: never cached, never indexed. Static assets may be cached.
    web.addHook("onSend", (req, reply, payload, done) => {
      if (!req.url.startsWith(`${ASSETS_PREFIX}/`)) reply.header("cache-control", "no-store");
      done(null, payload);
    });
    web.addHook("onResponse", (req, reply, done) => {
      log.debug({ method: req.method, route: req.routeOptions.url ?? "unmatched", status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, "http request");
      done();
    });

    web.setErrorHandler(async (error: FastifyError, req, reply) => {
      const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
      if (status >= 500) log.error({ code: error.code ?? errorCodeOf(error), route: req.routeOptions.url ?? "unmatched" }, "http request failed");
      else log.debug({ code: error.code ?? "client_error", route: req.routeOptions.url ?? "unmatched", status }, "http request refused");
      return sendErrorPage(req, reply, status);
    });
    web.setNotFoundHandler(async (req, reply) => sendErrorPage(req, reply, 404));

    for (const register of options.routes) await web.register(async (scope) => register(scope));
  });

  await app.ready();
  let listening = false;

  const server: WebServer = {
    app,
    mount(path, handler) {
      if (!declared.has(path)) throw new Error(`${path} is not a declared mount point of the web server`);
      mounts.set(path, handler);
    },
    async listen() {
      if (listening) return server.port();
      await app.listen({ port: options.port, host: options.host ?? "127.0.0.1" });
      listening = true;
      const port = server.port();
      log.info({ port, host: options.host ?? "127.0.0.1" }, "http server listening");
      return port;
    },
    port() {
      const address = app.server.address();
      return address && typeof address === "object" ? (address as AddressInfo).port : options.port;
    },
    async close() {
      await app.close();
    },
  };
  return server;
}

/** The options @fastify/helmet is given: strict CSP, no referrer, HSTS when PUBLIC_URL is https. */
export function helmetOptions(https: boolean): FastifyHelmetOptions {
  return {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
      },
    },
    referrerPolicy: { policy: "no-referrer" },
    strictTransportSecurity: https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    crossOriginEmbedderPolicy: false,
  };
}

/** Headers every reply has whatever its route; they are not helmet's. */
const TRANSPORT_HEADERS = new Set(["content-type", "content-length", "date", "connection", "keep-alive"]);

/**
 * The headers @fastify/helmet sets with these options, read once from a reply of a throwaway
 * server that registers it. They do not depend on the request.
 */
async function helmetHeaders(https: boolean): Promise<Record<string, string>> {
  const probe = Fastify({ logger: false });
  try {
    await probe.register(helmet, helmetOptions(https));
    probe.get("/", async () => "");
    const reply = await probe.inject({ method: "GET", url: "/" });
    return Object.fromEntries(Object.entries(reply.headers).filter(([name]) => !TRANSPORT_HEADERS.has(name)).map(([name, value]) => [name, String(value)]));
  } finally {
    await probe.close();
  }
}

/** Pages get the plain error page in the visitor's language; API-ish clients get a short text. */
function sendErrorPage(req: FastifyRequest, reply: FastifyReply, status: number): FastifyReply {
  const accept = String(req.headers.accept ?? "");
  if (accept.includes("text/html")) return reply.code(status).type("text/html; charset=utf-8").send(renderErrorPage(req, status));
  return reply.code(status).type("text/plain; charset=utf-8").send(`${statusText(status)}\n`);
}

function statusText(status: number): string {
  if (status === 404) return "not found";
  if (status === 405) return "method not allowed";
  if (status === 413) return "request body too large";
  if (status === 415) return "unsupported content type";
  if (status === 429) return "too many requests";
  if (status < 500) return "bad request";
  return "internal error";
}

function errorCodeOf(error: unknown): string {
  if (error && typeof error === "object" && "code" in error && typeof error.code === "string") return error.code;
  return error instanceof Error ? error.name : "unknown";
}
