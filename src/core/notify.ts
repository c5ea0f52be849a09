// Direct notices to therapists and admins (delivery failures, stops). Failures to notify are
// logged with codes only and never break the flow that triggered them.

import type { EngineContext } from "./context.ts";
import { localeFor } from "./context.ts";
import type { Person, Practice } from "./model.ts";
import { translate } from "../i18n/index.ts";
import type { MessageKey, Params } from "../i18n/index.ts";

/** How long the resolved admin list of a practice is reused before the platform is asked again. */
export const ADMIN_LIST_TTL_MS = 5 * 60_000;

const adminCaches = new WeakMap<EngineContext, Map<string, { userIds: string[]; expiresAt: number }>>();

async function sendNotice(ctx: EngineContext, practice: Practice, userId: string, person: Person | null, key: MessageKey, params: Params): Promise<void> {
  const platform = ctx.platform(practice.platform);
  if (!platform) return;
  const result = await platform.sendDirect(
    { workspaceId: practice.externalId, userId },
    { kind: "notice", text: translate(localeFor(practice, person), key, params) },
  );
  if (!result.ok) ctx.logger.warn({ code: result.code, failure: result.failure, personId: person?.id ?? null }, "notice not delivered");
}

export async function notifyPerson(ctx: EngineContext, practice: Practice, person: Person, key: MessageKey, params: Params = {}): Promise<void> {
  await sendNotice(ctx, practice, person.platformUserId, person, key, params);
}

/**
 * Every current admin of the practice, resolved through the platform: the people whose stored flag
 * says they acted as admins, plus those the platform lists, each confirmed with `currentRole`.
 * A stored flag the platform no longer confirms is cleared. Cached for ADMIN_LIST_TTL_MS.
 */
export async function currentAdmins(ctx: EngineContext, practice: Practice): Promise<string[]> {
  const platform = ctx.platform(practice.platform);
  const stored = await ctx.store.listAdmins(practice.id);
  if (!platform) return stored.map((p) => p.platformUserId);
  let cache = adminCaches.get(ctx);
  if (!cache) adminCaches.set(ctx, (cache = new Map()));
  const now = ctx.clock.now().getTime();
  const hit = cache.get(practice.id);
  if (hit && hit.expiresAt > now) return hit.userIds;
  const listed = platform.listAdmins ? await platform.listAdmins(practice.externalId).catch(() => []) : [];
  const candidates = [...new Set([...stored.map((p) => p.platformUserId), ...listed])];
  const admins: string[] = [];
  for (const userId of candidates) {
    const role = await platform.currentRole({ workspaceId: practice.externalId, userId });
    const storedPerson = stored.find((p) => p.platformUserId === userId);
    // A lookup that failed keeps a stored admin for notices (not for rights): better told than missed.
    if (role === "admin" || (role === "unknown" && storedPerson)) admins.push(userId);
    else if (storedPerson) await ctx.store.updatePerson(storedPerson.id, { isAdmin: false });
  }
  cache.set(practice.id, { userIds: admins, expiresAt: now + ADMIN_LIST_TTL_MS });
  return admins;
}

/** Drops the cached admin list of a practice (someone's role just changed). */
export function forgetAdmins(ctx: EngineContext, practiceId: string): void {
  adminCaches.get(ctx)?.delete(practiceId);
}

export async function notifyAdmins(ctx: EngineContext, practice: Practice, key: MessageKey, params: Params = {}): Promise<void> {
  for (const userId of await currentAdmins(ctx, practice)) {
    await sendNotice(ctx, practice, userId, await ctx.store.findPerson(practice.id, userId), key, params);
  }
}
