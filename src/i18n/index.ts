// Message lookup with {placeholder} interpolation. Unknown placeholders are left visible so a
// missing parameter is noticed in review rather than silently dropped.
//
// Counted nouns use a plural block, a subset of ICU MessageFormat:
//   {count, plural, one {# client} few {# clienți} other {# de clienți}}
// The form is chosen by the locale's plural rules (Intl.PluralRules: English has one/other,
// Romanian one/few/other); `#` stands for the number; a missing form falls back to `other`.
// Forms hold plain text only (no nested placeholders).

import { LOCALES } from "../core/model.ts";
import type { Locale } from "../core/model.ts";
import { en } from "./locales/en.ts";
import type { MessageKey, Messages } from "./locales/en.ts";
import { ro } from "./locales/ro.ts";

export type { MessageKey, Messages };

export const catalogs: Record<Locale, Messages> = { en, ro };

export type Params = Record<string, string | number>;

export function isLocale(value: unknown): value is Locale {
  return typeof value === "string" && (LOCALES as readonly string[]).includes(value);
}

/** A plural block: the parameter's name, then the forms (`one {…} other {…}`). */
const PLURAL = /\{(\w+), plural,((?:\s*(?:=\d+|zero|one|two|few|many|other)\s*\{[^{}]*\})+)\s*\}/g;
const PLURAL_FORM = /(=\d+|zero|one|two|few|many|other)\s*\{([^{}]*)\}/g;

const pluralRules = new Map<Locale, Intl.PluralRules>();
function pluralCategory(locale: Locale, n: number): string {
  let rules = pluralRules.get(locale);
  if (!rules) {
    rules = new Intl.PluralRules(locale);
    pluralRules.set(locale, rules);
  }
  return rules.select(n);
}

/** The parameter names a message uses, plain and plural (sorted, each once). */
export function placeholderNames(template: string): string[] {
  const names = new Set<string>();
  for (const match of template.matchAll(PLURAL)) names.add(match[1] as string);
  for (const match of template.replace(PLURAL, "").matchAll(/\{(\w+)\}/g)) names.add(match[1] as string);
  return [...names].sort();
}

/** A plural block's forms by name (`one`, `other`, `=0`), parsed once per block text. */
const pluralForms = new Map<string, Map<string, string>>();
function formsOf(body: string): Map<string, string> {
  let forms = pluralForms.get(body);
  if (!forms) {
    forms = new Map([...body.matchAll(PLURAL_FORM)].map((m) => [m[1] as string, m[2] as string]));
    pluralForms.set(body, forms);
  }
  return forms;
}

export function translate(locale: Locale, key: MessageKey, params: Params = {}): string {
  const template = catalogs[locale]?.[key] ?? en[key];
  // Most messages have no plural block, and some no placeholder at all: those skip the scans.
  const counted = !template.includes(", plural,")
    ? template
    : template.replace(PLURAL, (whole, name: string, body: string) => {
        const value = params[name];
        const n = typeof value === "number" ? value : typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : null;
        if (n === null) return whole;
        const forms = formsOf(body);
        const form = forms.get(`=${n}`) ?? forms.get(pluralCategory(locale, n)) ?? forms.get("other") ?? "";
        return form.replace(/#/g, String(value));
      });
  return counted.includes("{") ? counted.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole)) : counted;
}

/** A translator bound to one locale. */
export type Translator = (key: MessageKey, params?: Params) => string;

export function translator(locale: Locale): Translator {
  return (key, params) => translate(locale, key, params);
}
