// Shape of a curated lexicon. Patterns are written in the normalised form the matcher sees:
// lower case, no diacritics (ă â î ș ț and the cedilla forms ş ţ all fold to a a i s t), no
// apostrophes ("isn't" → "isnt"), hyphens and punctuation split words ("să-mi" → "sa mi").
//
// Pattern syntax, one token per space-separated word:
//   word        exact token
//   a|b|c       any of the alternatives
//   stem*       any token starting with "stem" (inflected forms: "sinucid*" matches sinucidere, sinucidă …)

import type { Locale } from "../../model.ts";

/** One phrase: `label` is what the therapist is shown (our own canonical wording), `pattern` what is matched. */
export interface LexiconEntry {
  label: string;
  pattern: string;
}

export interface Lexicon {
  locale: Locale;
  /** Safran & Muran confrontation markers: complaints about the therapist, the work or progress; wanting to quit. */
  confrontation: LexiconEntry[];
  /** Safran & Muran withdrawal markers: minimal, deferential or disengaged responses. */
  withdrawal: LexiconEntry[];
  /** Crisis-screening phrase categories: wish to be dead, suicidal thoughts, intent or plan, self-harm. */
  crisis: LexiconEntry[];
  /** Tokens that negate a phrase when they occur shortly before it (same clause). */
  negations: string[];
  /** Tokens that end a negation's scope ("but", "if" …), like punctuation does. */
  scopeBreaks: string[];
}
