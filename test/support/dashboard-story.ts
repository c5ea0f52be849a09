// A practice with history, written through the real engine as people would in chat: @alice
// (therapist @bob) answers weekly; a rupture opens an alert, @bob acknowledges it in chat and
// the next check-in back at her usual level marks it repaired; later a second rupture is open.
// @carol (therapist @dan) is on track. @dana administers the practice.

import { expect } from "vitest";
import type { EngineFixture } from "./engine-fixture.ts";
import type { RecordingPlatform } from "./recording-platform.ts";
import type { AlertView, ConsentView, PromptView } from "../../src/ports/chat-platform.ts";
import { answer, comment } from "../privacy/support.ts";

const WEEK = 7 * 86_400_000;
export const STORY_START = Date.parse("2026-03-02T10:00:00Z");

export interface Story {
  aliceEnrollmentId: string;
  carolEnrollmentId: string;
  /** The repaired alert (first episode) and the open one. */
  repairedAlertId: string;
  openAlertId: string;
  /** When the story ends (the clock is left here). */
  now: Date;
}

const ALICE: [number, number, number][] = [
  [4, 4, 4], [4, 5, 4], [4, 4, 4], [5, 4, 4], [4, 4, 4], // usual: about 12
  [2, 3, 2], // rupture: alert opens
  [4, 4, 4], // back at her usual after the acknowledgement: repaired
  [4, 4, 5], [4, 4, 4],
  [2, 2, 3], // second rupture: open
];

export async function tellStory(f: EngineFixture, platform: RecordingPlatform): Promise<Story> {
  expect((await f.command("dana", "settings quiet_hours off", { admin: true })).refused).toBeFalsy();
  expect((await f.command("dana", "enroll alice bob mon 09:00 50m UTC", { admin: true })).refused).toBeFalsy();
  expect((await f.command("dana", "enroll carol dan mon 09:00 50m UTC", { admin: true })).refused).toBeFalsy();
  const alerts: string[] = [];
  for (let week = 0; week < ALICE.length; week++) {
    f.clock.set(new Date(STORY_START + week * WEEK));
    await f.engine.tick();
    for (const client of ["alice", "carol"]) {
      let view = platform.lastTo(client)?.view;
      if (view?.kind === "consent") {
        await f.press(client, (view as ConsentView).accept.actionId);
        view = platform.lastTo(client)?.view;
      }
      expect(view?.kind, `${client} week ${week}`).toBe("prompt");
      const prompt = view as PromptView;
      await answer(f, client, prompt, client === "alice" ? ALICE[week]! : [5, 5, 4]);
      if (client === "alice" && week === 5) await comment(f, "alice", prompt.checkInId, "I felt rushed at the end today");
    }
    const latest = platform.to("bob").map((m) => m.view).filter((v): v is AlertView => v.kind === "alert").at(-1);
    if (latest && !alerts.includes(latest.alertId)) {
      alerts.push(latest.alertId);
      // The first alert is acknowledged in chat the next day.
      if (alerts.length === 1) {
        f.clock.set(new Date(STORY_START + week * WEEK + 86_400_000));
        expect((await f.press("bob", `al:${latest.alertId}:ack`)).refused).toBeFalsy();
      }
    }
  }
  const now = new Date(STORY_START + (ALICE.length - 1) * WEEK + 3600_000);
  f.clock.set(now);
  const practice = await f.store.ensurePractice(platform.name, platform.name === "terminal" ? "local" : "W1");
  const alice = await f.store.findPerson(practice.id, "alice");
  const carol = await f.store.findPerson(practice.id, "carol");
  const aliceEnrollment = await f.store.currentEnrollmentForClient(alice!.id);
  const carolEnrollment = await f.store.currentEnrollmentForClient(carol!.id);
  const [first, second] = alerts;
  expect((await f.store.getAlert(first!))?.status).toBe("repaired");
  expect((await f.store.getAlert(second!))?.status).toBe("open");
  return { aliceEnrollmentId: aliceEnrollment!.id, carolEnrollmentId: carolEnrollment!.id, repairedAlertId: first!, openAlertId: second!, now };
}
