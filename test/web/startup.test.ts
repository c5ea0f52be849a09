// PUBLIC_URL at start-up: in production a database that uses link mode (a practice or an
// enrollment with delivery link) stops the bot with a message naming PUBLIC_URL; with PUBLIC_URL
// set the same database starts. Outside production link mode works without it (localhost).

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { buildBot } from "../../src/app.ts";
import { AesGcmCommentCipher } from "../../src/security/comment-cipher.ts";
import { silentLogger } from "../../src/ports/logger.ts";
import { spawnBot } from "../support/bot-process.ts";
import type { BotProcess } from "../support/bot-process.ts";
import { FakeSlack } from "../support/fake-slack.ts";

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..", "..");
const KEY = randomBytes(32).toString("hex");

describe("PUBLIC_URL and link mode at start-up", () => {
  const dirs: string[] = [];
  const bots: BotProcess[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const bot of bots.splice(0)) {
      bot.kill("SIGTERM");
      await bot.exited;
    }
    for (const cleanup of cleanups.splice(0)) await cleanup();
    dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
  });

  async function databaseInLinkMode(): Promise<string> {
    const dir = mkdtempSync(path.join(tmpdir(), "checkin-link-start-"));
    dirs.push(dir);
    const url = `file:${path.join(dir, "bot.db")}`;
    const bot = await buildBot({ databaseUrl: url, cipher: new AesGcmCommentCipher(Buffer.from(KEY, "hex")), logger: silentLogger });
    const practice = await bot.store.ensurePractice("slack", "T123");
    await bot.store.updatePractice(practice.id, { settings: { ...practice.settings, delivery: "link" } });
    await bot.close();
    return url;
  }

  const run = (url: string, extra: Record<string, string>) =>
    spawnSync(process.execPath, ["--import", "tsx", "src/main.ts"], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NODE_ENV: "production", DATABASE_URL: url, DATA_ENCRYPTION_KEY: KEY, SLACK_BOT_TOKEN: "xoxb-not-used", SLACK_SIGNING_SECRET: "not-used", PORT: "0", OPS_PORT: "0", PUBLIC_URL: "", ...extra },
      encoding: "utf8",
      timeout: 60_000,
    });

  it("production without PUBLIC_URL refuses a database in link mode, naming the variable", async () => {
    const url = await databaseInLinkMode();
    const result = run(url, {});
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("alliance-checkin: PUBLIC_URL is required in production when link mode is used");
  }, 90_000);

  it("production with PUBLIC_URL starts, and a bad PUBLIC_URL is refused by name", async () => {
    const url = await databaseInLinkMode();
    const bad = run(url, { PUBLIC_URL: "checkin.example.org" });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("PUBLIC_URL:");
    const slack = await FakeSlack.start();
    const bot = spawnBot({ NODE_ENV: "production", DATABASE_URL: url, DATA_ENCRYPTION_KEY: KEY, SLACK_BOT_TOKEN: "xoxb-test", SLACK_SIGNING_SECRET: "not-used", PUBLIC_URL: "https://checkin.example.org", SLACK_API_URL: slack.apiUrl });
    bots.push(bot);
    cleanups.push(() => slack.close());
    const port = await bot.ready.catch((error: Error) => {
      throw new Error(`${error.message}\n${bot.stderr()}`);
    });
    const page = await fetch(`http://127.0.0.1:${port}/c/${randomBytes(32).toString("base64url")}`, { headers: { accept: "text/html" } });
    expect(page.status).toBe(404);
    expect(page.headers.get("strict-transport-security")).toContain("max-age=");
  }, 90_000);
});
