// The README, .env.example and the in-chat help describe the code as it is: every environment
// variable, settings key, subcommand and npm script they name exists, and everything that exists
// is named.

import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { EnvSchema } from "../../src/config/env.ts";
import { SETTING_KEYS } from "../../src/core/commands/settings.ts";
import { USAGE } from "../../src/core/commands/grammar.ts";
import type { CommandName } from "../../src/core/commands/grammar.ts";
import { catalogs } from "../../src/i18n/index.ts";
import { LOCALES } from "../../src/core/model.ts";

const ROOT = new URL("../..", import.meta.url);
const read = (file: string) => readFileSync(new URL(file, ROOT), "utf8");
const README = read("README.md");
const ENV_EXAMPLE = read(".env.example");
const PACKAGE = JSON.parse(read("package.json")) as { scripts: Record<string, string> };
const VARIABLES = Object.keys(EnvSchema.shape);
const SUBCOMMANDS = Object.keys(USAGE) as CommandName[];
/** The fake load-test platform is documented in the README but kept out of the starter .env. */
const TEST_ONLY = new Set(["CHAT_SINK_FILE", "CHAT_SINK_LATENCY_MS"]);

function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  expect(start, heading).toBeGreaterThan(-1);
  const end = markdown.indexOf("\n## ", start + 4);
  return markdown.slice(start, end === -1 ? undefined : end);
}

describe("environment variables", () => {
  it("the README configuration table lists every variable the code reads, and only those", () => {
    const table = section(README, "Configuration");
    const named = new Set([...table.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]));
    for (const variable of VARIABLES) expect(named.has(variable), variable).toBe(true);
    for (const variable of named) expect(VARIABLES, variable).toContain(variable);
  });

  it(".env.example has a line for every variable except the load-test ones, and no unknown ones", () => {
    const keys = new Set([...ENV_EXAMPLE.matchAll(/^([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));
    for (const variable of VARIABLES.filter((v) => !TEST_ONLY.has(v))) expect(keys.has(variable), variable).toBe(true);
    for (const key of keys) expect(VARIABLES, key).toContain(key);
  });
});

describe("commands and settings", () => {
  it("the README command block names every subcommand, and only real ones", () => {
    // Optional parts in brackets ("[<weekday> <HH:mm> | off]") are arguments, not subcommands.
    const block = (/## Commands[\s\S]*?```\n([\s\S]*?)```/.exec(README)?.[1] ?? "").replace(/\[[^\]]*\]/g, "");
    const named = new Set([...block.matchAll(/(?:\/checkin|\|)\s+([a-z][a-z-]*)/g)].map((m) => m[1]));
    for (const name of SUBCOMMANDS) expect(named.has(name), name).toBe(true);
    for (const name of named) expect(SUBCOMMANDS, name).toContain(name);
  });

  it("the README names every settings key, and each named key exists", () => {
    const paragraph = /Practice settings \(`\/checkin settings[\s\S]*?\n\n/.exec(README)?.[0] ?? "";
    for (const key of SETTING_KEYS) expect(paragraph, key).toContain(`\`${key}\``);
    const named = [...paragraph.matchAll(/`([a-z_]+)`/g)].map((m) => m[1]).filter((k) => !["on", "off"].includes(k!));
    for (const key of named) expect(SETTING_KEYS, key).toContain(key);
  });

  it.each(LOCALES)("the %s help text mentions every subcommand", (locale) => {
    const help = ["help.header", "help.client", "help.therapist", "help.admin"].map((key) => catalogs[locale][key as "help.header"]).join(" ");
    for (const name of SUBCOMMANDS.filter((n) => n !== "help")) expect(help, `${locale}: ${name}`).toMatch(new RegExp(`(?:/checkin|·)\\s+${name}\\b`));
  });
});

describe("npm scripts", () => {
  it("every `npm run <script>` in the README exists in package.json", () => {
    const scripts = [...README.matchAll(/npm run ([a-z:-]+)/g)].map((m) => m[1]!);
    expect(scripts.length).toBeGreaterThan(3);
    for (const script of scripts) expect(PACKAGE.scripts, script).toHaveProperty(script);
  });
});

describe("README sections the issues ask for", () => {
  it("documents the reliable-drop formula and its floor", () => {
    const rci = section(README, "Rupture detection in brief");
    expect(rci).toContain("s*  = max(s, rci_floor)");
    expect(rci).toContain("RCI = (m − x) / (s* · √(1 + 1/n))");
    expect(rci).toContain("rci_z");
  });

  it("has an honest compliance section", () => {
    const compliance = section(README, "Privacy and compliance");
    for (const needle of ["Slack's terms forbid using Slack to communicate with patients", "BAA on", "Discord offers no BAA", "training clinics", "coaching", "explicitly consented", "tidy mode", "encrypted", "RETENTION_DAYS", "What your practice must still do"]) {
      expect(compliance, needle).toContain(needle);
    }
  });
});

describe("deployment and benchmark agree", () => {
  it("the benchmark runs with the Node.js flags the Dockerfile starts the bot with", async () => {
    const { BOT_NODE_FLAGS } = await import("../../bench/support.ts");
    const cmd = /^CMD (\[.*\])$/m.exec(read("Dockerfile"))?.[1];
    expect(cmd, "Dockerfile CMD in exec form").toBeDefined();
    const argv = JSON.parse(cmd as string) as string[];
    expect(argv[0]).toBe("node");
    expect(argv.at(-1)).toBe("dist/src/main.js");
    expect(argv.slice(1, -1)).toEqual(BOT_NODE_FLAGS);
    expect(BOT_NODE_FLAGS.length).toBeGreaterThan(0);
  });
});

describe("CONTRIBUTING.md", () => {
  const CONTRIBUTING = read("CONTRIBUTING.md");

  it("every file and folder it names exists", () => {
    const paths = [...CONTRIBUTING.matchAll(/`((?:src|adapters|test|prisma|scripts|docs)\/[^`<>*\s]+)`/g)].map((m) => m[1]!);
    expect(paths.length).toBeGreaterThan(20);
    for (const p of paths) expect(existsSync(new URL(p, ROOT)), p).toBe(true);
  });

  it("every npm script it names exists", () => {
    const scripts = [...CONTRIBUTING.matchAll(/`npm run ([a-z:-]+)/g)].map((m) => m[1]!);
    for (const script of scripts) expect(Object.keys(PACKAGE.scripts), script).toContain(script);
  });

  it("has the five how-tos, each in at most a handful of steps", () => {
    for (const heading of ["Add a column", "Add a rupture signal", "Add a locale key", "Add a subcommand", "Add a platform"]) {
      const body = section(CONTRIBUTING, heading);
      const steps = body.match(/^\d+\. /gm) ?? [];
      expect(steps.length, heading).toBeGreaterThan(0);
      expect(steps.length, heading).toBeLessThanOrEqual(6);
    }
  });

  it("names the code it points to: ROW_SCHEMAS, SUBCOMMANDS, HANDLERS, runAdapterContract exist where it says", () => {
    expect(read("src/store/row-schemas.ts")).toContain("export const ROW_SCHEMAS");
    expect(read("src/core/commands/grammar.ts")).toContain("const SUBCOMMANDS");
    expect(read("src/core/commands/handlers.ts")).toContain("const HANDLERS");
    expect(read("src/core/commands/catalogue.ts")).toContain("export const USAGE");
    expect(read("test/contract/adapter-contract.ts")).toContain("export function runAdapterContract");
    expect(read("test/i18n/locales.test.ts")).toContain("const SIGNAL_CODES");
  });
});
