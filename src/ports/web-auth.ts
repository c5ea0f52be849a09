// The WebAuthStore port: one-time dashboard sign-in links and server-side sessions. Only hashes
// of the secrets are stored (src/security/web-tokens.ts). src/store/web-auth-store.ts
// implements it; src/dashboard/sessions.ts holds the rules (lifetimes, single use, roles).

/** Whom a sign-in link or a session stands for: one person in one practice. */
export interface WebIdentity {
  practiceId: string;
  personId: string;
}

export interface NewSignIn extends WebIdentity {
  tokenHash: string;
  createdAt: Date;
  expiresAt: Date;
}

export interface WebSessionRecord extends WebIdentity {
  idHash: string;
  createdAt: Date;
  lastSeenAt: Date;
}

export interface WebAuthStore {
  createSignIn(link: NewSignIn): Promise<void>;
  /**
   * Marks the link used, in one conditional write, if it is unused and `expiresAt` is after `now`,
   * and returns whom it was for. Null for an unknown, used or expired link; of two concurrent
   * calls for one link, at most one gets the identity.
   */
  consumeSignIn(tokenHash: string, now: Date): Promise<WebIdentity | null>;
  createSession(session: WebSessionRecord): Promise<void>;
  /**
   * The session, if it is not revoked and was last seen after `idleSince`; its lastSeenAt is moved
   * to `now` (written only when it is older than `touchAfter`, to spare a write per request).
   */
  activeSession(idHash: string, idleSince: Date, now: Date, touchAfter: Date): Promise<WebSessionRecord | null>;
  revokeSession(idHash: string, now: Date): Promise<boolean>;
  /** Revokes every session of the person; returns how many were active. */
  revokeSessionsOf(personId: string, now: Date): Promise<number>;
  /** Deletes links expired before `before` and sessions revoked or idle before it. */
  purgeWebAuth(before: Date): Promise<number>;
}
