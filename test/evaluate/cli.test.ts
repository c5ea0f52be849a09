import { describe, expect, it } from "vitest";
import { runEvaluate } from "../../src/evaluate/cli.ts";
import { parseCsvRecords, parseHistoryCsv } from "../../src/evaluate/history.ts";

const HEADER = "date,goal,task,bond,tension,talked,comment,status";
const files: Record<string, string> = {
  "ok.csv": [HEADER, "2026-01-05,5,5,5,,,,", "2026-01-12,5,5,5,no,,,", "2026-01-19,5,5,5,,,,", "2026-01-26,5,4,5,,,,", "2026-02-02,5,5,5,,,,", '2026-02-09,3,3,3,yes,no,"you don\'t listen, whatever",', "2026-02-16,,,,,,,expired", "2026-02-23,,,,,,,expired"].join("\n"),
  "quiet.csv": [HEADER, ...Array.from({ length: 8 }, (_, i) => `2026-01-${String(5 + i).padStart(2, "0")},4,4,4,,,,`)].join("\n"),
  "ok.json": JSON.stringify([{ date: "2026-01-05", goal: 4, task: 4, bond: 4 }, { date: "2026-01-12", goal: 4, task: 4, bond: 4, comment: "Vreau să mor" }]),
};
const run = (...args: string[]) => runEvaluate(args, (file) => {
  const text = files[file];
  if (text === undefined) throw Object.assign(new Error("missing"), { code: "ENOENT" });
  return text;
});

describe("npm run evaluate", () => {
  it("prints the alerts in order with reasons", () => {
    const result = run("ok.csv");
    expect(result.code).toBe(0);
    expect(result.stdout.split("\n").slice(0, 3)).toEqual(["2 alert event(s) in 8 rows:", "2026-02-09 (line 7) opened", "  - Total 9/15 (below 12)."]);
    expect(result.stdout).toContain("The comment has wording that often marks confrontation (disagreeing with or criticising the therapy or the therapist)");
    expect(result.stdout).not.toContain("you don't listen");
    expect(result.stdout).toContain("2026-02-23 (line 9) updated\n  - 2 check-ins in a row expired unanswered");
  });

  it("--json gives the same events as data, and --locale ro explains in Romanian", () => {
    const json = JSON.parse(run("ok.csv", "--json").stdout) as { rows: number; alerts: { date: string; signals: { code: string }[] }[] };
    expect(json.rows).toBe(8);
    expect(json.alerts.map((a) => a.date)).toEqual(["2026-02-09", "2026-02-23"]);
    expect(json.alerts[1]!.signals.map((s) => s.code)).toEqual(["withdrawal_missed"]);
    expect(run("ok.csv", "--locale", "ro").stdout).toContain("Total 9/15 (sub 12).");
  });

  it("accepts JSON input and reports crisis language as urgent", () => {
    expect(run("ok.json").stdout).toContain("2026-01-12 (entry 2) opened URGENT");
  });

  it("a quiet history says so; thresholds can be changed for the run", () => {
    expect(run("quiet.csv").stdout).toBe("No alerts in 8 rows.\n");
    expect(run("quiet.csv", "--set", "low_total=13").stdout).toMatch(/^8 alert event\(s\)/);
  });

  it.each([
    [[HEADER, "2026-01-05,5,5,5,,,,", "2026-01-12,5,6,5,,,,"], 'line 3: task must be a whole number from 1 to 5, got "6"'],
    [[HEADER, "2026-02-30,5,5,5,,,,"], 'line 2: "2026-02-30" is not a real date'],
    [[HEADER, "2026-01-12,5,5,5,,,,", "2026-01-05,5,5,5,,,,"], "line 3: date 2026-01-05 is before the previous row's; rows must be oldest first"],
    [[HEADER, "2026-01-05,5,5,,,,,"], "line 2: an answered check-in needs goal, task and bond (1-5)"],
    [[HEADER, "2026-01-05,5,5,5,,,,gone"], 'line 2: status must be one of answered, expired, missed_by_system, skipped, paused, resumed, stopped (or empty for answered), got "gone"'],
    [[HEADER, "2026-01-05,,,,,,,expired,extra"], "line 2: expected 8 fields like the header, found 9"],
    [[HEADER, "2026-01-05,5,5,5,maybe,,,"], 'line 2: tension must be no, a_little or yes, got "maybe"'],
    [["date,goal,task,bond,mood"], 'line 1: unknown column "mood"'],
    [["date,goal,task"], 'line 1: the header needs a "bond" column'],
    [[HEADER, '2026-01-05,5,5,5,,,"multi', 'line comment",', "2026-01-12,5,x,5,,,,"], "line 4: task must be a whole number"],
    [[HEADER, '2026-01-05,5,5,5,,,"never closed'], "line 2: a quoted field is not closed"],
  ])("bad input %# names the line", (lines, message) => {
    files["bad.csv"] = lines.join("\n");
    const result = run("bad.csv");
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(`bad.csv: ${message}`);
  });

  it("bad JSON entries name the entry; usage errors exit 2", () => {
    files["bad.json"] = JSON.stringify([{ date: "2026-01-05", goal: 4, task: 4, bond: 4 }, { date: "2026-01-12", goal: 4, task: 4, bond: 9 }]);
    expect(run("bad.json").stderr).toContain("entry 2: bond must be a whole number from 1 to 5");
    expect(run().code).toBe(2);
    expect(run("nope.csv").stderr).toContain("cannot read nope.csv: ENOENT");
    expect(run("ok.csv", "--frobnicate").code).toBe(2);
  });

  it("CSV fields keep quoted commas, doubled quotes and newlines", () => {
    expect(parseCsvRecords('a,b\n"x, ""y""\nz",2\n')).toEqual([{ line: 1, fields: ["a", "b"] }, { line: 2, fields: ['x, "y"\nz', "2"] }]);
    expect(parseHistoryCsv("Date,Goal,Task,Bond,Talked_Through,Tension\n2026-01-05,4,4,4,no,a_little\n")[0]).toMatchObject({ tension: "a_little", talkedThrough: "no" });
  });
});
