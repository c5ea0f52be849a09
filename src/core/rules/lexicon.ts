// Finds lexicon phrases in a free-text comment, with negation handling in the NegEx style:
// a phrase is negated when a negation word occurs at most NEGATION_WINDOW words before it in
// the same clause. Punctuation and scope-breaking words ("but", "if", "dar", "dacă") end a
// clause. Phrases that carry their own negation ("not helpful", "nu mai vreau să trăiesc") are
// lexicon entries themselves, so "not unhelpful" and "I'm not going to hurt myself" stay quiet
// while "this isn't helping" and "I don't know if I want to die" do not.
// Cost is linear in the comment length (comments are capped by commentMaxLength).

import type { Lexicon, LexiconEntry } from "./lexicons/types.ts";
import { englishLexicon } from "./lexicons/en.ts";
import { romanianLexicon } from "./lexicons/ro.ts";

/** Every lexicon is applied to every comment: clients write in either language whatever the locale. */
export const LEXICONS: readonly Lexicon[] = [englishLexicon, romanianLexicon];

/** How many words before a phrase a negation still applies to. */
export const NEGATION_WINDOW = 5;

/** Clause boundary marker inside the token stream. */
const BREAK = "\u0000";

export type MarkerCategory = "confrontation" | "withdrawal" | "crisis";

export interface LexiconMatch {
  category: MarkerCategory;
  /** Canonical wording of the entry (ours), never the client's text. */
  label: string;
  locale: Lexicon["locale"];
}

/** Lower case, diacritics folded (ă→a, ș/ş→s, ț/ţ→t …), apostrophes joined, punctuation as clause breaks. */
export function normaliseTokens(text: string): string[] {
  const folded = text
    .toLowerCase()
    .normalize("NFD")
    .replace(/\p{M}+/gu, "")
    .replace(/['’‘`´ʼ]/gu, "");
  const tokens: string[] = [];
  for (const piece of folded.split(/([.!?;:,()\n\u2013\u2014]+|\s-\s)/u)) {
    if (/^[.!?;:,()\n\u2013\u2014]+$|^\s-\s$/u.test(piece)) {
      tokens.push(BREAK);
      continue;
    }
    for (const word of piece.split(/[^\p{L}\p{N}]+/u)) if (word) tokens.push(word);
  }
  return tokens;
}

type TokenMatcher = (token: string) => boolean;

function compileToken(spec: string): TokenMatcher {
  const options = spec.split("|").map((alt) => (alt.endsWith("*") ? { prefix: alt.slice(0, -1) } : { exact: alt }));
  return (token) => options.some((o) => ("prefix" in o ? token.startsWith(o.prefix as string) : token === o.exact));
}

interface CompiledEntry {
  entry: LexiconEntry;
  category: MarkerCategory;
  tokens: TokenMatcher[];
}

interface CompiledLexicon {
  lexicon: Lexicon;
  entries: CompiledEntry[];
  negations: Set<string>;
  breaks: Set<string>;
}

function compile(lexicon: Lexicon): CompiledLexicon {
  const entries: CompiledEntry[] = [];
  for (const category of ["crisis", "confrontation", "withdrawal"] as const) {
    for (const entry of lexicon[category]) entries.push({ entry, category, tokens: entry.pattern.split(" ").filter(Boolean).map(compileToken) });
  }
  return { lexicon, entries, negations: new Set(lexicon.negations), breaks: new Set(lexicon.scopeBreaks) };
}

const COMPILED = new Map<Lexicon, CompiledLexicon>();
function compiled(lexicon: Lexicon): CompiledLexicon {
  let c = COMPILED.get(lexicon);
  if (!c) COMPILED.set(lexicon, (c = compile(lexicon)));
  return c;
}

/** Whether a negation word precedes position `start` within the window and the same clause. */
function negatedAt(tokens: string[], start: number, lex: CompiledLexicon): boolean {
  for (let i = start - 1; i >= 0 && i >= start - NEGATION_WINDOW; i--) {
    const token = tokens[i] as string;
    if (token === BREAK || lex.breaks.has(token)) return false;
    if (lex.negations.has(token)) return true;
  }
  return false;
}

/** All non-negated phrase matches in `text`, at most one per entry, crisis first. */
export function findMarkers(text: string, lexicons: readonly Lexicon[] = LEXICONS): LexiconMatch[] {
  const tokens = normaliseTokens(text);
  const found: LexiconMatch[] = [];
  for (const lexicon of lexicons) {
    const lex = compiled(lexicon);
    for (const { entry, category, tokens: pattern } of lex.entries) {
      const last = tokens.length - pattern.length;
      for (let start = 0; start <= last; start++) {
        if (!pattern.every((match, k) => match(tokens[start + k] as string))) continue;
        if (negatedAt(tokens, start, lex)) continue;
        found.push({ category, label: entry.label, locale: lexicon.locale });
        break;
      }
    }
  }
  return found;
}

/** The first crisis phrase in `text`, or null. Independent of any practice threshold. */
export function findCrisisLanguage(text: string | null | undefined): LexiconMatch | null {
  if (!text) return null;
  return findMarkers(text).find((m) => m.category === "crisis") ?? null;
}
