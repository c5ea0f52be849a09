// The set-up many engine tests share: a recording platform, an engine on a fresh database at
// 2026-03-02 08:00 UTC, quiet hours off, and optionally an admin command (e.g. an enroll) run first.

import { expect } from "vitest";
import { createEngineFixture } from "./engine-fixture.ts";
import type { EngineFixture } from "./engine-fixture.ts";
import { RecordingPlatform } from "./recording-platform.ts";

export async function recordingEngine(opts: { adminCommand?: string } = {}): Promise<{ f: EngineFixture; platform: RecordingPlatform }> {
  const platform = new RecordingPlatform("terminal");
  const f = await createEngineFixture({ platform, start: "2026-03-02T08:00:00Z" });
  expect((await f.command("admin", "settings quiet_hours off", { admin: true })).refused).toBeFalsy();
  if (opts.adminCommand) expect((await f.command("admin", opts.adminCommand, { admin: true })).refused).toBeFalsy();
  return { f, platform };
}
