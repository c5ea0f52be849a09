// Link mode in a real browser: Debian's Chromium driven by playwright-core, against the real
// engine, the real web server and each chat adapter on its fake platform (terminal, Slack,
// Discord). The client gets the neutral message, opens the link, consents, answers with the
// keyboard alone, comments, sees the thank-you, edits within the window and finds the page closed
// after it; the therapist's alert link opens the alert page, and acknowledging there edits the
// chat message. axe-core checks every page in en and ro at 360×740 and 1280×800. The phone
// screenshot in docs/ is written here.

import { existsSync, mkdirSync } from "node:fs";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import AxeBuilder from "@axe-core/playwright";
import { createEngineFixture } from "../support/engine-fixture.ts";
import type { EngineFixture } from "../support/engine-fixture.ts";
import type { AdapterHarness, HarnessFactory } from "../contract/harness.ts";
import { makeTerminalHarness } from "../adapters/terminal/harness.ts";
import { makeSlackHarness } from "../adapters/slack/harness.ts";
import { makeDiscordHarness } from "../adapters/discord/harness.ts";
import { createWebServer, publicRoutes } from "../../adapters/web/index.ts";
import type { WebServer } from "../../adapters/web/index.ts";
import { Readiness } from "../../src/runtime/readiness.ts";
import { silentLogger } from "../../src/ports/logger.ts";
import type { InboundEvent, InboundPort, Reply } from "../../src/ports/inbound.ts";
import { en } from "../../src/i18n/locales/en.ts";
import { ro } from "../../src/i18n/locales/ro.ts";
import { translate } from "../../src/i18n/index.ts";
import type { Locale } from "../../src/core/model.ts";
import { HAVE_CHROMIUM, launchBrowser } from "../support/browser.ts";
import type { TestBrowser } from "../support/browser.ts";

const DOCS = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..", "..", "docs");

const ADMIN = "UADMIN1";
const THERAPIST = "UTHERA1";
const CLIENT = "UCLIENT1";
const COMMENT = "The homework idea felt rushed today.";
const m = (id: string) => `<@${id}>`;

interface Rig {
  harness: AdapterHarness;
  fixture: EngineFixture;
  server: WebServer;
  base: string;
  close(): Promise<void>;
}

async function bootRig(makeHarness: HarnessFactory): Promise<Rig> {
  const late: { engine: InboundPort | null } = { engine: null };
  const harness = await makeHarness({ receive: (event: InboundEvent): Promise<Reply> => late.engine!.receive(event) });
  let base = "";
  const fixture = await createEngineFixture({ platform: harness.platform, workspaceId: harness.workspaceId, start: "2026-03-02T08:00:00Z", links: { signingKey: randomBytes(32), publicUrl: () => base } });
  late.engine = fixture.engine;
  await harness.platform.start();
  const server = await createWebServer({
    port: 0,
    logger: silentLogger,
    routes: publicRoutes({ ops: { readiness: new Readiness([]) }, links: { pages: fixture.engine.linkPages, inbound: fixture.engine } }),
  });
  base = `http://127.0.0.1:${await server.listen()}`;
  await harness.runCommand(ADMIN, "settings quiet_hours off", { admin: true });
  return {
    harness,
    fixture,
    server,
    base,
    async close() {
      await server.close();
      await harness.close();
      await fixture.dispose();
    },
  };
}

/** Enrolls the client in link mode and sends a check-in now; returns the link the client got. */
async function enrolAndSend(rig: Rig, extra = ""): Promise<string> {
  const enrolled = await rig.harness.runCommand(ADMIN, `enroll ${m(CLIENT)} ${m(THERAPIST)} mon 09:00 50m UTC delivery=link ${extra}`.trim(), { admin: true });
  expect(enrolled).toMatch(/Enrolled|înscris/);
  rig.fixture.clock.set("2026-03-02T10:00:00Z");
  await rig.harness.runCommand(THERAPIST, `now ${m(CLIENT)}`);
  await rig.fixture.engine.tick();
  const message = rig.harness.messagesTo(CLIENT).at(-1);
  expect(message?.links?.length, "one link button").toBe(1);
  return message!.links![0]!;
}

/** Presses Tab until the focused element matches `selector` (at most 30 times). */
async function tabTo(page: Page, selector: string): Promise<void> {
  for (let i = 0; i < 30; i++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate(`document.activeElement?.matches(${JSON.stringify(selector)}) ?? false`)) return;
  }
  throw new Error(`keyboard focus never reached ${selector}`);
}

/** Answers the open form with the keyboard only: each scale by arrow keys, "No" tension, a comment. */
async function answerWithKeyboard(page: Page, values: { goal: number; task: number; bond: number }, comment: string | null, locale: Locale = "en"): Promise<void> {
  for (const item of ["goal", "task", "bond"] as const) {
    await tabTo(page, `input[name="${item}"]`);
    const checkedValue = (): Promise<string | null> => page.evaluate(`document.querySelector('input[name="${item}"]:checked')?.value ?? null`);
    if ((await checkedValue()) === null) await page.keyboard.press("Space");
    const current = Number(await checkedValue());
    const key = values[item] > current ? "ArrowRight" : "ArrowLeft";
    for (let i = 0; i < Math.abs(values[item] - current); i++) await page.keyboard.press(key);
    expect(await page.isChecked(`#${item}-${values[item]}`)).toBe(true);
  }
  await tabTo(page, 'input[name="tension"]');
  if (!(await page.isChecked("#tension-no"))) await page.keyboard.press("Space");
  expect(await page.isChecked("#tension-no")).toBe(true);
  // "Was it talked through?" is hidden by the script after "No".
  expect(await page.isHidden("#talked-group")).toBe(true);
  if (comment !== null) {
    await tabTo(page, "textarea#comment");
    await page.keyboard.type(comment);
    await expect.poll(() => page.textContent("#comment-count")).toBe(translate(locale, "web.checkin.comment_count", { count: [...comment].length, max: 3000 }));
  }
  await tabTo(page, 'button[type="submit"]');
  await Promise.all([page.waitForLoadState("load"), page.waitForNavigation(), page.keyboard.press("Enter")]);
}

/** No item text, score or comment in anything the adapter sent to the platform. */
function assertPlatformSawNothingClinical(rig: Rig): void {
  const sent = rig.harness.recordedOutbound();
  for (const phrase of [en["item.goal.question"], en["item.task.question"], en["item.bond.question"], en["tension.question"], en["talked.question"], en["scale.hint"], COMMENT, "Goals 1/5"]) {
    expect(sent, phrase).not.toContain(phrase);
  }
  expect(sent).not.toMatch(/\b[1-5]\/5\b|\/15\b/);
}

describe.skipIf(!HAVE_CHROMIUM)("link mode in Chromium", () => {
  let chrome: TestBrowser;
  let browser: Browser;
  beforeAll(async () => {
    chrome = await launchBrowser();
    browser = chrome.browser;
  });
  afterAll(async () => {
    await chrome?.close();
  });

  const platforms: [string, HarnessFactory][] = [
    ["terminal", makeTerminalHarness],
    ["Slack", makeSlackHarness],
    ["Discord", makeDiscordHarness],
  ];

  for (const [name, makeHarness] of platforms) {
    it(`${name}: neutral message, consent, keyboard answers, comment, thank-you, edit, closed; the therapist acknowledges on the alert page`, async () => {
      const rig = await bootRig(makeHarness);
      let context: BrowserContext | undefined;
      try {
        const link = await enrolAndSend(rig);
        const message = rig.harness.messagesTo(CLIENT).at(-1)!;
        expect(message.text).toContain("Your short check-in after today's session is ready. It closes on");
        expect(link.startsWith(`${rig.base}/c/`)).toBe(true);

        context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: "en-GB" });
        const page = await context.newPage();
        const outside: string[] = [];
        page.on("request", (request) => {
          if (!request.url().startsWith(rig.base)) outside.push(request.url());
        });
        await page.goto(link);
        await expect.poll(() => page.textContent("h1")).toBe(en["web.consent.heading"]);
        await tabTo(page, 'button[value="yes"]');
        await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
        expect(await page.textContent("legend")).toBe(en["item.goal.question"]);

        await answerWithKeyboard(page, { goal: 2, task: 4, bond: 4 }, COMMENT);
        expect(await page.textContent("h1")).toBe(en["web.checkin.thanks_heading"]);
        const thanks = await page.textContent("main");
        expect(thanks).toContain(en["web.checkin.thanks"]);
        expect(thanks).not.toMatch(/[1-5]\s*\/\s*5/);
        const [stored] = await rig.fixture.db.sql.query<{ goal: number; task: number; bond: number; commentCipher: string | null }>(`SELECT "goal", "task", "bond", "commentCipher" FROM "Response"`);
        expect(stored).toMatchObject({ goal: 2, task: 4, bond: 4 });
        expect(stored!.commentCipher).toBeTruthy();

        // Re-open within the edit window and change an answer with the keyboard.
        await page.goto(link);
        await tabTo(page, "a.button");
        await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
        expect(await page.isChecked("#goal-2")).toBe(true);
        await answerWithKeyboard(page, { goal: 3, task: 4, bond: 4 }, null);
        expect(await page.textContent("h1")).toBe(en["web.checkin.thanks_heading"]);
        expect((await rig.fixture.db.sql.query<{ goal: number }>(`SELECT "goal" FROM "Response"`))[0]!.goal).toBe(3);

        // The therapist's neutral alert links to the alert page; acknowledging there edits the chat message.
        const alertMessage = rig.harness.messagesTo(THERAPIST).find((msg) => msg.links?.some((url) => url.includes("/a/")));
        expect(alertMessage, "the therapist's alert message").toBeDefined();
        expect(alertMessage!.text).toContain("needs your attention");
        const therapistContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
        const alertPage = await therapistContext.newPage();
        await alertPage.goto(alertMessage!.links!.find((url) => url.includes("/a/"))!);
        const alertText = await alertPage.textContent("main");
        expect(alertText).toContain(en["web.alert.reasons"]);
        // The reasons (whatever fired), and the trend table with the answers as edited: 3, 4, 4, total 11.
        expect(await alertPage.locator("main ul li").count()).toBeGreaterThan(0);
        expect(await alertPage.locator("tbody tr").last().textContent()).toMatch(/3\s*4\s*4\s*11$/);
        await tabTo(alertPage, 'button[value$=":ack"]');
        await Promise.all([alertPage.waitForNavigation(), alertPage.keyboard.press("Enter")]);
        expect(await alertPage.textContent("main")).toContain("Alert acknowledged.");
        const edited = rig.harness.messagesTo(THERAPIST).find((msg) => msg.ref.messageId === alertMessage!.ref.messageId);
        expect(edited?.text).toContain("Status: Acknowledged");
        await therapistContext.close();

        // After the edit window the page says it has closed.
        rig.fixture.clock.advance(16 * 60_000);
        await page.goto(link);
        expect(await page.textContent("main")).toContain(en["web.checkin.closed_answered"]);
        expect(await page.locator("form").count()).toBe(0);

        expect(outside).toEqual([]);
        assertPlatformSawNothingClinical(rig);
      } finally {
        await context?.close();
        await rig.close();
      }
    }, 120_000);
  }

  it("at 320 px wide, in en and ro: no page is wider than the screen, and the client completes the check-in with the keyboard alone", async () => {
    for (const locale of ["en", "ro"] as const) {
      const rig = await bootRig(makeTerminalHarness);
      const context = await browser.newContext({ viewport: { width: 320, height: 568 }, locale: locale === "ro" ? "ro-RO" : "en-GB" });
      try {
        if (locale === "ro") await rig.harness.runCommand(ADMIN, "settings locale ro", { admin: true });
        const t = locale === "ro" ? ro : en;
        const link = await enrolAndSend(rig);
        const page = await context.newPage();
        /** The page scrolls only vertically; offenders are named when it does not. */
        const fits = async (label: string, on: Page = page) => {
          const width = await on.evaluate<number>("document.documentElement.scrollWidth");
          const wide = width > 320 ? await on.evaluate<string[]>(`[...document.querySelectorAll("body *")].filter((el) => el.getBoundingClientRect().right > 320.5).map((el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className ? "." + String(el.className).split(" ").join(".") : "")).slice(0, 10)`) : [];
          expect({ label, width, wide }).toEqual({ label, width: expect.any(Number), wide: [] });
          expect(width, `${label} (${locale}) is ${width} px wide`).toBeLessThanOrEqual(320);
        };

        await page.goto(link);
        expect(await page.textContent("h1")).toBe(t["web.consent.heading"]);
        await fits("consent");
        await tabTo(page, 'button[value="yes"]');
        await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
        expect(await page.textContent("legend")).toBe(t["item.goal.question"]);
        await fits("questions");
        // With "a little" tension the talked-through question appears: still within the width.
        await page.check("#tension-a_little");
        expect(await page.isVisible("#talked-group")).toBe(true);
        await fits("questions with talked-through");
        await page.goto(link);

        await answerWithKeyboard(page, { goal: 1, task: 2, bond: 2 }, COMMENT, locale);
        expect(await page.textContent("h1")).toBe(t["web.checkin.thanks_heading"]);
        await fits("thank-you");
        const [stored] = await rig.fixture.db.sql.query<{ goal: number; task: number; bond: number; commentCipher: string | null }>(`SELECT "goal", "task", "bond", "commentCipher" FROM "Response"`);
        expect(stored).toMatchObject({ goal: 1, task: 2, bond: 2 });
        expect(stored!.commentCipher).toBeTruthy();

        // Editing within the window, by keyboard.
        await tabTo(page, "a.button");
        await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
        await fits("edit form");
        await answerWithKeyboard(page, { goal: 2, task: 2, bond: 2 }, null, locale);
        expect((await rig.fixture.db.sql.query<{ goal: number }>(`SELECT "goal" FROM "Response"`))[0]!.goal).toBe(2);

        // The therapist's alert page on a phone, the unavailable page, and the closed page.
        const alertUrl = rig.harness.messagesTo(THERAPIST).flatMap((msg) => msg.links ?? []).find((url) => url.includes("/a/"));
        expect(alertUrl, "the therapist's alert link").toBeDefined();
        await page.goto(alertUrl!);
        await fits("alert page");
        await page.goto(`${rig.base}/c/${randomBytes(32).toString("base64url")}`);
        await fits("unavailable");
        rig.fixture.clock.advance(16 * 60_000);
        await page.goto(link);
        expect(await page.textContent("main")).toContain(t["web.checkin.closed_answered"]);
        await fits("closed");
      } finally {
        await context.close();
        await rig.close();
      }
    }
  }, 180_000);

  it("axe finds no serious or critical violation on any page, in en and ro, at 360×740 and 1280×800; the phone screenshot for the README", async () => {
    for (const locale of ["en", "ro"] as const) {
      const rig = await bootRig(makeTerminalHarness);
      try {
        if (locale === "ro") await rig.harness.runCommand(ADMIN, "settings locale ro", { admin: true });
        const link = await enrolAndSend(rig);
        const t = locale === "ro" ? ro : en;
        const scan = async (label: string, url: string, prepare?: (page: Page) => Promise<void>) => {
          for (const viewport of [{ width: 360, height: 740 }, { width: 1280, height: 800 }]) {
            const context = await browser.newContext({ viewport, locale: locale === "ro" ? "ro-RO" : "en-GB" });
            const page = await context.newPage();
            await page.goto(url);
            await prepare?.(page);
            const result = await new AxeBuilder({ page }).analyze();
            const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id}: ${v.help}`);
            expect(bad, `${label} ${locale} ${viewport.width}×${viewport.height}`).toEqual([]);
            // Nothing wider than the screen at 360 px.
            const overflow = await page.evaluate<number>("document.documentElement.scrollWidth - document.documentElement.clientWidth");
            expect(overflow, `${label} fits ${viewport.width} px`).toBeLessThanOrEqual(0);
            if (viewport.width === 360 && label === "questions" && locale === "en") {
              mkdirSync(DOCS, { recursive: true });
              await page.screenshot({ path: path.join(DOCS, "link-mode-checkin-phone.png"), fullPage: true });
            }
            await context.close();
          }
        };
        // consent page
        await scan("consent", link);
        const context = await browser.newContext();
        const page = await context.newPage();
        await page.goto(link);
        expect(await page.textContent("h1")).toBe(t["web.consent.heading"]);
        await Promise.all([page.waitForNavigation(), page.click('button[value="yes"]')]);
        await scan("questions", link);
        // an error state of the form
        await scan("form error", link, async (p) => {
          await p.evaluate(`document.querySelectorAll("input[required]").forEach((input) => input.removeAttribute("required"))`);
          await Promise.all([p.waitForNavigation(), p.click('button[type="submit"]')]);
        });
        await page.goto(link);
        await page.check("#goal-1");
        await page.check("#task-2");
        await page.check("#bond-2");
        await page.check("#tension-yes");
        await page.check("#talked-no");
        await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
        expect(await page.textContent("h1")).toBe(t["web.checkin.thanks_heading"]);
        await scan("thank-you", link);
        const alertUrl = rig.harness.messagesTo(THERAPIST).flatMap((msg) => msg.links ?? []).find((url) => url.includes("/a/"))!;
        await scan("alert", alertUrl);
        await scan("unavailable", `${rig.base}/c/${randomBytes(32).toString("base64url")}`);
        rig.fixture.clock.advance(16 * 60_000);
        await scan("closed", link);
        await context.close();
      } finally {
        await rig.close();
      }
    }
    expect(existsSync(path.join(DOCS, "link-mode-checkin-phone.png"))).toBe(true);
  }, 240_000);
});
