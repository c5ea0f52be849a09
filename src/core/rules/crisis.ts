// Crisis safety net, independent of every rupture threshold: a comment with self-harm or
// suicide language gets the client an immediate, calm reply with crisis resources, and the
// therapist an urgent alert. An explicit denial ("I'm not suicidal") is not a crisis: the client
// gets no resources, the therapist a non-urgent note. The resources are practice-configurable per locale
// (`/checkin settings crisis_en …`); these defaults are a starting point every practice should
// check for its own country (docs/rupture-detection.md).

import type { FiredSignal, Locale, Practice } from "../model.ts";
import { LOCALES } from "../model.ts";
import { translate } from "../../i18n/index.ts";
import { findCrisisDenial, findCrisisLanguage } from "./lexicon.ts";

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

/**
 * The non-urgent note for a comment that mentions self-harm or suicide only to deny it ("I'm
 * not suicidal, just exhausted"), or null. No crisis resources go to the client; the therapist
 * sees the note. Stores the lexicon's label for the phrase, never the client's words.
 */
export function crisisDenialSignal(comment: string | null | undefined): FiredSignal | null {
  const denial = findCrisisDenial(comment);
  return denial ? { code: "crisis_denial", params: { phrase: denial.label } } : null;
}
