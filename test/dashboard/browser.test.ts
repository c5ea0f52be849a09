// The dashboard in a real browser (Debian's Chromium through playwright-core): a therapist
// signs in from the chat link, sees the caseload, opens a client with a rupture → repair
// history whose chart shows the episode, and acknowledges the open alert on the web, which
// edits the chat alert message; an admin changes a setting on the web and /checkin settings
// shows it. Screenshots go to test-output/; with UPDATE_SCREENSHOTS=1 also to docs/ for the README.

import { mkdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { createDashboardHarness } from "../support/dashboard-harness.ts";
import type { DashboardHarness } from "../support/dashboard-harness.ts";
import { tellStory } from "../support/dashboard-story.ts";
import type { Story } from "../support/dashboard-story.ts";
import { HAVE_CHROMIUM, launchBrowser } from "../support/browser.ts";
import type { TestBrowser } from "../support/browser.ts";
import type { AlertView } from "../../src/ports/chat-platform.ts";
import { CHART_COLOURS } from "../../src/dashboard/chart.ts";

const DOCS = path.resolve(import.meta.dirname, "../../docs");
const OUT = path.resolve(import.meta.dirname, "../../test-output");
const UPDATE_DOCS = process.env.UPDATE_SCREENSHOTS === "1";

let h: DashboardHarness;
let story: Story;
let chrome: TestBrowser;
let browser: Browser;

beforeAll(async () => {
  if (!HAVE_CHROMIUM) return;
  mkdirSync(OUT, { recursive: true });
  h = await createDashboardHarness();
  story = await tellStory(h.f, h.platform);
  chrome = await launchBrowser();
  browser = chrome.browser;
}, 120_000);
afterAll(async () => {
  await chrome?.close();
  await h?.dispose();
});

describe.skipIf(!HAVE_CHROMIUM)("therapist in the browser", () => {
  it("signs in from the chat link, sees the caseload, opens the client, and acknowledges on the web; the chat message changes", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    try {
      // The link from the private chat reply. Opening it changes nothing until the button is pressed.
      await page.goto(h.baseUrl + (await h.linkPath("bob")));
      await expect(page.getByRole("heading", { level: 1 }).innerText()).resolves.toBe("Sign in to the dashboard");
      expect(await h.f.db.sql.query(`SELECT * FROM "WebSession"`)).toHaveLength(0);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL(`${h.baseUrl}/dashboard`);
      const cookies = await context.cookies();
      const session = cookies.find((c) => c.name === "checkin_session");
      expect(session).toMatchObject({ httpOnly: true, sameSite: "Strict", secure: false });

      // Caseload: only Bob's client, red with a text label.
      const rows = page.locator("table.caseload tbody tr");
      await expect(rows.count()).resolves.toBe(1);
      await expect(rows.first().innerText()).resolves.toMatch(/@alice[\s\S]*Red\s+open alert[\s\S]*total 7\/15/);
      await expect(page.locator("body").innerText()).resolves.not.toContain("@carol");
      await page.screenshot({ path: path.join(OUT, "caseload.png"), fullPage: true });
      if (UPDATE_DOCS) await page.screenshot({ path: path.join(DOCS, "dashboard-caseload.png"), fullPage: true });

      // The client page: the chart shades the repaired episode and the open one, with an alert marker on each.
      await page.getByRole("link", { name: "@alice" }).click();
      await page.waitForURL(`${h.baseUrl}/dashboard/clients/${story.aliceEnrollmentId}`);
      const episodes = page.locator("svg.chart-total g.episode rect");
      await expect(episodes.count()).resolves.toBe(2);
      await expect(episodes.nth(0).getAttribute("fill")).resolves.toBe(CHART_COLOURS.episode.repaired);
      await expect(episodes.nth(1).getAttribute("fill")).resolves.toBe(CHART_COLOURS.episode.open);
      await expect(page.locator("svg.chart-total g.alert-marker path").count()).resolves.toBe(2);
      await expect(page.locator("svg.chart-total g.dot-total circle").count()).resolves.toBe(10);
      await expect(page.locator("figcaption").innerText()).resolves.toMatch(/6 Apr 2026 to 13 Apr 2026: Marked repaired/);
      await page.screenshot({ path: path.join(OUT, "client.png"), fullPage: true });
      if (UPDATE_DOCS) await page.screenshot({ path: path.join(DOCS, "dashboard-client.png"), fullPage: true });
      // At 1280 px the table beside the chart shows every column: nothing to scroll sideways.
      const tableOverflow = await page.evaluate<number>("(() => { const r = document.querySelector('.data-table'); return r.scrollWidth - r.clientWidth; })()");
      expect(tableOverflow, "the table's columns fit beside the chart").toBeLessThanOrEqual(0);

      // Acknowledge with a note, by keyboard-reachable controls only.
      const before = h.platform.messages.find((m) => m.view.kind === "alert" && (m.view as AlertView).alertId === story.openAlertId)!;
      expect((before.view as AlertView).status).toBe("Open");
      await page.getByLabel("Note (optional, only you can read it)").fill("Will raise it at the start of next session");
      await page.getByRole("button", { name: "Acknowledge" }).click();
      await expect(page.locator(".notice").innerText()).resolves.toBe("Alert acknowledged.");
      expect((before.view as AlertView).status).toBe("Acknowledged");
      expect(before.history.length).toBeGreaterThan(1);
      expect((await h.f.store.getAlert(story.openAlertId))?.status).toBe("acknowledged");
      await expect(page.locator(".alert-history").innerText()).resolves.toContain("Will raise it at the start of next session");

      // Comments on request; the view is audited.
      await page.getByRole("button", { name: "Show comments" }).click();
      await expect(page.locator("td.comment").allInnerTexts()).resolves.toContain("I felt rushed at the end today");
      // With comments shown the table moves below the chart at full width, and still fits.
      expect(await page.evaluate<number>("(() => { const r = document.querySelector('.data-table'); return r.scrollWidth - r.clientWidth; })()")).toBeLessThanOrEqual(0);
      const [chartBox, tableBox] = [await page.locator("figure.chart").boundingBox(), await page.locator(".data-table").boundingBox()];
      expect(tableBox!.y).toBeGreaterThan(chartBox!.y + chartBox!.height);
      const audit = await h.f.db.sql.query<{ action: string }>(`SELECT "action" FROM "AuditEntry" WHERE "action" = 'comments.viewed'`);
      expect(audit).toHaveLength(1);
    } finally {
      await context.close();
    }
  }, 120_000);
});

describe.skipIf(!HAVE_CHROMIUM)("on a phone (375 px)", () => {
  it("the caseload and the client page fit the screen (caseload rows become cards; the client page tables scroll inside their own region); screenshots in test-output/", async () => {
    const context = await browser.newContext({ viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    const pageWidth = () => page.evaluate<number>("document.documentElement.scrollWidth");
    try {
      await page.goto(h.baseUrl + (await h.linkPath("bob")));
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL(`${h.baseUrl}/dashboard`);
      await page.screenshot({ path: path.join(OUT, "caseload-phone.png"), fullPage: true });
      expect(await pageWidth(), "caseload").toBeLessThanOrEqual(375);
      // Each client is a card: nothing in the caseload needs sideways scrolling, and every cell is named by its column.
      const overflow = await page.evaluate<number>("(() => { const r = document.querySelector('.table-scroll'); return r.scrollWidth - r.clientWidth; })()");
      expect(overflow, "caseload rows wider than the screen").toBeLessThanOrEqual(0);
      const label = await page.evaluate<string>("getComputedStyle(document.querySelector('table.caseload td[data-label]'), '::before').content");
      expect(label).toMatch(/^"Status: "$/);
      await page.goto(`${h.baseUrl}/dashboard/clients/${story.aliceEnrollmentId}`);
      await page.screenshot({ path: path.join(OUT, "client-phone.png"), fullPage: true });
      await page.screenshot({ path: path.join(OUT, "client-phone-top.png") });
      expect(await pageWidth(), "client page").toBeLessThanOrEqual(375);
      // The chart is drawn to the screen's width, and the table below it, not beside it.
      const chart = await page.locator("svg.chart-total").boundingBox();
      const table = await page.locator(".data-table").boundingBox();
      expect(chart!.x + chart!.width).toBeLessThanOrEqual(375);
      expect(table!.y).toBeGreaterThan(chart!.y + chart!.height);
    } finally {
      await context.close();
    }
  }, 120_000);
});

describe.skipIf(!HAVE_CHROMIUM)("admin in the browser", () => {
  it("changes a setting on the web; /checkin settings shows it; a bad value gets the chat's wording", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    try {
      await page.goto(h.baseUrl + (await h.linkPath("dana", { admin: true })));
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL(`${h.baseUrl}/dashboard`);
      // The admin's caseload is the whole practice.
      await expect(page.locator("table.caseload tbody tr").count()).resolves.toBe(2);
      await page.getByRole("link", { name: "Settings" }).click();
      await page.getByLabel(/Low total below/).fill("11");
      await page.getByRole("button", { name: "Save settings" }).click();
      await expect(page.locator(".notice").innerText()).resolves.toContain("low_total");
      expect((await h.f.command("dana", "settings", { admin: true })).text).toContain("low_total = 11");

      await page.getByLabel(/Quiet hours/).fill("late evening");
      await page.getByRole("button", { name: "Save settings" }).click();
      const chat = await h.f.command("dana", "settings quiet_hours late evening", { admin: true });
      expect(chat.refused).toBe(true);
      await expect(page.locator(".field-message").textContent()).resolves.toBe(chat.text);
      expect((await h.f.command("dana", "settings quiet_hours", { admin: true })).text).toBe("quiet_hours = off");
    } finally {
      await context.close();
    }
  }, 120_000);
});
