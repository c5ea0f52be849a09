// Crisis safety net, independent of every rupture threshold: a comment with self-harm or
// suicide language gets the client an immediate, calm reply with crisis resources, and the
// therapist an urgent alert. The resources are practice-configurable per locale
// (`/checkin settings crisis_en …`); these defaults are a starting point every practice should
// check for its own country (docs/rupture-detection.md).

import type { FiredSignal, Locale, Practice } from "../model.ts";
import { findCrisisLanguage } from "./lexicon.ts";

export const DEFAULT_CRISIS_RESOURCES: Record<Locale, string> = {
  en: "If you are in immediate danger, call your local emergency number (112 in the EU, 999 in the UK, 911 in the US and Canada). In the US you can call or text 988 (Suicide & Crisis Lifeline). In the UK and Ireland you can call Samaritans free on 116 123, day or night.",
  ro: "Dacă ești în pericol imediat, sună la 112. Poți vorbi gratuit cu cineva la linia Alianței Române de Prevenție a Suicidului: 0800 801 200. Dacă te afli în altă țară, sună la numărul local de urgență.",
};

/** The crisis resource text a practice shows in `locale`. */
export function crisisResources(practice: Pick<Practice, "settings">, locale: Locale): string {
  const custom = practice.settings.crisisResources?.[locale];
  return custom && custom.trim() ? custom : DEFAULT_CRISIS_RESOURCES[locale];
}

/** The urgent signal for a comment with crisis language, or null. Stores no text from the comment. */
export function crisisSignal(comment: string | null | undefined): FiredSignal | null {
  return findCrisisLanguage(comment) ? { code: "crisis_language", params: {} } : null;
}
