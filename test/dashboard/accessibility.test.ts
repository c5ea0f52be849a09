// axe-core on every dashboard page, in English and Romanian: no serious or critical violations.
// Pages come from browser.newContext(), as @axe-core/playwright requires.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import AxeBuilder from "@axe-core/playwright";
import type { Browser, Page } from "playwright-core";
import { createDashboardHarness } from "../support/dashboard-harness.ts";
import type { DashboardHarness } from "../support/dashboard-harness.ts";
import { tellStory } from "../support/dashboard-story.ts";
import type { Story } from "../support/dashboard-story.ts";
import { HAVE_CHROMIUM, launchBrowser } from "../support/browser.ts";
import type { TestBrowser } from "../support/browser.ts";
import type { Locale } from "../../src/core/model.ts";

let h: DashboardHarness;
let story: Story;
let chrome: TestBrowser;
let browser: Browser;

beforeAll(async () => {
  if (!HAVE_CHROMIUM) return;
  h = await createDashboardHarness();
  story = await tellStory(h.f, h.platform);
  chrome = await launchBrowser();
  browser = chrome.browser;
}, 120_000);
afterAll(async () => {
  await chrome?.close();
  await h?.dispose();
});

async function serious(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

async function signIn(page: Page, userId: string, admin = false): Promise<void> {
  await page.goto(h.baseUrl + (await h.linkPath(userId, { admin })));
  await page.getByRole("button").click();
  await page.waitForURL(`${h.baseUrl}/dashboard`);
}

describe.skipIf(!HAVE_CHROMIUM).each(["en", "ro"] as const)("accessibility (%s)", (locale: Locale) => {
  beforeAll(async () => {
    const practice = await h.f.store.ensurePractice("terminal", "local");
    for (const userId of ["bob", "dana"]) {
      const person = await h.f.store.findPerson(practice.id, userId);
      if (person) await h.f.store.updatePerson(person.id, { locale });
    }
  });

  it("sign-in, signed-out and not-found pages", async () => {
    const context = await browser.newContext({ locale: locale === "ro" ? "ro-RO" : "en-GB", viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    try {
      await page.goto(h.baseUrl + (await h.linkPath("bob")));
      expect(await page.getAttribute("html", "lang")).toBe(locale);
      expect(await serious(page), "sign-in").toEqual([]);
      await page.goto(`${h.baseUrl}/dashboard`);
      expect(await serious(page), "signed out").toEqual([]);
      await signIn(page, "bob");
      await page.goto(`${h.baseUrl}/dashboard/clients/${story.carolEnrollmentId}`);
      expect(await serious(page), "not found").toEqual([]);
    } finally {
      await context.close();
    }
  }, 120_000);

  it("therapist: caseload, client page, client page with comments, at desktop and phone widths", async () => {
    for (const viewport of [{ width: 1280, height: 800 }, { width: 360, height: 740 }]) {
      const context = await browser.newContext({ viewport });
      const page = await context.newPage();
      try {
        await signIn(page, "bob");
        expect(await page.getAttribute("html", "lang")).toBe(locale);
        expect(await serious(page), `caseload ${viewport.width}`).toEqual([]);
        await page.goto(`${h.baseUrl}/dashboard/clients/${story.aliceEnrollmentId}`);
        expect(await serious(page), `client ${viewport.width}`).toEqual([]);
        await page.locator(`form[action$="/comments"] button`).click();
        await page.waitForSelector("td.comment");
        expect(await serious(page), `client with comments ${viewport.width}`).toEqual([]);
      } finally {
        await context.close();
      }
    }
  }, 180_000);

  it("admin: overview, settings (also with an error), audit log", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    try {
      await signIn(page, "dana", true);
      expect(await serious(page), "admin caseload").toEqual([]);
      for (const path of ["/dashboard/overview", "/dashboard/settings", "/dashboard/audit", "/dashboard/audit?from=yesterday"]) {
        await page.goto(h.baseUrl + path);
        expect(await serious(page), path).toEqual([]);
      }
      await page.goto(`${h.baseUrl}/dashboard/settings`);
      await page.locator("#s-low_item").fill("9");
      await page.locator(".settings-form button[type=submit]").click();
      await page.waitForSelector(".field-message");
      expect(await serious(page), "settings with an error").toEqual([]);
    } finally {
      await context.close();
    }
  }, 120_000);
});
