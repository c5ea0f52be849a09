// A link-mode web set-up for tests over HTTP: a real engine on a real database (engine-fixture),
// a recording terminal platform, and the real web server with the public routes listening on a
// free port, PUBLIC_URL being that address.

import { randomBytes } from "node:crypto";
import { expect } from "vitest";
import { createEngineFixture } from "./engine-fixture.ts";
import type { EngineFixture } from "./engine-fixture.ts";
import { RecordingPlatform } from "./recording-platform.ts";
import { createWebServer, publicRoutes } from "../../adapters/web/index.ts";
import type { WebServer } from "../../adapters/web/index.ts";
import { Readiness } from "../../src/runtime/readiness.ts";
import { silentLogger } from "../../src/ports/logger.ts";
import type { LinkMessageView } from "../../src/ports/chat-platform.ts";

export interface LinkWeb {
  f: EngineFixture;
  platform: RecordingPlatform;
  server: WebServer;
  /** The server's address, e.g. http://127.0.0.1:40123 (also PUBLIC_URL). */
  base: string;
  /** The link messages `user` was sent, oldest first. */
  linksTo(user: string): LinkMessageView[];
  /** Enrols `client` in link mode with `therapist`, sends a check-in now; the path of its link. */
  enrolAndPrompt(client?: string, therapist?: string, extra?: string): Promise<string>;
  close(): Promise<void>;
}

export async function startLinkWeb(): Promise<LinkWeb> {
  const platform = new RecordingPlatform("terminal");
  let base = "";
  const f = await createEngineFixture({ platform, links: { signingKey: randomBytes(32), publicUrl: () => base } });
  const server = await createWebServer({
    port: 0,
    logger: silentLogger,
    routes: publicRoutes({ ops: { readiness: new Readiness([]) }, links: { pages: f.engine.linkPages, inbound: f.engine, limits: { perAddress: 10_000, perLink: 10_000 } } }),
  });
  base = `http://127.0.0.1:${await server.listen()}`;
  const linksTo = (user: string): LinkMessageView[] => platform.messages.filter((m) => m.to.userId === user && m.view.kind === "link").map((m) => m.view as LinkMessageView);
  return {
    f,
    platform,
    server,
    base,
    linksTo,
    async enrolAndPrompt(client = "alice", therapist = "bob", extra = "delivery=link") {
      const enrolled = await f.command("dana", `enroll ${client} ${therapist} mon 09:00 50m ${extra}`, { admin: true });
      expect(enrolled.refused, enrolled.text).toBeFalsy();
      f.clock.set("2026-03-02T10:00:00Z");
      const now = await f.command(therapist, `now ${client}`);
      expect(now.refused, now.text).toBeFalsy();
      await f.engine.tick();
      const link = linksTo(client).at(-1);
      expect(link, "a link message").toBeDefined();
      return link!.link.url.slice(base.length);
    },
    async close() {
      await server.close();
      await f.dispose();
    },
  };
}
