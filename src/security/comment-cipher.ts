// AES-256-GCM comment encryption with a key id per row, so keys can be rotated: new comments
// use the current key, old ones stay readable while their key is in the keyring.
// Envelope: "v1.<iv base64url>.<tag base64url>.<ciphertext base64url>".

import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { CommentCipher } from "../ports/comment-cipher.ts";
import { CodedError } from "../ports/errors.ts";

/** An encryption key is missing, malformed or unknown. The message never holds key material. */
export class KeyError extends CodedError {
  constructor(code: "bad_encryption_key" | "encryption_key_missing" | "encryption_key_unknown" | "comment_format_unknown", message: string) {
    super(code, message);
    this.name = "KeyError";
  }
}

/** Parses a 32-byte key given as 64 hex characters or base64 (44 characters). */
export function parseKey(text: string, variable = "DATA_ENCRYPTION_KEY"): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, "hex") : /^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed) ? Buffer.from(trimmed, "base64") : null;
  if (!key || key.length !== 32) {
    throw new KeyError("bad_encryption_key", `${variable} must be 32 random bytes as 64 hex characters or base64 (generate one with: openssl rand -hex 32)`);
  }
  return key;
}

/** A short, stable, non-secret id for a key: the first 8 hex chars of its SHA-256. */
export const keyIdOf = (key: Buffer): string => createHash("sha256").update(key).digest("hex").slice(0, 8);

export class AesGcmCommentCipher implements CommentCipher {
  private readonly keys = new Map<string, Buffer>();
  readonly currentKeyId: string;

  /** `current` encrypts new comments; `previous` keys only decrypt. */
  constructor(current: Buffer, previous: Buffer[] = []) {
    this.currentKeyId = keyIdOf(current);
    this.keys.set(this.currentKeyId, current);
    for (const key of previous) this.keys.set(keyIdOf(key), key);
  }

  encrypt(plaintext: string): { cipher: string; keyId: string } {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.keys.get(this.currentKeyId) as Buffer, iv);
    const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    const envelope = ["v1", iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), body.toString("base64url")].join(".");
    return { cipher: envelope, keyId: this.currentKeyId };
  }

  decrypt(envelope: string, keyId: string): string {
    const key = this.keys.get(keyId);
    if (!key) throw new KeyError("encryption_key_unknown", `no key with id ${keyId} is configured (add it to DATA_ENCRYPTION_PREVIOUS_KEYS)`);
    const [version, iv, tag, body] = envelope.split(".");
    if (version !== "v1" || !iv || !tag || body === undefined) throw new KeyError("comment_format_unknown", "stored comment has an unknown format");
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
  }
}

/**
 * Local/terminal mode only: reads or creates a key file next to the database (mode 0600).
 * Production requires DATA_ENCRYPTION_KEY instead (see src/config).
 */
export function loadOrCreateLocalKey(file: string): { key: Buffer; created: boolean } {
  if (existsSync(file)) return { key: parseKey(readFileSync(file, "utf8"), file), created: false };
  mkdirSync(path.dirname(file), { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, key.toString("hex") + "\n", { mode: 0o600 });
  return { key, created: true };
}
