// Link mode end to end over HTTP (no browser): a real engine on a real database, the real web
// server, a recording chat platform. The whole client flow, the therapist's alert page, and every
// bad path the issue lists: each gets a clear page or a 4xx, stores nothing and leaves the
// server up. The browser tests (test/web/browser.test.ts) drive the same pages in Chromium.

import { randomBytes } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startLinkWeb } from "../support/link-web.ts";
import type { LinkWeb } from "../support/link-web.ts";
import type { EngineFixture } from "../support/engine-fixture.ts";
import type { RecordingPlatform } from "../support/recording-platform.ts";
import { WebClient, hiddenField } from "../support/web-client.ts";
import type { LinkMessageView, OutboundView } from "../../src/ports/chat-platform.ts";
import { en } from "../../src/i18n/locales/en.ts";

let web: LinkWeb;
let f: EngineFixture;
let platform: RecordingPlatform;
let base = "";

beforeEach(async () => {
  web = await startLinkWeb();
  ({ f, platform, base } = web);
});
afterEach(async () => {
  await web.close();
});

const linksTo = (user: string): LinkMessageView[] => web.linksTo(user);
const pathOf = (url: string): string => url.slice(base.length);
const enrolAndPrompt = (client?: string, therapist?: string, extra?: string): Promise<string> => web.enrolAndPrompt(client, therapist, extra);

async function consent(client: WebClient, path: string): Promise<string> {
  const page = await client.get(path);
  expect(page.body).toContain(en["web.consent.heading"].replace("'", "&#39;"));
  const answered = await client.post(`${path}/consent`, { _csrf: hiddenField(page.body, "_csrf"), submission: hiddenField(page.body, "submission"), choice: "yes" });
  expect(answered.status).toBe(200);
  return answered.body;
}

const responses = () => f.db.sql.query<{ goal: number; task: number; bond: number; tension: string | null; commentCipher: string | null; completedAt: unknown }>(`SELECT "goal", "task", "bond", "tension", "commentCipher", "completedAt" FROM "Response"`);
const counts = async () => {
  const [row] = await f.db.sql.query<{ r: number; i: number; a: number; audit: number }>(
    `SELECT (SELECT COUNT(*) FROM "Response") AS "r", (SELECT COUNT(*) FROM "InboundEvent") AS "i", (SELECT COUNT(*) FROM "Alert") AS "a", (SELECT COUNT(*) FROM "AuditEntry") AS "audit"`,
  );
  return { responses: Number(row!.r), receipts: Number(row!.i), alerts: Number(row!.a), audit: Number(row!.audit) };
};

/** No item text, score, scale or comment in anything the platform was given. */
function assertNeutral(views: OutboundView[], comments: string[] = []): void {
  const forbidden = [en["item.goal.question"], en["item.task.question"], en["item.bond.question"], en["tension.question"], en["scale.hint"], ...comments];
  for (const view of views) {
    const text = JSON.stringify(view);
    for (const phrase of forbidden) expect(text, `${view.kind} message`).not.toContain(phrase);
    expect(["link", "closed", "notice"], view.kind).toContain(view.kind);
    expect(text).not.toMatch(/\b[1-5]\/5\b|\/15\b|total/i);
  }
}

describe("link mode: the client's check-in page", () => {
  it("neutral message → consent on the page → answers → thank-you without scores → edit within the window → closed", async () => {
    const path = await enrolAndPrompt();
    const [message] = linksTo("alice");
    expect(message!.text).toBe("Your short check-in after today's session is ready. It closes on Wed 4 Mar, 09:50.");
    expect(message!.link.url).toMatch(new RegExp(`^${base}/c/[A-Za-z0-9_-]{43}$`));
    const client = new WebClient(base);

    const form = await consent(client, path);
    const person = (await f.db.sql.query<{ consentVersion: string; consentAt: unknown }>(`SELECT "consentVersion", "consentAt" FROM "Person" WHERE "platformUserId" = 'alice'`))[0]!;
    expect(person.consentVersion).toBe(f.engine.context.options.consentVersion);
    expect(person.consentAt).not.toBeNull();
    expect((await f.db.sql.query(`SELECT 1 FROM "AuditEntry" WHERE "action" = 'consent.given'`)).length).toBe(1);
    expect(form).toContain(`<legend>${en["item.goal.question"]}</legend>`);
    for (const item of ["goal", "task", "bond"]) expect(form).toContain(`name="${item}" value="5" required`);
    expect(form).toContain('<fieldset id="tension-group">');
    expect(form).toContain('maxlength="3000"');
    expect(form).toContain("Up to 3000 characters.");

    const thanks = await client.post(path, { _csrf: hiddenField(form, "_csrf"), submission: hiddenField(form, "submission"), goal: "4", task: "5", bond: "4", tension: "no", comment: "Good session overall." });
    expect(thanks.status).toBe(200);
    expect(thanks.body).toContain("Your check-in is saved. Your answers are not shown here.");
    expect(thanks.body).not.toMatch(/name="goal"|>4<|>5</);
    const [stored] = await responses();
    expect(stored).toMatchObject({ goal: 4, task: 5, bond: 4, tension: "no" });
    expect(stored!.commentCipher).not.toContain("Good session");

    // Re-open within the edit window: the form comes back with the stored answers.
    const reopened = await client.get(path);
    expect(reopened.body).toContain("Change my answers");
    const edit = await client.get(`${path}?edit=1`);
    expect(edit.body).toContain('name="goal" value="4" required checked');
    const edited = await client.post(path, { _csrf: hiddenField(edit.body, "_csrf"), submission: hiddenField(edit.body, "submission"), goal: "2", task: "5", bond: "4", tension: "no" });
    expect(edited.status).toBe(200);
    expect((await responses())[0]).toMatchObject({ goal: 2 });

    // After the edit window the page says it has closed; after the check-in closes the link opens nothing.
    f.clock.advance(16 * 60_000);
    const closed = await client.get(path);
    expect(closed.status).toBe(200);
    expect(closed.body).toContain("This check-in has closed and your answers are saved.");
    expect(closed.body).not.toContain("<form");
    f.clock.set("2026-03-04T10:00:01Z");
    const expired = await client.get(path);
    expect(expired.status).toBe(404);
    expect(expired.body).toContain("This link isn&#39;t available");

    assertNeutral(platform.messages.filter((m) => m.to.userId === "alice").flatMap((m) => m.history), ["Good session overall."]);
  });

  it("a web answer leaves the chat's link message as it was, whatever was answered: no prompt, no question, no edit button", async () => {
    const path = await enrolAndPrompt();
    const client = new WebClient(base);
    const form = await consent(client, path);
    const sentBefore = platform.messages.filter((m) => m.to.userId === "alice").map((m) => m.history.length);
    // Tension without "Was it talked through?": in chat that question would follow; on the web it is part of the form.
    const partly = await client.post(path, { _csrf: hiddenField(form, "_csrf"), submission: hiddenField(form, "submission"), goal: "3", task: "4", bond: "4", tension: "a_little" });
    expect(partly.status).toBe(200);
    const edit = await client.get(`${path}?edit=1`);
    const complete = await client.post(path, { _csrf: hiddenField(edit.body, "_csrf"), submission: hiddenField(edit.body, "submission"), goal: "3", task: "4", bond: "4", tension: "a_little", talked: "yes" });
    expect(complete.status).toBe(200);
    expect(await f.db.sql.query(`SELECT "goal", "tension", "talkedThrough" FROM "Response"`)).toEqual([{ goal: 3, tension: "a_little", talkedThrough: "yes" }]);
    const toAlice = platform.messages.filter((m) => m.to.userId === "alice");
    expect(toAlice.map((m) => m.history.length)).toEqual(sentBefore);
    for (const message of toAlice) expect(message.view.kind).not.toBe("prompt");
    expect(JSON.stringify(toAlice)).not.toMatch(/"actionId":"ci:/);
    assertNeutral(toAlice.flatMap((m) => m.history));
  });

  it("shows the page in the client's language (ro)", async () => {
    const path = await enrolAndPrompt("alice", "bob", "delivery=link locale=ro");
    expect(linksTo("alice")[0]!.text).toMatch(/^Verificarea ta scurtă de după ședința de azi este gata\. Se închide/);
    const client = new WebClient(base);
    const form = await client.get(path);
    expect(form.body).toContain('<html lang="ro">');
    expect(form.body).toContain("Înainte de prima verificare");
  });

  it("crisis language shows the crisis resources on the page and raises the same urgent alert and audit entry, with nothing in the chat", async () => {
    const path = await enrolAndPrompt();
    const client = new WebClient(base);
    const form = await consent(client, path);
    const page = await client.post(path, { _csrf: hiddenField(form, "_csrf"), submission: hiddenField(form, "submission"), goal: "5", task: "5", bond: "5", tension: "no", comment: "Honestly some days I want to kill myself." });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<section class="crisis" role="alert"');
    expect(page.body).toContain("988");
    const alerts = await f.db.sql.query<{ severity: string; signals: string }>(`SELECT "severity", "signals" FROM "Alert"`);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.severity).toBe("urgent");
    expect((await f.db.sql.query<{ detail: string }>(`SELECT "detail" FROM "AuditEntry" WHERE "action" = 'crisis.detected'`)).length).toBe(1);
    // The chat got neither the resources nor a reason: the therapist's message is the neutral link.
    const notices = platform.messages.filter((m) => m.to.userId === "alice" && m.view.kind === "notice").map((m) => JSON.stringify(m.view));
    for (const notice of notices) expect(notice).not.toMatch(/988|crisis|emergency|Samaritans/i);
    const [alert] = linksTo("bob");
    expect(alert!.text).toBe("A check-in from @alice needs your attention.");
    assertNeutral(platform.messages.flatMap((m) => m.history), ["kill myself"]);
  });
});

describe("link mode: the therapist's alert page", () => {
  it("the signed link opens the reasons and trend; acknowledging there edits the chat message", async () => {
    const path = await enrolAndPrompt();
    const client = new WebClient(base);
    const form = await consent(client, path);
    await client.post(path, { _csrf: hiddenField(form, "_csrf"), submission: hiddenField(form, "submission"), goal: "1", task: "2", bond: "2", tension: "no" });
    const alertMessage = platform.messages.find((m) => m.to.userId === "bob" && m.view.kind === "link")!;
    const view = alertMessage.view as LinkMessageView;
    expect(view.text).toBe("A check-in from @alice needs your attention.");
    assertNeutral([view]);

    const therapist = new WebClient(base);
    const page = await therapist.get(pathOf(view.link.url));
    expect(page.status).toBe(200);
    expect(page.body).toMatch(/<h1>[^<]*@alice<\/h1>/);
    expect(page.body).toContain("Goals 1/5 (at or below 2)");
    expect(page.body).toContain("<td>1</td><td>2</td><td>2</td><td>5</td>");
    const ack = /<button type="submit" name="actionId" value="(al:[^"]+:ack)"/.exec(page.body)![1]!;
    const done = await therapist.post(pathOf(view.link.url), { _csrf: hiddenField(page.body, "_csrf"), submission: hiddenField(page.body, "submission"), actionId: ack });
    expect(done.status).toBe(200);
    expect(done.body).toContain("Alert acknowledged.");
    expect((await f.db.sql.query<{ status: string }>(`SELECT "status" FROM "Alert"`))[0]!.status).toBe("acknowledged");
    // The chat message was edited in step, and is still neutral.
    const edited = alertMessage.history.at(-1) as LinkMessageView;
    expect(alertMessage.history.length).toBeGreaterThan(1);
    expect(edited.text).toBe("A check-in from @alice needs your attention. Status: Acknowledged.");
    expect(done.body).not.toContain('value="' + ack + '"');

    // A forged, altered or expired alert token opens nothing.
    const token = pathOf(view.link.url).slice("/a/".length);
    for (const bad of [`${token.slice(0, -2)}xx`, token.replace(/^[^.]+/, "forged-alert"), "x".repeat(60)]) {
      expect((await therapist.get(`/a/${bad}`)).status).toBe(404);
    }
    f.clock.advance(25 * 3600_000);
    expect((await therapist.get(pathOf(view.link.url))).status).toBe(404);
  });
});

/** Consents on the page and answers; returns the page after the answers. */
async function answerOnPage(client: WebClient, path: string, scores: [number, number, number], comment = ""): Promise<string> {
  const form = await consent(client, path);
  const [goal, task, bond] = scores.map(String) as [string, string, string];
  const done = await client.post(path, { _csrf: hiddenField(form, "_csrf"), submission: hiddenField(form, "submission"), goal, task, bond, tension: "no", comment });
  expect(done.status).toBe(200);
  return done.body;
}

/** The therapist's alert message about `client` (the link-mode one), found by the alert page it opens. */
async function alertMessageAbout(client: string, therapist = "bob") {
  const candidates = platform.messages.filter((m) => m.to.userId === therapist && m.view.kind === "link");
  for (const message of candidates) {
    const page = await new WebClient(base).get(pathOf((message.view as LinkMessageView).link.url));
    if (page.status === 200 && page.body.includes(`@${client}</h1>`)) return message;
  }
  throw new Error(`no alert message about ${client}`);
}

/** Presses one of the alert page's action buttons (`ack`, `repaired`, `snooze`, `dismiss`) as a browser would. */
async function pressOnAlertPage(therapist: WebClient, path: string, change: string): Promise<{ status: number; body: string }> {
  const page = await therapist.get(path);
  expect(page.status).toBe(200);
  const actionId = new RegExp(`<button type="submit" name="actionId" value="(al:[^"]+:${change})"`).exec(page.body)?.[1];
  expect(actionId, `the page offers ${change}`).toBeDefined();
  return therapist.post(path, { _csrf: hiddenField(page.body, "_csrf"), submission: hiddenField(page.body, "submission"), actionId: actionId! });
}

const alertOf = async (client: string) =>
  (
    await f.db.sql.query<{ status: string; snoozedUntil: unknown }>(
      `SELECT a."status", a."snoozedUntil" FROM "Alert" a JOIN "Enrollment" e ON e."id" = a."enrollmentId" JOIN "Person" p ON p."id" = e."clientId" WHERE p."platformUserId" = ?`,
      [client],
    )
  )[0];

describe("link mode: the alert page's actions edit the chat alert message", () => {
  it("snooze, mark repaired and dismiss on the page: each changes the alert, is audited, and edits the (still neutral) chat message", async () => {
    const alicePath = await enrolAndPrompt("alice", "bob");
    const carlaPath = await enrolAndPrompt("carla", "bob");
    await answerOnPage(new WebClient(base), alicePath, [1, 2, 2]);
    await answerOnPage(new WebClient(base), carlaPath, [2, 1, 2]);
    const aliceAlert = await alertMessageAbout("alice");
    const carlaAlert = await alertMessageAbout("carla");
    expect((aliceAlert.view as LinkMessageView).text).toBe("A check-in from @alice needs your attention.");
    const therapist = new WebClient(base);
    const alicePage = pathOf((aliceAlert.view as LinkMessageView).link.url);

    // Snooze: the status stays open, the reminder waits a week, and the chat message says so.
    const editsBefore = aliceAlert.history.length;
    const snoozed = await pressOnAlertPage(therapist, alicePage, "snooze");
    expect(snoozed.status).toBe(200);
    expect(snoozed.body).toContain("Alert snoozed until 9 Mar 2026.");
    expect(await alertOf("alice")).toMatchObject({ status: "open" });
    expect((await alertOf("alice"))!.snoozedUntil).not.toBeNull();
    expect(aliceAlert.history.length).toBe(editsBefore + 1);
    expect((aliceAlert.history.at(-1) as LinkMessageView).text).toBe("A check-in from @alice needs your attention. Status: Snoozed until 9 Mar 2026.");

    // Mark repaired: closed; the chat message shows it and the page offers no more actions.
    const repaired = await pressOnAlertPage(therapist, alicePage, "repaired");
    expect(repaired.status).toBe(200);
    expect(repaired.body).toContain("Alert marked repaired.");
    expect(repaired.body).not.toContain('name="actionId"');
    expect(await alertOf("alice")).toMatchObject({ status: "repaired" });
    expect(aliceAlert.history.length).toBe(editsBefore + 2);
    expect((aliceAlert.history.at(-1) as LinkMessageView).text).toBe("A check-in from @alice needs your attention. Status: Marked repaired.");

    // Dismiss, on the other client's alert page.
    const carlaEdits = carlaAlert.history.length;
    const carlaPage = pathOf((carlaAlert.view as LinkMessageView).link.url);
    const before = await therapist.get(carlaPage);
    const dismissId = /<button type="submit" name="actionId" value="(al:[^"]+:dismiss)"/.exec(before.body)![1]!;
    const dismissed = await therapist.post(carlaPage, { _csrf: hiddenField(before.body, "_csrf"), submission: hiddenField(before.body, "submission"), actionId: dismissId });
    expect(dismissed.status).toBe(200);
    expect(dismissed.body).toContain("Alert dismissed.");
    expect(await alertOf("carla")).toMatchObject({ status: "dismissed" });
    expect(carlaAlert.history.length).toBe(carlaEdits + 1);
    expect((carlaAlert.history.at(-1) as LinkMessageView).text).toBe("A check-in from @carla needs your attention. Status: Dismissed.");

    // A closed alert takes no more actions: the page has none, and the old form posted again
    // (a new submission) is refused and changes nothing.
    expect((await therapist.get(carlaPage)).body).not.toContain('name="actionId"');
    const again = await therapist.post(carlaPage, { _csrf: hiddenField(before.body, "_csrf"), submission: randomBytes(16).toString("base64url"), actionId: dismissId });
    expect(again.status).toBe(400);
    expect(carlaAlert.history.length).toBe(carlaEdits + 1);

    const audit = await f.db.sql.query<{ action: string }>(`SELECT "action" FROM "AuditEntry" WHERE "action" LIKE 'alert.%' ORDER BY "createdAt"`);
    expect(audit.map((a) => a.action)).toEqual(["alert.snooze", "alert.repaired", "alert.dismiss"]);
    assertNeutral([...aliceAlert.history, ...carlaAlert.history]);
  });
});

describe("link mode: the reminder, the closed note and the weekly digest are neutral", () => {
  it("no scale, item text, score or comment in the reminder, the closed note or the digest row", async () => {
    // Alice consents on the page but does not answer; Carla answers low with a comment.
    const alicePath = await enrolAndPrompt("alice", "bob");
    const carlaPath = await enrolAndPrompt("carla", "bob");
    await consent(new WebClient(base), alicePath);
    await answerOnPage(new WebClient(base), carlaPath, [2, 1, 2], "I did not feel heard today.");

    // The reminder, 4 hours after the prompt: neutral text and a fresh link that opens the form.
    f.clock.set("2026-03-02T14:01:00Z");
    await f.engine.tick();
    const reminders = linksTo("alice").filter((v) => v.text.startsWith("A gentle reminder"));
    expect(reminders).toHaveLength(1);
    expect(reminders[0]!.text).toBe("A gentle reminder: your check-in is still open until Wed 4 Mar, 09:50.");
    const reminded = await new WebClient(base).get(pathOf(reminders[0]!.link.url));
    expect(reminded.status).toBe(200);
    expect(reminded.body).toContain(`<legend>${en["item.goal.question"]}</legend>`);
    expect(linksTo("carla").filter((v) => v.text.startsWith("A gentle reminder"))).toHaveLength(0);

    // The check-in closes: the prompt message becomes the plain closed note.
    f.clock.set("2026-03-04T10:00:00Z");
    await f.engine.tick();
    const aliceViews = platform.messages.filter((m) => m.to.userId === "alice").flatMap((m) => m.history);
    const closed = aliceViews.filter((v) => v.kind === "closed");
    expect(closed).toHaveLength(1);
    expect(JSON.stringify(closed[0])).toBe(JSON.stringify({ kind: "closed", text: "This check-in has closed." }));

    // The weekly digest (Monday 08:00): names the clients and the alert state, never a score.
    f.clock.set("2026-03-09T08:01:00Z");
    expect((await f.engine.tick()).loop.digests).toBe(1);
    const digest = platform.messages.filter((m) => m.to.userId === "bob" && m.view.kind === "notice").map((m) => (m.view as { text: string }).text).find((text) => text.startsWith("Weekly check-in digest"));
    expect(digest, "the digest").toBeDefined();
    const rows = digest!.split("\n");
    expect(rows[0]).toBe("Weekly check-in digest: 2 active clients.");
    expect(rows).toContain("@carla: answers are on the web page; alert open; missed this week: 0");
    expect(rows.find((row) => row.startsWith("@alice:"))).toMatch(/^@alice: no answered check-ins yet; missed this week: \d+$/);
    expect(digest).not.toMatch(/\d\/\d|\btotal\b|[▁▂▃▄▅▆▇█]/);

    const everything = platform.messages.flatMap((m) => m.history);
    for (const view of everything.filter((v) => v.kind !== "notice")) assertNeutral([view], ["I did not feel heard today."]);
    for (const text of everything.map((v) => JSON.stringify(v))) {
      for (const phrase of [en["item.goal.question"], en["item.task.question"], en["item.bond.question"], en["tension.question"], en["scale.hint"], "I did not feel heard today."]) expect(text).not.toContain(phrase);
    }
  });
});

describe("link mode: admin erasure", () => {
  it("erase <client> revokes the client's outstanding links: the page says it is no longer available and shows nothing", async () => {
    const path = await enrolAndPrompt();
    const client = new WebClient(base);
    await answerOnPage(client, path, [1, 2, 2], "Private words about the session.");
    const alertMessage = await alertMessageAbout("alice");
    // Within the edit window the client could still change the answers; the alert page is open.
    expect((await client.get(`${path}?edit=1`)).body).toContain('name="goal" value="1" required checked');
    const outstanding = Number((await f.db.sql.query<{ n: number }>(`SELECT COUNT(*) AS "n" FROM "LinkToken" WHERE "revokedAt" IS NULL`))[0]!.n);
    expect(outstanding).toBeGreaterThan(0);

    const asked = await f.command("dana", "erase alice", { admin: true });
    expect(asked.refused, asked.text).toBeFalsy();
    const code = /\/checkin (erase \S+ confirm \S+)/.exec(asked.text)?.[1]?.replace(/[.,;]$/, "");
    expect(code, asked.text).toBeDefined();
    // Before the confirmation the link still works.
    expect((await client.get(path)).status).toBe(200);
    const erased = await f.command("dana", code!, { admin: true });
    expect(erased.refused, erased.text).toBeFalsy();

    const forged = (await new WebClient(base).get(`/c/${randomBytes(32).toString("base64url")}`)).body;
    for (const p of [path, `${path}?edit=1`]) {
      const page = await client.get(p);
      expect(page.status, p).toBe(404);
      expect(page.body).toBe(forged);
      expect(page.body).toContain("This link isn&#39;t available");
      expect(page.body).not.toMatch(/<form|<legend|Private words|name="goal"/);
    }
    // A form posted from a page opened before the erasure stores nothing.
    const late = await client.post(path, { _csrf: "x", submission: "y", goal: "5", task: "5", bond: "5" });
    expect([403, 404]).toContain(late.status);
    expect(await responses()).toHaveLength(0);
    expect(Number((await f.db.sql.query<{ n: number }>(`SELECT COUNT(*) AS "n" FROM "LinkToken" WHERE "revokedAt" IS NULL AND "personId" IN (SELECT "id" FROM "Person" WHERE "platformUserId" = 'alice')`))[0]!.n)).toBe(0);
    // The therapist's alert link opens nothing either: the alert is erased with the rest.
    const alertPage = await new WebClient(base).get(pathOf((alertMessage.view as LinkMessageView).link.url));
    expect(alertPage.status).toBe(404);
    expect(alertPage.body).not.toContain("@alice");
  });
});

describe("link mode: bad paths store nothing and leave the server up", () => {
  it("forged, malformed, expired and revoked tokens get the same plain page", async () => {
    const path = await enrolAndPrompt();
    const client = new WebClient(base);
    const unavailable = async (p: string) => {
      const page = await client.get(p);
      expect(page.status, p).toBe(404);
      expect(page.body).toContain("This link isn&#39;t available");
      return page.body;
    };
    const forged = await unavailable(`/c/${randomBytes(32).toString("base64url")}`);
    const malformed = await unavailable("/c/abc");
    expect(malformed).toBe(forged);
    // Revoked by stop: the page is the same plain one.
    const before = await client.get(path);
    expect(before.status).toBe(200);
    const stopped = await f.command("alice", "stop");
    expect(stopped.refused, stopped.text).toBeFalsy();
    expect(await unavailable(path)).toBe(forged);
    expect((await f.db.sql.query<{ n: number }>(`SELECT COUNT(*) AS "n" FROM "LinkToken" WHERE "revokedAt" IS NOT NULL`))[0]!.n).toBeGreaterThan(0);
  });

  it("ending the enrollment and erasing the client revoke the links", async () => {
    const path = await enrolAndPrompt();
    const client = new WebClient(base);
    expect((await client.get(path)).status).toBe(200);
    const ended = await f.command("dana", "end alice", { admin: true });
    expect(ended.refused, ended.text).toBeFalsy();
    expect((await client.get(path)).status).toBe(404);

    const second = await enrolAndPrompt("carla", "bob");
    expect((await client.get(second)).status).toBe(200);
    const erased = await f.command("carla", "erase-me");
    expect(erased.refused, erased.text).toBeFalsy();
    // Erasure asks for a one-time code first; the link works until it is confirmed, then it is gone.
    const confirm = /\/checkin (erase-me confirm \S+)/.exec(erased.text)?.[1]?.replace(/[.,;]$/, "");
    expect(confirm, erased.text).toBeDefined();
    const done = await f.command("carla", confirm!);
    expect(done.refused, done.text).toBeFalsy();
    expect((await client.get(second)).status).toBe(404);
  });

  it("a link preview's GET changes nothing; missing CSRF, replays, values outside 1–5, a 3,001-character comment, 1 MB bodies and wrong content types are refused", async () => {
    const path = await enrolAndPrompt();
    const before = await counts();
    const preview = new WebClient(base);
    for (let i = 0; i < 3; i++) {
      const page = await preview.get(path, { "user-agent": "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)" });
      expect(page.status).toBe(200);
    }
    expect(await counts()).toEqual(before);
    expect((await f.db.sql.query<{ consentAt: unknown }>(`SELECT "consentAt" FROM "Person" WHERE "platformUserId" = 'alice'`))[0]!.consentAt).toBeNull();

    const client = new WebClient(base);
    const form = await consent(client, path);
    const csrf = hiddenField(form, "_csrf");
    const submission = hiddenField(form, "submission");
    const good = { _csrf: csrf, submission, goal: "4", task: "4", bond: "4", tension: "no" };
    const stored = await counts();

    // Missing or wrong CSRF token, or no CSRF cookie.
    expect((await client.post(path, { ...good, _csrf: "" })).status).toBe(403);
    expect((await client.post(path, { ...good, _csrf: `${csrf}x` })).status).toBe(403);
    expect((await new WebClient(base).post(path, good)).status).toBe(403);
    // Values outside 1–5 and unknown answers.
    for (const goal of ["0", "6", "7", "-1", "4.5", "abc"]) {
      const page = await client.post(path, { ...good, goal });
      expect(page.status, goal).toBe(422);
      expect(page.body).toContain("That answer isn&#39;t valid (the scale is 1 to 5), so nothing was saved.");
    }
    expect((await client.post(path, { ...good, tension: "maybe" })).status).toBe(422);
    const missing = await client.post(path, { _csrf: csrf, submission, goal: "4" });
    expect(missing.status).toBe(422);
    expect(missing.body).toContain("Please answer all three questions");
    // A 3,001-character comment: refused with its length, and the text is kept in the form.
    const long = await client.post(path, { ...good, comment: "a".repeat(3001) });
    expect(long.status).toBe(422);
    expect(long.body).toContain("The comment is too long (3001 characters; the limit is 3000). Nothing was saved.");
    // Bodies over the limit and wrong content types.
    expect((await client.post(path, {}, {}, `${new URLSearchParams(good).toString()}&comment=${"b".repeat(1024 * 1024)}`)).status).toBe(413);
    expect((await client.post(path, {}, { "content-type": "application/json" }, JSON.stringify(good))).status).toBe(415);
    expect((await client.post(path, {}, { "content-type": "text/plain" }, "goal=4")).status).toBe(415);
    expect((await client.post(path, {}, { "content-type": "multipart/form-data; boundary=x" }, "--x--")).status).toBe(415);
    expect(await counts()).toEqual(stored);

    // A double submit or a replayed request stores one response.
    const first = await client.post(path, good);
    expect(first.status).toBe(200);
    const replay = await client.post(path, good);
    expect(replay.status).toBe(200);
    expect(replay.body).toContain("Your check-in is saved.");
    expect(await responses()).toHaveLength(1);
    const after = await counts();
    expect(after.receipts).toBe(stored.receipts + 1);

    // A form that names another client's check-in still answers only the token's own.
    const other = await enrolAndPrompt("carla", "bob");
    const edit = await client.get(`${path}?edit=1`);
    await client.post(path, { ...good, _csrf: hiddenField(edit.body, "_csrf"), submission: hiddenField(edit.body, "submission"), checkInId: other.slice(3), goal: "3" });
    expect(await responses()).toHaveLength(1);

    // The server is still up.
    expect((await client.get("/healthz", { accept: "application/json" })).status).toBe(200);
  });

  it("pages carry CSP, no-referrer, no-store, noindex and no third-party asset", async () => {
    const path = await enrolAndPrompt();
    const page = await new WebClient(base).get(path);
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(page.headers.get("content-security-policy")).not.toContain("unsafe-inline");
    expect(page.headers.get("referrer-policy")).toBe("no-referrer");
    expect(page.headers.get("cache-control")).toBe("no-store");
    expect(page.headers.get("x-robots-tag")).toContain("noindex");
    expect(page.body).not.toMatch(/(src|href)="https?:/);
  });
});
