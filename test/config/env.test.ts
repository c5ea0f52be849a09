// Configuration: every bad or missing value stops start-up with a message that names the
// variable and the form it expects.

import { describe, expect, it } from "vitest";
import { ConfigError, durationMs, EnvSchema, listenHost, loadEnv, publicBaseUrl } from "../../src/config/env.ts";

function configError(source: Record<string, string>): string {
  try {
    loadEnv(source);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("expected a ConfigError");
}

describe("loadEnv", () => {
  it("gives the documented defaults for an empty environment (terminal mode)", () => {
    const env = loadEnv({});
    expect(env).toMatchObject({
      NODE_ENV: "development",
      DATABASE_URL: "file:./data/bot.db",
      LOG_LEVEL: "info",
      PORT: 3000,
      TICK_SECONDS: 15,
      RETENTION_DAYS: 730,
      ALERT_REMIND_AFTER: "24h",
      ALERT_ESCALATE_AFTER: "72h",
    });
    expect(durationMs(env.ALERT_REMIND_AFTER)).toBe(24 * 3600_000);
  });

  it("listens on 127.0.0.1 outside production and on 0.0.0.0 in production unless HOST says otherwise; ops stay on loopback", () => {
    expect(listenHost(loadEnv({}))).toBe("127.0.0.1");
    expect(listenHost(loadEnv({ NODE_ENV: "test" }))).toBe("127.0.0.1");
    expect(listenHost(loadEnv({ NODE_ENV: "production" }))).toBe("0.0.0.0");
    expect(listenHost(loadEnv({ NODE_ENV: "production", HOST: "10.0.0.5" }))).toBe("10.0.0.5");
    expect(listenHost(loadEnv({ HOST: "0.0.0.0" }))).toBe("0.0.0.0");
    expect(loadEnv({}).OPS_HOST).toBe("127.0.0.1");
    expect(loadEnv({}).OPS_PORT).toBe(9464);
  });

  it("PUBLIC_URL: validated, defaults to http://localhost:PORT outside production, none in production", () => {
    expect(publicBaseUrl(loadEnv({}))).toBe("http://localhost:3000");
    expect(publicBaseUrl(loadEnv({ PORT: "8081" }))).toBe("http://localhost:8081");
    expect(publicBaseUrl(loadEnv({ PUBLIC_URL: "https://checkin.example.org/" }))).toBe("https://checkin.example.org");
    expect(publicBaseUrl(loadEnv({ NODE_ENV: "production" }))).toBeNull();
    expect(configError({ PUBLIC_URL: "checkin.example.org" })).toContain("PUBLIC_URL:");
    expect(configError({ PUBLIC_URL: "ftp://checkin.example.org" })).toContain("http:// or https://");
    expect(configError({ PUBLIC_URL: "https://checkin.example.org/?x=1" })).toContain("without query or fragment");
    expect(configError({ METRICS_TOKEN: "short" })).toContain("METRICS_TOKEN:");
  });

  it("treats empty values (as in a copied .env.example) as unset", () => {
    expect(loadEnv({ PORT: "", SLACK_BOT_TOKEN: "", DATA_ENCRYPTION_KEY: "" }).PORT).toBe(3000);
  });

  it.each([
    [{ DATABASE_URL: "mysql://x" }, "DATABASE_URL", "file:./data/bot.db or postgres://"],
    [{ TICK_SECONDS: "abc" }, "TICK_SECONDS", "seconds between ticks, 1-3600"],
    [{ TICK_SECONDS: "0" }, "TICK_SECONDS", "seconds between ticks, 1-3600"],
    [{ PORT: "70000" }, "PORT", "a port number"],
    [{ LOG_LEVEL: "verbose" }, "LOG_LEVEL", "one of fatal, error, warn, info, debug, trace, silent"],
    [{ NODE_ENV: "prod" }, "NODE_ENV", "development, production or test"],
    [{ RETENTION_DAYS: "-1" }, "RETENTION_DAYS", "whole number of days"],
    [{ ALERT_REMIND_AFTER: "soon" }, "ALERT_REMIND_AFTER", "24h, 90m or 3d"],
    [{ ALERT_ESCALATE_AFTER: "0m" }, "ALERT_ESCALATE_AFTER", "24h, 90m or 3d"],
    [{ SLACK_API_URL: "not a url" }, "SLACK_API_URL", "https://slack-gov.com/api/"],
  ])("%o names %s and the expected form", (source, variable, expected) => {
    const message = configError(source);
    expect(message).toContain(`${variable}:`);
    expect(message).toContain(expected);
  });

  it("every variable that can be wrong says what it expects", () => {
    for (const variable of Object.keys(EnvSchema.shape)) {
      for (const bad of ["-1", "abc", "x".repeat(50), "0"]) {
        let message: string | null = null;
        try {
          loadEnv({ [variable]: bad });
        } catch (error) {
          message = (error as Error).message;
        }
        if (message === null || !message.includes(`${variable}:`)) continue;
        expect(message, `${variable}=${bad}`).toMatch(/\(expected [^)]+\)|must be|such as/);
      }
    }
  });

  it("lists every bad variable at once", () => {
    const message = configError({ PORT: "x", TICK_SECONDS: "y" });
    expect(message).toMatch(/PORT:[\s\S]*TICK_SECONDS:/);
  });

  it.each([
    [{ SLACK_SIGNING_SECRET: "s" }, "SLACK_BOT_TOKEN is required when Slack is configured (expected xoxb-…)"],
    [{ SLACK_BOT_TOKEN: "xoxb-1" }, "SLACK_SIGNING_SECRET is required for Slack in HTTP mode"],
    [{ DISCORD_TOKEN: "t", DISCORD_APPLICATION_ID: "1" }, "DISCORD_GUILD_IDS is required when DISCORD_TOKEN is set (expected comma-separated guild ids)"],
    [{ NODE_ENV: "production", CHAT_SINK_FILE: "/tmp/x" }, "CHAT_SINK_FILE"],
  ])("incomplete platform settings %o are refused by name", (source, expected) => {
    expect(configError(source)).toContain(expected);
  });

  it("accepts a complete Slack or Discord configuration", () => {
    expect(loadEnv({ SLACK_BOT_TOKEN: "xoxb-1", SLACK_APP_TOKEN: "xapp-1" }).SLACK_BOT_TOKEN).toBe("xoxb-1");
    expect(loadEnv({ DISCORD_TOKEN: "t", DISCORD_APPLICATION_ID: "1", DISCORD_GUILD_IDS: "1, 2" }).DISCORD_GUILD_IDS).toEqual(["1", "2"]);
    // DISCORD_APPLICATION_ID is optional, as documented: the adapter takes the id READY reports.
    expect(loadEnv({ DISCORD_TOKEN: "t", DISCORD_GUILD_IDS: "1" }).DISCORD_APPLICATION_ID).toBeUndefined();
  });
});
