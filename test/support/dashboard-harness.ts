// The dashboard behind the real web server on a real database: an engine fixture with a
// recording chat platform, the Fastify server with the dashboard routes on a free port, and
// helpers that sign a person in exactly as a browser does (chat link → GET → POST with CSRF).

import { createEngineFixture } from "./engine-fixture.ts";
import type { EngineFixture } from "./engine-fixture.ts";
import { RecordingPlatform } from "./recording-platform.ts";
import { createWebServer, publicRoutes } from "../../adapters/web/index.ts";
import type { WebServer } from "../../adapters/web/index.ts";
import { Readiness } from "../../src/runtime/readiness.ts";
import { silentLogger } from "../../src/ports/logger.ts";

export interface DashboardHarness {
  f: EngineFixture;
  platform: RecordingPlatform;
  server: WebServer;
  baseUrl: string;
  /** `/checkin dashboard` as the user: the sign-in path from the private reply. */
  linkPath(userId: string, opts?: { admin?: boolean }): Promise<string>;
  /** Signs in through the pages; returns the Cookie header a browser would send afterwards. */
  signIn(userId: string, opts?: { admin?: boolean }): Promise<string>;
  /** A CSRF token and the cookies it belongs to, from a dashboard GET page of this session. */
  csrf(cookie: string, path?: string): Promise<{ token: string; cookie: string }>;
  dispose(): Promise<void>;
}

/** Joins Set-Cookie headers into a Cookie header, later values winning. */
export function mergeCookies(cookie: string, setCookie: string | string[] | undefined): string {
  const jar = new Map(cookie.split(/;\s*/).filter(Boolean).map((c) => [c.split("=")[0]!, c] as const));
  for (const line of [setCookie ?? []].flat()) {
    const pair = line.split(";")[0]!;
    const name = pair.split("=")[0]!;
    if (/=;?$/.test(pair) || /expires=Thu, 01 Jan 1970/i.test(line)) jar.delete(name);
    else jar.set(name, pair);
  }
  return [...jar.values()].join("; ");
}

export const csrfFrom = (html: string): string => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? "";

export async function createDashboardHarness(
  options: { start?: string; workspaceId?: string; platformName?: "terminal" | "slack" | "discord"; platform?: RecordingPlatform } = {},
): Promise<DashboardHarness> {
  const platform = options.platform ?? new RecordingPlatform(options.platformName ?? "terminal");
  let port = 0;
  const f = await createEngineFixture({ platform, start: options.start, workspaceId: options.workspaceId, publicUrl: () => `http://127.0.0.1:${port}` });
  const server = await createWebServer({
    port: 0,
    host: "127.0.0.1",
    logger: silentLogger,
    routes: publicRoutes({
      ops: { readiness: new Readiness([]) },
      dashboard: { auth: f.dashboard.auth, dashboard: f.dashboard.store, store: f.store, engine: f.engine, cipher: f.cipher, privacy: f.privacy, clock: f.clock, logger: silentLogger, secureCookies: false },
    }),
  });
  port = await server.listen();
  const baseUrl = `http://127.0.0.1:${port}`;
  const linkPath = async (userId: string, opts: { admin?: boolean } = {}) => {
    const reply = await f.command(userId, "dashboard", opts);
    const match = /http:\/\/127\.0\.0\.1:\d+(\/signin\/\S+)/.exec(reply.text);
    if (!match) throw new Error(`no sign-in link in: ${reply.text}`);
    return match[1]!;
  };
  const harness: DashboardHarness = {
    f,
    platform,
    server,
    baseUrl,
    linkPath,
    async signIn(userId, opts = {}) {
      const path = await linkPath(userId, opts);
      const page = await server.app.inject({ url: path });
      const cookie = mergeCookies("", page.headers["set-cookie"]);
      const done = await server.app.inject({ method: "POST", url: path, headers: { cookie, "content-type": "application/x-www-form-urlencoded" }, payload: `_csrf=${encodeURIComponent(csrfFrom(page.body))}` });
      if (done.statusCode !== 303) throw new Error(`sign-in failed with ${done.statusCode}`);
      return mergeCookies(cookie, done.headers["set-cookie"]);
    },
    async csrf(cookie, path = "/dashboard") {
      const page = await server.app.inject({ url: path, headers: { cookie } });
      return { token: csrfFrom(page.body), cookie: mergeCookies(cookie, page.headers["set-cookie"]) };
    },
    async dispose() {
      await server.close();
      await f.dispose();
    },
  };
  return harness;
}
