// Shared set-up for the privacy tests: a real engine on a real SQLite file, a platform that
// records files too, and a client who has consented, answered and commented.

import { expect } from "vitest";
import { createEngineFixture } from "../support/engine-fixture.ts";
import type { EngineFixture } from "../support/engine-fixture.ts";
import { RecordingPlatform } from "../support/recording-platform.ts";
import type { FileView, PromptView, Recipient, SendResult } from "../../src/ports/chat-platform.ts";
import type { Reply } from "../../src/ports/inbound.ts";

/** RecordingPlatform plus the optional sendFile capability. */
export class FilePlatform extends RecordingPlatform {
  readonly files: { to: Recipient; file: FileView }[] = [];
  async sendFile(to: Recipient, file: FileView): Promise<SendResult> {
    this.files.push({ to, file });
    return { ok: true, ref: { channelId: `D-${to.userId}`, messageId: `f${this.files.length}` } };
  }
  filesTo(userId: string): FileView[] {
    return this.files.filter((f) => f.to.userId === userId).map((f) => f.file);
  }
}

export const TABLES = ["Practice", "Person", "Enrollment", "CheckIn", "Response", "Alert", "InboundEvent", "AuditEntry"] as const;

export async function rowCounts(f: EngineFixture): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of TABLES) {
    const rows = await f.db.sql.query<{ n: number }>(`SELECT COUNT(*) AS "n" FROM "${table}"`);
    counts[table] = Number(rows[0]!.n);
  }
  return counts;
}

export async function privacyFixture(platform: RecordingPlatform = new FilePlatform("terminal")): Promise<{ f: EngineFixture; platform: RecordingPlatform }> {
  const f = await createEngineFixture({ platform, start: "2026-03-02T08:00:00Z" });
  const off = await f.command("admin", "settings quiet_hours off", { admin: true });
  expect(off.refused).toBeFalsy();
  return { f, platform };
}

export { enrollAndPrompt } from "../support/checkin-flow.ts";

export async function answer(f: EngineFixture, client: string, prompt: PromptView, scores: [number, number, number], tension: "no" | "a_little" | "yes" = "no"): Promise<Reply[]> {
  const replies: Reply[] = [];
  for (const [i, row] of prompt.rows.entries()) replies.push(await f.press(client, row.options[scores[i]! - 1]!.actionId));
  const option = prompt.tension?.options.find((o) => o.value === tension);
  if (option) replies.push(await f.press(client, option.actionId));
  return replies;
}

export function comment(f: EngineFixture, client: string, checkInId: string, text: string): Promise<Reply> {
  return f.engine.receive({ type: "comment", actor: f.actor(client), checkInId, text });
}
