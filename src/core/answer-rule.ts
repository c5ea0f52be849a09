// Who may answer a check-in on the spot: the one definition of that rule, decided here on the
// context the store read. The store's answer write (CheckInStore.answerIfOpen) calls the
// decision it is given and writes only when it says yes; it holds no copy of the rule.

import type { AnswerActor, CheckInContext } from "../ports/checkin-store.ts";

/** The actor is the check-in's client, in its practice's workspace on its platform. */
export function ownsCheckIn(context: CheckInContext, actor: AnswerActor): boolean {
  return context.practice.platform === actor.platform && context.practice.externalId === actor.workspaceId && context.client.platformUserId === actor.userId;
}

/**
 * A press is saved straight away when the actor owns the check-in, the client has consented and
 * not stopped, and the prompt is `sent` and still open at `now`. Anything else takes the
 * engine's full checks (loadOwnCheckIn, answerGate), which also word the refusal.
 */
export function openForActor(context: CheckInContext, actor: AnswerActor, now: Date): boolean {
  const { checkIn, client } = context;
  return ownsCheckIn(context, actor) && client.consentAt != null && client.stoppedAt == null && checkIn.status === "sent" && checkIn.closesAt.getTime() > now.getTime();
}
