// What a button carries: the action id the engine puts on it and every adapter hands back
// unchanged. It is part of the platform contract, so it lives here, with one encoder and one
// decoder for every platform. Adapters treat ids as opaque strings except for one thing:
// `commentCheckInId` tells them a button opens the comment modal, which some platforms (Discord)
// must show as the immediate response to the press.
//
// An id names its target (a check-in, an alert, a practice) and nothing else: no workspace, no
// person. The engine finds the practice from the target and re-authorises every press, so naming
// a check-in does not grant access to it. Ids fit Discord's 100-character custom id.

import { ITEMS, TALKED_THROUGH_ANSWERS, TENSION_ANSWERS } from "../core/model.ts";
import { CodedError } from "./errors.ts";
import type { Item, TalkedThroughAnswer, TensionAnswer } from "../core/model.ts";

export type Action =
  | { op: "score"; checkInId: string; item: Item; value: number }
  | { op: "tension"; checkInId: string; value: TensionAnswer }
  | { op: "talked"; checkInId: string; value: TalkedThroughAnswer }
  | { op: "comment"; checkInId: string }
  | { op: "skip"; checkInId: string }
  /** Re-opens an answered check-in's prompt during the edit window. */
  | { op: "edit"; checkInId: string }
  | { op: "consent"; checkInId: string; accept: boolean }
  | { op: "alert"; alertId: string; change: "ack" | "repaired" | "snooze" | "dismiss" }
  | { op: "self"; change: "pause" | "resume" | "stop" }
  /**
   * Runs a `/checkin` command in one practice: the answer to "which practice?" when a person who
   * belongs to several typed a command in a direct message that names none.
   */
  | { op: "in"; practiceId: string; command: string };

/** Longest action id any adapter must carry (Discord's custom id limit). */
export const MAX_ACTION_ID_LENGTH = 100;

/** Why an id could not be read; stable codes (listed in docs/operations.md), safe to log: they carry none of the id. */
export type ActionIdErrorCode = "action_id_not_string" | "action_id_over_limit" | "action_id_unknown_kind" | "action_id_bad_target" | "action_id_bad_score" | "action_id_bad_shape";

export class ActionIdError extends CodedError {
  declare readonly code: ActionIdErrorCode;
  constructor(code: ActionIdErrorCode, message: string) {
    super(code, message);
    this.name = "ActionIdError";
  }
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;
/** A command carried by an `in` id: grammar words, dates, times and codes; no mentions. */
const CARRIED_COMMAND = /^[a-z][a-z-]*( [A-Za-z0-9=_.:,+-]+)*$/;
const MAX_CARRIED_COMMAND = 56;

/** Whether `command` can ride on an `in` button (short, no mentions, grammar characters only). */
export function canCarryCommand(command: string): boolean {
  return command.length <= MAX_CARRIED_COMMAND && CARRIED_COMMAND.test(command);
}

/**
 * The id for a button.
 * @example encodeAction({ op: "score", checkInId: "c1", item: "goal", value: 4 }) === "ci:c1:goal:4"
 * @example encodeAction({ op: "in", practiceId: "p1", command: "pause until=2026-05-01" }) === "in:p1:pause until=2026-05-01"
 * @throws ActionIdError for an `in` command that `canCarryCommand` refuses, or a malformed target id.
 */
export function encodeAction(action: Action): string {
  const target = "checkInId" in action ? action.checkInId : "alertId" in action ? action.alertId : "practiceId" in action ? action.practiceId : null;
  if (target !== null && !ID.test(target)) throw new ActionIdError("action_id_bad_target", "A target id is 1 to 64 letters, digits, '_' or '-'");
  switch (action.op) {
    case "score":
      return `ci:${action.checkInId}:${action.item}:${action.value}`;
    case "tension":
      return `ci:${action.checkInId}:tension:${action.value}`;
    case "talked":
      return `ci:${action.checkInId}:talked:${action.value}`;
    case "comment":
      return `ci:${action.checkInId}:comment`;
    case "skip":
      return `ci:${action.checkInId}:skip`;
    case "edit":
      return `ci:${action.checkInId}:edit`;
    case "consent":
      return `consent:${action.checkInId}:${action.accept ? "yes" : "no"}`;
    case "alert":
      return `al:${action.alertId}:${action.change}`;
    case "self":
      return `me:${action.change}`;
    case "in":
      if (!canCarryCommand(action.command)) throw new ActionIdError("action_id_bad_shape", `A carried command is at most ${MAX_CARRIED_COMMAND} grammar characters, without mentions`);
      return `in:${action.practiceId}:${action.command}`;
  }
}

type Decoded = { ok: true; action: Action } | { ok: false; error: ActionIdError };

const fail = (code: ActionIdErrorCode, message: string): Decoded => ({ ok: false, error: new ActionIdError(code, message) });

function decodeCheckIn(id: string, parts: string[]): Decoded {
  const [, , op, value] = parts;
  if (parts.length === 3 && (op === "comment" || op === "skip" || op === "edit")) return { ok: true, action: { op, checkInId: id } };
  if (parts.length !== 4 || value === undefined) return fail("action_id_bad_shape", "A check-in id is ci:<check-in>:<comment|skip|edit> or ci:<check-in>:<question>:<answer>");
  if ((ITEMS as readonly string[]).includes(op ?? "")) {
    if (!/^[1-5]$/.test(value)) return fail("action_id_bad_score", "A score is a whole number from 1 to 5");
    return { ok: true, action: { op: "score", checkInId: id, item: op as Item, value: Number(value) } };
  }
  if (op === "tension" && (TENSION_ANSWERS as readonly string[]).includes(value)) return { ok: true, action: { op: "tension", checkInId: id, value: value as TensionAnswer } };
  if (op === "talked" && (TALKED_THROUGH_ANSWERS as readonly string[]).includes(value)) return { ok: true, action: { op: "talked", checkInId: id, value: value as TalkedThroughAnswer } };
  return fail("action_id_bad_shape", `Unknown question or answer (questions: ${ITEMS.join(", ")}, tension, talked)`);
}

/**
 * Reads an action id. Never throws: a malformed id comes back as an ActionIdError whose code and
 * message say what is wrong (without repeating the id).
 * @example decodeActionId("ci:c1:goal:9") // { ok: false, error: ActionIdError { code: "action_id_bad_score" } }
 */
export function decodeActionId(actionId: unknown): Decoded {
  if (typeof actionId !== "string") return fail("action_id_not_string", "An action id is a string");
  if (actionId.length > MAX_ACTION_ID_LENGTH) return fail("action_id_over_limit", `An action id is at most ${MAX_ACTION_ID_LENGTH} characters`);
  const kind = actionId.slice(0, actionId.indexOf(":") + 1);
  if (kind === "in:") {
    const rest = actionId.slice(3);
    const cut = rest.indexOf(":");
    const practiceId = cut > 0 ? rest.slice(0, cut) : "";
    const command = cut > 0 ? rest.slice(cut + 1) : "";
    if (!ID.test(practiceId)) return fail("action_id_bad_target", "A practice id is 1 to 64 letters, digits, '_' or '-'");
    if (!canCarryCommand(command)) return fail("action_id_bad_shape", "An in: id carries a short command without mentions");
    return { ok: true, action: { op: "in", practiceId, command } };
  }
  const parts = actionId.split(":");
  const [head, id, op] = parts;
  if (head === "me") {
    if (parts.length === 2 && (id === "pause" || id === "resume" || id === "stop")) return { ok: true, action: { op: "self", change: id } };
    return fail("action_id_bad_shape", "A self id is me:<pause|resume|stop>");
  }
  if (head !== "ci" && head !== "consent" && head !== "al") return fail("action_id_unknown_kind", "An action id starts with ci:, consent:, al:, me: or in:");
  if (!id || !ID.test(id)) return fail("action_id_bad_target", "A target id is 1 to 64 letters, digits, '_' or '-'");
  if (head === "ci") return decodeCheckIn(id, parts);
  if (head === "consent") {
    if (parts.length === 3 && (op === "yes" || op === "no")) return { ok: true, action: { op: "consent", checkInId: id, accept: op === "yes" } };
    return fail("action_id_bad_shape", "A consent id is consent:<check-in>:<yes|no>");
  }
  if (parts.length === 3 && (op === "ack" || op === "repaired" || op === "snooze" || op === "dismiss")) return { ok: true, action: { op: "alert", alertId: id, change: op } };
  return fail("action_id_bad_shape", "An alert id is al:<alert>:<ack|repaired|snooze|dismiss>");
}

/** The action, or null for anything malformed (never throws). */
export function decodeAction(actionId: unknown): Action | null {
  const decoded = decodeActionId(actionId);
  return decoded.ok ? decoded.action : null;
}

/**
 * The action, or an ActionIdError saying what is wrong with the id.
 * @throws ActionIdError
 */
export function parseAction(actionId: unknown): Action {
  const decoded = decodeActionId(actionId);
  if (!decoded.ok) throw decoded.error;
  return decoded.action;
}

/** The check-in whose comment modal a button opens, or null if the button does something else. */
export function commentCheckInId(actionId: string): string | null {
  const action = decodeAction(actionId);
  return action?.op === "comment" ? action.checkInId : null;
}
