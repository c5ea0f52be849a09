// Key rotation: comments and therapists' alert notes. Resumable after an interruption, safe next
// to a running bot (a comment saved meanwhile is never overwritten), honest about keys it cannot
// read, and the CLI; afterwards everything opens with the new key alone.

import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEngineFixture } from "../support/engine-fixture.ts";
import type { EngineFixture } from "../support/engine-fixture.ts";
import { AesGcmCommentCipher, keyIdOf } from "../../src/security/comment-cipher.ts";
import { rotateAlertNoteKeys, rotateCommentKeys } from "../../src/privacy/key-rotation.ts";
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
    const checkIn = (await f.store.insertCheckIn({ enrollmentId: enrollment.id, kind: "scheduled", sessionEndAt: end, dueAt: end, remindAt: end, closesAt: end }))!;
    const text = `comment ${i} — ş ț 🙂`;
    const sealed = cipher.encrypt(text);
    await f.store.saveComment(checkIn.id, sealed.cipher, sealed.keyId, end);
    texts.set(checkIn.id, text);
    ids.push(checkIn.id);
  }
  return ids;
}

/** `n` therapist's notes on one alert of the enrollment, encrypted under `cipher`; returns the alert's enrollment id. */
async function seedAlertNotes(n: number, cipher: AesGcmCommentCipher, offset = 0): Promise<string> {
  const practice = await f.store.ensurePractice("terminal", "local");
  let enrollment = await f.store.listEnrollments(practice.id).then((list) => list[0]);
  if (!enrollment) {
    await f.command("admin", "enroll alice bob mon 09:00 50m UTC", { admin: true });
    enrollment = (await f.store.listEnrollments(practice.id))[0]!;
  }
  const bob = (await f.store.findPerson(practice.id, "bob"))!;
  const alert = (await f.store.unresolvedAlert(enrollment.id)) ?? (await f.store.createAlert({ enrollmentId: enrollment.id, checkInId: null, severity: "normal", signals: [], createdAt: new Date(Date.UTC(2025, 0, 1)) }))!;
  for (let i = offset; i < offset + n; i++) {
    const text = `note ${i}: raise the homework pace — ş ț`;
    const sealed = cipher.encrypt(text);
    await f.dashboard.store.addAlertNote({ alertId: alert.id, authorId: bob.id, change: "ack", noteCipher: sealed.cipher, noteKeyId: sealed.keyId, createdAt: new Date(Date.UTC(2025, 0, 2) + i * 60_000) });
  }
  return enrollment.id;
}

/** The alert notes as the dashboard's client page reads them, decrypted with `cipher` alone. */
async function readNotes(enrollmentId: string, cipher: AesGcmCommentCipher): Promise<string[]> {
  const history = await f.dashboard.store.alertHistory(enrollmentId, 10);
  return history.flatMap((h) => h.notes.map((n) => cipher.decrypt(n.noteCipher, n.noteKeyId)));
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

describe("rotateAlertNoteKeys", () => {
  it("re-encrypts the therapists' alert notes in batches; they then open with the new key alone", async () => {
    const enrollmentId = await seedAlertNotes(7, new AesGcmCommentCipher(keyA));
    const before = await readNotes(enrollmentId, new AesGcmCommentCipher(keyA));
    expect(before).toHaveLength(7);
    // Before the rotation the new key alone cannot read them.
    await expect(readNotes(enrollmentId, new AesGcmCommentCipher(keyB))).rejects.toThrow();
    const result = await rotateAlertNoteKeys(f.privacy, new AesGcmCommentCipher(keyB, [keyA]), { batchSize: 3 });
    expect(result).toEqual({ reencrypted: 7, skipped: 0, failed: 0, remaining: 0, missingKeyIds: [] });
    const keys = await f.db.sql.query<{ noteKeyId: string }>(`SELECT "noteKeyId" FROM "AlertNote"`);
    expect(keys.map((k) => k.noteKeyId)).toEqual(Array(7).fill(keyIdOf(keyB)));
    expect(await readNotes(enrollmentId, new AesGcmCommentCipher(keyB))).toEqual(before);
    expect(await rotateAlertNoteKeys(f.privacy, new AesGcmCommentCipher(keyB, [keyA]))).toMatchObject({ reencrypted: 0, remaining: 0 });
  });

  it("reports notes under a key it does not hold and leaves them untouched", async () => {
    const keyC = randomBytes(32);
    await seedAlertNotes(2, new AesGcmCommentCipher(keyA));
    await seedAlertNotes(1, new AesGcmCommentCipher(keyC), 10);
    const result = await rotateAlertNoteKeys(f.privacy, new AesGcmCommentCipher(keyB, [keyA]));
    expect(result).toEqual({ reencrypted: 2, skipped: 0, failed: 1, remaining: 1, missingKeyIds: [keyIdOf(keyC)] });
    const [left] = await f.db.sql.query<{ noteCipher: string; noteKeyId: string }>(`SELECT "noteCipher", "noteKeyId" FROM "AlertNote" WHERE "noteKeyId" = ?`, [keyIdOf(keyC)]);
    expect(new AesGcmCommentCipher(keyC).decrypt(left!.noteCipher, left!.noteKeyId)).toBe("note 10: raise the homework pace — ş ț");
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

  it("re-encrypts the therapists' alert notes too: afterwards the old key is no longer needed to read them", async () => {
    await seedComments(2, new AesGcmCommentCipher(keyA));
    const enrollmentId = await seedAlertNotes(3, new AesGcmCommentCipher(keyA));
    const expected = await readNotes(enrollmentId, new AesGcmCommentCipher(keyA));
    const env = { DATABASE_URL: f.databaseUrl, DATA_ENCRYPTION_KEY: keyB.toString("hex"), DATA_ENCRYPTION_PREVIOUS_KEYS: keyA.toString("hex") };
    const first = run(["--batch-size=2"], env);
    expect(first.stderr).toBe("");
    expect(first.status).toBe(0);
    expect(first.stdout).toContain(`alert notes by key id: ${keyIdOf(keyA)}=3`);
    expect(first.stdout).toContain("alert notes: 3 re-encrypted, 0 changed meanwhile, 0 failed, 0 remaining under old keys");
    expect(first.stdout).toContain("all comments and alert notes use the current key");
    // Read back with the new key alone, as the bot does once the old key is removed.
    expect(await readNotes(enrollmentId, new AesGcmCommentCipher(keyB))).toEqual(expected);

    // A note under a key the run was not given: exit 2, named, and left readable under its own key.
    await seedAlertNotes(1, new AesGcmCommentCipher(keyA), 20);
    const withoutOld = run([], { DATABASE_URL: f.databaseUrl, DATA_ENCRYPTION_KEY: keyB.toString("hex") });
    expect(withoutOld.status).toBe(2);
    expect(withoutOld.stderr).toContain(`could not decrypt alert notes under key ids ${keyIdOf(keyA)}`);
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
