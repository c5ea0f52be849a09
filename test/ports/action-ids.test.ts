// The action-id codec every adapter uses (src/ports/action-ids.ts): each action survives a round
// trip, ids fit Discord's 100-character custom id, and a malformed id gives an ActionIdError whose
// code says what is wrong, never a throw from decodeAction.

import { describe, expect, it } from "vitest";
import { ActionIdError, MAX_ACTION_ID_LENGTH, canCarryCommand, commentCheckInId, decodeAction, decodeActionId, encodeAction, parseAction } from "../../src/ports/action-ids.ts";
import type { Action, ActionIdErrorCode } from "../../src/ports/action-ids.ts";

const LONGEST_ID = "x".repeat(64);
const PRACTICE = "3f1c9a52-7d4e-4b8a-9c31-0e6f2d7a8b90";

const ACTIONS: Action[] = [
  { op: "score", checkInId: "c1", item: "goal", value: 1 },
  { op: "score", checkInId: LONGEST_ID, item: "bond", value: 5 },
  { op: "tension", checkInId: "c1", value: "a_little" },
  { op: "talked", checkInId: LONGEST_ID, value: "partly" },
  { op: "comment", checkInId: "c_1-x" },
  { op: "skip", checkInId: "c1" },
  { op: "edit", checkInId: "c1" },
  { op: "consent", checkInId: "c1", accept: true },
  { op: "consent", checkInId: "c1", accept: false },
  { op: "alert", alertId: "a1", change: "ack" },
  { op: "alert", alertId: LONGEST_ID, change: "dismiss" },
  { op: "self", change: "stop" },
  { op: "in", practiceId: PRACTICE, command: "pause" },
  { op: "in", practiceId: PRACTICE, command: "pause until=2026-05-01" },
  { op: "in", practiceId: PRACTICE, command: "digest mon 08:00" },
  { op: "in", practiceId: PRACTICE, command: "erase-me confirm K7P2QX" },
];

describe("encodeAction / decodeAction", () => {
  it("every action survives a round trip, in at most 100 characters", () => {
    for (const action of ACTIONS) {
      const id = encodeAction(action);
      expect(id.length, id).toBeLessThanOrEqual(MAX_ACTION_ID_LENGTH);
      expect(decodeAction(id)).toEqual(action);
      expect(parseAction(id)).toEqual(action);
    }
  });

  it("the longest ids still fit Discord's custom id", () => {
    expect(encodeAction({ op: "tension", checkInId: LONGEST_ID, value: "a_little" }).length).toBeLessThanOrEqual(100);
    expect(encodeAction({ op: "in", practiceId: PRACTICE, command: `help ${"a".repeat(51)}` }).length).toBeLessThanOrEqual(100);
  });

  it("keeps the wire format of ids already on buttons", () => {
    expect(encodeAction({ op: "score", checkInId: "c1", item: "goal", value: 4 })).toBe("ci:c1:goal:4");
    expect(encodeAction({ op: "consent", checkInId: "c1", accept: true })).toBe("consent:c1:yes");
    expect(encodeAction({ op: "alert", alertId: "a1", change: "snooze" })).toBe("al:a1:snooze");
    expect(encodeAction({ op: "self", change: "pause" })).toBe("me:pause");
  });

  it("tells a comment button from every other", () => {
    expect(commentCheckInId("ci:c9:comment")).toBe("c9");
    expect(commentCheckInId("ci:c9:skip")).toBeNull();
    expect(commentCheckInId("nonsense")).toBeNull();
  });
});

describe("malformed ids", () => {
  const CASES: [unknown, ActionIdErrorCode][] = [
    [42, "action_id_not_string"],
    [null, "action_id_not_string"],
    [`ci:${"x".repeat(120)}:skip`, "action_id_over_limit"],
    ["", "action_id_unknown_kind"],
    ["xx:c1:skip", "action_id_unknown_kind"],
    ["100000000000000001|ci:c1:skip", "action_id_unknown_kind"],
    ["ci::skip", "action_id_bad_target"],
    ["ci:c 1:skip", "action_id_bad_target"],
    [`ci:${"x".repeat(65)}:skip`, "action_id_bad_target"],
    ["ci:c1:goal:9", "action_id_bad_score"],
    ["ci:c1:goal:0", "action_id_bad_score"],
    ["ci:c1:goal:4.5", "action_id_bad_score"],
    ["ci:c1:tension:maybe", "action_id_bad_shape"],
    ["ci:c1:mood:3", "action_id_bad_shape"],
    ["ci:c1", "action_id_bad_shape"],
    ["ci:c1:skip:extra", "action_id_bad_shape"],
    ["consent:c1:maybe", "action_id_bad_shape"],
    ["al:a1:delete", "action_id_bad_shape"],
    ["me:erase", "action_id_bad_shape"],
    ["me:pause:now", "action_id_bad_shape"],
    ["in:p1", "action_id_bad_target"],
    ["in::pause", "action_id_bad_target"],
    ["in:p1:", "action_id_bad_shape"],
    ["in:p1:pause <@123>", "action_id_bad_shape"],
    ["in:p1:Pause", "action_id_bad_shape"],
  ];

  it("each gives a coded ActionIdError from decodeActionId and parseAction, and null from decodeAction", () => {
    for (const [id, code] of CASES) {
      const decoded = decodeActionId(id);
      expect(decoded.ok, String(id)).toBe(false);
      if (decoded.ok) continue;
      expect(decoded.error, String(id)).toBeInstanceOf(ActionIdError);
      expect(decoded.error.code, String(id)).toBe(code);
      expect(decoded.error.message.length).toBeGreaterThan(10);
      expect(decodeAction(id)).toBeNull();
      expect(() => parseAction(id)).toThrow(ActionIdError);
    }
  });

  it("an error message never repeats the id it was given", () => {
    for (const [id] of CASES) {
      const decoded = decodeActionId(id);
      if (!decoded.ok && typeof id === "string" && id.length > 3) expect(decoded.error.message).not.toContain(id);
    }
  });

  it("refuses to encode what it could not decode", () => {
    expect(() => encodeAction({ op: "skip", checkInId: "has space" })).toThrow(ActionIdError);
    expect(() => encodeAction({ op: "in", practiceId: PRACTICE, command: "enroll <@1> <@2> mon 09:00 50m" })).toThrow(ActionIdError);
    expect(() => encodeAction({ op: "in", practiceId: PRACTICE, command: `help ${"a".repeat(60)}` })).toThrow(ActionIdError);
    expect(canCarryCommand("pause until=2026-05-01")).toBe(true);
    expect(canCarryCommand("pause\nresume")).toBe(false);
  });
});
