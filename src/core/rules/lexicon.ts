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
    .replace(/['’‘`´ʼ]/gu, "")
    .replace(/\bcannot\b/gu, "cant");
  const tokens: string[] = [];
  for (const piece of folded.split(/([.!?;:,()\n\u2013\u2014]+|\s-\s)/u)) {
    if (/^[.!?;:,()\n\u2013\u2014]+$|^\s-\s$/u.test(piece)) {
      tokens.push(BREAK);
      continue;
    }
    for (const word of piece.split(/[^\p{L}\p{N}]+/u)) {
      if (!word) continue;
      const contracted = word === "not" ? CONTRACT_NOT[tokens.at(-1) as string] : CONTRACT_PAIR[`${tokens.at(-1)} ${word}`];
      if (contracted) tokens[tokens.length - 1] = contracted;
      else tokens.push(word);
    }
  }
  return tokens;
}

/** English "do not" → "dont", "cannot" stays one word → "cant": patterns list one spelling. */
const CONTRACT_NOT: Record<string, string> = {
  do: "dont", does: "doesnt", did: "didnt", is: "isnt", was: "wasnt", are: "arent", were: "werent", can: "cant", will: "wont",
  would: "wouldnt", could: "couldnt", should: "shouldnt", have: "havent", has: "hasnt", had: "hadnt",
};
const CONTRACT_PAIR: Record<string, string> = { "i am": "im", "you are": "youre", "it is": "its", "what is": "whats" };

type TokenMatcher = { test: (token: string) => boolean; optional: boolean; end: boolean };

/** One pattern word: `a|b`, `stem*`, `_` any word, a trailing `?` for an optional word, `$` for the end of a clause. */
function compileToken(spec: string): TokenMatcher {
  if (spec === "$") return { test: (token) => token === BREAK, optional: false, end: true };
  const optional = spec.endsWith("?");
  const body = optional ? spec.slice(0, -1) : spec;
  if (body === "_") return { test: () => true, optional, end: false };
  const options = body.split("|").map((alt) => (alt.endsWith("*") ? { prefix: alt.slice(0, -1) } : { exact: alt }));
  return { test: (token) => options.some((o) => ("prefix" in o ? token.startsWith(o.prefix as string) : token === o.exact)), optional, end: false };
}

interface CompiledEntry {
  entry: LexiconEntry;
  category: MarkerCategory;
  tokens: TokenMatcher[];
}

interface CompiledLexicon {
  lexicon: Lexicon;
  entries: CompiledEntry[];
}

function compile(lexicon: Lexicon): CompiledLexicon {
  const entries: CompiledEntry[] = [];
  for (const category of ["crisis", "confrontation", "withdrawal"] as const) {
    for (const entry of lexicon[category]) entries.push({ entry, category, tokens: entry.pattern.split(" ").filter(Boolean).map(compileToken) });
  }
  return { lexicon, entries };
}

const COMPILED = new Map<Lexicon, CompiledLexicon>();
function compiled(lexicon: Lexicon): CompiledLexicon {
  let c = COMPILED.get(lexicon);
  if (!c) COMPILED.set(lexicon, (c = compile(lexicon)));
  return c;
}

/** Whether a negation word precedes position `start` within the window and the same clause. */
function negatedAt(tokens: string[], start: number, scope: { negations: Set<string>; breaks: Set<string> }): boolean {
  for (let i = start - 1; i >= 0 && i >= start - NEGATION_WINDOW; i--) {
    const token = tokens[i] as string;
    if (token === BREAK || scope.breaks.has(token)) return false;
    if (scope.negations.has(token)) return true;
  }
  return false;
}

/**
 * Negation words and scope breaks of all the lexicons together: clients mix languages, so "I'm
 * not suicidal" is negated for the Romanian "suicid*" entry too, and "nu sunt suicidar" for the
 * English one.
 */
const SCOPES = new Map<readonly Lexicon[], { negations: Set<string>; breaks: Set<string> }>();
function scopeOf(lexicons: readonly Lexicon[]) {
  let scope = SCOPES.get(lexicons);
  if (!scope) {
    scope = { negations: new Set(lexicons.flatMap((l) => l.negations)), breaks: new Set(lexicons.flatMap((l) => l.scopeBreaks)) };
    SCOPES.set(lexicons, scope);
  }
  return scope;
}

/**
 * Whether `pattern[k..]` matches the text from `at`. The first word must be at `at`; later words
 * may follow a comma or full stop ("fine, I guess"), optional words may be absent, and `$` matches
 * the end of a clause or of the comment. Patterns are a few words long, so the recursion is shallow.
 */
function matchesFrom(pattern: TokenMatcher[], k: number, tokens: string[], at: number): boolean {
  if (k === pattern.length) return true;
  const matcher = pattern[k] as TokenMatcher;
  let i = at;
  if (k > 0 && !matcher.end) while (tokens[i] === BREAK) i++;
  if (matcher.end && (i >= tokens.length || tokens[i] === BREAK)) return matchesFrom(pattern, k + 1, tokens, i + 1);
  if (i < tokens.length && tokens[i] !== BREAK && matcher.test(tokens[i] as string) && matchesFrom(pattern, k + 1, tokens, i + 1)) return true;
  return matcher.optional ? matchesFrom(pattern, k + 1, tokens, at) : false;
}

/** A phrase found in a comment; `negated` when a negation word governs it ("I'm not suicidal"). */
export interface LexiconHit extends LexiconMatch {
  negated: boolean;
}

/**
 * Every lexicon phrase in `text`, at most one hit per entry: the first non-negated occurrence,
 * or, when every occurrence is negated, one negated hit. Crisis entries come first.
 */
export function findAllMarkers(text: string, lexicons: readonly Lexicon[] = LEXICONS): LexiconHit[] {
  const tokens = normaliseTokens(text);
  const found: LexiconHit[] = [];
  const scope = scopeOf(lexicons);
  for (const lexicon of lexicons) {
    const lex = compiled(lexicon);
    for (const { entry, category, tokens: pattern } of lex.entries) {
      let negatedHit = false;
      let plainHit = false;
      for (let start = 0; start < tokens.length && !plainHit; start++) {
        if (tokens[start] === BREAK) continue;
        // An optional first word may be absent: the phrase then starts at the next word.
        if (!matchesFrom(pattern, 0, tokens, start)) continue;
        if (negatedAt(tokens, start, scope)) negatedHit = true;
        else plainHit = true;
      }
      if (plainHit || negatedHit) found.push({ category, label: entry.label, locale: lexicon.locale, negated: !plainHit });
    }
  }
  return found;
}

/** All non-negated phrase matches in `text`, at most one per entry, crisis first. */
export function findMarkers(text: string, lexicons: readonly Lexicon[] = LEXICONS): LexiconMatch[] {
  return findAllMarkers(text, lexicons)
    .filter((hit) => !hit.negated)
    .map(({ category, label, locale }) => ({ category, label, locale }));
}

/** The first crisis phrase in `text`, or null. Independent of any practice threshold. */
export function findCrisisLanguage(text: string | null | undefined): LexiconMatch | null {
  if (!text) return null;
  return findMarkers(text).find((m) => m.category === "crisis") ?? null;
}

/**
 * A crisis phrase that the client explicitly denies ("I'm not suicidal", "nu vreau să mor"),
 * when the comment holds no un-negated crisis phrase; null otherwise. A denial is not a crisis
 * (no resources are sent to the client) but the therapist is told, as a non-urgent note.
 */
export function findCrisisDenial(text: string | null | undefined): LexiconMatch | null {
  if (!text) return null;
  const crisis = findAllMarkers(text).filter((hit) => hit.category === "crisis");
  if (crisis.length === 0 || crisis.some((hit) => !hit.negated)) return null;
  const { category, label, locale } = crisis[0] as LexiconHit;
  return { category, label, locale };
}
