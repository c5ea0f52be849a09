import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const manifest = readFileSync(new URL("../../../adapters/slack/manifest.yaml", import.meta.url), "utf8");

describe("Slack app manifest", () => {
  it("asks for every scope the adapter's Web API calls need", () => {
    const scopes = [...manifest.matchAll(/^\s+- ([a-z:.]+)\s+#/gm)].map((m) => m[1]);
    expect(scopes.sort()).toEqual(["chat:write", "commands", "files:write", "im:write", "users:read"]);
  });

  it("declares the command, the event, interactivity and the App Home tab", () => {
    expect(manifest).toMatch(/- command: \/checkin/);
    expect(manifest).toMatch(/should_escape: true/);
    expect(manifest).toMatch(/bot_events:\n\s+- app_home_opened/);
    expect(manifest).toMatch(/interactivity:\n\s+is_enabled: true/);
    expect(manifest).toMatch(/home_tab_enabled: true/);
    expect(manifest.match(/https:\/\/YOUR-HOST\.example\/slack\/events/g)).toHaveLength(3);
  });
});
