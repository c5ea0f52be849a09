// First run, as a new user meets it: `npm start` with no chat credentials runs terminal mode on
// SQLite, says how to connect a platform and answers commands typed on stdin; production with no
// credentials stops with a clear error; `npm run demo` walks through the loop and exits 0.

import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";

const ROOT = new URL("..", import.meta.url).pathname;
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "checkin-first-run-"));
  dirs.push(dir);
  return dir;
}

/** A clean environment: nothing from the developer's shell or .env decides the mode. */
function cleanEnv(dir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "",
    DATABASE_URL: `file:${path.join(dir, "bot.db")}`,
    PORT: "0",
    OPS_PORT: "0",
    SLACK_BOT_TOKEN: "",
    SLACK_SIGNING_SECRET: "",
    SLACK_APP_TOKEN: "",
    DISCORD_TOKEN: "",
    DATA_ENCRYPTION_KEY: "",
    ...extra,
  };
}

describe("first run", () => {
  it("npm start without credentials runs terminal mode: says how to connect, answers typed commands, stays up", async () => {
    const dir = tempDir();
    const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], { cwd: ROOT, env: cleanEnv(dir, { NODE_ENV: "development" }), stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
    let err = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (err += chunk));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    const waitFor = async (needle: string | RegExp) => {
      const deadline = Date.now() + 30_000;
      while (!(typeof needle === "string" ? out.includes(needle) : needle.test(out))) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${needle}; stdout:\n${out}\nstderr:\n${err}`);
        if (child.exitCode !== null) throw new Error(`exited ${child.exitCode}; stderr:\n${err}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    try {
      const logFile = path.join(dir, "bot.log");
      await waitFor(`Logs are written to ${logFile} (warnings and errors are also shown here).`);
      expect(out).toContain("terminal mode (no Slack or Discord credentials found)");
      expect(out).toMatch(/To connect a real platform, set SLACK_BOT_TOKEN[\s\S]*DISCORD_TOKEN/);
      child.stdin.write("/as admin dana\n/checkin help\n/checkin enroll alice bob tue 17:00 50m Europe/Bucharest\n/checkin enrol alice\n/checkin list\n");
      await waitFor("Did you mean /checkin enroll?");
      await waitFor(/Enrollments:\n@alice with @bob/);
      expect(out).toContain("You are now @dana (admin).");
      expect(out).toContain("Admin: /checkin enroll");
      expect(out).toMatch(/Enrolled @alice with @bob: Tue 17:00 \(50 min\) \(Europe\/Bucharest\)/);
      expect(child.exitCode).toBeNull(); // it did not crash
      // The conversation is not interleaved with structured logs; they are in the file next to the database.
      expect(out).not.toMatch(/^\s*\{"level"/m);
      expect(out).not.toContain('"msg":');
      const logged = readFileSync(logFile, "utf8").trim().split("\n").map((line) => JSON.parse(line) as { msg: string });
      expect(logged.map((l) => l.msg)).toEqual(expect.arrayContaining(["database ready", "ready"]));
      // A warning is shown on stderr as one short line (here: the local key file notice).
      expect(err).toMatch(/^\[warn\] using a local encryption key file; set DATA_ENCRYPTION_KEY/m);
      expect(existsSync(path.join(dir, "bot.db"))).toBe(true); // SQLite, next to the generated local key
      expect(existsSync(path.join(dir, "local-encryption.key"))).toBe(true);
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
  }, 60_000);

  it("creates a missing data folder, and shuts down cleanly when piped input ends", () => {
    const dir = tempDir();
    const nested = path.join(dir, "not", "yet", "there");
    const result = spawnSync(process.execPath, ["--import", "tsx", "src/main.ts"], {
      cwd: ROOT,
      env: cleanEnv(dir, { NODE_ENV: "development", DATABASE_URL: `file:${path.join(nested, "bot.db")}` }),
      input: "/as admin dana\n/checkin list\n",
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(result.stderr).not.toContain("start-up failed");
    expect(result.stdout).toContain("No one is enrolled yet.");
    expect(result.status).toBe(0); // ended by the end of input, not by the timeout
    expect(existsSync(path.join(nested, "bot.db"))).toBe(true);
  }, 60_000);

  it("NODE_ENV=production without credentials stops with a clear error before touching the database", () => {
    const dir = tempDir();
    const result = spawnSync(process.execPath, ["--import", "tsx", "src/main.ts"], { cwd: ROOT, env: cleanEnv(dir, { NODE_ENV: "production" }), encoding: "utf8", timeout: 60_000 });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("alliance-checkin: no chat platform is configured: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN), or DISCORD_TOKEN");
    expect(result.stderr).toContain("Terminal mode is not available in production.");
    expect(result.stderr).toContain("alliance-checkin: error code startup_no_platform");
    expect(result.stdout).not.toContain("terminal mode");
    expect(existsSync(path.join(dir, "bot.db"))).toBe(false);
  }, 60_000);

  it("a bad variable stops start-up naming it and the expected form", () => {
    const dir = tempDir();
    const result = spawnSync(process.execPath, ["--import", "tsx", "src/main.ts"], { cwd: ROOT, env: cleanEnv(dir, { TICK_SECONDS: "often" }), encoding: "utf8", timeout: 60_000 });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("alliance-checkin: invalid configuration:");
    expect(result.stderr).toContain("TICK_SECONDS:");
    expect(result.stderr).toContain("(expected seconds between ticks, 1-3600)");
    expect(result.stderr).toContain("alliance-checkin: error code bad_config");
  }, 60_000);

  it("npm run demo walks enroll → prompt → answers → alert → acknowledge and exits 0", () => {
    const result = spawnSync("npm", ["run", "--silent", "demo"], { cwd: ROOT, env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" }, encoding: "utf8", timeout: 90_000 });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("Possible alliance rupture with @alice");
    expect(result.stdout).toContain("(bob pressed Acknowledge) Alert acknowledged.");
    expect(result.stdout).toContain("### Demo finished: every step worked.");
  }, 90_000);
});
