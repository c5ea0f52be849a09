import { readdirSync, readFileSync } from "node:fs";
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
    // Clients type /checkin in the bot's DM: a read-only Messages tab would hide the composer.
    expect(manifest).toMatch(/messages_tab_enabled: true/);
    expect(manifest).toMatch(/messages_tab_read_only_enabled: false/);
    expect(manifest).not.toMatch(/^\s+- message\.im/m);
    expect(manifest.match(/https:\/\/YOUR-HOST\.example\/slack\/events/g)).toHaveLength(3);
  });

  it("has a scope for every Web API method the adapter calls", () => {
    // Slack's documented bot scope per method; views.* and auth.test need none.
    const scopeOf: Record<string, string | null> = {
      "chat.postMessage": "chat:write",
      "chat.update": "chat:write",
      "chat.delete": "chat:write",
      "chat.postEphemeral": "chat:write",
      "conversations.open": "im:write",
      "users.info": "users:read",
      "users.list": "users:read",
      "views.open": null,
      "views.publish": null,
      filesUploadV2: "files:write",
    };
    const folder = new URL("../../../adapters/slack/", import.meta.url);
    const source = readdirSync(folder).filter((f) => f.endsWith(".ts")).map((f) => readFileSync(new URL(f, folder), "utf8")).join("\n");
    const called = new Set([...source.matchAll(/client\.([a-z]+\.[a-zA-Z]+)\(|client\.(filesUploadV2)\(/g)].map((m) => m[1] ?? m[2] ?? ""));
    expect(called.size).toBeGreaterThan(5);
    for (const method of called) {
      expect(Object.keys(scopeOf), `scope of ${method} unknown: add it here and to manifest.yaml`).toContain(method);
      const scope = scopeOf[method];
      if (scope) expect(manifest).toMatch(new RegExp(`^\\s+- ${scope}\\s+#`, "m"));
    }
  });
});
