// The common first steps of an engine test: enroll a client, send the first check-in, accept
// consent, and hand back the prompt the client now sees.

import { expect } from "vitest";
import type { EngineFixture } from "./engine-fixture.ts";
import type { RecordingPlatform } from "./recording-platform.ts";
import type { ConsentView, PromptView } from "../../src/ports/chat-platform.ts";

/** Enrolls `client` with `therapist` (Mondays 09:00 UTC) and sends the first prompt at `at`. */
export async function enrollAndPrompt(f: EngineFixture, platform: RecordingPlatform, client = "alice", therapist = "bob", at = "2026-03-02T10:00:00Z"): Promise<PromptView> {
  const enrolled = await f.command("admin", `enroll ${client} ${therapist} mon 09:00 50m UTC`, { admin: true });
  expect(enrolled.refused).toBeFalsy();
  f.clock.set(at);
  await f.engine.tick();
  const consent = platform.lastTo(client)?.view as ConsentView;
  expect(consent.kind).toBe("consent");
  await f.press(client, consent.accept.actionId);
  const prompt = platform.lastTo(client)?.view as PromptView;
  expect(prompt.kind).toBe("prompt");
  return prompt;
}
