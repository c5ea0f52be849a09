// The rule for answering a press on the spot is defined once (src/core/answer-rule.ts) and
// decided there on a context; the store's answer write only calls that decision
// (test/store/answer-decision.test.ts). Here each condition is shown to matter on its own.

import { describe, expect, it } from "vitest";
import { openForActor, ownsCheckIn } from "../../src/core/answer-rule.ts";
import type { CheckInContext } from "../../src/ports/checkin-store.ts";

const now = new Date("2026-03-02T12:00:00Z");
const actor = { platform: "slack" as const, workspaceId: "T1", userId: "U1" };

function context(change: (c: CheckInContext) => void = () => undefined): CheckInContext {
  const c = {
    checkIn: { id: "c1", status: "sent", closesAt: new Date(now.getTime() + 60_000) },
    enrollment: { id: "e1" },
    practice: { platform: "slack", externalId: "T1" },
    client: { platformUserId: "U1", consentAt: new Date(0), stoppedAt: null },
  } as unknown as CheckInContext;
  change(c);
  return c;
}

describe("openForActor", () => {
  it("holds for the client's own sent, open prompt after consent", () => {
    expect(openForActor(context(), actor, now)).toBe(true);
    expect(ownsCheckIn(context(), actor)).toBe(true);
  });

  const breaks: [string, (c: CheckInContext) => void][] = [
    ["another platform", (c) => void (c.practice.platform = "discord")],
    ["another workspace", (c) => void (c.practice.externalId = "T2")],
    ["another user", (c) => void (c.client.platformUserId = "U2")],
    ["no consent", (c) => void (c.client.consentAt = null)],
    ["stopped", (c) => void (c.client.stoppedAt = new Date(0))],
    ["answered already", (c) => void (c.checkIn.status = "answered")],
    ["closes exactly now", (c) => void (c.checkIn.closesAt = now)],
  ];
  for (const [name, change] of breaks) {
    it(`does not hold for ${name}`, () => {
      expect(openForActor(context(change), actor, now)).toBe(false);
    });
  }

  it("ownership alone ignores consent and state, so other refusals can be worded", () => {
    expect(ownsCheckIn(context((c) => void (c.client.consentAt = null)), actor)).toBe(true);
    expect(ownsCheckIn(context((c) => void (c.client.platformUserId = "U2")), actor)).toBe(false);
  });
});
