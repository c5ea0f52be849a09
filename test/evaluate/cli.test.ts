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
  it("prints the alerts in order with reasons", async () => {
    const result = await run("ok.csv");
    expect(result.code).toBe(0);
    expect(result.stdout.split("\n").slice(0, 3)).toEqual([
      "2 alert event(s) in 8 rows:",
      "2026-02-09 (line 7) opened",
      "  - Total 9/15 (below 12): low level reached. A level, not a change: from now on it shows as a standing status and alerts again only if it gets worse.",
    ]);
    expect(result.stdout).toContain("The comment has wording that often marks confrontation (disagreeing with or criticising the therapy or the therapist)");
    expect(result.stdout).not.toContain("you don't listen");
    expect(result.stdout).toContain("2026-02-23 (line 9) updated\n  - 2 check-ins in a row expired unanswered");
  });

  it("--json gives the same events as data, and --locale ro explains in Romanian", async () => {
    const json = JSON.parse((await run("ok.csv", "--json")).stdout) as { rows: number; alerts: { date: string; signals: { code: string }[] }[] };
    expect(json.rows).toBe(8);
    expect(json.alerts.map((a) => a.date)).toEqual(["2026-02-09", "2026-02-23"]);
    expect(json.alerts[1]!.signals.map((s) => s.code)).toEqual(["withdrawal_missed"]);
    expect((await run("ok.csv", "--locale", "ro")).stdout).toContain("Total 9/15 (sub 12): nivel scăzut atins.");
  });

  it("accepts JSON input and reports crisis language as urgent", async () => {
    expect((await run("ok.json")).stdout).toContain("2026-01-12 (entry 2) opened URGENT");
  });

  it("a quiet history says so; thresholds can be changed for the run", async () => {
    expect((await run("quiet.csv")).stdout).toBe("No alerts in 8 rows.\n");
    // A level alerts once, when reached (issue 14): 12 < 13 is borderline and reaches it at the second check-in.
    expect((await run("quiet.csv", "--set", "low_total=13")).stdout).toMatch(/^1 alert event\(s\) in 8 rows:\n2026-01-06 \(line 3\) opened\n  - Total 12\/15 \(below 13\): low level reached/);
    expect((await run("quiet.csv", "--set", "rci_z=oops")).code).toBe(2);
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
  ])("bad input %# names the line", async (lines, message) => {
    files["bad.csv"] = lines.join("\n");
    const result = await run("bad.csv");
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(`bad.csv: ${message}`);
  });

  it("bad JSON entries name the entry; usage errors exit 2", async () => {
    files["bad.json"] = JSON.stringify([{ date: "2026-01-05", goal: 4, task: 4, bond: 4 }, { date: "2026-01-12", goal: 4, task: 4, bond: 9 }]);
    expect((await run("bad.json")).stderr).toContain("entry 2: bond must be a whole number from 1 to 5");
    expect((await run()).code).toBe(2);
    expect((await run("nope.csv")).stderr).toContain("cannot read nope.csv: ENOENT");
    expect((await run("ok.csv", "--frobnicate")).code).toBe(2);
  });

  it("CSV fields keep quoted commas, doubled quotes and newlines", async () => {
    expect(parseCsvRecords('a,b\n"x, ""y""\nz",2\n')).toEqual([{ line: 1, fields: ["a", "b"] }, { line: 2, fields: ['x, "y"\nz', "2"] }]);
    expect(parseHistoryCsv("Date,Goal,Task,Bond,Talked_Through,Tension\n2026-01-05,4,4,4,no,a_little\n")[0]).toMatchObject({ tension: "a_little", talkedThrough: "no" });
  });

  it("a practice file (client column): per-client alert events and a summary; --set applies to every client", async () => {
    const steady = (client: string, n: number, scores: string) => Array.from({ length: n }, (_, i) => `${client},2026-01-${String(5 + 7 * (i % 4)).padStart(2, "0")}`).map((prefix, i) => `${prefix.replace(/2026-01-\d+/, new Date(Date.UTC(2026, 0, 5 + 7 * i)).toISOString().slice(0, 10))},${scores},,,,`);
    files["practice.csv"] = [
      "client,date,goal,task,bond,tension,talked,comment,status",
      ...steady("U1", 6, "5,5,5"),
      "U1,2026-02-16,3,3,3,yes,no,,",
      ...steady("U2", 8, "4,4,4"),
      ...steady("U3", 3, "3,3,3"),
      "U3,2026-01-26,4,4,4,,,I'm not suicidal just tired,",
    ].join("\n");
    const result = await run("practice.csv");
    expect(result.code).toBe(0);
    const out = result.stdout;
    expect(out).toContain("client U1: 1 alert event(s) in 7 rows\n  2026-02-16 (line 8) opened\n");
    expect(out).toContain("client U2: no alerts in 8 rows");
    expect(out).toContain("client U3: 2 alert event(s) in 4 rows\n  2026-01-05 (line 17) opened\n    - Total 9/15 (below 12): low level reached");
    expect(out).toContain("Summary: 3 clients, 19 check-ins, 3 alert events (0 urgent): 15.79 per 100 check-ins.");
    expect(out).toContain("By signal (alert events it took part in): low_total 2, crisis_denial 1, drop_item 1, drop_total 1, reliable_drop 1, tension 1.");
    expect(out).toContain("Clients with no alert: 1 of 3 (33 %).");
    const json = JSON.parse((await run("practice.csv", "--json", "--set", "low_total=8")).stdout) as { summary: { alertEvents: number; shareWithoutAlert: number }; clients: { client: string; alerts: unknown[] }[]; thresholds: { lowTotal: number } };
    expect(json.thresholds.lowTotal).toBe(8);
    expect(json.clients.map((c) => [c.client, c.alerts.length])).toEqual([["U1", 1], ["U2", 0], ["U3", 1]]);
    expect(json.summary.shareWithoutAlert).toBe(0.33);
  });

  it("reports progress of a practice replay through the progress writer, not in the report", async () => {
    const rows = Array.from({ length: 12 }, (_, c) => Array.from({ length: 2 }, (_, i) => `C${c},2026-01-${String(5 + 7 * i).padStart(2, "0")},4,4,4,,,,`)).flat();
    files["twelve.csv"] = ["client,date,goal,task,bond,tension,talked,comment,status", ...rows].join("\n");
    const lines: string[] = [];
    const result = await runEvaluate(["twelve.csv"], (file) => files[file] as string, (line) => lines.push(line));
    expect(result.code).toBe(0);
    expect(lines).toEqual(["replayed 2 of 12 clients\n", "replayed 4 of 12 clients\n", "replayed 6 of 12 clients\n", "replayed 8 of 12 clients\n", "replayed 10 of 12 clients\n", "replayed 12 of 12 clients\n"]);
    expect(result.stdout).not.toContain("replayed");
    expect(result.stderr).toBe("");
  });

  it("reads the CSV and JSON that /checkin export writes, and joined exports as a practice", async () => {
    const { buildCheckInCsv, buildExportDocument } = await import("../../src/privacy/data-export.ts");
    const doc = (userId: string, totals: [number, number, number][], extra: { status: string }[] = []) => {
      const checkIns = [
        ...totals.map(([goal, task, bond], i) => ({ id: `${userId}-${i}`, enrollmentId: "e", kind: "scheduled", status: "answered", sessionEndAt: new Date(Date.UTC(2026, 0, 5 + 7 * i)), sentAt: null, closesAt: new Date(0), answeredAt: null })),
        ...extra.map((e, i) => ({ id: `${userId}-x${i}`, enrollmentId: "e", kind: "scheduled", status: e.status, sessionEndAt: new Date(Date.UTC(2026, 3, 1 + 7 * i)), sentAt: null, closesAt: new Date(0), answeredAt: null })),
      ];
      const responses = Object.fromEntries(totals.map(([goal, task, bond], i) => [`${userId}-${i}`, { goal, task, bond, tension: null, talkedThrough: null, commentCipher: null, commentKeyId: null, completedAt: null }]));
      const records = { person: { platformUserId: userId, isClient: true, isTherapist: false, isAdmin: false, locale: null, consentVersion: null, consentAt: null, consentDeclinedAt: null, stoppedAt: null, pausedUntil: null }, enrollments: [], checkIns, responses, alerts: [], audit: [], therapistUserIds: {} };
      return buildExportDocument(records as never, () => null, new Date("2026-05-01T00:00:00Z"));
    };
    const a = doc("UA", [[5, 5, 5], [5, 5, 5], [5, 5, 5], [5, 5, 5], [5, 5, 5], [3, 3, 3]], [{ status: "cancelled" }, { status: "expired" }]);
    const b = doc("UB", [[4, 4, 4], [4, 4, 4]]);
    files["a.csv"] = buildCheckInCsv(a);
    files["ab.csv"] = buildCheckInCsv(a) + buildCheckInCsv(b).replace(/^\uFEFF[^\n]*\n/, "");
    files["ab.json"] = JSON.stringify([a, b]);
    const single = await run("a.csv");
    expect(single.code).toBe(0);
    expect(single.stdout).toContain("client UA: 1 alert event(s) in 7 rows");
    expect(single.stdout).toContain("1 check-in(s) that never closed or were cancelled were not replayed.");
    for (const file of ["ab.csv", "ab.json"]) {
      const out = (await run(file)).stdout;
      expect(out, file).toContain("client UB: no alerts in 2 rows");
      expect(out, file).toContain("Summary: 2 clients, 9 check-ins, 1 alert events (0 urgent)");
    }
  });

  it("a practice file names the client on a bad row, and checks dates per client", async () => {
    files["p-bad.csv"] = ["client,date,goal,task,bond", "U1,2026-01-12,5,5,5", "U2,2026-01-05,5,5,5", "U1,2026-01-05,5,5,5"].join("\n");
    expect((await run("p-bad.csv")).stderr).toContain("p-bad.csv: line 4: date 2026-01-05 is before the previous row's for client U1; rows must be oldest first");
    files["p-empty.csv"] = ["client,date,goal,task,bond", " ,2026-01-12,5,5,5"].join("\n");
    expect((await run("p-empty.csv")).stderr).toContain("line 2: client is empty");
  });
});
