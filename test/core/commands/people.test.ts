import { describe, expect, it } from "vitest";
import { parseCommand } from "../../../src/core/commands/grammar.ts";
import type { Command } from "../../../src/core/commands/grammar.ts";
import { namedPeople, plainHandle } from "../../../src/core/commands/people.ts";

const parsed = (text: string): Command => {
  const result = parseCommand(text);
  if (!result.ok) throw new Error(result.error.code);
  return result.command;
};

describe("people named in a command", () => {
  it("lists every person a command names", () => {
    expect(namedPeople(parsed("enroll <@U1|carla> <@U2> tue 17:00 50m")).map((p) => p.userId)).toEqual(["U1", "U2"]);
    expect(namedPeople(parsed("list"))).toEqual([]);
  });

  it.each([
    ["slack", "enroll <@U1|carla> @bob.new tue 17:00 50m", "@bob.new"],
    ["slack", "enroll carla <@U2> tue 17:00 50m", "@carla"],
    ["discord", "now bob", "@bob"],
    ["slack", "enroll <@U1|carla> <@U2> tue 17:00 50m", null],
    ["discord", "now <@!123456789012345678>", null],
    ["discord", "now <@123456789012345678>", null],
    ["terminal", "enroll alice @bob tue 17:00 50m", null],
  ] as const)("on %s, %s → %s", (platform, text, typed) => {
    expect(plainHandle(platform, parsed(text), text)).toBe(typed);
  });
});
