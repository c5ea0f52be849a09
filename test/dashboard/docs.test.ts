// docs/dashboard.md explains every caseload status the code can show, with the label the page
// uses, and the README shows the dashboard's screenshots and its sign-in step.

import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { en } from "../../src/i18n/locales/en.ts";
import { COLOUR_RANK } from "../../src/dashboard/status.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
const DOC = readFileSync(path.join(ROOT, "docs/dashboard.md"), "utf8");
const README = readFileSync(path.join(ROOT, "README.md"), "utf8");

describe("dashboard docs", () => {
  it("the colour table names every colour and every status label the caseload shows", () => {
    const table = /### What the colours mean([\s\S]*?)\n## /.exec(DOC)?.[1] ?? "";
    for (const colour of Object.keys(COLOUR_RANK)) expect(table, colour).toContain(`| **${colour}** |`);
    const labels = Object.entries(en)
      .filter(([key]) => key.startsWith("dashboard.status."))
      .map(([, label]) => label.split(/[({]/)[0]!.trim());
    for (const label of new Set(labels)) expect(table, label).toContain(label);
  });

  it("uses the terms of rupture-detection.md for what it refers to", () => {
    for (const term of ["baseline", "low_item", "low_total", "total_drop", "item_drop", "baseline_size", "repair detection", "missed_by_system", "missed_in_row", "standing status", "cold start"]) expect(DOC, term).toContain(term);
  });

  it("the README shows both screenshots and the sign-in step", () => {
    for (const image of ["docs/dashboard-caseload.png", "docs/dashboard-client.png"]) {
      expect(README).toContain(`](${image})`);
      expect(existsSync(path.join(ROOT, image)), image).toBe(true);
    }
    expect(README).toMatch(/`\/checkin dashboard`/);
    expect(README).toContain("Sign in");
  });
});
