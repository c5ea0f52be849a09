// Message lookup with {placeholder} interpolation. Unknown placeholders are left visible so a
// missing parameter is noticed in review rather than silently dropped.

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

export function translate(locale: Locale, key: MessageKey, params: Params = {}): string {
  const template = catalogs[locale]?.[key] ?? en[key];
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** A translator bound to one locale. */
export type Translator = (key: MessageKey, params?: Params) => string;

export function translator(locale: Locale): Translator {
  return (key, params) => translate(locale, key, params);
}
