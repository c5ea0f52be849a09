// Events from a direct message that names no workspace (InboundActor.workspaceId null; today a
// Discord DM, where interactions carry no guild and button ids carry none). The practice comes
// from what the event names: the check-in of a press, comment or answer form, the alert of an
// alert button. A command names nothing, so it is run in the one practice the person belongs to,
// or the person is asked which practice it is for. Admin rights are asked of the platform for the
// practice found, as for every other action.

import type { EngineContext } from "./context.ts";
import { localeFor } from "./context.ts";
import { decodeActionId, canCarryCommand, encodeAction } from "../ports/action-ids.ts";
import type { ActionIdError } from "../ports/action-ids.ts";
import type { Actor, InboundActor, InboundEvent, Reply } from "../ports/inbound.ts";
import type { ButtonView } from "../ports/chat-platform.ts";
import type { PlatformName } from "./model.ts";
import { translator } from "../i18n/index.ts";

export type Resolved = { event: InboundEvent<Actor> } | { reply: Reply };

const ID = /^[A-Za-z0-9_-]{1,64}$/;
/** Buttons a "which practice?" reply offers at most (one row on every platform). */
const MAX_CHOICES = 5;

const refused = (text: string): Reply => ({ text, refused: true });

/** The refusal for an action id that could not be read. */
export function actionIdRefusal(error: ActionIdError): Reply {
  return refused(translator("en")(error.code === "action_id_bad_score" ? "answer.bad_value" : "answer.unknown"));
}

/** Whether the platform says the person administers that workspace now; fails closed. */
async function adminIn(ctx: EngineContext, platform: PlatformName, workspaceId: string, userId: string): Promise<boolean> {
  const adapter = ctx.platform(platform);
  return adapter ? (await adapter.currentRole({ workspaceId, userId })) === "admin" : false;
}

function inWorkspace<A extends InboundActor>(actor: A, workspaceId: string, isPlatformAdmin: boolean): Actor {
  return { platform: actor.platform, userId: actor.userId, workspaceId, isPlatformAdmin };
}

async function fromCheckIn(ctx: EngineContext, event: InboundEvent, checkInId: string): Promise<Resolved> {
  const en = translator("en");
  const found = ID.test(checkInId) ? await ctx.store.checkInContext(checkInId) : null;
  if (!found) return { reply: refused(en("answer.unknown")) };
  if (found.practice.platform !== event.actor.platform) return { reply: refused(en("answer.not_yours")) };
  // Ownership (the check-in's client is this user) is checked by the handler, as for any press.
  return { event: { ...event, actor: inWorkspace(event.actor, found.practice.externalId, event.actor.isPlatformAdmin) } as InboundEvent<Actor> };
}

async function fromAlert(ctx: EngineContext, event: InboundEvent, alertId: string): Promise<Resolved> {
  const en = translator("en");
  const alert = await ctx.store.getAlert(alertId);
  const enrollment = alert ? await ctx.store.getEnrollment(alert.enrollmentId) : null;
  const practice = enrollment ? await ctx.store.getPractice(enrollment.practiceId) : null;
  if (!enrollment || !practice) return { reply: refused(en("alert.unknown")) };
  if (practice.platform !== event.actor.platform) return { reply: refused(en("alert.not_yours")) };
  // The therapist needs no admin lookup; anyone else may act only as a current admin.
  const therapist = await ctx.store.getPerson(enrollment.therapistId);
  const admin = therapist?.platformUserId === event.actor.userId ? false : await adminIn(ctx, practice.platform, practice.externalId, event.actor.userId);
  return { event: { ...event, actor: inWorkspace(event.actor, practice.externalId, admin) } as InboundEvent<Actor> };
}

/** A command typed in the DM: the person's one practice, or the question which one. */
async function forCommand(ctx: EngineContext, actor: InboundActor, text: string, deliveryId: string | undefined): Promise<Resolved> {
  const records = await ctx.store.practicesOfUser(actor.platform, actor.userId);
  // A record without any role (someone who once typed `help`) does not make a practice theirs.
  const withRole = records.filter(({ person }) => person.isClient || person.isTherapist || person.isAdmin);
  const candidates = withRole.length > 0 ? withRole : records;
  const first = candidates[0];
  if (!first) return { reply: refused(translator("en")("direct.no_practice")) };
  const command = (next: Actor): Resolved => ({ event: { type: "command", actor: next, text, ...(deliveryId ? { deliveryId } : {}) } });
  if (candidates.length === 1) {
    const { practice } = first;
    return command(inWorkspace(actor, practice.externalId, await adminIn(ctx, practice.platform, practice.externalId, actor.userId)));
  }
  // The language the person gets check-ins in (their enrollment's), else theirs, else the practice's.
  const enrollment = first.person.isClient ? await ctx.store.currentEnrollmentForClient(first.person.id) : null;
  const t = translator(localeFor(first.practice, first.person, enrollment));
  const carried = text.trim().replace(/\s+/g, " ");
  if (!canCarryCommand(carried)) return { reply: refused(t("direct.pick_in_server")) };
  const adapter = ctx.platform(actor.platform);
  const buttons: ButtonView[] = [];
  for (const [index, { practice }] of candidates.slice(0, MAX_CHOICES).entries()) {
    const name = (await adapter?.workspaceName?.(practice.externalId)) ?? null;
    buttons.push({ actionId: encodeAction({ op: "in", practiceId: practice.id, command: carried }), label: name ?? t("direct.practice_fallback", { n: index + 1 }) });
  }
  return { reply: { text: t("direct.pick_practice"), buttons } };
}

/** The answer to "which practice?": the command, run in the practice picked, if it is theirs. */
export async function commandInPractice(ctx: EngineContext, actor: InboundActor, practiceId: string, text: string, deliveryId: string | undefined): Promise<Resolved> {
  const practice = await ctx.store.getPractice(practiceId);
  const samePlace = practice && practice.platform === actor.platform && (actor.workspaceId === null || actor.workspaceId === practice.externalId);
  const person = practice && samePlace ? await ctx.store.findPerson(practice.id, actor.userId) : null;
  if (!practice || !person) return { reply: refused(translator(practice?.locale ?? "en")("direct.unknown_practice")) };
  const admin = actor.workspaceId === null ? await adminIn(ctx, practice.platform, practice.externalId, actor.userId) : actor.isPlatformAdmin;
  return { event: { type: "command", actor: inWorkspace(actor, practice.externalId, admin), text, ...(deliveryId ? { deliveryId } : {}) } };
}

/** Finds the workspace of an event whose actor named none. */
export async function resolveDirect(ctx: EngineContext, event: InboundEvent): Promise<Resolved> {
  if (event.type === "command") return forCommand(ctx, event.actor, event.text, event.deliveryId);
  if (event.type === "comment" || event.type === "answers") return fromCheckIn(ctx, event, event.checkInId);
  const decoded = decodeActionId(event.actionId);
  if (!decoded.ok) return { reply: actionIdRefusal(decoded.error) };
  const action = decoded.action;
  switch (action.op) {
    case "self":
      return forCommand(ctx, event.actor, action.change, event.deliveryId);
    case "in":
      return commandInPractice(ctx, event.actor, action.practiceId, action.command, event.deliveryId);
    case "alert":
      return fromAlert(ctx, event, action.alertId);
    default:
      return fromCheckIn(ctx, event, action.checkInId);
  }
}
