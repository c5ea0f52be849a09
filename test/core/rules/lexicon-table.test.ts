// Issue 14: the lexicon test table, per language. Each phrase is written the way clients write
// (first/second person, hedges, deflection, negation; Romanian with and without diacritics) and
// states what it must give: a crisis, a denial (a non-urgent note, no crisis), a confrontation or
// withdrawal marker, or nothing (near-misses: the same words in harmless sentences).

import { describe, expect, it } from "vitest";
import { findCrisisDenial, findCrisisLanguage, findMarkers } from "../../../src/core/rules/lexicon.ts";

type Expect = "crisis" | "denial" | "confrontation" | "withdrawal" | "none";

function classify(text: string): Expect[] {
  const out: Expect[] = [];
  if (findCrisisLanguage(text)) out.push("crisis");
  if (findCrisisDenial(text)) out.push("denial");
  for (const m of findMarkers(text)) if (m.category !== "crisis" && !out.includes(m.category)) out.push(m.category);
  return out.length ? out : ["none"];
}

const EN: [string, Expect][] = [
  // crisis: passive ideation (C-SSRS 1), PHQ-9 item 9, burden, no reason to live, can't go on, plans and means
  ["I wish I could go to sleep and never wake up", "crisis"],
  ["some nights I hope I don't wake up", "crisis"],
  ["I wish I wasn't alive", "crisis"],
  ["everyone would be better off without me", "crisis"],
  ["they'd be better off if I was gone", "crisis"],
  ["honestly I'd be better off dead", "crisis"],
  ["I feel like a burden to everyone", "crisis"],
  ["I'm such a burden on my family", "crisis"],
  ["there's no reason to live", "crisis"],
  ["I have nothing to live for", "crisis"],
  ["what's the point of living", "crisis"],
  ["I can't go on like this", "crisis"],
  ["I cannot do this anymore", "crisis"],
  ["I can't take it any more", "crisis"],
  ["I've been saving up pills", "crisis"],
  ["I thought about jumping off the bridge", "crisis"],
  ["I know how I would do it", "crisis"],
  ["I want to end it all", "crisis"],
  ["I've been thinking about suicide", "crisis"],
  ["I cut myself again", "crisis"],
  ["I don't know if I want to live", "crisis"],
  ["I'm not going to hurt myself, but I want to die", "crisis"],
  ["I don't see a way out", "crisis"],
  ["nobody would miss me", "crisis"],
  ["life isn't worth it", "crisis"],
  // denials: crisis words, negated — a note, never a crisis
  ["I'm not suicidal, just exhausted", "denial"],
  ["I would never hurt myself", "denial"],
  ["I don't want to die, I want things to change", "denial"],
  ["I'm not going to kill myself, don't worry", "denial"],
  ["no thoughts of suicide this week", "denial"],
  // confrontation, as clients write it
  ["I don't think you understand me", "confrontation"],
  ["you keep pushing me", "confrontation"],
  ["we keep talking about the wrong things", "confrontation"],
  ["we always end up on my mother", "confrontation"],
  ["not sure this is helping", "confrontation"],
  ["I felt judged", "confrontation"],
  ["you seemed distracted today", "confrontation"],
  ["maybe I should stop coming", "confrontation"],
  ["You're not really listening to me", "confrontation"],
  ["I don't feel like you get me", "confrontation"],
  // withdrawal: deflection, minimal replies
  ["I'd rather not say", "withdrawal"],
  ["it's fine I guess", "withdrawal"],
  ["fine, I guess.", "withdrawal"],
  ["I just went along with it", "withdrawal"],
  ["kept it to myself", "withdrawal"],
  ["idk", "withdrawal"],
  // near-misses
  ["you keep me grounded", "none"],
  ["we always get somewhere", "none"],
  ["that exercise killed me haha", "none"],
  ["I woke up late but made it", "none"],
  ["I'm dead tired after work", "none"],
  ["it was not a waste of time", "none"],
  ["I didn't feel judged at all", "none"],
  ["I had a plan for the week and stuck to it", "none"],
  ["I'm not sure about the homework", "none"],
  ["thanks for listening", "none"],
  ["I feel like you really get me", "none"],
  ["if I were gone for a week the work would pile up", "none"],
];

const RO: [string, Expect][] = [
  // crisis, with and without diacritics
  ["Aș vrea să adorm și să nu mă mai trezesc", "crisis"],
  ["as vrea sa adorm si sa nu ma mai trezesc", "crisis"],
  ["Mi-aș dori să mor", "crisis"],
  ["vreau sa mor", "crisis"],
  ["Ar fi mai bine pentru toți fără mine", "crisis"],
  ["ar fi mai bine fara mine", "crisis"],
  ["Sunt o povară pentru familia mea", "crisis"],
  ["sunt o povara pentru toti", "crisis"],
  ["Nu mai am niciun motiv să trăiesc", "crisis"],
  ["nu mai am niciun motiv sa traiesc", "crisis"],
  ["Viața nu mai are sens", "crisis"],
  ["Nu mai pot așa.", "crisis"],
  ["nu mai rezist", "crisis"],
  ["Am strâns pastile", "crisis"],
  ["m-am gandit sa ma arunc de pe bloc", "crisis"],
  ["Mă gândesc la sinucidere", "crisis"],
  ["nu mai vreau sa traiesc", "crisis"],
  ["Mi-am făcut rău din nou", "crisis"],
  ["Nu știu dacă vreau să trăiesc, vreau să mor", "crisis"],
  ["Aș vrea să nu mai exist", "crisis"],
  ["nu mai văd nicio ieșire", "crisis"],
  ["ar fi mai bine dacă aș dispărea", "crisis"],
  // denials
  ["Nu sunt suicidară, doar obosită", "denial"],
  ["nu sunt suicidar", "denial"],
  ["Nu vreau să mor", "denial"],
  ["nu ma gandesc sa ma sinucid", "denial"],
  ["Nu o să-mi fac rău", "denial"],
  // confrontation
  ["Nu cred că mă înțelegi", "confrontation"],
  ["nu cred ca ma intelegeti", "confrontation"],
  ["Mă tot împingi să vorbesc despre mama", "confrontation"],
  ["ma tot presati cu temele", "confrontation"],
  ["Mereu vorbim despre aceleași lucruri", "confrontation"],
  ["nu sunt sigura ca asta ma ajuta", "confrontation"],
  ["M-am simțit judecată", "confrontation"],
  ["nu ma simt ascultat", "confrontation"],
  ["Mă gândesc să renunț la terapie", "confrontation"],
  // withdrawal
  ["Aș prefera să nu spun", "withdrawal"],
  ["as prefera sa nu spun", "withdrawal"],
  ["E ok, cred.", "withdrawal"],
  ["nu conteaza", "withdrawal"],
  ["n-am chef să vorbesc", "withdrawal"],
  ["am tinut totul pentru mine", "withdrawal"],
  ["N-aș vrea să vorbesc despre asta", "withdrawal"],
  ["nu prea am chef", "withdrawal"],
  // near-misses
  ["Ședința m-a ajutat mult", "none"],
  ["sedinta a fost buna", "none"],
  ["Nu e o pierdere de timp deloc", "none"],
  ["mă simt ascultată", "none"],
  ["obosit dar bine", "none"],
  ["am un plan pentru weekend", "none"],
  ["cred că mă ajută", "none"],
  ["nu mă gândesc să renunț", "none"],
  ["mă rog frumos să vii", "none"],
];

describe.each([
  ["en", EN],
  ["ro", RO],
] as const)("lexicon table (%s)", (_, table) => {
  it("has at least 40 phrases with hits, near-misses and denials", () => {
    expect(table.length).toBeGreaterThanOrEqual(40);
    for (const kind of ["crisis", "denial", "confrontation", "withdrawal", "none"] as const) expect(table.some(([, e]) => e === kind), kind).toBe(true);
  });
  it.each(table)("%s → %s", (text, expected) => {
    const got = classify(text);
    if (expected === "none") expect(got).toEqual(["none"]);
    else expect(got[0]).toBe(expected);
    // A denial is never a crisis, and a crisis is never reported as a denial.
    expect(got.includes("crisis") && got.includes("denial")).toBe(false);
  });
});
