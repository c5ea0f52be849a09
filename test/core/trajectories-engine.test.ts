// The therapist's loop through the real engine on a real SQLite file: crisis safety net, repair
// detection, reminders and escalation, withdrawal vs downtime, weekly digest, and parity between
// the live engine and the back-test for a few trajectories.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEngineFixture } from "../support/engine-fixture.ts";
import type { EngineFixture } from "../support/engine-fixture.ts";
import { RecordingPlatform } from "../support/recording-platform.ts";
import type { AlertView, ConsentView, NoticeView, PromptView } from "../../src/ports/chat-platform.ts";
import type { TalkedThroughAnswer, TensionAnswer } from "../../src/core/model.ts";
import { backtest } from "../../src/evaluate/backtest.ts";
import { trajectory } from "./rules/trajectory-data.ts";

let f: EngineFixture;
let platform: RecordingPlatform;
const WEEK = 7 * 86_400_000;
const START = Date.parse("2026-03-02T10:00:00Z"); // Monday; session 09:00-09:50 UTC, prompt due 10:00

beforeEach(async () => {
  platform = new RecordingPlatform("terminal");
  f = await createEngineFixture({ platform, start: "2026-03-02T08:00:00Z" });
  expect((await f.command("admin", "enroll alice bob mon 09:00 50m UTC", { admin: true })).refused).toBeFalsy();
});
afterEach(async () => f.dispose());

async function openPrompt(weekIndex: number): Promise<PromptView> {
  f.clock.set(new Date(START + weekIndex * WEEK));
  await f.engine.tick();
  await f.engine.tick(); // a catch-up tick marks a missed week first; the next one sends this week's prompt
  let view = platform.lastTo("alice")?.view;
  if (view?.kind === "consent") {
    await f.press("alice", (view as ConsentView).accept.actionId);
    view = platform.lastTo("alice")?.view;
  }
  expect(view?.kind).toBe("prompt");
  return view as PromptView;
}

async function week(weekIndex: number, scores: string, opts: { tension?: TensionAnswer; talked?: TalkedThroughAnswer; comment?: string } = {}) {
  const prompt = await openPrompt(weekIndex);
  const values = scores.split("").map(Number);
  for (let i = 0; i < 3; i++) await f.press("alice", prompt.rows[i]!.options[values[i]! - 1]!.actionId);
  const tension = opts.tension ?? "no";
  await f.press("alice", prompt.tension!.options.find((o) => o.value === tension)!.actionId);
  // "Was it talked through?" is added to the prompt once tension was reported.
  const shown = platform.to("alice").find((m) => m.history[0] && (m.history[0] as PromptView).checkInId === prompt.checkInId)!.view as PromptView;
  if (opts.talked) await f.press("alice", shown.talkedThrough!.options.find((o) => o.value === opts.talked)!.actionId);
  const reply = opts.comment ? await f.engine.receive({ type: "comment", actor: f.actor("alice"), checkInId: prompt.checkInId, text: opts.comment }) : null;
  return { prompt, reply };
}

const alertsTo = (user: string) => platform.to(user).filter((m) => m.view.kind === "alert");
const noticesTo = (user: string) => platform.to(user).filter((m) => m.view.kind === "notice").map((m) => (m.view as NoticeView).text);
const allAlerts = () => f.db.sql.query<{ id: string; status: string; severity: string; signals: string }>(`SELECT "id", "status", "severity", "signals" FROM "Alert" ORDER BY "createdAt"`);
const codesOf = (signals: string) => (JSON.parse(signals) as { code: string }[]).map((s) => s.code).sort();

describe("crisis safety net", () => {
  it("replies with crisis resources, alerts the therapist urgently and audits without the text, even at default thresholds on good scores", async () => {
    const { reply } = await week(0, "555", { comment: "Honestly some days I want to kill myself." });
    expect(reply?.text).toMatch(/automated check-in: it is not monitored around the clock and it cannot give advice/);
    expect(reply?.text).toContain("988");
    expect(noticesTo("alice").at(-1)).toBe(reply?.text);
    const [alert] = alertsTo("bob");
    expect((alert!.view as AlertView).urgent).toBe(true);
    expect((alert!.view as AlertView).reasons).toEqual(["The comment contains crisis language (self-harm or suicide). The client was automatically shown crisis resources."]);
    const audit = await f.db.sql.query<{ action: string; detail: string }>(`SELECT "action", "detail" FROM "AuditEntry" WHERE "action" = 'crisis.detected'`);
    expect(audit).toHaveLength(1);
    expect(audit[0]!.detail).not.toMatch(/kill|myself/i);
    const stored = await allAlerts();
    expect(stored.map((a) => a.severity)).toEqual(["urgent"]);
    expect(stored[0]!.signals).not.toMatch(/kill/i);
  });

  it("works before the check-in is complete and in Romanian, with the practice's own resources", async () => {
    await f.command("admin", "settings crisis_ro Sunați la 112 sau la medicul de familie.", { admin: true });
    await f.command("admin", "enroll carol bob tue 09:00 50m UTC ro", { admin: true });
    f.clock.set("2026-03-03T10:00:00Z");
    await f.engine.tick();
    await f.press("carol", (platform.lastTo("carol")!.view as ConsentView).accept.actionId);
    const prompt = platform.lastTo("carol")!.view as PromptView;
    const reply = await f.engine.receive({ type: "comment", actor: f.actor("carol"), checkInId: prompt.checkInId, text: "nu mai vreau sa traiesc" });
    expect(reply.text).toMatch(/nu este urmărită non-stop și nu poate oferi sfaturi/);
    expect(reply.text).toContain("Sunați la 112 sau la medicul de familie.");
    expect((await allAlerts()).map((a) => [a.severity, codesOf(a.signals)])).toEqual([["urgent", ["crisis_language"]]]);
  });

  it("an explicit denial gets the ordinary thank-you (no crisis resources) and the therapist a non-urgent note", async () => {
    const { reply } = await week(0, "555", { comment: "I'm not going to hurt myself, it was a good session." });
    expect(reply?.text).toBe("Thank you, your comment is saved.");
    expect(noticesTo("alice").some((text) => text.includes("988"))).toBe(false);
    const stored = await allAlerts();
    expect(stored.map((a) => [a.severity, codesOf(a.signals)])).toEqual([["normal", ["crisis_denial"]]]);
    const [message] = alertsTo("bob");
    const view = message!.view as AlertView;
    expect(view.urgent).toBe(false);
    expect(view.title).toBe("A note about @alice");
    expect(view.reasons).toEqual(["The comment mentions self-harm or suicide, in order to deny it. Not treated as a crisis: no crisis resources were sent to the client. Worth a gentle check at the next session."]);
  });

  it("an urgent signal on an existing alert is sent as a new message, so the therapist is notified", async () => {
    await week(0, "255");
    expect(alertsTo("bob")).toHaveLength(1);
    await week(1, "555", { comment: "I want to die" });
    expect(alertsTo("bob")).toHaveLength(2);
    expect((alertsTo("bob")[1]!.view as AlertView).urgent).toBe(true);
    expect(await allAlerts()).toHaveLength(1);
  });
});

describe("repair detection and trend episodes", () => {
  it("an acknowledged rupture followed by a return to baseline is marked repaired and the therapist told", async () => {
    for (let i = 0; i < 4; i++) await week(i, "555");
    await week(4, "333");
    const alert = alertsTo("bob")[0]!.view as AlertView;
    await f.press("bob", alert.buttons[0]!.actionId); // acknowledge
    await week(5, "555");
    const [stored] = await allAlerts();
    expect(stored!.status).toBe("repaired");
    expect(noticesTo("bob").at(-1)).toBe("@alice's check-in is back to their usual (15/15, usual 15), so the alert is now marked repaired.");
    expect(alertsTo("bob")).toHaveLength(1); // the alert message was edited, not re-sent
    const trend = (await f.command("bob", "trend alice")).text;
    expect(trend).toContain("Rupture → repair episodes:");
    expect(trend).toMatch(/Total 9\/15 \(below 12\): low level reached\..* → repaired /);
  });

  it("an unacknowledged rupture is not auto-repaired, and a partial recovery is not a repair", async () => {
    for (let i = 0; i < 4; i++) await week(i, "555");
    await week(4, "333");
    await week(5, "555");
    expect((await allAlerts())[0]!.status).toBe("open");
    await f.press("bob", (alertsTo("bob")[0]!.view as AlertView).buttons[0]!.actionId);
    await week(6, "545"); // 14 vs usual 15: back within the drop threshold → repaired
    expect((await allAlerts())[0]!.status).toBe("repaired");
  });

  it("a standing low level fires nothing after it was reached, and is not taken for a repair", async () => {
    await week(0, "333");
    await f.press("bob", (alertsTo("bob")[0]!.view as AlertView).buttons[0]!.actionId); // acknowledge
    await week(1, "333");
    await week(2, "333");
    const [stored] = await allAlerts();
    expect(stored!.status).toBe("acknowledged");
    expect(codesOf(stored!.signals)).toEqual(["low_total"]);
    expect(alertsTo("bob")).toHaveLength(1);
    await week(3, "555");
    expect((await allAlerts())[0]!.status).toBe("repaired");
  });

  it("no repair once three check-ins after the acknowledgement went by", async () => {
    for (let i = 0; i < 4; i++) await week(i, "555");
    await week(4, "333");
    await f.press("bob", (alertsTo("bob")[0]!.view as AlertView).buttons[0]!.actionId);
    await week(5, "444");
    await week(6, "444");
    await week(7, "444");
    await week(8, "555");
    expect((await allAlerts())[0]!.status).toBe("acknowledged");
  });
});

describe("reminder and escalation", () => {
  it("one reminder after 24 h, one escalation to admins after 72 h, never twice", async () => {
    await week(0, "255");
    const created = f.clock.now().getTime();
    f.clock.set(new Date(created + 23 * 3600_000));
    expect((await f.engine.tick()).loop.reminders).toBe(0);
    f.clock.set(new Date(created + 24 * 3600_000 + 60_000));
    expect((await f.engine.tick()).loop).toMatchObject({ reminders: 1, escalations: 0 });
    expect(noticesTo("bob").at(-1)).toMatch(/^Reminder: the alert about @alice from .* has not been acknowledged yet\.$/);
    expect((await f.engine.tick()).loop.reminders).toBe(0);
    f.clock.set(new Date(created + 72 * 3600_000 + 60_000));
    expect((await f.engine.tick()).loop).toMatchObject({ reminders: 0, escalations: 1 });
    expect(noticesTo("admin").at(-1)).toBe("An alert about @alice (therapist @bob) has not been acknowledged for 72 hours. Please check in with the therapist; /checkin alerts lists open alerts.");
    expect(noticesTo("admin").at(-1)).not.toMatch(/Goals|\/5/);
    expect((await f.engine.tick()).loop.escalations).toBe(0);
  });

  it("acknowledged alerts get neither; snooze postpones both", async () => {
    await week(0, "255");
    const alert = alertsTo("bob")[0]!.view as AlertView;
    const snooze = alert.buttons.find((b) => b.actionId.endsWith(":snooze"))!;
    await f.press("bob", snooze.actionId);
    const created = f.clock.now().getTime();
    f.clock.set(new Date(created + 80 * 3600_000));
    expect((await f.engine.tick()).loop).toMatchObject({ reminders: 0, escalations: 0 });
    expect((await allAlerts())[0]!.status).toBe("open");
    f.clock.set(new Date(created + 8 * 24 * 3600_000));
    expect((await f.engine.tick()).loop).toMatchObject({ reminders: 1, escalations: 1 });
    await week(2, "555");
    await f.press("bob", alert.buttons[0]!.actionId);
    f.clock.set(new Date(created + 30 * 24 * 3600_000));
    expect((await f.engine.tick()).loop).toMatchObject({ reminders: 0, escalations: 0 });
  });
});

describe("withdrawal: missed check-ins vs downtime", () => {
  it("two expired prompts in a row raise a withdrawal alert", async () => {
    await week(0, "555");
    await openPrompt(1);
    await openPrompt(2); // week 1 expired two days after its session
    f.clock.set(new Date(START + 2 * WEEK + 3 * 86_400_000));
    await f.engine.tick();
    const stored = await allAlerts();
    expect(stored.map((a) => codesOf(a.signals))).toEqual([["withdrawal_missed"]]);
    expect((alertsTo("bob")[0]!.view as AlertView).reasons).toEqual(["2 check-ins in a row expired unanswered (system downtime and pauses not counted)."]);
  });

  it("a check-in missed because the bot was down does not count", async () => {
    await week(0, "555");
    // The bot is down for all of week 1: its prompt is never sent.
    await openPrompt(2);
    f.clock.set(new Date(START + 2 * WEEK + 3 * 86_400_000));
    await f.engine.tick();
    const statuses = await f.db.sql.query<{ status: string }>(`SELECT "status" FROM "CheckIn" ORDER BY "sessionEndAt"`);
    expect(statuses.map((s) => s.status).slice(0, 3)).toEqual(["answered", "missed_by_system", "expired"]);
    expect(await allAlerts()).toEqual([]);
  });

  it("stopping right after a low check-in tells the therapist why it matters", async () => {
    await week(0, "555");
    await week(1, "434");
    await f.command("alice", "stop");
    const stored = await allAlerts();
    // Issue 14: 11 is a borderline level (no alert on its own); stopping right after it still fires.
    expect(stored.map((a) => codesOf(a.signals))).toEqual([["withdrawal_stopped"]]);
  });
});

describe("weekly digest", () => {
  it("therapists choose the day and time; one short DM per week; off stops it", async () => {
    expect(await f.command("alice", "digest mon 08:00")).toEqual({ text: "Sorry, you can't do that.", refused: true });
    expect(await f.command("bob", "digest")).toEqual({ text: "Your weekly digest comes on Monday at 08:00 (UTC)." });
    expect(await f.command("bob", "digest wed 7:30")).toEqual({ text: "Your weekly digest comes on Wednesday at 07:30 (UTC)." });
    await week(0, "555");
    await week(1, "255");
    f.clock.set("2026-03-11T07:29:00Z"); // Wednesday, before the time
    expect((await f.engine.tick()).loop.digests).toBe(0);
    f.clock.set("2026-03-11T07:31:00Z");
    expect((await f.engine.tick()).loop.digests).toBe(1);
    const digest = noticesTo("bob").at(-1)!;
    expect(digest.split("\n")).toEqual([
      "Weekly check-in digest: 1 active client.",
      expect.stringMatching(/^@alice: \S+ last 2\/5\/5 \(total 12\); alert open; low level since .+ \(check-ins at this level: 1\); missed this week: 0$/),
      "Details: /checkin trend @client · /checkin alerts. Change or stop this digest: /checkin digest mon 08:00 | off",
      "Your caseload on the web: http://localhost:3000/dashboard (sign in with /checkin dashboard)",
    ]);
    f.clock.set("2026-03-11T09:00:00Z");
    expect((await f.engine.tick()).loop.digests).toBe(0);
    expect(await f.command("bob", "digest off")).toEqual({ text: "Your weekly digest is off. Turn it on with /checkin digest mon 08:00." });
    f.clock.set("2026-03-18T07:31:00Z");
    expect((await f.engine.tick()).loop.digests).toBe(0);
  });
});

describe("live engine and back-test agree", () => {
  const cases: { name: string; weeks: string[]; tension?: [number, TensionAnswer, TalkedThroughAnswer] }[] = [
    { name: "sudden drop", weeks: ["555", "555", "555", "555", "555", "333"] },
    { name: "slow decline", weeks: ["555", "554", "544", "444"] },
    { name: "tension not talked through", weeks: ["555", "555"], tension: [1, "a_little", "no"] },
    { name: "stable", weeks: ["555", "554", "555", "545", "555"] },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      for (let i = 0; i < c.weeks.length; i++) {
        const t = c.tension && c.tension[0] === i ? { tension: c.tension[1], talked: c.tension[2] } : {};
        await week(i, c.weeks[i]!, t);
      }
      const steps = c.weeks.map((s, i) => (c.tension && c.tension[0] === i ? { s, tension: c.tension[1], talked: c.tension[2] } : s));
      const expected = [...new Set((await backtest(trajectory(...steps))).flatMap((a) => a.signals.map((s) => `${s.code}:${s.params.item ?? ""}`)))].sort();
      const live = (await allAlerts()).flatMap((a) => (JSON.parse(a.signals) as { code: string; params: { item?: string } }[]).map((s) => `${s.code}:${s.params.item ?? ""}`)).sort();
      expect(live).toEqual(expected);
    });
  }
});
