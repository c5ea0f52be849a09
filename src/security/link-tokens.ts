// Link tokens with node:crypto only. Client tokens are 256 random bits in base64url (the same
// secrets as the dashboard's sign-in links); the store keeps their SHA-256. Therapist tokens are "<subject>.<expiry>.<HMAC-SHA256>" with a
// key derived (HKDF) from the data encryption key, so a forged or altered token fails the
// constant-time comparison and an expired one is refused.

import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto";
import type { LinkTokens } from "../ports/link-tokens.ts";
import { hashSecret, isSecretShaped, newSecret } from "./web-tokens.ts";

const SIGNED_TOKEN = /^([A-Za-z0-9_.-]{1,200})\.([0-9]{1,12})\.([A-Za-z0-9_-]{43})$/;

/** The signing key for web links, derived from the data encryption key. */
export function deriveLinkKey(dataKey: Buffer): Buffer {
  return Buffer.from(hkdfSync("sha256", dataKey, Buffer.alloc(0), "alliance-checkin web links v1", 32));
}

export function createLinkTokens(signingKey: Buffer): LinkTokens {
  const mac = (payload: string): Buffer => createHmac("sha256", signingKey).update(payload).digest();
  return {
    issue() {
      const token = newSecret();
      return { token, hash: hashSecret(token) };
    },
    hash(token) {
      return isSecretShaped(token) ? hashSecret(token) : null;
    },
    sign(subject, expiresAt) {
      if (!/^[A-Za-z0-9_.-]{1,200}$/.test(subject)) throw new Error("a signed link subject uses URL-safe characters only");
      const payload = `${subject}.${Math.ceil(expiresAt.getTime() / 1000)}`;
      return `${payload}.${mac(payload).toString("base64url")}`;
    },
    verify(token, now) {
      if (typeof token !== "string") return null;
      const match = SIGNED_TOKEN.exec(token);
      if (!match) return null;
      const [, subject, expiry, signature] = match as unknown as [string, string, string, string];
      const expected = mac(`${subject}.${expiry}`);
      const given = Buffer.from(signature, "base64url");
      // The last base64url character carries 2 unused bits: only the canonical spelling counts, so
      // no altered token opens the page.
      if (given.length !== expected.length || given.toString("base64url") !== signature || !timingSafeEqual(given, expected)) return null;
      if (Number(expiry) * 1000 <= now.getTime()) return null;
      return subject;
    },
  };
}
