// One error model: every named error extends CodedError, codes are stable and unique, the
// original cause is kept, messages carry no secret or clinical data, and the CLIs print the code.

import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { asCodedError, CodedError, ERROR_CODES } from "../../src/ports/errors.ts";
import { ConfigError, loadEnv } from "../../src/config/env.ts";
import { StoreError } from "../../src/store/errors.ts";
import { providerOf, sqliteFilePath } from "../../src/store/database.ts";
import { acquireSqliteInstanceLock, InstanceLockedError } from "../../src/runtime/instance-lock.ts";
import { AesGcmCommentCipher, KeyError, parseKey } from "../../src/security/comment-cipher.ts";
import { HistoryInputError, readHistory } from "../../src/evaluate/history.ts";
import { runEvaluate } from "../../src/evaluate/cli.ts";
import { StartupError } from "../../src/main.ts";
import { cliErrorText } from "../../src/runtime/cli-errors.ts";
import { DiscordAdapterError, DiscordConfigError, DiscordRegistrationError } from "../../adapters/discord/errors.ts";
import { resolveSettings } from "../../adapters/discord/config.ts";
import { InvalidSlackConfigError, MissingSlackConfigError, SlackAdapterError } from "../../adapters/slack/errors.ts";
import { resolveSlackSettings } from "../../adapters/slack/config.ts";

const ROOT = new URL("../..", import.meta.url);
const SECRET = "Zq7-private-marker";

/** Codes published in docs/operations.md. A code may be added, never renamed or removed. */
const PUBLISHED = [
  "bad_config", "startup_key_required", "startup_no_platform", "startup_public_url_required",
  "bad_encryption_key", "encryption_key_missing", "encryption_key_unknown", "comment_format_unknown",
  "bad_history", "bad_database_url", "sqlite_in_use", "migrations_missing", "migration_unknown",
  "migration_modified", "empty_answer", "answer_lost", "no_atomic_unit", "alert_not_found", "corrupt_row",
  "discord_config", "discord_registration", "discord_application_unknown", "discord_ready_timeout",
  "discord_stopped", "discord_login_failed", "slack_config_missing", "slack_config_invalid",
  "unexpected_response", "action_id_too_long", "internal",
];

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}

function sourceFiles(dir: string): string[] {
  return readdirSync(new URL(dir, ROOT), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .filter((file) => !file.includes(`${path.sep}generated${path.sep}`));
}

describe("error codes", () => {
  it("are unique lowercase words", () => {
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
    for (const code of ERROR_CODES) expect(code).toMatch(/^[a-z][a-z0-9_]*$/);
  });

  it("keep every published code", () => {
    for (const code of PUBLISHED) expect(ERROR_CODES, code).toContain(code);
  });

  it("are all listed in docs/operations.md, and only those", () => {
    const doc = readFileSync(new URL("docs/operations.md", ROOT), "utf8");
    const section = doc.slice(doc.indexOf("\n## Error codes\n"), doc.indexOf("\n## ", doc.indexOf("\n## Error codes\n") + 4));
    const listed = [...section.matchAll(/^\| `([a-z0-9_]+)` \|/gm)].map((m) => m[1]);
    expect([...listed].sort()).toEqual([...ERROR_CODES].sort());
  });

  it("have one base class: no error class in src/ or adapters/ extends Error directly except CodedError and control-flow throws", () => {
    const direct = [...sourceFiles("src"), ...sourceFiles("adapters")].flatMap((file) =>
      [...readFileSync(file, "utf8").matchAll(/class (\w+) extends Error\b/g)].map((m) => `${path.relative(ROOT.pathname, file)}: ${m[1]}`),
    );
    // Throws used as control flow: the command dispatcher, the calendar fetcher and the demo catch
    // them and turn them into a reply, a result value or the demo's exit; none reaches a CLI.
    const controlFlow = ["src/calendar/http-fetcher.ts: FetchFailure", "src/core/commands/guards.ts: Denied", "src/demo.ts: DemoStepFailed"];
    expect(direct.sort()).toEqual(["src/ports/errors.ts: CodedError", ...controlFlow].sort());
  });
});

describe("named errors", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("thrown by config, store, security, evaluate and both adapters are CodedErrors with their code and name", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "coded-errors-"));
    dirs.push(dir);
    const file = path.join(dir, "bot.db");
    const lock = acquireSqliteInstanceLock(file, "first");
    const cases: [unknown, new (...args: never[]) => Error, string, string][] = [
      [thrown(() => loadEnv({ TICK_SECONDS: "soon" })), ConfigError, "bad_config", "ConfigError"],
      [thrown(() => providerOf("mysql://db")), StoreError, "bad_database_url", "StoreError"],
      [thrown(() => sqliteFilePath("file::memory:")), StoreError, "bad_database_url", "StoreError"],
      [thrown(() => acquireSqliteInstanceLock(file, "second")), InstanceLockedError, "sqlite_in_use", "StoreError"],
      [thrown(() => parseKey("short")), KeyError, "bad_encryption_key", "KeyError"],
      [thrown(() => new AesGcmCommentCipher(Buffer.alloc(32, 1)).decrypt("v1.a.b.c", "ffffffff")), KeyError, "encryption_key_unknown", "KeyError"],
      [thrown(() => readHistory("date,goal,task,bond\n2026-01-05,5,9,5\n")), HistoryInputError, "bad_history", "HistoryInputError"],
      [thrown(() => resolveSettings({}, {})), DiscordConfigError, "discord_config", "DiscordConfigError"],
      [thrown(() => resolveSlackSettings({}, {})), MissingSlackConfigError, "slack_config_missing", "MissingSlackConfigError"],
      [thrown(() => resolveSlackSettings({ botToken: "xoxb-1", signingSecret: "s", apiUrl: "ftp://x" }, {})), InvalidSlackConfigError, "slack_config_invalid", "InvalidSlackConfigError"],
    ];
    lock.release();
    for (const [error, type, code, name] of cases) {
      expect(error).toBeInstanceOf(type);
      expect(error).toBeInstanceOf(CodedError);
      expect(error).toMatchObject({ code, name });
      expect(asCodedError(error)).toBe(error);
    }
    expect(new StartupError("startup_no_platform", "no chat platform is configured")).toMatchObject({ code: "startup_no_platform", name: "StartupError" });
    expect(new DiscordAdapterError("discord_stopped", "stopped")).toBeInstanceOf(CodedError);
    expect(new SlackAdapterError("unexpected_response", "no ts")).toBeInstanceOf(CodedError);
  });

  it("keep the original cause", () => {
    const cause = new Error("socket hang up");
    expect(new StoreError("answer_lost", "the answer could not be read back", { cause }).cause).toBe(cause);
    expect(new DiscordRegistrationError("100000000000000001", { cause }).cause).toBe(cause);
    expect(new InvalidSlackConfigError("SLACK_API_URL", cause).cause).toBe(cause);
    const slack = thrown(() => resolveSlackSettings({ botToken: "xoxb-1", signingSecret: "s", apiUrl: "not a url" }, {})) as InvalidSlackConfigError;
    expect(slack.cause).toBeInstanceOf(Error);
    const unknown = asCodedError(cause);
    expect(unknown).toMatchObject({ code: "internal", message: "unexpected error" });
    expect(unknown.cause).toBe(cause);
    expect(asCodedError("a string").cause).toBe("a string");
  });

  it("carry no secret or clinical data in their messages", () => {
    const messages = [
      thrown(() => loadEnv({ DATABASE_URL: `mysql://user:${SECRET}@db/bot` })),
      thrown(() => loadEnv({ SLACK_API_URL: SECRET, PUBLIC_URL: SECRET, METRICS_TOKEN: "x", LOG_LEVEL: SECRET })),
      thrown(() => parseKey(SECRET)),
      thrown(() => parseKey(SECRET, "DATA_ENCRYPTION_PREVIOUS_KEYS")),
      thrown(() => providerOf(`mysql://user:${SECRET}@db/bot`)),
      thrown(() => resolveSlackSettings({ botToken: "xoxb-1", signingSecret: "s", apiUrl: `ftp://${SECRET}` }, {})),
      thrown(() => resolveSettings({}, { DISCORD_TOKEN: SECRET, DISCORD_GUILD_IDS: "abc" })),
      // A JSON history whose comment is cut off mid-file: the parser's message must not quote it.
      thrown(() => readHistory(`[{"date": "2026-01-05", "goal": 5, "task": 5, "bond": 5, "comment": "${SECRET}" x}]`, "h.json")),
    ].map((error) => (error as Error).message);
    for (const message of messages) expect(message).not.toContain(SECRET);
    expect(messages.at(-1)).toMatch(/^the JSON cannot be read: it is not valid JSON/);
  });
});

describe("the CLIs print the code", () => {
  it("the start-up and rotate-key error text ends with the code", () => {
    const config = thrown(() => loadEnv({ TICK_SECONDS: "soon" }));
    expect(cliErrorText("alliance-checkin", config, "start-up failed")).toMatch(/^alliance-checkin: invalid configuration:\n[\s\S]*\nalliance-checkin: error code bad_config\n$/);
    expect(cliErrorText("rotate-key", new KeyError("encryption_key_missing", "DATA_ENCRYPTION_KEY is not set"), "failed")).toBe(
      "rotate-key: DATA_ENCRYPTION_KEY is not set\nrotate-key: error code encryption_key_missing\n",
    );
    expect(cliErrorText("alliance-checkin", new TypeError("boom"), "start-up failed")).toBe("alliance-checkin: start-up failed\nTypeError: boom\nalliance-checkin: error code internal\n");
  });

  it("npm run evaluate prints the code after the message", async () => {
    const result = await runEvaluate(["bad.csv"], () => "date,goal,task,bond\n2026-01-05,5,9,5\n");
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('bad.csv: line 2: task must be a whole number from 1 to 5, got "9"\nerror code bad_history\n');
  });
});
