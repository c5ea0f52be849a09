// Who may answer a check-in on the spot: the one definition of that rule. The engine decides
// with it on the rows the store returns (`holds`), and the store's one-round-trip answer write
// (CheckInStore.answerIfOpen) is compiled from the same conditions, so the two cannot drift.

import type { AnswerActor, CheckInContext } from "../ports/checkin-store.ts";

type Part = "checkIn" | "practice" | "client";

/** One test on a column of the check-in's context. */
export type Condition = {
  [P in Part]: { part: P; field: keyof CheckInContext[P] & string } & (
    | { test: "is_actor"; actor: keyof AnswerActor }
    | { test: "set" | "unset" }
    | { test: "equals"; value: string }
    | { test: "after_now" }
  );
}[Part];

/** The actor is the check-in's client, in its practice's workspace on its platform. */
export const OWNS_CHECK_IN: readonly Condition[] = [
  { part: "practice", field: "platform", test: "is_actor", actor: "platform" },
  { part: "practice", field: "externalId", test: "is_actor", actor: "workspaceId" },
  { part: "client", field: "platformUserId", test: "is_actor", actor: "userId" },
];

/**
 * A press is saved straight away when the actor owns the check-in, the client has consented and
 * not stopped, and the prompt is `sent` and still open. Anything else takes the engine's full
 * checks (loadOwnCheckIn, answerGate), which also word the refusal.
 */
export const OPEN_FOR_ACTOR: readonly Condition[] = [
  ...OWNS_CHECK_IN,
  { part: "client", field: "consentAt", test: "set" },
  { part: "client", field: "stoppedAt", test: "unset" },
  { part: "checkIn", field: "status", test: "equals", value: "sent" },
  { part: "checkIn", field: "closesAt", test: "after_now" },
];

/** Whether every condition holds for this context, actor and time. */
export function holds(rule: readonly Condition[], context: CheckInContext, actor: AnswerActor, now: Date): boolean {
  return rule.every((condition) => {
    const value = (context[condition.part] as unknown as Record<string, unknown>)[condition.field];
    switch (condition.test) {
      case "is_actor":
        return value === actor[condition.actor];
      case "set":
        return value !== null && value !== undefined;
      case "unset":
        return value === null || value === undefined;
      case "equals":
        return value === condition.value;
      case "after_now":
        return value instanceof Date && value.getTime() > now.getTime();
    }
  });
}
