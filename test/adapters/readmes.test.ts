// The adapter READMEs walk a practice through setup; they must name what the code reads and does:
// environment variables, the events path, Slack scopes, Discord intents, invite scopes and
// permissions, and the registered subcommands.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DM_SUBCOMMANDS, SUBCOMMANDS } from "../../adapters/discord/commands.ts";
import { SLACK_EVENTS_PATH } from "../../adapters/slack/receiver.ts";

const read = (path: string): string => readFileSync(new URL(`../../${path}`, import.meta.url), "utf8");
const envReadBy = (source: string): string[] => [...new Set([...source.matchAll(/env\.([A-Z][A-Z0-9_]+)/g)].map((m) => m[1] ?? ""))].sort();
const tableVariables = (readme: string, prefix: string): string[] =>
  [...new Set([...readme.matchAll(new RegExp(`^\\s*\\|\\s*\`(${prefix}[A-Z0-9_]*)\``, "gm"))].map((m) => m[1] ?? ""))].sort();

describe("adapters/slack/README.md", () => {
  const readme = read("adapters/slack/README.md");

  it("lists exactly the environment variables the adapter reads", () => {
    const code = envReadBy(read("adapters/slack/config.ts"));
    expect(code).toEqual(expect.arrayContaining(["SLACK_ADMIN_USER_IDS", "SLACK_API_URL", "SLACK_APP_TOKEN", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"]));
    expect([...tableVariables(readme, "SLACK_"), ...tableVariables(readme, "PORT")].sort()).toEqual(code);
  });

  it("names the events path, Socket Mode's app-token scope and the GovSlack base URL", () => {
    expect(readme).toContain(`POST ${SLACK_EVENTS_PATH}`);
    expect(readme).toContain("`connections:write`");
    expect(readme).toContain("https://slack-gov.com/api/");
  });
});

describe("adapters/discord/README.md", () => {
  const readme = read("adapters/discord/README.md");

  it("lists exactly the environment variables the adapter reads", () => {
    expect(tableVariables(readme, "DISCORD_")).toEqual(envReadBy(read("adapters/discord/config.ts")));
  });

  it("states the intents the client identifies with and an invite URL with its scopes and permission integer", () => {
    const intents = [...read("adapters/discord/index.ts").matchAll(/GatewayIntentBits\.([A-Za-z]+)/g)].map((m) => m[1]);
    expect(intents).toEqual(["Guilds"]);
    expect(readme).toMatch(/non-privileged `Guilds` intent only/);
    const invite = /https:\/\/discord\.com\/oauth2\/authorize\?\S+/.exec(readme)?.[0] ?? "";
    const params = new URL(invite.replace("<APPLICATION_ID>", "1")).searchParams;
    expect(params.get("scope")?.split(" ")).toEqual(["bot", "applications.commands"]);
    expect(params.get("permissions")).toBe("0");
    expect(readme).toContain("Permission integer: **`0`**");
  });

  it("names every registered subcommand", () => {
    for (const sub of SUBCOMMANDS) expect(readme).toContain(`\`${sub.name}\``);
  });

  it("names exactly the subcommands of the bot DM's command", () => {
    const paragraph = /- \*\*In the bot DM\*\*[\s\S]*?(?=\n- \*\*)/.exec(readme)?.[0] ?? "";
    const named = [...paragraph.matchAll(/`([a-z-]+)`/g)].map((m) => m[1]).filter((name) => SUBCOMMANDS.some((sub) => sub.name === name));
    expect([...new Set(named)].sort()).toEqual([...DM_SUBCOMMANDS].sort());
  });
});
