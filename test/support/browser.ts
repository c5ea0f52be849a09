// Debian's Chromium driven by playwright-core: headless, no sandbox (containers), and no
// outside connections (no updates, sync, QUIC or background networking). launch() gives every
// run a fresh temporary profile (playwright refuses --user-data-dir there and makes its own).

import { existsSync } from "node:fs";
import { chromium } from "playwright-core";
import type { Browser } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";

/** Whether Debian's Chromium is installed (.ci/run installs it; `apt-get install -y chromium`). */
export const HAVE_CHROMIUM = existsSync(CHROMIUM);
if (!HAVE_CHROMIUM) process.stderr.write(`browser tests skipped: ${CHROMIUM} is missing (apt-get install -y chromium)\n`);

export interface TestBrowser {
  browser: Browser;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<TestBrowser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return {
    browser,
    async close() {
      await browser.close();
    },
  };
}
