// The link-token port: how the engine issues and checks the secrets carried in web links
// (link mode). Implemented in src/security with node:crypto; the engine never sees HTTP.

/**
 * Two kinds of secret:
 * - a client's check-in token: random, at least 128 bits, stored only as its hash, bound to one
 *   check-in and one client by the row that holds the hash (see CheckInStore link methods);
 * - a therapist's alert token: signed and short-lived, naming one alert and one therapist, so
 *   nothing needs storing.
 *
 * @example
 *   const { token, hash } = tokens.issue();      // token goes into the link, hash into the store
 *   tokens.hash(token) === hash;                  // later, from the presented link
 *   const signed = tokens.sign("alertId.personId", expiresAt);
 *   tokens.verify(signed, now);                   // "alertId.personId", or null if forged/expired
 */
export interface LinkTokens {
  /** A fresh random URL-safe token and the hash to store in its place. */
  issue(): { token: string; hash: string };
  /** The stored form of a presented token; null when it is not even well-formed. */
  hash(token: string): string | null;
  /** A signed token for `subject` (URL-safe characters and dots) that expires at `expiresAt`. */
  sign(subject: string, expiresAt: Date): string;
  /** The subject of an authentic token unexpired at `now`; null for anything else. */
  verify(token: string, now: Date): string | null;
}

/** Link mode's configuration as the engine sees it. */
export interface LinkSettings {
  /** PUBLIC_URL without a trailing slash, e.g. https://checkin.example.org (read when a link is made). */
  baseUrl(): string;
  tokens: LinkTokens;
  /** How long a therapist's alert link stays valid (each alert message carries a fresh one). */
  alertLinkTtlMs: number;
}
