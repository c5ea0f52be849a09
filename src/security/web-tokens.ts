// Secrets for the dashboard: one-time sign-in tokens and session ids. Both are 256 random bits
// from node:crypto, written base64url; only their SHA-256 is ever stored, so a database read
// does not hand out sign-ins or sessions.

import { createHash, randomBytes } from "node:crypto";

/** A 256-bit random secret, base64url (43 characters). */
export function newSecret(): string {
  return randomBytes(32).toString("base64url");
}

const SECRET_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** Whether a string has the shape newSecret() produces (checked before any database read). */
export function isSecretShaped(value: unknown): value is string {
  return typeof value === "string" && SECRET_SHAPE.test(value);
}

/** The stored form of a secret: its SHA-256, hex. */
export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}
