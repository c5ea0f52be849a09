import { describe, expect, it } from "vitest";
import { EXAMPLES, MAX_COMMAND_LENGTH, USAGE, parseCommand, suggestSubcommand } from "../../../src/core/commands/grammar.ts";
import type { Command, CommandName, GrammarError } from "../../../src/core/commands/grammar.ts";

function ok(text: string): Command {
  const result = parseCommand(text);
  if (!result.ok) throw new Error(`expected ${JSON.stringify(text)} to parse, got ${JSON.stringify(result.error)}`);
  return result.command;
}

function fails(text: string): GrammarError {
  const result = parseCommand(text);
  if (result.ok) throw new Error(`expected ${JSON.stringify(text)} to fail, got ${JSON.stringify(result.command)}`);
  return result.error;
}

const NAMES = Object.keys(USAGE) as CommandName[];

// The same people written the three ways the adapters deliver them.
const FORMS = [
  { platform: "slack", client: "<@U01ABCDEF|alice>", therapist: "<@W0THERAPIST>", clientId: "U01ABCDEF", therapistId: "W0THERAPIST" },
  { platform: "discord", client: "<@123456789012345678>", therapist: "<@!876543210987654321>", clientId: "123456789012345678", therapistId: "876543210987654321" },
  { platform: "terminal", client: "alice", therapist: "@dr.popescu", clientId: "alice", therapistId: "dr.popescu" },
] as const;

describe("happy paths in every mention form", () => {
  for (const f of FORMS) {
    describe(f.platform, () => {
      const client = { userId: f.clientId };

      it("enroll with every option", () => {
        expect(ok(`/checkin enroll ${f.client} ${f.therapist} mon,thu 09:30 45m tz=Europe/Bucharest delay=15m locale=ro`)).toEqual({
          name: "enroll",
          client,
          therapist: { userId: f.therapistId },
          schedule: "mon,thu 09:30 45m",
          timeZone: "Europe/Bucharest",
          delay: "15m",
          locale: "ro",
        });
      });

      it("enroll without options leaves them out", () => {
        expect(ok(`enroll ${f.client} ${f.therapist} tue 17:00 50m`)).toStrictEqual({
          name: "enroll",
          client,
          therapist: { userId: f.therapistId },
          schedule: "tue 17:00 50m",
        });
      });

      it("schedule", () => {
        expect(ok(`schedule ${f.client} wed 8:15 1h30m`)).toEqual({ name: "schedule", client, schedule: "wed 8:15 1h30m" });
      });

      it("pause, admin form", () => {
        expect(ok(`pause ${f.client}`)).toStrictEqual({ name: "pause", client });
        expect(ok(`pause ${f.client} 2030-01-31`)).toStrictEqual({ name: "pause", client, until: "2030-01-31" });
        expect(ok(`pause ${f.client} until=2030-01-31`)).toStrictEqual({ name: "pause", client, until: "2030-01-31" });
      });

      it("resume, admin form", () => {
        expect(ok(`resume ${f.client}`)).toStrictEqual({ name: "resume", client });
      });

      it("skip", () => {
        expect(ok(`skip ${f.client} 2030-12-24`)).toStrictEqual({ name: "skip", client, date: "2030-12-24" });
      });

      for (const name of ["end", "now", "trend", "export", "erase", "audit"] as const) {
        it(name, () => {
          expect(ok(`${name} ${f.client}`)).toStrictEqual({ name, client });
        });
      }
    });
  }

  it("a Slack label may contain spaces", () => {
    expect(ok("now <@U01ABCDEF|Jane Q. Doe>")).toStrictEqual({ name: "now", client: { userId: "U01ABCDEF" } });
  });

  it("pause and resume, client self form", () => {
    expect(ok("pause")).toStrictEqual({ name: "pause" });
    expect(ok("pause 2024-02-29")).toStrictEqual({ name: "pause", until: "2024-02-29" });
    expect(ok("pause until=2030-01-01")).toStrictEqual({ name: "pause", until: "2030-01-01" });
    expect(ok("resume")).toStrictEqual({ name: "resume" });
  });

  it("subcommands without arguments", () => {
    for (const name of ["list", "alerts", "stop", "mydata", "erase-me", "privacy"] as const) {
      expect(ok(name)).toStrictEqual({ name });
    }
  });

  it("settings: none, key only, key and a value with spaces, key=value", () => {
    expect(ok("settings")).toStrictEqual({ name: "settings" });
    expect(ok("settings Quiet_Hours")).toStrictEqual({ name: "settings", key: "quiet_hours" });
    expect(ok("settings quiet_hours 22:00  -   08:00")).toStrictEqual({ name: "settings", key: "quiet_hours", value: "22:00 - 08:00" });
    expect(ok("settings quiet_hours 22:00-08:00")).toStrictEqual({ name: "settings", key: "quiet_hours", value: "22:00-08:00" });
    expect(ok("settings tension=Off")).toStrictEqual({ name: "settings", key: "tension", value: "Off" });
  });

  it("help with and without a topic", () => {
    expect(ok("help")).toStrictEqual({ name: "help" });
    expect(ok("help Enroll")).toStrictEqual({ name: "help", topic: "enroll" });
  });

  it("every EXAMPLES entry parses as its own subcommand and every USAGE names it", () => {
    for (const name of NAMES) {
      expect(EXAMPLES[name].startsWith(`/checkin ${name}`)).toBe(true);
      expect(ok(EXAMPLES[name]).name).toBe(name);
      expect(USAGE[name]).toMatch(new RegExp(`^/checkin ${name}( |$)`));
    }
    expect(NAMES).toHaveLength(23);
  });
});

describe("prefix, whitespace and case", () => {
  it("the /checkin prefix is optional and case-insensitive", () => {
    expect(ok("/checkin list")).toEqual({ name: "list" });
    expect(ok("/CheckIn list")).toEqual({ name: "list" });
    expect(ok("list")).toEqual({ name: "list" });
  });

  it("only a whole /checkin token is a prefix", () => {
    expect(fails("/checkinlist")).toMatchObject({ code: "unknown_subcommand", got: "/checkinlist" });
  });

  it("any whitespace separates tokens and the schedule is rejoined with single spaces", () => {
    expect(ok("\t enroll\u00a0alice \n bob   mon,thu \t 09:30   45m \u2003 Europe/Bucharest  ")).toEqual({
      name: "enroll",
      client: { userId: "alice" },
      therapist: { userId: "bob" },
      schedule: "mon,thu 09:30 45m",
      timeZone: "Europe/Bucharest",
    });
  });

  it("subcommands, option keys and locales are case-insensitive; the schedule is kept as typed", () => {
    expect(ok("ENROLL alice bob Tue 17:00 50M TZ=Europe/Bucharest DELAY=20M LOCALE=RO")).toEqual({
      name: "enroll",
      client: { userId: "alice" },
      therapist: { userId: "bob" },
      schedule: "Tue 17:00 50M",
      timeZone: "Europe/Bucharest",
      delay: "20m",
      locale: "ro",
    });
    expect(ok("Erase-Me")).toEqual({ name: "erase-me" });
    expect(ok("PAUSE")).toEqual({ name: "pause" });
  });

  it("terminal handles keep their case", () => {
    expect(ok("now @Alice")).toEqual({ name: "now", client: { userId: "Alice" } });
  });
});

describe("enroll optional tokens", () => {
  const base = "enroll alice bob tue 17:00 50m";
  const full = { timeZone: "Europe/Bucharest", delay: "15m", locale: "ro" };

  it("keyed options in any order", () => {
    const orders = [
      "tz=Europe/Bucharest delay=15m locale=ro",
      "locale=ro tz=Europe/Bucharest delay=15m",
      "delay=15m locale=ro tz=Europe/Bucharest",
    ];
    for (const order of orders) expect(ok(`${base} ${order}`)).toMatchObject(full);
  });

  it("positional options in any order, recognised by shape", () => {
    for (const order of ["Europe/Bucharest 15m ro", "ro Europe/Bucharest 15m", "15m ro Europe/Bucharest"]) {
      expect(ok(`${base} ${order}`)).toMatchObject({ ...full, schedule: "tue 17:00 50m" });
    }
  });

  it("positional and keyed options mix", () => {
    expect(ok(`${base} ro delay=5m America/Argentina/Buenos_Aires`)).toMatchObject({
      locale: "ro",
      delay: "5m",
      timeZone: "America/Argentina/Buenos_Aires",
    });
  });

  it("UTC is a time zone in any case and is normalised", () => {
    expect(ok(`${base} utc`)).toMatchObject({ timeZone: "UTC" });
    expect(ok(`${base} tz=Utc`)).toMatchObject({ timeZone: "UTC" });
  });

  it("keyed delays may be hours or bare minutes", () => {
    expect(ok(`${base} delay=1h`)).toMatchObject({ delay: "1h" });
    expect(ok(`${base} delay=1h5m`)).toMatchObject({ delay: "1h5m" });
    expect(ok(`${base} delay=10`)).toMatchObject({ delay: "10" });
  });

  it("a minutes token after a complete schedule is the delay, so lengths are one token", () => {
    expect(ok("enroll alice bob tue 17:00 1h 15m")).toMatchObject({ schedule: "tue 17:00 1h", delay: "15m" });
    expect(ok("enroll alice bob tue 17:00 1h15m")).toMatchObject({ schedule: "tue 17:00 1h15m" });
    expect(ok("enroll alice bob tue 17:00 1h15m")).not.toHaveProperty("delay");
  });

  it("several day tokens make one schedule", () => {
    expect(ok("enroll alice bob mon, thu 9:30 45m")).toMatchObject({ schedule: "mon, thu 9:30 45m" });
    expect(ok("enroll alice bob luni,joi 9:30 45m locale=ro")).toMatchObject({ schedule: "luni,joi 9:30 45m", locale: "ro" });
    expect(ok("enroll alice bob marți 9:30 45m")).toMatchObject({ schedule: "marți 9:30 45m" });
  });
});

describe("error codes", () => {
  it("too_long: checked before anything else", () => {
    const long = `enroll alice bob tue 17:00 50m ${"x".repeat(MAX_COMMAND_LENGTH)}`;
    expect(fails(long)).toEqual({ code: "too_long", usage: USAGE.help });
    expect(fails(" ".repeat(MAX_COMMAND_LENGTH + 1))).toMatchObject({ code: "too_long" });
    expect(ok(`settings note ${"y".repeat(MAX_COMMAND_LENGTH - "settings note ".length)}`).name).toBe("settings");
  });

  it("empty", () => {
    expect(fails("")).toEqual({ code: "empty", usage: USAGE.help });
    expect(fails("   \n\t ")).toMatchObject({ code: "empty" });
    expect(fails("/checkin")).toMatchObject({ code: "empty" });
    expect(fails(undefined as unknown as string)).toMatchObject({ code: "empty" });
    expect(fails(null as unknown as string)).toMatchObject({ code: "empty" });
  });

  it("unknown_subcommand", () => {
    expect(fails("enrol alice")).toEqual({ code: "unknown_subcommand", got: "enrol", usage: USAGE.help });
    expect(fails("DROP TABLE people;")).toMatchObject({ code: "unknown_subcommand", got: "DROP" });
    expect(fails("<@>")).toMatchObject({ code: "unknown_subcommand", got: "<@>" });
  });

  it("missing_argument", () => {
    expect(fails("enroll")).toEqual({ code: "missing_argument", subcommand: "enroll", argument: "client", usage: USAGE.enroll });
    expect(fails("enroll alice")).toMatchObject({ code: "missing_argument", argument: "therapist" });
    expect(fails("enroll alice bob")).toMatchObject({ code: "missing_argument", argument: "schedule" });
    expect(fails("enroll alice bob tz=UTC")).toMatchObject({ code: "missing_argument", argument: "schedule" });
    expect(fails("schedule alice")).toMatchObject({ code: "missing_argument", subcommand: "schedule", argument: "schedule" });
    expect(fails("skip alice")).toMatchObject({ code: "missing_argument", subcommand: "skip", argument: "date", usage: USAGE.skip });
    for (const name of ["end", "now", "trend", "export", "erase", "audit", "skip", "schedule"] as const) {
      expect(fails(name)).toMatchObject({ code: "missing_argument", subcommand: name, argument: "client", usage: USAGE[name] });
    }
  });

  it("unexpected_argument", () => {
    expect(fails("list everything")).toEqual({ code: "unexpected_argument", subcommand: "list", got: "everything", usage: USAGE.list });
    expect(fails("now alice bob")).toMatchObject({ code: "unexpected_argument", subcommand: "now", got: "bob" });
    expect(fails("enroll alice bob tue 17:00 50m soon")).toMatchObject({ code: "unexpected_argument", got: "soon" });
    expect(fails("schedule alice tue 17:00 50m tz=UTC")).toMatchObject({ code: "unexpected_argument", got: "tz=UTC" });
    expect(fails("pause alice 2030-01-01 again")).toMatchObject({ code: "unexpected_argument", got: "again" });
    expect(fails("pause 2030-01-01 alice")).toMatchObject({ code: "unexpected_argument", got: "alice" });
    expect(fails("help enroll please")).toMatchObject({ code: "unexpected_argument", got: "please" });
    expect(fails("erase-me now")).toMatchObject({ code: "unexpected_argument", subcommand: "erase-me" });
  });

  it("bad_mention", () => {
    const bad = ["<@U1|>", "<@>", "<@&123456789012345678>", "<#C123|general>", "<!here>", "@", "-alice", "alice@example.com", "<@u123abc>", "<@123456789012345678901>", "<@U1 x>"];
    for (const token of bad) {
      expect(fails(`now ${token}`), token).toMatchObject({ code: "bad_mention", subcommand: "now", argument: "client", usage: USAGE.now });
    }
    expect(fails(`now ${"a".repeat(65)}`)).toMatchObject({ code: "bad_mention" });
    expect(fails("enroll alice <@> tue 17:00 50m")).toMatchObject({ code: "bad_mention", argument: "therapist" });
    expect(fails("pause <@U1|>")).toMatchObject({ code: "bad_mention", subcommand: "pause" });
  });

  it("bad_schedule_shape", () => {
    const shapes = [
      "tue 17:00",
      "17:00 tue 50m",
      "tue 5pm 50m",
      "tue 17:00 fifty",
      "tue 17:00 Europe/Bucharest 50m",
      "tue/thu 17:00 50m",
      "2 17:00 50m",
      "tue 17:00 50s",
    ];
    for (const schedule of shapes) {
      expect(fails(`enroll alice bob ${schedule}`), schedule).toEqual({
        code: "bad_schedule_shape",
        subcommand: "enroll",
        argument: "schedule",
        got: schedule,
        usage: USAGE.enroll,
      });
    }
    expect(fails("enroll alice bob tue tz=UTC 17:00 50m")).toMatchObject({ code: "bad_schedule_shape", got: "tue" });
    expect(fails("schedule alice mon 09:30")).toMatchObject({ code: "bad_schedule_shape", subcommand: "schedule", usage: USAGE.schedule });
  });

  it("bad_date", () => {
    for (const date of ["2023-02-29", "2030-13-01", "2030-00-10", "2030-04-31", "2030-1-5", "31.01.2030", "2030/01/31", "until=2030-02-30"]) {
      expect(fails(`pause ${date}`), date).toMatchObject({ code: "bad_date", subcommand: "pause", argument: "until", usage: USAGE.pause });
    }
    expect(fails("pause alice tomorrow")).toEqual({ code: "bad_date", subcommand: "pause", argument: "until", got: "tomorrow", usage: USAGE.pause });
    expect(fails("skip alice 2030-02-30")).toMatchObject({ code: "bad_date", subcommand: "skip", argument: "date", got: "2030-02-30" });
    expect(fails("skip alice until=2030-01-01")).toMatchObject({ code: "bad_date", argument: "date" });
    expect(ok("skip alice 2000-02-29")).toMatchObject({ date: "2000-02-29" });
    expect(fails("skip alice 1900-02-29")).toMatchObject({ code: "bad_date" });
  });

  it("bad_locale", () => {
    expect(fails("enroll alice bob tue 17:00 50m locale=fr")).toEqual({
      code: "bad_locale",
      subcommand: "enroll",
      argument: "locale",
      got: "fr",
      usage: USAGE.enroll,
    });
    expect(fails("enroll alice bob tue 17:00 50m locale=")).toMatchObject({ code: "bad_locale" });
  });

  it("bad_option", () => {
    const cases: Array<[string, string]> = [
      ["colour=blue", "option"],
      ["=UTC", "option"],
      ["tz=", "tz"],
      ["tz=Europe/<script>", "tz"],
      ["Europe//Bucharest", "tz"],
      ["delay=soon", "delay"],
      ["delay=-5m", "delay"],
      ["tz=UTC TZ=Europe/Bucharest", "tz"],
      ["ro locale=en", "locale"],
      ["15m 20m", "delay"],
    ];
    for (const [options, argument] of cases) {
      expect(fails(`enroll alice bob tue 17:00 50m ${options}`), options).toMatchObject({
        code: "bad_option",
        subcommand: "enroll",
        argument,
        usage: USAGE.enroll,
      });
    }
    expect(fails("settings quiet/hours 22:00")).toMatchObject({ code: "bad_option", subcommand: "settings", argument: "key", got: "quiet/hours" });
    expect(fails("settings =on")).toMatchObject({ code: "bad_option", argument: "key" });
  });

  it("every error names the subcommand's usage", () => {
    expect(fails("trend")).toMatchObject({ usage: USAGE.trend });
    expect(fails("resume <@>")).toMatchObject({ subcommand: "resume", usage: USAGE.resume });
    expect(fails("settings 9lives")).toMatchObject({ subcommand: "settings", usage: USAGE.settings });
  });

  it("echoed input is made safe and short", () => {
    const error = fails(`now \u202Eevil\u0000${"é".repeat(200)}`);
    expect(error.code).toBe("bad_mention");
    expect(error.got).not.toMatch(/[\u0000\u202E]/u);
    expect(error.got?.startsWith("evil\uFFFD")).toBe(true);
    expect(Array.from(error.got ?? "")).toHaveLength(80);
    expect(error.got?.endsWith("…")).toBe(true);
  });
});

describe("suggestSubcommand", () => {
  it("finds typos within two edits, swaps counting once", () => {
    expect(suggestSubcommand("enrol")).toBe("enroll");
    expect(suggestSubcommand("ENROLLL")).toBe("enroll");
    expect(suggestSubcommand("shcedule")).toBe("schedule");
    // Two swaps: 2 with adjacent transpositions, 4 without.
    expect(suggestSubcommand("shcedlue")).toBe("schedule");
    expect(suggestSubcommand("rpivcay")).toBe("privacy");
    expect(suggestSubcommand("ersae-me")).toBe("erase-me");
    expect(suggestSubcommand("eraseme")).toBe("erase-me");
    expect(suggestSubcommand("privcy")).toBe("privacy");
    expect(suggestSubcommand("alert")).toBe("alerts");
    expect(suggestSubcommand("setting")).toBe("settings");
    expect(suggestSubcommand("list")).toBe("list");
  });

  it("returns null when nothing is close", () => {
    expect(suggestSubcommand("banana")).toBeNull();
    expect(suggestSubcommand("enrollment")).toBeNull();
    expect(suggestSubcommand("")).toBeNull();
    expect(suggestSubcommand("x".repeat(100_000))).toBeNull();
    expect(suggestSubcommand(undefined as unknown as string)).toBeNull();
  });

  it("pairs with unknown_subcommand", () => {
    const error = fails("/checkin ALERST");
    expect(error.code).toBe("unknown_subcommand");
    expect(suggestSubcommand(error.got ?? "")).toBe("alerts");
  });
});

describe("never throws", () => {
  // mulberry32: small, seeded, reproducible.
  function prng(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  const VOCABULARY = [
    ...Object.keys(USAGE), "/checkin", "/CHECKIN", "ENROLL", "<@U01ABC>", "<@U1|>", "<@U1|Jane Doe>", "<@>", "<@!123456789012345678>",
    "<@&1>", "alice", "@bob", "tue", "mon,thu", "17:00", "9:30", "50m", "1h15m", "15m", "UTC", "Europe/Bucharest", "ro", "en",
    "tz=", "tz=UTC", "delay=10m", "locale=fr", "locale=ro", "until=2030-01-01", "2030-02-30", "2024-02-29", "=", "|", "<", ">",
    "DROP TABLE", "'; --", "\u0000", "\u202E", "مرحبا", "שלום", "🙂", "👩‍⚕️", "\uD800", "\uDFFF", "\u200B", "\uFEFF", " ", "\t", "\n",
  ];
  const CHARS = ["a", "Z", "0", "9", "@", "<", ">", "|", "!", "=", "/", ":", ",", "-", ".", " ", "\u0000", "\u0007", "\u202E", "\u2066", "ă", "ț", "ش", "א", "😀", "🏳️‍🌈", "\uD83D", "\u3000", "\u00a0"];
  const CODES = new Set<string>(["empty", "unknown_subcommand", "missing_argument", "unexpected_argument", "bad_mention", "bad_schedule_shape", "bad_date", "bad_locale", "bad_option", "too_long"]);

  it("2,000 random strings give either a command or an error with a usage", () => {
    const random = prng(20240611);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const seen = { ok: 0, codes: new Set<string>() };

    for (let i = 0; i < 2000; i++) {
      let text: string;
      const style = i % 4;
      if (style === 0) {
        text = Array.from({ length: Math.floor(random() * 40) }, () => pick(CHARS)).join("");
      } else if (style === 1 || style === 2) {
        text = Array.from({ length: 1 + Math.floor(random() * 9) }, () => pick(VOCABULARY)).join(pick([" ", "  ", "\t", ""]));
      } else {
        text = random() < 0.1 ? pick(CHARS).repeat(MAX_COMMAND_LENGTH + 1 + Math.floor(random() * 5000)) : String.fromCharCode(...Array.from({ length: Math.floor(random() * 60) }, () => Math.floor(random() * 0x10000)));
      }

      let result: ReturnType<typeof parseCommand> | undefined;
      expect(() => (result = parseCommand(text)), JSON.stringify(text)).not.toThrow();
      expect(() => suggestSubcommand(text)).not.toThrow();
      if (result === undefined) throw new Error("no result");
      if (result.ok) {
        seen.ok++;
        expect(NAMES).toContain(result.command.name);
      } else {
        expect(CODES.has(result.error.code), result.error.code).toBe(true);
        expect(typeof result.error.usage).toBe("string");
        expect(result.error.usage.length).toBeGreaterThan(0);
        seen.codes.add(result.error.code);
      }
    }

    // The generator must reach past the first token, or this test proves little.
    expect(seen.ok).toBeGreaterThan(20);
    for (const code of ["empty", "unknown_subcommand", "missing_argument", "unexpected_argument", "bad_mention", "too_long"]) {
      expect(seen.codes, code).toContain(code);
    }
  });
});

describe("calendars in the grammar", () => {
  it("enroll and schedule: calendar alone, a weekly rule with schedule=both, or weekly", () => {
    expect(ok("enroll alice bob calendar")).toStrictEqual({ name: "enroll", client: { userId: "alice" }, therapist: { userId: "bob" }, schedule: "", source: "calendar" });
    expect(ok("enroll alice bob schedule=calendar tz=Europe/Bucharest")).toStrictEqual({
      name: "enroll",
      client: { userId: "alice" },
      therapist: { userId: "bob" },
      schedule: "",
      source: "calendar",
      timeZone: "Europe/Bucharest",
    });
    expect(ok("enroll alice bob tue 17:00 50m schedule=both delay=5m")).toMatchObject({ schedule: "tue 17:00 50m", source: "both", delay: "5m" });
    expect(ok("enroll alice bob tue 17:00 50m schedule=weekly")).toMatchObject({ schedule: "tue 17:00 50m", source: "weekly" });
    expect(ok("enroll alice bob tue 17:00 50m")).not.toHaveProperty("source");
    expect(ok("schedule alice calendar")).toStrictEqual({ name: "schedule", client: { userId: "alice" }, schedule: "", source: "calendar" });
    expect(ok("schedule alice mon 09:00 45m schedule=both")).toStrictEqual({ name: "schedule", client: { userId: "alice" }, schedule: "mon 09:00 45m", source: "both" });
  });

  it("refuses contradictions: both without a rule, calendar with one, unknown sources", () => {
    expect(fails("enroll alice bob tue 17:00 50m schedule=calendar")).toMatchObject({ code: "bad_option", argument: "schedule" });
    expect(fails("enroll alice bob calendar schedule=both")).toMatchObject({ code: "bad_option", argument: "schedule" });
    expect(fails("enroll alice bob tue 17:00 50m schedule=ical")).toMatchObject({ code: "bad_option", argument: "schedule" });
    expect(fails("schedule alice calendar tue")).toMatchObject({ code: "unexpected_argument" });
    expect(fails("schedule alice mon 09:00 45m tz=UTC")).toMatchObject({ code: "unexpected_argument" });
  });

  it("calendar connect | status | disconnect, for oneself or a named therapist; the address is never echoed", () => {
    expect(ok("calendar connect https://cal.example.com/feed/abc123.ics")).toStrictEqual({ name: "calendar", action: "connect", url: "https://cal.example.com/feed/abc123.ics" });
    expect(ok("calendar connect <https://cal.example.com/feed/abc123.ics|cal.example.com/feed> <@U0THERAPIST>")).toStrictEqual({
      name: "calendar",
      action: "connect",
      url: "https://cal.example.com/feed/abc123.ics",
      therapist: { userId: "U0THERAPIST" },
    });
    expect(ok("calendar STATUS")).toStrictEqual({ name: "calendar", action: "status" });
    expect(ok("calendar disconnect <@!123456789012345678>")).toStrictEqual({ name: "calendar", action: "disconnect", therapist: { userId: "123456789012345678" } });
    expect(fails("calendar")).toMatchObject({ code: "missing_argument", argument: "action" });
    expect(fails("calendar connect")).toMatchObject({ code: "missing_argument", argument: "url" });
    expect(fails("calendar sync")).toMatchObject({ code: "bad_option", argument: "action" });
    const extra = fails("calendar connect https://cal.example.com/secret-token-xyz.ics bob carol");
    expect(extra.code).toBe("unexpected_argument");
    expect(JSON.stringify(extra)).not.toContain("secret-token-xyz");
    const badPerson = fails("calendar connect https://cal.example.com/secret-token-xyz.ics not/a/person");
    expect(JSON.stringify(badPerson)).not.toContain("secret-token-xyz");
  });
});
