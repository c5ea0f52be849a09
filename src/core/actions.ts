// Action ids put on buttons. Adapters treat them as opaque strings except for one thing:
// `commentCheckInId` tells them a button opens the comment modal, which some platforms
// (Discord) must show as the immediate response to the press.
// Every id is re-authorised by the engine: naming a check-in does not grant access to it.

import { ITEMS, TALKED_THROUGH_ANSWERS, TENSION_ANSWERS } from "./model.ts";
import type { Item, TalkedThroughAnswer, TensionAnswer } from "./model.ts";

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
  | { op: "self"; change: "pause" | "resume" | "stop" };

const ID = /^[A-Za-z0-9_-]{1,64}$/;

export function encodeAction(action: Action): string {
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
  }
}

/** Parses an action id; null for anything malformed (never throws). */
export function decodeAction(actionId: unknown): Action | null {
  if (typeof actionId !== "string" || actionId.length > 200) return null;
  const parts = actionId.split(":");
  const [kind, id, op, value] = parts;
  if (kind === "me" && parts.length === 2) {
    return id === "pause" || id === "resume" || id === "stop" ? { op: "self", change: id } : null;
  }
  if (!id || !ID.test(id)) return null;
  if (kind === "ci") {
    if (parts.length === 3 && (op === "comment" || op === "skip" || op === "edit")) return { op, checkInId: id };
    if (parts.length !== 4 || value === undefined) return null;
    if ((ITEMS as readonly string[]).includes(op ?? "")) {
      if (!/^[1-5]$/.test(value)) return null;
      return { op: "score", checkInId: id, item: op as Item, value: Number(value) };
    }
    if (op === "tension" && (TENSION_ANSWERS as readonly string[]).includes(value)) {
      return { op: "tension", checkInId: id, value: value as TensionAnswer };
    }
    if (op === "talked" && (TALKED_THROUGH_ANSWERS as readonly string[]).includes(value)) {
      return { op: "talked", checkInId: id, value: value as TalkedThroughAnswer };
    }
    return null;
  }
  if (kind === "consent" && parts.length === 3 && (op === "yes" || op === "no")) {
    return { op: "consent", checkInId: id, accept: op === "yes" };
  }
  if (kind === "al" && parts.length === 3 && (op === "ack" || op === "repaired" || op === "snooze" || op === "dismiss")) {
    return { op: "alert", alertId: id, change: op };
  }
  return null;
}

/** The check-in whose comment modal a button opens, or null if the button does something else. */
export function commentCheckInId(actionId: string): string | null {
  const action = decodeAction(actionId);
  return action?.op === "comment" ? action.checkInId : null;
}
