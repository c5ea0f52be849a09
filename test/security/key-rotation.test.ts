// Comment key rotation: resumable after an interruption, safe next to a running bot (a comment
// saved meanwhile is never overwritten), honest about keys it cannot read, and the CLI.

import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEngineFixture } from "../support/engine-fixture.ts";
import type { EngineFixture } from "../support/engine-fixture.ts";
import { AesGcmCommentCipher, keyIdOf } from "../../src/security/comment-cipher.ts";
import { rotateCommentKeys } from "../../src/privacy/key-rotation.ts";
import type { PrivacyStore } from "../../src/ports/privacy-store.ts";

const ROOT = new URL("../..", import.meta.url).pathname;

let f: EngineFixture;
let keyA: Buffer;
let keyB: Buffer;
let texts: Map<string, string>;

/** `n` check-ins for one enrollment, each with a comment encrypted under `cipher`. */
async function seedComments(n: number, cipher: AesGcmCommentCipher, offset = 0): Promise<string[]> {
  const practice = await f.store.ensurePractice("terminal", "local");
  let enrollment = await f.store.listEnrollments(practice.id).then((list) => list[0]);
  if (!enrollment) {
    await f.command("admin", "enroll alice bob mon 09:00 50m UTC", { admin: true });
    enrollment = (await f.store.listEnrollments(practice.id))[0]!;
  }
  const ids: string[] = [];
  for (let i = offset; i < offset + n; i++) {
    const end = new Date(Date.UTC(2025, 0, 1) + i * 3600_000);
    const checkIn = (await f.store.insertCheckIn({ enrollmentId: enrollment.id, kind: "now", sessionEndAt: end, dueAt: end, remindAt: end, closesAt: end }))!;
    const text = `comment ${i} — ş ț 🙂`;
    const sealed = cipher.encrypt(text);
    await f.store.saveComment(checkIn.id, sealed.cipher, sealed.keyId, end);
    texts.set(checkIn.id, text);
    ids.push(checkIn.id);
  }
  return ids;
}

async function storedComments(): Promise<{ checkInId: string; cipher: string; keyId: string }[]> {
  return f.db.sql.query(`SELECT "checkInId", "commentCipher" AS "cipher", "commentKeyId" AS "keyId" FROM "Response" ORDER BY "checkInId"`);
}

beforeEach(async () => {
  f = await createEngineFixture();
  keyA = randomBytes(32);
  keyB = randomBytes(32);
  texts = new Map();
});
afterEach(async () => f.dispose());

describe("rotateCommentKeys", () => {
  it("re-encrypts in batches, survives an interruption, and never overwrites a comment saved meanwhile", async () => {
    await seedComments(12, new AesGcmCommentCipher(keyA));
    const rotating = new AesGcmCommentCipher(keyB, [keyA]);

    // First run is interrupted after its first batch (process killed, deploy, Ctrl-C).
    const progress: number[] = [];
    await expect(
      rotateCommentKeys(f.privacy, rotating, {
        batchSize: 5,
        onProgress: (p) => {
          progress.push(p.reencrypted);
          throw new Error("interrupted");
        },
      }),
    ).rejects.toThrow("interrupted");
    expect(progress).toEqual([5]);
    const halfway = await storedComments();
    expect(halfway.filter((c) => c.keyId === keyIdOf(keyB))).toHaveLength(5);
    expect(halfway.filter((c) => c.keyId === keyIdOf(keyA))).toHaveLength(7);

    // The running bot (already on the new key) saves a new comment on a row the rotation has
    // read but not yet written: the rotation must not clobber it.
    let raced = false;
    const racing: PrivacyStore = Object.create(f.privacy);
    racing.replaceComment = async (responseId, expectedKeyId, cipher, keyId, now) => {
      if (!raced) {
        raced = true;
        const row = (await f.db.sql.query<{ checkInId: string }>(`SELECT "checkInId" FROM "Response" WHERE "id" = ?`, [responseId]))[0]!;
        const fresh = rotating.encrypt("edited while rotating");
        await f.store.saveComment(row.checkInId, fresh.cipher, fresh.keyId, new Date());
        texts.set(row.checkInId, "edited while rotating");
      }
      return f.privacy.replaceComment(responseId, expectedKeyId, cipher, keyId, now);
    };
    const seen: string[] = [];
    const result = await rotateCommentKeys(racing, rotating, { batchSize: 5, onProgress: (p) => seen.push(`${p.batch}:${p.reencrypted}`) });
    expect(result).toMatchObject({ total: 7, reencrypted: 6, skipped: 1, failed: 0, remaining: 0, missingKeyIds: [] });
    expect(seen).toEqual(["1:4", "2:6"]);

    // Everything now opens with the new key alone, and reads back exactly.
    const onlyB = new AesGcmCommentCipher(keyB);
    for (const row of await storedComments()) {
      expect(row.keyId).toBe(keyIdOf(keyB));
      expect(onlyB.decrypt(row.cipher, row.keyId)).toBe(texts.get(row.checkInId));
    }

    // Safe to run again: nothing left to do.
    expect(await rotateCommentKeys(f.privacy, rotating)).toMatchObject({ total: 0, reencrypted: 0, remaining: 0 });
  });

  it("reports comments under a key it does not hold and leaves them untouched", async () => {
    const keyC = randomBytes(32);
    await seedComments(3, new AesGcmCommentCipher(keyA));
    await seedComments(2, new AesGcmCommentCipher(keyC), 10);
    const result = await rotateCommentKeys(f.privacy, new AesGcmCommentCipher(keyB, [keyA]), { batchSize: 2 });
    expect(result).toMatchObject({ reencrypted: 3, failed: 2, remaining: 2, missingKeyIds: [keyIdOf(keyC)] });
    const underC = (await storedComments()).filter((c) => c.keyId === keyIdOf(keyC));
    expect(underC.map((c) => new AesGcmCommentCipher(keyC).decrypt(c.cipher, c.keyId)).sort()).toEqual(["comment 10 — ş ț 🙂", "comment 11 — ş ț 🙂"]);
  });
});

describe("npm run rotate-key", () => {
  const run = (args: string[], env: Record<string, string>) =>
    spawnSync("npx", ["tsx", "src/privacy/rotate-key.ts", ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", DATA_ENCRYPTION_KEY: "", DATA_ENCRYPTION_PREVIOUS_KEYS: "", ...env },
      encoding: "utf8",
      timeout: 60_000,
    });

  it("re-encrypts with progress output while the bot's database stays open, and a re-run is a no-op", async () => {
    await seedComments(9, new AesGcmCommentCipher(keyA));
    const env = { DATABASE_URL: f.databaseUrl, DATA_ENCRYPTION_KEY: keyB.toString("hex"), DATA_ENCRYPTION_PREVIOUS_KEYS: keyA.toString("hex") };
    const first = run(["--batch-size=4"], env);
    expect(first.stderr).toBe("");
    expect(first.status).toBe(0);
    expect(first.stdout).toContain(`current key id: ${keyIdOf(keyB)}`);
    expect(first.stdout).toContain(`comments by key id: ${keyIdOf(keyA)}=9`);
    expect(first.stdout).toMatch(/batch 1: 4\/9 processed \(4 re-encrypted, 0 changed meanwhile, 0 failed\)\nbatch 2: 8\/9 processed[^\n]*\nbatch 3: 9\/9 processed/);
    expect(first.stdout).toContain("done: 9 re-encrypted, 0 changed meanwhile, 0 failed, 0 remaining under old keys");
    // The bot's own open connection reads the re-encrypted rows with the new keyring.
    const rows = await storedComments();
    expect(rows.every((r) => r.keyId === keyIdOf(keyB))).toBe(true);
    const again = run([], env);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain("done: 0 re-encrypted");
  }, 60_000);

  it("stops with a clear message without the new key, and exits 2 when an old key is missing", async () => {
    await seedComments(2, new AesGcmCommentCipher(keyA));
    const missing = run([], { DATABASE_URL: f.databaseUrl });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/rotate-key: DATA_ENCRYPTION_KEY is not set/);
    const withoutOld = run([], { DATABASE_URL: f.databaseUrl, DATA_ENCRYPTION_KEY: keyB.toString("hex") });
    expect(withoutOld.status).toBe(2);
    expect(withoutOld.stderr).toContain(`could not decrypt comments under key ids ${keyIdOf(keyA)}`);
    const generated = run(["--generate"], {});
    expect(generated.status).toBe(0);
    expect(generated.stdout.trim()).toMatch(/^[0-9a-f]{64}$/);
  }, 60_000);
});
