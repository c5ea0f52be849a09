// Events whose actor named no workspace (a DM that carries no guild): the engine places each in its
// practice from what it names, and asks the platform for admin rights there, at the time of the
// action. A command is run in the person's one practice, or answered with "which practice?".

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EngineFixture } from "../support/engine-fixture.ts";
import type { RecordingPlatform } from "../support/recording-platform.ts";
import { recordingEngine } from "../support/recording-engine.ts";
import { enrollAndPrompt } from "../support/checkin-flow.ts";
import { encodeAction } from "../../src/ports/action-ids.ts";
import type { AlertView } from "../../src/ports/chat-platform.ts";
import type { InboundActor, Reply } from "../../src/ports/inbound.ts";
import { translate } from "../../src/i18n/index.ts";

let f: EngineFixture;
let platform: RecordingPlatform;

beforeEach(async () => {
  ({ f, platform } = await recordingEngine());
});
afterEach(async () => f.dispose());

const inDm = (userId: string): InboundActor => ({ platform: "terminal", workspaceId: null, userId, isPlatformAdmin: false });
const dmCommand = (userId: string, text: string): Promise<Reply> => f.engine.receive({ type: "command", actor: inDm(userId), text });
const dmPress = (userId: string, actionId: string): Promise<Reply> => f.engine.receive({ type: "action", actor: inDm(userId), actionId });

async function openAlert(): Promise<AlertView> {
  const prompt = await enrollAndPrompt(f, platform);
  for (const row of prompt.rows) await f.press("alice", row.options[0]!.actionId);
  const alert = platform.lastTo("bob")?.view as AlertView;
  expect(alert.kind).toBe("alert");
  return alert;
}

describe("presses and comments from a DM are placed by what they name", () => {
  it("a score and a comment find their check-in's practice; another person's press is refused", async () => {
    const prompt = await enrollAndPrompt(f, platform);
    const goal = prompt.rows[0]!.options[3]!.actionId;
    expect((await dmPress("alice", goal)).refused).toBeFalsy();
    expect((await f.store.getResponse(prompt.checkInId))?.goal).toBe(4);
    const comment = await f.engine.receive({ type: "comment", actor: inDm("alice"), checkInId: prompt.checkInId, text: "fine" });
    expect(comment.refused).toBeFalsy();
    expect((await dmPress("mallory", prompt.rows[1]!.options[0]!.actionId)).text).toBe(translate("en", "answer.not_yours"));
    expect((await f.store.getResponse(prompt.checkInId))?.task).toBeNull();
    expect((await dmPress("alice", "ci:nope:goal:3")).text).toBe(translate("en", "answer.unknown"));
    expect((await dmPress("alice", `ci:${prompt.checkInId}:goal:7`)).text).toBe(translate("en", "answer.bad_value"));
  });

  it("an alert button is the therapist's, or a current admin's as the platform says at the press", async () => {
    const alert = await openAlert();
    const snooze = alert.buttons.find((b) => b.actionId.endsWith(":snooze"))!.actionId;
    const ack = alert.buttons.find((b) => b.actionId.endsWith(":ack"))!.actionId;
    platform.roles.set("olga", "admin");
    const lookups = platform.roleLookups.length;
    expect((await dmPress("olga", snooze)).refused).toBeFalsy();
    expect(platform.roleLookups.slice(lookups)).toEqual(["olga"]);
    platform.roles.set("olga", "member");
    expect((await dmPress("olga", ack)).text).toBe(translate("en", "alert.not_yours"));
    expect((await f.store.getAlert(alert.alertId))?.status).toBe("open");
    // The therapist needs no lookup.
    const before = platform.roleLookups.length;
    expect((await dmPress("bob", ack)).refused).toBeFalsy();
    expect(platform.roleLookups.length).toBe(before);
    expect((await f.store.getAlert(alert.alertId))?.status).toBe("acknowledged");
  });
});

describe("commands from a DM", () => {
  it("run in the person's one practice, with admin rights from the platform there", async () => {
    expect((await f.command("admin", "enroll alice bob mon 09:00 50m UTC", { admin: true })).refused).toBeFalsy();
    expect((await dmCommand("alice", "pause")).text).toBe(translate("en", "command.self.paused", { until: "" }));
    platform.roles.set("admin", "admin");
    expect((await dmCommand("admin", "list")).refused).toBeFalsy();
    platform.roles.set("admin", "member");
    expect((await dmCommand("admin", "list")).text).toBe(translate("en", "command.denied"));
  });

  it("a person in no practice is told to use their practice's server, and nothing is stored for them", async () => {
    expect((await dmCommand("stranger", "mydata")).text).toBe(translate("en", "direct.no_practice"));
    expect(await f.store.practicesOfUser("terminal", "stranger")).toEqual([]);
  });

  it("a self button (App Home pause) from a DM is run like the command", async () => {
    expect((await f.command("admin", "enroll alice bob mon 09:00 50m UTC", { admin: true })).refused).toBeFalsy();
    expect((await dmPress("alice", encodeAction({ op: "self", change: "pause" }))).text).toBe(translate("en", "command.self.paused", { until: "" }));
  });

  it("an `in` button runs the command only in a practice where the person has a record", async () => {
    expect((await f.command("admin", "enroll alice bob mon 09:00 50m UTC", { admin: true })).refused).toBeFalsy();
    const practice = await f.store.ensurePractice("terminal", "local");
    const pause = encodeAction({ op: "in", practiceId: practice.id, command: "pause" });
    expect((await dmPress("zed", pause)).text).toBe(translate("en", "direct.unknown_practice"));
    expect((await dmPress("alice", encodeAction({ op: "in", practiceId: "no-such-practice", command: "pause" }))).text).toBe(translate("en", "direct.unknown_practice"));
    expect((await dmPress("alice", pause)).text).toBe(translate("en", "command.self.paused", { until: "" }));
    // From inside a workspace, only that workspace's practice may be named.
    const elsewhere = await f.engine.receive({ type: "action", actor: f.actor("alice", { workspaceId: "other" }), actionId: pause });
    expect(elsewhere.text).toBe(translate("en", "direct.unknown_practice"));
  });
});
