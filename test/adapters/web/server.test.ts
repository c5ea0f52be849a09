// The shared web layer: security headers from the plugins (helmet's worked out once, and the
// same as the plugin sets them), the local stylesheet, the plain
// error page in the visitor's language, body limits and content types, CSRF on form posts,
// and what /readyz and /metrics show on the public port.

import { afterEach, describe, expect, it } from "vitest";
import Fastify from "fastify";
import type { FastifyInstance } from "fastify";
import helmet from "@fastify/helmet";
import { createWebServer, publicRoutes } from "../../../adapters/web/index.ts";
import { helmetOptions } from "../../../adapters/web/server.ts";
import type { WebServer } from "../../../adapters/web/index.ts";
import { sendPage } from "../../../adapters/web/views.ts";
import { Readiness } from "../../../src/runtime/readiness.ts";
import { silentLogger } from "../../../src/ports/logger.ts";

const readiness = new Readiness([{ name: "database", check: async () => ({ ok: true, detail: "sqlite" }) }]);
const metrics = async () => ({ contentType: "text/plain; version=0.0.4", body: "checkin_up 1\n" });

/** A form page with CSRF, the way page modules use the layer. */
function formRoutes(saved: string[]) {
  return (app: FastifyInstance) => {
    app.get("/form", async (_req, reply) => {
      const token = reply.generateCsrf();
      return sendPage(reply, 200, "error", { heading: token, message: "form" }, { locale: "en", titleKey: "web.error.heading" });
    });
    app.post("/form", { preHandler: app.csrfProtection }, async (req, reply) => {
      saved.push(String((req.body as Record<string, unknown>).value));
      return reply.code(204).send();
    });
  };
}

describe("web server", () => {
  let server: WebServer | undefined;
  afterEach(async () => server?.close());

  it("pages carry a strict CSP, no-referrer, no-store and noindex; HSTS only behind https", async () => {
    server = await createWebServer({ port: 0, logger: silentLogger, routes: publicRoutes({ ops: { readiness } }) });
    const page = await server.app.inject({ url: "/nothing-here", headers: { accept: "text/html" } });
    expect(page.statusCode).toBe(404);
    const csp = String(page.headers["content-security-policy"]);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe-inline");
    expect(page.headers["referrer-policy"]).toBe("no-referrer");
    expect(page.headers["cache-control"]).toBe("no-store");
    expect(page.headers["x-robots-tag"]).toContain("noindex");
    expect(page.headers["x-content-type-options"]).toBe("nosniff");
    expect(page.headers["strict-transport-security"]).toBeUndefined();
    await server.close();

    server = await createWebServer({ port: 0, logger: silentLogger, publicUrl: "https://checkin.example.org", routes: publicRoutes({ ops: { readiness } }) });
    const secure = await server.app.inject({ url: "/healthz" });
    expect(secure.headers["strict-transport-security"]).toContain("max-age=31536000");
  });

  it("pages, error pages and assets carry every header @fastify/helmet sets, as it sets them", async () => {
    // What the plugin itself gives with the server's options, on a server of its own.
    const probe = Fastify({ logger: false });
    await probe.register(helmet, helmetOptions(false));
    probe.get("/", async () => "");
    const expected = (await probe.inject({ url: "/" })).headers;
    await probe.close();
    const names = ["content-security-policy", "cross-origin-opener-policy", "cross-origin-resource-policy", "origin-agent-cluster", "referrer-policy", "x-content-type-options", "x-dns-prefetch-control", "x-download-options", "x-frame-options", "x-permitted-cross-domain-policies", "x-xss-protection"];
    for (const name of names) expect(expected[name], name).toBeTruthy();
    server = await createWebServer({ port: 0, logger: silentLogger, routes: publicRoutes({ ops: { readiness } }) });
    for (const url of ["/nothing-here", "/assets/app.css", "/healthz"]) {
      const reply = await server.app.inject({ url, headers: { accept: "text/html" } });
      for (const name of names) expect(reply.headers[name], `${name} on ${url}`).toBe(expected[name]);
    }
  });

  it("serves its own stylesheet and the plain error page in the visitor's language, with no outside origin", async () => {
    server = await createWebServer({ port: 0, logger: silentLogger, routes: publicRoutes({ ops: { readiness } }) });
    const css = await server.app.inject({ url: "/assets/app.css" });
    expect(css.statusCode).toBe(200);
    expect(css.headers["content-type"]).toContain("text/css");
    expect(css.body).toContain("fieldset");
    expect((await server.app.inject({ url: "/assets/../views.ts" })).statusCode).toBe(404);
    const ro = await server.app.inject({ url: "/c/unknown", headers: { accept: "text/html", "accept-language": "ro-RO,ro;q=0.9,en;q=0.5" } });
    expect(ro.statusCode).toBe(404);
    expect(ro.body).toContain('<html lang="ro">');
    expect(ro.body).toContain("Pagina nu este disponibilă");
    expect(ro.body).toContain('href="/assets/app.css"');
    expect(ro.body).not.toMatch(/https?:\/\//);
    const en = await server.app.inject({ url: "/c/unknown", headers: { accept: "text/html" } });
    expect(en.body).toContain("This page isn&#39;t available");
  });

  it("form posts need the CSRF token; oversized bodies get 413 and unknown content types 415, and nothing is saved", async () => {
    const saved: string[] = [];
    server = await createWebServer({ port: 0, logger: silentLogger, routes: [formRoutes(saved)] });
    const port = await server.listen();
    const base = `http://127.0.0.1:${port}`;
    const page = await fetch(`${base}/form`);
    const cookie = String(page.headers.get("set-cookie")).split(";")[0]!;
    const token = /<h1>([^<]+)<\/h1>/.exec(await page.text())![1]!;
    const post = (body: string, headers: Record<string, string>) => fetch(`${base}/form`, { method: "POST", body, headers: { "content-type": "application/x-www-form-urlencoded", ...headers } });

    expect((await post("value=a", { cookie })).status).toBe(403);
    expect((await post(`value=b&_csrf=${encodeURIComponent(token)}`, {})).status).toBe(403);
    expect((await post(`value=c&_csrf=forged${encodeURIComponent(token)}`, { cookie })).status).toBe(403);
    expect((await post(`value=big&_csrf=${encodeURIComponent(token)}&pad=${"x".repeat(1024 * 1024)}`, { cookie })).status).toBe(413);
    expect((await post("{}", { cookie, "content-type": "application/xml" })).status).toBe(415);
    expect(saved).toEqual([]);
    expect((await post(`value=ok&_csrf=${encodeURIComponent(token)}`, { cookie })).status).toBe(204);
    expect(saved).toEqual(["ok"]);
    // The process is still serving.
    expect((await fetch(`${base}/form`)).status).toBe(200);
  });

  it("the public port hides /readyz details and /metrics unless the bearer token is sent", async () => {
    server = await createWebServer({ port: 0, logger: silentLogger, routes: publicRoutes({ ops: { readiness, metrics } }) });
    expect((await server.app.inject({ url: "/healthz" })).json()).toEqual({ status: "ok" });
    expect((await server.app.inject({ url: "/readyz" })).json()).toEqual({ status: "ready" });
    expect((await server.app.inject({ url: "/metrics" })).statusCode).toBe(404);
    await server.close();

    server = await createWebServer({ port: 0, logger: silentLogger, routes: publicRoutes({ ops: { readiness, metrics, token: "a-long-metrics-token" } }) });
    expect((await server.app.inject({ url: "/readyz" })).json()).toEqual({ status: "ready" });
    const detailed = await server.app.inject({ url: "/readyz", headers: { authorization: "Bearer a-long-metrics-token" } });
    expect(detailed.json()).toEqual({ status: "ready", checks: { database: { ok: true, detail: "sqlite" } } });
    expect((await server.app.inject({ url: "/metrics" })).statusCode).toBe(401);
    const scraped = await server.app.inject({ url: "/metrics", headers: { authorization: "Bearer a-long-metrics-token" } });
    expect(scraped.statusCode).toBe(200);
    expect(scraped.body).toBe("checkin_up 1\n");
  });

  it("listens on 127.0.0.1 unless told otherwise", async () => {
    server = await createWebServer({ port: 0, logger: silentLogger, routes: publicRoutes({ ops: { readiness } }) });
    await server.listen();
    const address = server.app.server.address();
    expect(address && typeof address === "object" ? address.address : "").toBe("127.0.0.1");
  });
});
