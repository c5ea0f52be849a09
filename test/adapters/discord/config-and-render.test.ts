import { describe, expect, it } from "vitest";
import { createDiscordAdapter, DiscordConfigError } from "../../../adapters/discord/index.ts";
import { resolveSettings } from "../../../adapters/discord/config.ts";
import { autocompleteChoices, checkinCommandDefinition, commandText } from "../../../adapters/discord/commands.ts";
import { actionIdOf, promptRows, renderView, splitContent } from "../../../adapters/discord/render.ts";
import { silentLogger } from "../../../src/ports/logger.ts";
import { parseCommand, USAGE } from "../../../src/core/commands/grammar.ts";
import { alertView, promptView, RecordingInbound } from "./fixtures.ts";

const GUILD = "100000000000000001";

describe("Discord settings", () => {
  it("names the missing variable", () => {
    const attempt = () => createDiscordAdapter({ inbound: new RecordingInbound(), logger: silentLogger, env: { DISCORD_GUILD_IDS: GUILD } });
    expect(attempt).toThrow(DiscordConfigError);
    expect(attempt).toThrow(/DISCORD_TOKEN/);
    try {
      attempt();
    } catch (error) {
      expect((error as DiscordConfigError).code).toBe("discord_config");
      expect((error as DiscordConfigError).variable).toBe("DISCORD_TOKEN");
    }
    expect(() => resolveSettings({}, { DISCORD_TOKEN: "t" })).toThrow(/DISCORD_GUILD_IDS/);
    expect(() => resolveSettings({}, { DISCORD_TOKEN: "t", DISCORD_GUILD_IDS: "abc" })).toThrow(/DISCORD_GUILD_IDS/);
  });

  it("lets explicit options win over the environment", () => {
    const env = { DISCORD_TOKEN: "env", DISCORD_GUILD_IDS: `${GUILD}, 100000000000000002`, DISCORD_API_URL: "http://proxy/api/", DISCORD_ADMIN_ROLE_ID: "200000000000000001" };
    expect(resolveSettings({}, env)).toEqual({
      token: "env",
      applicationId: null,
      guildIds: [GUILD, "100000000000000002"],
      adminRoleId: "200000000000000001",
      apiUrl: "http://proxy/api",
    });
    expect(resolveSettings({ token: "opt", guildIds: [GUILD], apiUrl: "http://other/api" }, env)).toMatchObject({
      token: "opt",
      guildIds: [GUILD],
      apiUrl: "http://other/api",
    });
  });
});

describe("/checkin definition and text", () => {
  it("keeps every name and description within Discord's limits", () => {
    const command = checkinCommandDefinition();
    expect(command.options?.length).toBeLessThanOrEqual(25);
    for (const sub of command.options ?? []) {
      expect(sub.name).toMatch(/^[-_a-z0-9]{1,32}$/);
      expect(sub.description.length).toBeLessThanOrEqual(100);
    }
  });

  it("offers every subcommand of the shared grammar", () => {
    const offered = (checkinCommandDefinition().options ?? []).map((sub) => sub.name).sort();
    expect(offered).toEqual(Object.keys(USAGE).sort());
    expect(commandText("digest", [{ name: "when", value: "mon 08:00" }])).toBe("digest mon 08:00");
    expect(parseCommand(commandText("digest", [{ name: "when", value: "off" }]))).toEqual({ ok: true, command: { name: "digest", off: true } });
  });

  it("writes options in grammar order, users as mentions", () => {
    expect(commandText("enroll", [
      { name: "locale", value: "ro" },
      { name: "schedule", value: "mon,thu  09:30 45m" },
      { name: "therapist", value: "2" },
      { name: "client", value: "1" },
      { name: "delay", value: "15m" },
    ])).toBe("enroll <@1> <@2> mon,thu 09:30 45m delay=15m locale=ro");
    expect(commandText("settings", [{ name: "key", value: "quiet_hours" }, { name: "value", value: "22:00-08:00" }])).toBe("settings quiet_hours 22:00-08:00");
    expect(commandText("erase-me", [])).toBe("erase-me");
    // The erasure confirmation code is an option of its own on Discord.
    expect(parseCommand(commandText("erase-me", [{ name: "confirm", value: "k7q2px" }]))).toEqual({ ok: true, command: { name: "erase-me", confirm: "K7Q2PX" } });
    expect(parseCommand(commandText("erase", [{ name: "client", value: "123456789012345678" }, { name: "confirm", value: "K7Q2PX" }]))).toEqual({
      ok: true,
      command: { name: "erase", client: { userId: "123456789012345678" }, confirm: "K7Q2PX" },
    });
  });

  it("autocompletes at most 25 time zones, prefix matches first", () => {
    const zones = autocompleteChoices("tz", "bucha");
    expect(zones.map((z) => z.value)).toEqual(["Europe/Bucharest"]);
    expect(autocompleteChoices("tz", "Europe/").length).toBe(25);
    expect(autocompleteChoices("tz", "utc").map((z) => z.value)).toContain("UTC");
    expect(autocompleteChoices("other", "x")).toEqual([]);
  });
});

describe("Discord renderers", () => {
  it("fits the fullest prompt into five rows of at most five buttons", () => {
    for (const opts of [{}, { talked: true }, { tension: false }, { comment: false, talked: true }]) {
      const rows = promptRows(promptView("ck", opts));
      expect(rows.length).toBeLessThanOrEqual(5);
      for (const row of rows) expect(row.components.length).toBeLessThanOrEqual(5);
    }
    const full = promptRows(promptView("ck", { talked: true }));
    expect(full.at(-1)?.components.map((c) => c.label)).toEqual(["yes", "partly", "no", "Add a comment", "Skip"]);
  });

  it("a button's custom id is its action id, with no guild; an earlier version's guild prefix is accepted and ignored", () => {
    const ids = promptRows(promptView("ck")).flatMap((row) => row.components.map((c) => c.custom_id));
    expect(ids).toContain("ci:ck:skip");
    expect(ids.every((id) => !id.includes("|") && !id.includes(GUILD))).toBe(true);
    expect(actionIdOf(`${GUILD}|ci:a:skip`)).toBe("ci:a:skip");
    expect(actionIdOf("ci:a:skip")).toBe("ci:a:skip");
  });

  it("renders alerts with the client mention in content and never pings", () => {
    const payload = renderView(alertView("a1", "42"));
    expect(payload.content).toContain("<@42>");
    expect(payload.allowed_mentions).toEqual({ parse: [] });
    expect(payload.components[0]?.components.map((c) => c.label)).toEqual(["ack", "repaired", "snooze"]);
  });

  it("clears buttons and embeds on a closed view", () => {
    expect(renderView({ kind: "closed", text: "Closed" })).toMatchObject({ content: "Closed", components: [], embeds: [] });
  });

  it("splits long text on line breaks", () => {
    expect(splitContent(`${"a".repeat(10)}\n${"b".repeat(10)}`, 15)).toEqual(["a".repeat(10), "b".repeat(10)]);
    expect(splitContent("c".repeat(30), 15)).toEqual(["c".repeat(15), "c".repeat(15)]);
  });
});
