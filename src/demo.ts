// `npm run demo`: a scripted, non-interactive walk-through on an accelerated (manual) clock,
// in the terminal adapter on a throwaway SQLite file. Exits 0 when every step did what it should.
//   enroll → session → consent + prompt → answers → rupture alert → acknowledge

import { mkdtempSync, rmSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import path from "node:path";
import { buildBot } from "./app.ts";
import { ManualClock } from "./ports/clock.ts";
import { silentLogger } from "./ports/logger.ts";
import { AesGcmCommentCipher } from "./security/comment-cipher.ts";
import { TerminalAdapter } from "../adapters/terminal/index.ts";

class DemoStepFailed extends Error {}

function expectStep(condition: boolean, step: string): void {
  if (!condition) throw new DemoStepFailed(`demo step failed: ${step}`);
}

const say = (text: string) => process.stdout.write(`\n### ${text}\n`);

export async function runDemo(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), "checkin-demo-"));
  // Monday 2 March 2026, 07:00 in Bucharest.
  const clock = new ManualClock("2026-03-02T05:00:00Z");
  const bot = await buildBot({ databaseUrl: `file:${path.join(dir, "demo.db")}`, cipher: new AesGcmCommentCipher(randomBytes(32)), logger: silentLogger, clock });
  const terminal = new TerminalAdapter({ inbound: bot.engine });
  bot.platforms.set("terminal", terminal);
  const type = async (line: string) => {
    process.stdout.write(`\n> ${line}\n`);
    await terminal.handleLine(line);
  };
  const lastButtons = (userId: string) => terminal.messagesTo(userId).filter((m) => !m.deleted).at(-1);
  try {
    say("An admin enrolls client @alice with therapist @bob: Mondays 09:00, 50 minutes, Bucharest time.");
    await type("/as admin dana");
    await type("/checkin enroll alice bob mon 09:00 50m Europe/Bucharest");
    const enrollments = await bot.store.listEnrollments((await bot.store.ensurePractice("terminal", "local")).id);
    expectStep(enrollments.length === 1, "enrollment stored");

    say("The clock jumps to 10:00 Bucharest time: the session ended at 09:50, the check-in is due at 10:00.");
    clock.set("2026-03-02T08:00:00Z");
    const tick = await bot.engine.tick();
    expectStep(tick.dispatch.sent === 1, "the check-in was sent");

    say("Alice gets a one-time consent request first and accepts it; the prompt follows.");
    const consent = lastButtons("alice");
    expectStep(Boolean(consent?.actionIds.some((id) => id.endsWith(":yes"))), "consent request shown");
    await type("/as client alice");
    await type("/press b1");
    const prompt = lastButtons("alice");
    expectStep((prompt?.actionIds.length ?? 0) >= 15, "prompt with 1–5 buttons shown");

    say("Alice answers: goals 4, way of working 3, bond 2; some tension that was not talked through.");
    const press = async (suffix: string) => {
      // The prompt is edited in place ("Was it talked through?" appears after tension was reported).
      const shown = terminal.messagesTo("alice").find((m) => m.ref.messageId === prompt?.ref.messageId);
      const id = shown?.actionIds.find((a) => a.endsWith(suffix));
      expectStep(id !== undefined, `button ${suffix.slice(1)} shown`);
      const reply = await terminal.press("alice", prompt!.ref, id!);
      process.stdout.write(`(alice pressed ${suffix.slice(1)}) ${reply?.text ?? ""}\n`);
    };
    await press(":goal:4");
    await press(":task:3");
    await press(":bond:2");
    await press(":tension:a_little");
    await press(":talked:no");

    say("Bob, the therapist, received a private rupture alert with the reasons.");
    const alert = lastButtons("bob");
    expectStep(Boolean(alert?.text.includes("Bond 2/5")), "alert names the low bond score");
    const open = await bot.store.listAlerts(enrollments.map((e) => e.id), ["open"]);
    expectStep(open.length === 1, "one open alert stored");

    say("Bob acknowledges the alert.");
    const ack = alert!.actionIds.find((id) => id.endsWith(":ack"))!;
    const reply = await terminal.press("bob", alert!.ref, ack);
    process.stdout.write(`(bob pressed Acknowledge) ${reply?.text ?? ""}\n`);
    const stored = await bot.store.getAlert(ack.split(":")[1]!);
    expectStep(stored?.status === "acknowledged", "alert acknowledged in the store");

    say("Bob looks at the trend.");
    await type("/as therapist bob");
    await type("/checkin trend alice");
    say("Demo finished: every step worked.");
  } finally {
    await bot.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

runDemo().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : "demo failed"}\n`);
    process.exit(1);
  },
);
