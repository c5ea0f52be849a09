// Sign-in without passwords: `/checkin dashboard` issues a one-time link (10 minutes, single
// use, bound to one person in one practice); opening it (a POST from the link's page, so link
// previews cannot use it) starts a server-side session that ends after 12 hours idle, at
// `/checkin signout`, or as soon as the person no longer holds a therapist or admin role.
// Nothing here knows HTTP: the web adapter hands in the secrets and sets the cookie.

import type { Clock } from "../ports/clock.ts";
import type { CheckInStore } from "../ports/checkin-store.ts";
import type { WebAuthStore } from "../ports/web-auth.ts";
import type { Locale, Person, Practice } from "../core/model.ts";
import { hashSecret, isSecretShaped, newSecret } from "../security/web-tokens.ts";
import type { RoleResolver, ViewerRoles } from "./roles.ts";
import { hasDashboardRole } from "./roles.ts";

export const SIGN_IN_TTL_MS = 10 * 60_000;
export const SESSION_IDLE_MS = 12 * 3600_000;
/** lastSeenAt is rewritten at most this often per session. */
const TOUCH_EVERY_MS = 60_000;

const ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The person behind a request, as checked moments ago. */
export interface Viewer extends ViewerRoles {
  practice: Practice;
  person: Person;
  locale: Locale;
  /** The session's stored id hash (to sign this one session out). */
  sessionHash: string;
}

export interface DashboardAuthDeps {
  auth: WebAuthStore;
  store: CheckInStore;
  clock: Clock;
  roles: RoleResolver;
}

export type RedeemResult = { ok: true; sessionId: string; viewer: Viewer } | { ok: false };

export class DashboardAuth {
  constructor(private readonly deps: DashboardAuthDeps) {}

  /** A new one-time link path for the person: `/signin/<practiceId>/<token>`. */
  async issueLink(practice: Practice, person: Person): Promise<{ path: string; expiresAt: Date }> {
    const token = newSecret();
    const now = this.deps.clock.now();
    const expiresAt = new Date(now.getTime() + SIGN_IN_TTL_MS);
    await this.deps.auth.createSignIn({ tokenHash: hashSecret(token), practiceId: practice.id, personId: person.id, createdAt: now, expiresAt });
    return { path: `/signin/${practice.id}/${token}`, expiresAt };
  }

  /**
   * Uses a link: it must be well formed, known, unused, unexpired, named with its own practice,
   * and its person must still hold a role there. Any presentation of a known token uses it up,
   * so a link that went astray cannot be tried again. Always a fresh session id (no fixation).
   */
  async redeem(practiceId: string, token: string): Promise<RedeemResult> {
    if (!ID.test(practiceId) || !isSecretShaped(token)) return { ok: false };
    const now = this.deps.clock.now();
    const identity = await this.deps.auth.consumeSignIn(hashSecret(token), now);
    if (!identity || identity.practiceId !== practiceId) return { ok: false };
    const viewer = await this.resolve(identity.practiceId, identity.personId, "");
    if (!viewer) return { ok: false };
    const sessionId = newSecret();
    const sessionHash = hashSecret(sessionId);
    await this.deps.auth.createSession({ idHash: sessionHash, practiceId: identity.practiceId, personId: identity.personId, createdAt: now, lastSeenAt: now });
    return { ok: true, sessionId, viewer: { ...viewer, sessionHash } };
  }

  /** The viewer behind a session cookie, or null. A session whose person lost their role is revoked. */
  async viewer(sessionId: unknown): Promise<Viewer | null> {
    if (!isSecretShaped(sessionId)) return null;
    const now = this.deps.clock.now();
    const idHash = hashSecret(sessionId);
    const session = await this.deps.auth.activeSession(idHash, new Date(now.getTime() - SESSION_IDLE_MS), now, new Date(now.getTime() - TOUCH_EVERY_MS));
    if (!session) return null;
    const viewer = await this.resolve(session.practiceId, session.personId, idHash);
    if (!viewer) {
      await this.deps.auth.revokeSession(idHash, now);
      return null;
    }
    return viewer;
  }

  async signOut(sessionHash: string): Promise<void> {
    await this.deps.auth.revokeSession(sessionHash, this.deps.clock.now());
  }

  /** `/checkin signout`: ends every session of the person. */
  async signOutEverywhere(personId: string): Promise<number> {
    return this.deps.auth.revokeSessionsOf(personId, this.deps.clock.now());
  }

  private async resolve(practiceId: string, personId: string, sessionHash: string): Promise<Viewer | null> {
    const [practice, person] = await Promise.all([this.deps.store.getPractice(practiceId), this.deps.store.getPerson(personId)]);
    if (!practice || !person || person.practiceId !== practice.id) return null;
    const roles = await this.deps.roles(practice, person);
    if (!hasDashboardRole(roles)) return null;
    return { practice, person, ...roles, locale: person.locale ?? practice.locale, sessionHash };
  }
}
