// Data at rest: production refuses to start without a well-formed DATA_ENCRYPTION_KEY, local mode
// keeps a private key file, and the SQLite file (and its WAL) never holds comment plaintext.

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { KeyError, loadOrCreateLocalKey } from "../../src/security/comment-cipher.ts";
import { sqliteFilePath } from "../../src/store/database.ts";
import type { EngineFixture } from "../support/engine-fixture.ts";
import { answer, comment, enrollAndPrompt, privacyFixture } from "../privacy/support.ts";

const ROOT = new URL("../..", import.meta.url).pathname;

describe("production start-up and the encryption key", () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  function start(key: string | undefined) {
    const dir = mkdtempSync(path.join(tmpdir(), "checkin-start-"));
    dirs.push(dir);
    return spawnSync("npx", ["tsx", "src/main.ts"], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "",
        NODE_ENV: "production",
        DATABASE_URL: `file:${path.join(dir, "bot.db")}`,
        SLACK_BOT_TOKEN: "xoxb-not-used",
        SLACK_SIGNING_SECRET: "not-used",
        // An empty value also keeps a developer's .env from supplying a key.
        DATA_ENCRYPTION_KEY: key ?? "",
        DATA_ENCRYPTION_PREVIOUS_KEYS: "",
      },
      encoding: "utf8",
      timeout: 60_000,
    });
  }

  it("refuses a missing key with exit code 1 and says how to make one", () => {
    const result = start(undefined);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("alliance-checkin: DATA_ENCRYPTION_KEY is required in production (32 random bytes as hex; generate with: openssl rand -hex 32)");
    expect(existsSync(path.join(dirs[0]!, "bot.db"))).toBe(false); // stopped before touching the database
  }, 60_000);

  it.each([
    ["too short", "abcdef"],
    ["not hex or base64", "z".repeat(64)],
    ["31 bytes", "ab".repeat(31)],
  ])("refuses a malformed key (%s) with a clear message", (_label, key) => {
    const result = start(key);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("alliance-checkin: DATA_ENCRYPTION_KEY must be 32 random bytes as 64 hex characters or base64");
    expect(result.stderr).not.toContain(key); // the bad value is not echoed into logs
  }, 60_000);

  it("local mode keeps the generated key in an owner-only file and reuses it", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "checkin-key-"));
    dirs.push(dir);
    const file = path.join(dir, "local-encryption.key");
    const first = loadOrCreateLocalKey(file);
    expect(first.created).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const second = loadOrCreateLocalKey(file);
    expect(second.created).toBe(false);
    expect(second.key.equals(first.key)).toBe(true);
    writeFileSync(file, "not a key\n");
    expect(() => loadOrCreateLocalKey(file)).toThrow(KeyError);
  });
});

describe("raw bytes of the SQLite file", () => {
  let f: EngineFixture | undefined;
  afterEach(async () => f?.dispose());

  const CANARY = "CANARY-7f3a: my therapist never listens to me — עברית ومرحبا 🙂";
  const needles = (text: string): Buffer[] => [
    Buffer.from(text, "utf8"),
    Buffer.from(text, "utf16le"),
    Buffer.from("CANARY-7f3a", "utf8"),
    Buffer.from("never listens", "utf8"),
    Buffer.from("CANARY-7f3a", "utf16le"),
  ];

  function assertNoPlaintext(file: string): number {
    if (!existsSync(file)) return 0;
    const bytes = readFileSync(file);
    for (const needle of needles(CANARY)) expect(bytes.indexOf(needle)).toBe(-1);
    return bytes.length;
  }

  it("holds no comment plaintext in the database file or its write-ahead log, open or closed", async () => {
    const made = await privacyFixture();
    f = made.f;
    const prompt = await enrollAndPrompt(f, made.platform);
    await answer(f, "alice", prompt, [3, 3, 3]);
    expect((await comment(f, "alice", prompt.checkInId, CANARY)).refused).toBeFalsy();
    // The comment really is stored, and really is this text once decrypted.
    const row = (await f.db.sql.query<{ c: string; k: string }>(`SELECT "commentCipher" AS "c", "commentKeyId" AS "k" FROM "Response"`))[0]!;
    expect(f.cipher.decrypt(row.c, row.k)).toBe(CANARY);

    const dbFile = sqliteFilePath(f.databaseUrl);
    const sizes = [assertNoPlaintext(dbFile), assertNoPlaintext(`${dbFile}-wal`)];
    expect(sizes[1]).toBeGreaterThan(0); // the write went through the WAL, and it was searched
    await f.close(); // checkpoints the WAL into the main file
    assertNoPlaintext(dbFile);
    assertNoPlaintext(`${dbFile}-wal`);
  });
});
