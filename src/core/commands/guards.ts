// Reusable permission guards for commands. A refusal never says whether the named person
// exists, so a stranger learns nothing about who is enrolled.

import type { EngineContext } from "../context.ts";
import type { Enrollment, Person, Practice } from "../model.ts";
import type { Actor } from "../../ports/inbound.ts";
import type { Translator } from "../../i18n/index.ts";
import { translator } from "../../i18n/index.ts";
import { forgetAdmins } from "../notify.ts";
import { markReachable } from "../reachability.ts";

/** The acting person as the engine sees them. `person` is null until they have a record. */
export interface ActorContext {
  actor: Actor;
  practice: Practice;
  person: Person | null;
  isAdmin: boolean;
  t: Translator;
}

export class Denied extends Error {
  constructor(readonly reply: string) {
    super("denied");
  }
}

/**
 * Rights come from the platform at the time of the action (`actor.isPlatformAdmin`, which the adapter
 * resolves per request), never from what was stored. The stored `isAdmin` flag is only a cache that
 * tells notices whom to consider; it is refreshed here whenever the person acts.
 */
export async function actorContext(ctx: EngineContext, actor: Actor): Promise<ActorContext> {
  const practice = await ctx.store.ensurePractice(actor.platform, actor.workspaceId);
  let person = await ctx.store.findPerson(practice.id, actor.userId);
  const isAdmin = actor.isPlatformAdmin;
  if ((person && person.isAdmin !== isAdmin) || (!person && isAdmin)) {
    person = await ctx.store.updatePerson((person ?? (await ctx.store.ensurePerson(practice.id, actor.userId))).id, { isAdmin });
    forgetAdmins(ctx, practice.id);
  }
  // Anything a client does shows they are there: an unreachable mark is cleared (and the therapist told).
  if (person?.undeliverableAt) {
    await markReachable(ctx, practice, person);
    person = { ...person, undeliverableAt: null, undeliverableCode: null, unreachableFailures: 0, unreachableRetryAt: null };
  }
  return { actor, practice, person, isAdmin, t: translator(person?.locale ?? practice.locale) };
}

export function requireAdmin(a: ActorContext): void {
  if (!a.isAdmin) throw new Denied(a.t("command.denied"));
}

/** The actor is an admin or the therapist of the client's current enrollment; returns that enrollment. */
export async function requireClinicianOf(ctx: EngineContext, a: ActorContext, clientUserId: string): Promise<{ client: Person; enrollment: Enrollment }> {
  const client = await ctx.store.findPerson(a.practice.id, clientUserId);
  const enrollment = client ? await ctx.store.currentEnrollmentForClient(client.id) : null;
  const isTherapist = Boolean(enrollment && a.person && enrollment.therapistId === a.person.id);
  if (!a.isAdmin && !isTherapist) throw new Denied(a.t("command.denied"));
  if (!client || !enrollment) throw new Denied(a.t("command.not_enrolled"));
  return { client, enrollment };
}

/** The actor is a client with a current enrollment. */
export async function requireSelfClient(ctx: EngineContext, a: ActorContext): Promise<{ client: Person; enrollment: Enrollment }> {
  const enrollment = a.person ? await ctx.store.currentEnrollmentForClient(a.person.id) : null;
  if (!a.person || !enrollment) throw new Denied(a.t("command.self_not_enrolled"));
  return { client: a.person, enrollment };
}

/** Admin looking up a client's current enrollment. */
export async function adminEnrollmentOf(ctx: EngineContext, a: ActorContext, clientUserId: string): Promise<{ client: Person; enrollment: Enrollment }> {
  requireAdmin(a);
  const client = await ctx.store.findPerson(a.practice.id, clientUserId);
  const enrollment = client ? await ctx.store.currentEnrollmentForClient(client.id) : null;
  if (!client || !enrollment) throw new Denied(a.t("command.not_enrolled"));
  return { client, enrollment };
}
