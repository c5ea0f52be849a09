import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEngineFixture } from "../support/engine-fixture.ts";
import type { EngineFixture } from "../support/engine-fixture.ts";
import { RecordingPlatform } from "../support/recording-platform.ts";
import { EXAMPLES, parseCommand, suggestSubcommand, USAGE } from "../../src/core/commands/grammar.ts";
import type { CommandName } from "../../src/core/commands/grammar.ts";
import { SETTING_KEYS } from "../../src/core/commands/settings.ts";

let f: EngineFixture;
let platform: RecordingPlatform;

beforeEach(async () => {
  platform = new RecordingPlatform("terminal");
  f = await createEngineFixture({ platform, start: "2026-03-02T08:00:00Z" });
});
afterEach(async () => f.dispose());

const admin = (text: string) => f.command("admin", text, { admin: true });
const DENIED = { text: "Sorry, you can't do that.", refused: true };

async function enrollAlice() {
  const reply = await admin("enroll alice bob mon 09:00 50m UTC");
  expect(reply.refused, reply.text).toBeFalsy();
  return reply;
}

async function enrollmentCount(): Promise<number> {
  const [row] = await f.db.sql.query<{ n: number }>(`SELECT COUNT(*) AS "n" FROM "Enrollment" WHERE "status" <> 'ended'`);
  return Number(row!.n);
}

/** The usage line shown in a reply, made concrete (optional parts dropped, date filled in). */
function concreteUsage(replyText: string): string {
  const usage = /Usage: (.+?)(?: Example: .*)?$/.exec(replyText)?.[1];
  expect(usage, replyText).toBeDefined();
  let concrete = usage!;
  while (/\[[^[\]]*\]/.test(concrete)) concrete = concrete.replace(/\s*\[[^[\]]*\]/g, "");
  return concrete.replace("yyyy-MM-dd", "2030-01-31");
}

describe("parse errors", () => {
  const cases: [string, string, CommandName, RegExp][] = [
    ["empty", "", "help", /Please add a subcommand/],
    ["only the prefix", "/checkin", "help", /Please add a subcommand/],
    ["unknown subcommand with a suggestion", "enrol alice bob mon 09:00 50m", "enroll", /I don't know the subcommand "enrol"\. Did you mean \/checkin enroll\?/],
    ["missing client", "enroll", "enroll", /Something is missing: client/],
    ["missing therapist", "enroll alice", "enroll", /Something is missing: therapist/],
    ["missing schedule", "enroll alice bob", "enroll", /Something is missing: schedule/],
    ["schedule without a length", "enroll alice bob tue 17:00", "enroll", /days, a start time and a session length/],
    ["unknown option", "enroll alice bob tue 17:00 50m colour=red", "enroll", /"colour=red" isn't a valid option/],
    ["repeated option", "enroll alice bob tue 17:00 50m tz=UTC tz=UTC", "enroll", /"tz=UTC" isn't a valid option/],
    ["bad locale", "enroll alice bob tue 17:00 50m locale=fr", "enroll", /"fr" isn't a supported language/],
    ["unexpected argument", "list everything", "list", /I didn't expect "everything"/],
    ["bad mention", "end 2026-01-01", "end", /"2026-01-01" isn't a person I recognise/],
    ["bad date", "skip alice 2026-02-30", "skip", /"2026-02-30" isn't a date/],
    ["missing date", "skip alice", "skip", /Something is missing: date/],
    ["bad until date", "pause alice 31/01/2030", "pause", /"31\/01\/2030" isn't a date/],
    ["bad settings key", "settings Bad!Key 1", "settings", /"Bad!Key" isn't a valid option/],
    ["schedule missing client", "schedule", "schedule", /Something is missing: client/],
    ["now without client", "now", "now", /Something is missing: client/],
    ["too long", `help ${"x".repeat(2100)}`, "help", /That command is too long/],
  ];

  for (const [label, text, subcommand, message] of cases) {
    it(`${label}: a refused reply with the specific reason, Usage and a correct example`, async () => {
      const reply = await f.command("anyone", text);
      expect(reply.refused).toBe(true);
      expect(reply.text).toMatch(message);
      expect(reply.text).toContain(`Usage: ${USAGE[subcommand]}`);
      const example = parseCommand(concreteUsage(reply.text));
      expect(example.ok, concreteUsage(reply.text)).toBe(true);
      if (example.ok) expect(example.command.name).toBe(subcommand);
      // The concrete example shown after the usage parses too (for a typo, the suggested subcommand's).
      const shown = /Example: (.+)$/.exec(reply.text)?.[1];
      expect(shown, reply.text).toBeDefined();
      const parsedExample = parseCommand(shown!);
      expect(parsedExample.ok, shown).toBe(true);
      if (parsedExample.ok) expect([subcommand, suggestSubcommand(/"(\w+)"/.exec(reply.text)?.[1] ?? "")]).toContain(parsedExample.command.name);
    });
  }

  it("every subcommand's example parses as that subcommand", () => {
    for (const [name, example] of Object.entries(EXAMPLES)) {
      const parsed = parseCommand(example);
      expect(parsed.ok && parsed.command.name, example).toBe(name);
    }
  });

  it("a parse error changes nothing, even for an admin", async () => {
    await admin("enroll alice bob mon 09:00");
    expect(await enrollmentCount()).toBe(0);
  });
});

describe("admin-only subcommands", () => {
  const adminCommands = (client: string) => [
    `enroll ${client} bob tue 17:00 50m`,
    `schedule ${client} tue 17:00 50m`,
    `end ${client}`,
    `skip ${client} 2030-12-24`,
    "list",
    "settings",
    "settings low_total",
    "settings low_total 3",
  ];

  for (const client of ["alice", "ghost"]) {
    it(`refuses a non-admin with the same text whether or not the client exists (${client})`, async () => {
      await enrollAlice();
      for (const text of adminCommands(client)) {
        for (const user of ["mallory", "bob", "alice"]) {
          expect(await f.command(user, text), `${user}: ${text}`).toEqual(DENIED);
        }
      }
      // And nothing changed.
      expect(await enrollmentCount()).toBe(1);
      const practice = await f.store.ensurePractice("terminal", "local");
      expect(practice.settings.thresholds.lowTotal).toBe(12);
    });
  }

  it("refuses now/trend/pause/resume of a client to anyone who is neither admin nor that client's therapist, with the same text", async () => {
    await enrollAlice();
    await admin("enroll dave carol tue 09:00 50m UTC");
    for (const text of ["now alice", "trend alice", "now ghost", "trend ghost", "pause alice", "pause alice 2030-01-31", "resume alice", "pause ghost", "resume ghost"]) {
      expect(await f.command("carol", text), text).toEqual(DENIED);
      expect(await f.command("mallory", text), text).toEqual(DENIED);
    }
    expect(await f.command("mallory", "alerts")).toEqual(DENIED);
  });
});

describe("enroll", () => {
  const refusal = async (text: string, message: RegExp, withExample = true) => {
    const reply = await admin(text);
    expect(reply.refused, reply.text).toBe(true);
    expect(reply.text).toMatch(message);
    if (withExample) expect(reply.text).toContain(`Example: ${EXAMPLES.enroll}`);
    expect(await enrollmentCount()).toBe(0);
  };

  it("enrolls and reports the next check-in", async () => {
    const reply = await enrollAlice();
    const [first, second, more] = reply.text.split("\n");
    expect(first).toBe("Enrolled @alice with @bob: Mon 09:00 (50 min) (UTC). Next check-in: Mon 2 Mar, 10:00.");
    // Every enrollment gets a calendar code, shown to the admin who enrolls.
    expect(second).toMatch(/^Calendar code: CI-[2-9A-HJ-NP-Z]{4}\. Put it in the title, description or location/);
    expect(more).toBeUndefined();
  });

  it("canonicalises the time zone", async () => {
    const reply = await admin("enroll alice bob mon 09:00 50m tz=europe/bucharest");
    expect(reply.text).toContain("(Europe/Bucharest)");
  });

  it("refuses a bad time zone", () => refusal("enroll alice bob tue 17:00 50m Mars/Olympus_Mons", /"Mars\/Olympus_Mons" isn't a time zone I know/));
  it("refuses a UTC offset as a time zone", () => refusal("enroll alice bob tue 17:00 50m tz=Etc+2", /isn't a time zone I know/));
  it("refuses a delay over a day", () => refusal("enroll alice bob tue 17:00 50m delay=1441m", /"1441m" isn't a valid delay/));
  it("refuses the same person as client and therapist", () => refusal("enroll alice alice tue 17:00 50m", /two different people/, false));
  it("refuses a bad weekday", () => refusal("enroll alice bob tux 17:00 50m", /The days aren't right: tux\./));
  it("refuses a bad start time", () => refusal("enroll alice bob tue 25:00 50m", /The start time isn't right: 25:00\./));
  it("refuses a too-short session", () => refusal("enroll alice bob tue 17:00 5m", /The session length isn't right: 5m\./));

  it("refuses a second enrollment for the same client", async () => {
    await enrollAlice();
    const reply = await admin("enroll alice carol tue 17:00 50m");
    expect(reply).toMatchObject({ refused: true });
    expect(reply.text).toMatch(/already has check-ins/);
    expect(await enrollmentCount()).toBe(1);
  });
});

describe("settings", () => {
  it("lists every setting with its value", async () => {
    const reply = await admin("settings");
    const lines = reply.text.split("\n");
    expect(lines[0]).toBe("Practice settings:");
    expect(lines.slice(1).map((line) => line.split(" = ")[0])).toEqual(SETTING_KEYS);
    expect(lines).toEqual(
      expect.arrayContaining([
        "locale = en",
        "timezone = UTC",
        "quiet_hours = 22:00-08:00",
        "tension = on",
        "comments = on",
        "tidy = off",
        "reminder_after = 240m",
        "answer_window = 2880m",
        "low_item = 2",
        "low_total = 12",
        "total_drop = 2",
        "item_drop = 2",
      ]),
    );
  });

  it("reads one setting", async () => {
    expect((await admin("settings low_total")).text).toBe("low_total = 12");
  });

  it("sets a value, stores it and reports it", async () => {
    expect(await admin("settings low_total 11")).toEqual({ text: "Saved: low_total = 11." });
    expect(await admin("settings quiet_hours=21:30-07:15")).toEqual({ text: "Saved: quiet_hours = 21:30-07:15." });
    expect(await admin("settings timezone america/new_york")).toEqual({ text: "Saved: timezone = America/New_York." });
    const practice = await f.store.ensurePractice("terminal", "local");
    expect(practice.settings.thresholds.lowTotal).toBe(11);
    expect(practice.settings.quietHours).toEqual({ start: "21:30", end: "07:15" });
    expect(practice.timeZone).toBe("America/New_York");
  });

  it("refuses a bad value with the key's example and changes nothing", async () => {
    for (const [text, example] of [
      ["settings low_total 99", "/checkin settings low_total 12"],
      ["settings low_total twelve", "/checkin settings low_total 12"],
      ["settings quiet_hours 25:00-08:00", "/checkin settings quiet_hours 22:00-08:00   (or off)"],
      ["settings tension maybe", "/checkin settings tension off"],
      ["settings timezone Nowhere/Land", "/checkin settings timezone Europe/Bucharest"],
      ["settings locale fr", "/checkin settings locale ro"],
    ] as const) {
      const reply = await admin(text);
      expect(reply.refused, text).toBe(true);
      expect(reply.text, text).toMatch(/isn't a valid value for \w+\. Example: /);
      expect(reply.text, text).toContain(example);
    }
    expect((await admin("settings")).text).toContain("low_total = 12");
  });

  it("refuses an unknown key and names the valid ones", async () => {
    const reply = await admin("settings colour blue");
    expect(reply.refused).toBe(true);
    expect(reply.text).toBe(`"colour" isn't a setting. Settings: ${SETTING_KEYS.join(", ")}.`);
    expect(SETTING_KEYS).toEqual(expect.arrayContaining(["locale", "timezone", "quiet_hours", "tension", "comments", "tidy", "low_item", "low_total"]));
  });
});

describe("list, end, resume", () => {
  it("lists enrollments", async () => {
    expect((await admin("list")).text).toBe("No one is enrolled yet. Start with /checkin enroll.");
    await enrollAlice();
    await admin("enroll dave carol tue,thu 17:00 1h Europe/Bucharest");
    expect((await admin("list")).text.split("\n")).toEqual([
      "Enrollments:",
      "@alice with @bob: Mon 09:00 (50 min) UTC, active; next Mon 2 Mar, 10:00",
      "@dave with @carol: Tue, Thu 17:00 (60 min) Europe/Bucharest, active; next Tue 3 Mar, 18:10",
    ]);
    // The status is a word in the reader's language, not a stored code.
    await admin("pause dave");
    await admin("settings locale ro");
    expect((await admin("list")).text).toContain("@dave cu @carol: mar, joi 17:00 (60 min) Europe/Bucharest, în pauză;");
  });

  it("ends an enrollment, cancels its pending check-in, and allows a new one", async () => {
    await enrollAlice();
    expect(await admin("end alice")).toEqual({ text: "Check-ins for @alice have ended." });
    expect(await enrollmentCount()).toBe(0);
    expect(await f.store.countDue(new Date("2030-01-01T00:00:00Z"))).toBe(0);
    expect(await admin("end alice")).toEqual({ text: "That person has no active check-ins.", refused: true });
    f.clock.set("2026-03-02T10:00:00Z");
    await f.engine.tick();
    expect(platform.to("alice")).toEqual([]);
    expect((await admin("enroll alice carol tue 17:00 50m")).refused).toBeFalsy();
  });

  it("resumes after an admin pause with the next check-in", async () => {
    await enrollAlice();
    expect(await admin("pause alice")).toEqual({ text: "Check-ins for @alice are paused." });
    expect((await admin("list")).text).toContain("paused; next none");
    f.clock.set("2026-03-03T08:00:00Z");
    expect(await admin("resume alice")).toEqual({ text: "Check-ins for @alice are back on. Next check-in: Mon 9 Mar, 10:00." });
    expect(await admin("resume ghost")).toEqual({ text: "That person has no active check-ins.", refused: true });
  });

  it("lets a client pause and resume themself; others have nothing to resume", async () => {
    await enrollAlice();
    expect(await f.command("alice", "pause 2026-03-20")).toEqual({ text: "Your check-ins are paused until 2026-03-20." });
    expect(await f.command("alice", "resume")).toEqual({ text: "Your check-ins are back on." });
    expect(await f.command("mallory", "resume")).toEqual({ text: "You don't have any check-ins set up.", refused: true });
  });
});

describe("help", () => {
  it("differs by role", async () => {
    await enrollAlice();
    const client = (await f.command("alice", "help")).text;
    const therapist = (await f.command("bob", "help")).text;
    const adminHelp = (await admin("help")).text;
    expect(client).toContain("Commands for you:");
    expect(client).not.toContain("For your clients:");
    expect(client).not.toContain("Admin:");
    expect(therapist).toContain("For your clients:");
    expect(therapist).not.toContain("Admin:");
    expect(adminHelp).toContain("For your clients:");
    expect(adminHelp).toContain("Admin:");
    expect(new Set([client, therapist, adminHelp]).size).toBe(3);
  });
});

describe("help <subcommand>", () => {
  it("shows that subcommand's usage and a correct example, to anyone", async () => {
    for (const name of Object.keys(USAGE) as CommandName[]) {
      const reply = await f.command("anyone", `help ${name}`);
      expect(reply.refused, name).toBeUndefined();
      expect(reply.text).toBe(`Usage: ${USAGE[name]}\nExample: ${EXAMPLES[name]}`);
    }
    expect((await f.command("anyone", "help SETTINGS")).text).toContain(`Usage: ${USAGE.settings}`);
  });

  it("refuses an unknown topic specifically, with a suggestion and a correct example", async () => {
    const reply = await f.command("anyone", "help enrol");
    expect(reply.refused).toBe(true);
    expect(reply.text).toBe(`I don't know the subcommand "enrol". Did you mean /checkin enroll? Usage: ${USAGE.help} Example: ${EXAMPLES.help}`);
  });
});

describe("enrollment defaults from practice settings", () => {
  it("uses the practice's reminder and answer window for new enrollments and validates them", async () => {
    expect((await admin("settings reminder_after 2h")).text).toBe("Saved: reminder_after = 120m.");
    expect((await admin("settings answer_window 1d")).text).toBe("Saved: answer_window = 1440m.");
    const bad = await admin("settings answer_window 5m");
    expect(bad.refused).toBe(true);
    expect(bad.text).toContain("/checkin settings answer_window 48h");
    await enrollAlice();
    const [enrollment] = await f.store.listEnrollments((await f.store.ensurePractice("terminal", "local")).id);
    expect([enrollment?.reminderMinutes, enrollment?.windowMinutes]).toEqual([120, 1440]);
  });
});
