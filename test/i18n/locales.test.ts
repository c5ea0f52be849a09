// Every locale must have every key, with the same placeholders, and every key built at run time
// (signal codes, statuses, weekdays, answers) must exist. Fails when a key is missing anywhere.

import { SETTING_KEYS } from "../../src/core/commands/settings.ts";
import { describe, expect, it } from "vitest";
import { catalogs, placeholderNames, translate } from "../../src/i18n/index.ts";
import type { MessageKey } from "../../src/i18n/index.ts";
import { en } from "../../src/i18n/locales/en.ts";
import { LOCALES, TALKED_THROUGH_ANSWERS, TENSION_ANSWERS } from "../../src/core/model.ts";
import type { AlertStatus } from "../../src/core/model.ts";
import { backtest } from "../../src/evaluate/backtest.ts";
import { TRAJECTORIES, trajectory } from "../core/rules/trajectory-data.ts";

const englishKeys = Object.keys(en).sort();
const placeholders = (text: string) => placeholderNames(text);

/** Keys the code assembles from data (`signal.${code}` …); these escape the compiler's check. */
const SIGNAL_CODES = ["low_item", "low_total", "drop_total", "drop_item", "reliable_drop", "decline", "tension", "comment_marker", "crisis_language", "withdrawal_missed", "withdrawal_stopped", "withdrawal_paused", "crisis_denial"];
const ALERT_STATUSES: AlertStatus[] = ["open", "acknowledged", "repaired", "dismissed", "withdrawn"];
const DYNAMIC_KEYS = [
  ...SIGNAL_CODES.map((c) => `signal.${c}`),
  // A level signal that got worse (rules/level.ts) is explained with its own sentence.
  "signal.low_item_worse",
  "signal.low_total_worse",
  // The dashboard's settings page labels every settings key.
  ...SETTING_KEYS.map((k) => `dashboard.settings.key.${k}`),
  ...ALERT_STATUSES.map((s) => `alert.status.${s}`),
  ...ALERT_STATUSES.filter((s) => s !== "open" && s !== "acknowledged" && s !== "withdrawn").map((s) => `command.trend.outcome.${s}`),
  ...[1, 2, 3, 4, 5, 6, 7].map((d) => `weekday.${d}`),
  ...[1, 2, 3, 4, 5, 6, 7].map((d) => `weekday.short.${d}`),
  ...TENSION_ANSWERS.map((a) => `tension.${a}`),
  ...TALKED_THROUGH_ANSWERS.map((a) => `talked.${a}`),
  ...["active", "paused", "ended"].map((s) => `enrollment.status.${s}`),
  "marker.confrontation",
  "marker.withdrawal",
];

/** Everything wrong with a catalogue compared with English: missing or extra keys, empty texts, other placeholders, missing run-time keys. */
function catalogProblems(catalog: Record<string, string>): string[] {
  const problems: string[] = [];
  for (const key of englishKeys) {
    if (!(key in catalog)) problems.push(`missing ${key}`);
    else if (!catalog[key]?.trim()) problems.push(`empty ${key}`);
    else if (placeholders(catalog[key] as string).join(",") !== placeholders(en[key as MessageKey]).join(",")) problems.push(`placeholders ${key}`);
  }
  for (const key of Object.keys(catalog)) if (!(key in en)) problems.push(`extra ${key}`);
  for (const key of DYNAMIC_KEYS) if (!catalog[key]) problems.push(`run-time ${key}`);
  return problems;
}

describe.each(LOCALES)("locale %s", (locale) => {
  const catalog = catalogs[locale] as Record<string, string>;

  it("has exactly the English keys, no empty text, the same placeholders, and every run-time key", () => {
    expect(catalogProblems(catalog)).toEqual([]);
  });
});

describe("the catalogue check", () => {
  it("names each kind of defect in a broken copy of a complete catalogue", () => {
    const broken: Record<string, string> = { ...catalogs.ro };
    delete broken["signal.decline"];
    broken["alert.title"] = "Ruptură posibilă"; // {client} dropped
    broken["prompt.skip"] = "  ";
    broken["no.such.key"] = "x";
    expect(catalogProblems(broken)).toEqual(
      expect.arrayContaining(["missing signal.decline", "run-time signal.decline", "placeholders alert.title", "empty prompt.skip", "extra no.such.key"]),
    );
    expect(catalogProblems(broken)).toHaveLength(5);
    expect(translate("ro", "signal.decline", { fall: 3, count: 4, path: "15 → 14 → 13 → 12" })).toBe("Totalul a scăzut cu 3 puncte în 4 verificări, fără să crească: 15 → 14 → 13 → 12.");
  });
});

describe("signal codes", () => {
  it("the trajectory suite produces only codes that have explanations", async () => {
    const replayed = await Promise.all(TRAJECTORIES.map(({ steps }) => backtest(trajectory(...steps))));
    const produced = new Set(replayed.flatMap((alerts) => alerts.flatMap((a) => a.signals.map((s) => s.code))));
    for (const code of produced) expect(SIGNAL_CODES).toContain(code);
  });
});

describe("the comment modal's texts fit Discord", () => {
  it.each(Object.keys(catalogs) as (keyof typeof catalogs)[])("%s: the label fits 45 characters and does not call a required field optional", (locale) => {
    const label = catalogs[locale]["prompt.comment_modal.label"];
    expect([...label].length).toBeLessThanOrEqual(45);
    expect(catalogs[locale]["prompt.comment_modal.title"].length).toBeLessThanOrEqual(45);
    // Both platforms make the comment field required (an empty comment is refused), so no "(optional)".
    expect(label).not.toMatch(/optional|opțional/i);
  });
});

describe("counted nouns", () => {
  /** The forms each locale's plural rules pick from (Intl.PluralRules). */
  const FORMS: Record<string, string[]> = { en: ["one", "other"], ro: ["one", "few", "other"] };
  /** Nouns that must not follow a bare number placeholder: "{count} clients" reads "1 clients". (Names are not numbers.) */
  const COUNTED: Record<string, RegExp> = {
    en: /\{(?!client\b|therapist\b)\w+\} (?:[a-z-]+ ){0,2}(?:clients|check-ins|minutes|hours|days|weeks|points|sessions|alerts|comments|answer sets|messages|settings|enrollments|characters)\b/,
    ro: /\{(?!client\b|therapist\b)\w+\} (?:de )?(?:clienți|verificări|minute|ore|zile|săptămâni|puncte|sesiuni|ședințe|alerte|comentarii|seturi|mesaje|setări|înscrieri|caractere|check-in-uri)\b/,
  };

  it.each(LOCALES)("%s: every counted noun is a plural block with the locale's forms", (locale) => {
    const catalog = catalogs[locale] as Record<string, string>;
    const bare = Object.entries(catalog).filter(([, text]) => COUNTED[locale]!.test(text)).map(([key]) => key);
    expect(bare).toEqual([]);
    for (const [key, text] of Object.entries(catalog)) {
      for (const block of text.matchAll(/\{\w+, plural,((?:\s*\w+\s*\{[^{}]*\})+)\s*\}/g)) {
        const forms = [...block[1]!.matchAll(/(\w+)\s*\{/g)].map((m) => m[1]);
        expect(forms, `${locale} ${key}`).toEqual(FORMS[locale]);
      }
    }
  });

  it("English: one client, two clients", () => {
    expect(translate("en", "digest.header", { count: 1 })).toBe("Weekly check-in digest: 1 active client.");
    expect(translate("en", "digest.header", { count: 2 })).toBe("Weekly check-in digest: 2 active clients.");
    expect(translate("en", "dashboard.caseload.caption", { count: 1, timeZone: "UTC" })).toBe("1 client. Times in UTC.");
    expect(translate("en", "dashboard.caseload.caption", { count: 0, timeZone: "UTC" })).toBe("0 clients. Times in UTC.");
    expect(translate("en", "dashboard.settings.errors", { count: 1 })).toBe("1 setting was not saved; see the messages below. The others were saved.");
    expect(translate("en", "privacy.export.sent", { client: "@alice", checkIns: 1 })).toBe("The export for @alice was sent to you as two files (JSON and CSV). It covers 1 check-in.");
    expect(translate("en", "dashboard.overview.signals_caption", { count: 1, weeks: 1 })).toBe("1 alert in the last week; an alert with two signals counts for both");
    expect(translate("en", "prompt.footer", { closes: "Wed 18:00", minutes: 1 })).toBe("Open until Wed 18:00. You can change your answers for 1 minute after you finish.");
  });

  it("Romanian: 1 client, 2–19 clienți, 20 de clienți (and 101, 120 by the same rules)", () => {
    const header = (count: number) => translate("ro", "digest.header", { count });
    expect(header(1)).toBe("Rezumatul săptămânal al verificărilor: 1 client activ.");
    expect(header(2)).toBe("Rezumatul săptămânal al verificărilor: 2 clienți activi.");
    expect(header(19)).toBe("Rezumatul săptămânal al verificărilor: 19 clienți activi.");
    expect(header(20)).toBe("Rezumatul săptămânal al verificărilor: 20 de clienți activi.");
    expect(header(101)).toBe("Rezumatul săptămânal al verificărilor: 101 clienți activi.");
    expect(header(120)).toBe("Rezumatul săptămânal al verificărilor: 120 de clienți activi.");
    expect(translate("ro", "dashboard.caseload.caption", { count: 1, timeZone: "UTC" })).toBe("1 client. Ore în fusul UTC.");
    expect(translate("ro", "dashboard.settings.errors", { count: 1 })).toBe("1 setare nu a fost salvată; vezi mesajele de mai jos. Celelalte au fost salvate.");
    expect(translate("ro", "web.checkin.comment_limit", { max: 3000 })).toBe("Până la 3000 de caractere.");
    expect(translate("ro", "web.checkin.comment_limit", { max: 10 })).toBe("Până la 10 caractere.");
    expect(translate("ro", "signal.withdrawal_missed", { count: 2 })).toBe("2 verificări la rând au expirat fără răspuns (întreruperile sistemului și pauzele nu sunt luate în calcul).");
  });

  it("a plural block whose number is missing stays visible, like any missing placeholder", () => {
    expect(translate("en", "digest.header", {})).toBe("Weekly check-in digest: {count, plural, one {# active client} other {# active clients}}.");
  });
});
