// Access, export, erasure and the audit log, on the real engine and a real SQLite file.

import { afterEach, describe, expect, it } from "vitest";
import type { EngineFixture } from "../support/engine-fixture.ts";
import type { AlertView, ConsentView, PromptView } from "../../src/ports/chat-platform.ts";
import { RecordingPlatform } from "../support/recording-platform.ts";
import { answer, comment, enrollAndPrompt, FilePlatform, privacyFixture, rowCounts } from "./support.ts";

const COMMENT = "Tuesday felt rushed — I'm not sure you heard me about work 😕";

let f: EngineFixture;
afterEach(async () => f?.dispose());

async function aliceWithData(platform = new FilePlatform("terminal")) {
  const made = await privacyFixture(platform);
  f = made.f;
  const prompt = await enrollAndPrompt(f, platform);
  await answer(f, "alice", prompt, [2, 4, 4]);
  expect((await comment(f, "alice", prompt.checkInId, COMMENT)).refused).toBeFalsy();
  return { platform, prompt };
}

const auditRows = async (fx: EngineFixture) => fx.db.sql.query<Record<string, unknown>>(`SELECT * FROM "AuditEntry" ORDER BY "createdAt"`);


/** An erasure as a person does it: the request shows a code, the same person confirms it. */
async function confirmed(user: string, text: string, opts: { admin?: boolean } = {}) {
  const request = await f.command(user, text, opts);
  const code = /confirm ([A-Z0-9]{6})/.exec(request.text)?.[1];
  expect(code, request.text).toBeTruthy();
  return f.command(user, `${text} confirm ${code}`, opts);
}

describe("access: /checkin mydata", () => {
  it("sends the client their own data as JSON and CSV files in their DM, and records the access", async () => {
    const { platform, prompt } = await aliceWithData();
    const reply = await f.command("alice", "mydata");
    expect(reply.refused).toBeFalsy();
    expect(reply.text).toMatch(/two files/);
    const files = platform.filesTo("alice");
    expect(files.map((file) => file.filename)).toEqual(["checkins-alice-2026-03-02.json", "checkins-alice-2026-03-02.csv"]);
    const doc = JSON.parse(files[0]!.content);
    expect(doc.format).toBe("alliance-checkin-export");
    expect(doc.subject.userId).toBe("alice");
    expect(doc.subject.consentVersion).toBe("2026-11");
    const row = doc.checkIns.find((c: { id: string }) => c.id === prompt.checkInId);
    expect(row).toMatchObject({ goal: 2, task: 4, bond: 4, total: 10, tension: "no", comment: COMMENT, status: "answered" });
    expect(doc.alerts).toHaveLength(1);
    expect(doc.enrollments[0].therapistUserId).toBe("bob");
    expect(files[1]!.content).toContain(`${prompt.checkInId},2026-03-02T09:50:00.000Z,answered,2,4,4,10,no,,`);
    expect(files[1]!.content).toContain(COMMENT);
    const audit = await auditRows(f);
    expect(audit.some((r) => r.action === "data.accessed")).toBe(true);
    expect(JSON.stringify(audit)).not.toContain("rushed");
  });

  it("tells a person with no record that nothing is stored, and writes nothing", async () => {
    const { platform } = await aliceWithData();
    const before = await rowCounts(f);
    const reply = await f.command("stranger", "mydata");
    expect(reply.text).toBe("No check-in data is stored about you.");
    expect(platform.filesTo("stranger")).toHaveLength(0);
    expect(await rowCounts(f)).toEqual(before);
  });

  it("refuses clearly when the platform cannot send files, and records nothing", async () => {
    const made = await privacyFixture(new RecordingPlatform("terminal"));
    f = made.f;
    await enrollAndPrompt(f, made.platform);
    const before = await rowCounts(f);
    const reply = await f.command("alice", "mydata");
    expect(reply).toMatchObject({ refused: true, text: "Files can't be sent on this platform, so nothing was exported." });
    expect(await rowCounts(f)).toEqual(before);
  });
});

describe("export: /checkin export <client>", () => {
  it("sends an admin JSON and CSV, neutralises spreadsheet formulas, and audits the export", async () => {
    const made = await privacyFixture();
    f = made.f;
    const platform = made.platform as FilePlatform;
    const prompt = await enrollAndPrompt(f, platform);
    await answer(f, "alice", prompt, [4, 4, 4]);
    await comment(f, "alice", prompt.checkInId, '=HYPERLINK("http://evil.example","x"), "quoted"');
    const reply = await f.command("admin", "export alice", { admin: true });
    expect(reply.text).toMatch(/export for @alice was sent/);
    const [json, csv] = platform.filesTo("admin");
    expect(JSON.parse(json!.content).checkIns[0].comment).toBe('=HYPERLINK("http://evil.example","x"), "quoted"');
    expect(csv!.content).toContain(`"'=HYPERLINK(""http://evil.example"",""x""), ""quoted"""`);
    expect(csv!.content.startsWith("\uFEFFcheck_in_id,session_end_utc,")).toBe(true);
    const audit = await auditRows(f);
    const exported = audit.find((r) => r.action === "data.exported");
    // The answered check-in and the next one already scheduled.
    expect(JSON.parse(String(exported?.detail))).toEqual({ checkIns: 2, formats: "json,csv" });
    expect(JSON.stringify(audit)).not.toContain("HYPERLINK");
  });

  it("refuses a non-admin without revealing whether the person exists", async () => {
    await aliceWithData();
    const enrolled = await f.command("bob", "export alice");
    const unknown = await f.command("bob", "export nobody");
    expect(enrolled).toEqual({ text: "Sorry, you can't do that.", refused: true });
    expect(unknown).toEqual(enrolled);
  });
});

describe("erasure", () => {
  it("erase <client> deletes responses, comments, alerts, check-ins and the posted messages, and audits counts only", async () => {
    const made = await privacyFixture();
    f = made.f;
    const platform = made.platform;
    // Carol's data must survive Alice's erasure.
    expect((await f.command("admin", "enroll carol dan mon 09:00 50m UTC", { admin: true })).refused).toBeFalsy();
    const prompt = await enrollAndPrompt(f, platform);
    await answer(f, "alice", prompt, [2, 4, 4]);
    await comment(f, "alice", prompt.checkInId, COMMENT);
    const carolConsent = platform.lastTo("carol")!.view as ConsentView;
    await f.press("carol", carolConsent.accept.actionId);
    const carolPrompt = platform.lastTo("carol")!.view as PromptView;
    await answer(f, "carol", carolPrompt, [5, 5, 5]);
    const alert = platform.lastTo("bob")!;
    expect(alert.view.kind).toBe("alert");

    const reply = await confirmed("admin", "erase alice", { admin: true });
    expect(reply.text).toMatch(/Erased all check-in data about @alice: 2 check-ins, 1 answer set, 1 comment, 1 alert; 2 messages removed/);
    const alice = (await f.store.findPerson((await f.store.ensurePractice("terminal", "local")).id, "alice"))!;
    expect(alice.isClient).toBe(false);
    expect(alice.consentAt).toBeNull();
    const left = await f.db.sql.query<{ n: number }>(
      `SELECT COUNT(*) AS "n" FROM "CheckIn" c JOIN "Enrollment" e ON e."id" = c."enrollmentId" WHERE e."clientId" = ?`,
      [alice.id],
    );
    expect(Number(left[0]!.n)).toBe(0);
    const counts = await rowCounts(f);
    expect(counts).toMatchObject({ Enrollment: 1, CheckIn: 2, Response: 1, Alert: 0 });
    expect(await f.store.getResponse(carolPrompt.checkInId)).not.toBeNull();
    expect(await f.store.getResponse(prompt.checkInId)).toBeNull();
    // The prompt in Alice's DM and the alert in Bob's DM are gone from the chat.
    expect(platform.to("alice").find((m) => m.history[0]?.kind === "prompt")?.deleted).toBe(true);
    expect(alert.deleted).toBe(true);

    const audit = await auditRows(f);
    const erased = audit.find((r) => r.action === "data.erased")!;
    expect(erased.subjectPersonId).toBe(alice.id);
    expect(JSON.parse(String(erased.detail))).toEqual({ by: "admin", enrollments: 1, checkIns: 2, responses: 1, comments: 1, alerts: 1, messagesDeleted: 2, messagesKept: 0 });
    expect(JSON.stringify(audit)).not.toMatch(/rushed|😕/);
    // The raw database holds nothing of the erased answer either.
    expect(JSON.stringify(await f.db.sql.query(`SELECT * FROM "Response"`))).not.toContain(prompt.checkInId);

    // Idempotent: a second erasure finds nothing more to delete.
    const again = await confirmed("admin", "erase alice", { admin: true });
    expect(again.text).toMatch(/0 check-ins, 0 answer sets, 0 comments, 0 alerts; 0 messages removed/);
  });

  it("erase-me erases the client's own data, stops check-ins and tells the therapist", async () => {
    const { platform } = await aliceWithData();
    const reply = await confirmed("alice", "erase-me");
    expect(reply.text).toMatch(/Your check-in data is erased \(2 check-ins, 1 comment; 2 messages removed from the chat\)/);
    expect(platform.lastTo("bob")?.view).toMatchObject({ kind: "notice", text: "@alice stopped their check-ins and erased their data." });
    // Next Monday passes without a prompt.
    const sentBefore = platform.to("alice").length;
    f.clock.set("2026-03-09T10:05:00Z");
    await f.engine.tick();
    expect(platform.to("alice")).toHaveLength(sentBefore);
    expect((await rowCounts(f)).CheckIn).toBe(0);
    const erased = (await auditRows(f)).find((r) => r.action === "data.erased")!;
    expect(JSON.parse(String(erased.detail)).by).toBe("self");
  });

  it("erase is refused for non-admins with the same reply whether or not the person exists", async () => {
    await aliceWithData();
    const before = await rowCounts(f);
    for (const actor of ["alice", "bob", "stranger"]) {
      expect(await f.command(actor, "erase alice")).toEqual({ text: "Sorry, you can't do that.", refused: true });
      expect(await f.command(actor, "erase nobody")).toEqual({ text: "Sorry, you can't do that.", refused: true });
    }
    expect(await rowCounts(f)).toEqual(before);
  });
});

describe("audit log", () => {
  it("lists a client's audit trail for admins: admin changes, consent, alert changes, exports and erasures", async () => {
    const { platform } = await aliceWithData();
    const alert = platform.lastTo("bob")!.view as AlertView;
    await f.press("bob", alert.buttons[0]!.actionId);
    await f.command("bob", "alerts");
    await f.command("admin", "export alice", { admin: true });
    await confirmed("admin", "erase alice", { admin: true });
    const reply = await f.command("admin", "audit alice", { admin: true });
    expect(reply.refused).toBeFalsy();
    const lines = reply.text.split("\n");
    expect(lines[0]).toBe("Audit log for @alice, newest first (at most 50):");
    const actions = lines.slice(1).map((l) => l.split(" · ")[1]);
    expect(actions).toEqual(["data.erased", "data.erase_requested", "data.exported", "alert.viewed", "alert.ack", "consent.given", "enrollment.created"]);
    expect(reply.text).toContain("by @admin");
    expect(reply.text).toContain("by @alice");
    expect(reply.text).toContain("by @bob");
    expect(reply.text).not.toMatch(/rushed/);
    // Viewing the audit log is itself audited.
    expect((await auditRows(f)).at(-1)?.action).toBe("audit.viewed");
  });

  it("is refused to everyone but admins, identically for enrolled and unknown people", async () => {
    await aliceWithData();
    for (const actor of ["alice", "bob", "stranger"]) {
      expect(await f.command(actor, "audit alice")).toEqual({ text: "Sorry, you can't do that.", refused: true });
      expect(await f.command(actor, "audit nobody")).toEqual({ text: "Sorry, you can't do that.", refused: true });
    }
  });

  it("is append-only in the database itself: UPDATE and DELETE fail", async () => {
    await aliceWithData();
    const before = await auditRows(f);
    expect(before.length).toBeGreaterThan(0);
    await expect(f.db.sql.execute(`UPDATE "AuditEntry" SET "action" = 'tampered'`)).rejects.toThrow(/append-only/);
    await expect(f.db.sql.execute(`DELETE FROM "AuditEntry"`)).rejects.toThrow(/append-only/);
    await expect(f.db.prisma.auditEntry.deleteMany({})).rejects.toThrow();
    expect(await auditRows(f)).toEqual(before);
  });
});
