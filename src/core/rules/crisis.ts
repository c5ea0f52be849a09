// Crisis safety net, independent of every rupture threshold: a comment with self-harm or
// suicide language gets the client an immediate, calm reply with crisis resources, and the
// therapist an urgent alert. The resources are practice-configurable per locale
// (`/checkin settings crisis_en …`); these defaults are a starting point every practice should
// check for its own country (docs/rupture-detection.md).

import type { FiredSignal, Locale, Practice } from "../model.ts";
import { LOCALES } from "../model.ts";
import { translate } from "../../i18n/index.ts";
import { findCrisisLanguage } from "./lexicon.ts";

/** The documented default resources per locale (`crisis.resources_default` in the locale files). */
export const DEFAULT_CRISIS_RESOURCES: Record<Locale, string> = Object.fromEntries(
  LOCALES.map((locale) => [locale, translate(locale, "crisis.resources_default")]),
) as Record<Locale, string>;

/** The crisis resource text a practice shows in `locale`. */
export function crisisResources(practice: Pick<Practice, "settings">, locale: Locale): string {
  const custom = practice.settings.crisisResources?.[locale];
  return custom && custom.trim() ? custom : DEFAULT_CRISIS_RESOURCES[locale];
}

/** The urgent signal for a comment with crisis language, or null. Stores no text from the comment. */
export function crisisSignal(comment: string | null | undefined): FiredSignal | null {
  return findCrisisLanguage(comment) ? { code: "crisis_language", params: {} } : null;
}
