import { describe, expect, it } from "vitest";
import { findCrisisLanguage, findMarkers, normaliseTokens } from "../../../src/core/rules/lexicon.ts";
import { crisisResources, DEFAULT_CRISIS_RESOURCES } from "../../../src/core/rules/crisis.ts";
import { en } from "../../../src/i18n/locales/en.ts";
import { ro } from "../../../src/i18n/locales/ro.ts";
import { DEFAULT_SETTINGS } from "../../../src/core/model.ts";

const categories = (text: string) => findMarkers(text).map((m) => m.category);

describe("normalisation", () => {
  it("folds Romanian diacritics (comma and cedilla forms), joins apostrophes, splits hyphens, marks clause breaks", () => {
    expect(normaliseTokens("Nu-mi pasă, Șţ ș ț ş ţ")).toEqual(["nu", "mi", "pasa", "\u0000", "st", "s", "t", "s", "t"]);
    expect(normaliseTokens("This isn’t helping!")).toEqual(["this", "isnt", "helping", "\u0000"]);
  });
});

describe("comment markers (en)", () => {
  it.each([
    ["This isn't helping.", "confrontation"],
    ["honestly it is not helpful", "confrontation"],
    ["You don't listen to me", "confrontation"],
    ["I'm thinking of quitting", "confrontation"],
    ["what a waste of time", "confrontation"],
    ["whatever", "withdrawal"],
    ["It doesn't matter.", "withdrawal"],
    ["I had nothing to say today", "withdrawal"],
  ])("%s → %s", (text, category) => {
    expect(categories(text)).toContain(category);
  });

  it.each([
    "It was not unhelpful at all",
    "This was really helping",
    "Great session, you listened to me",
    "I am not thinking of quitting",
    "I'd never say it's a waste of time",
  ])("stays quiet: %s", (text) => {
    expect(findMarkers(text)).toEqual([]);
  });
});

describe("comment markers (ro, with and without diacritics)", () => {
  it.each([
    ["Nu mă ajută deloc ședințele", "confrontation"],
    ["nu ma ajuta deloc sedintele", "confrontation"],
    ["Nu mă asculți.", "confrontation"],
    ["Mă gândesc să renunț", "confrontation"],
    ["ma gandesc sa renunt", "confrontation"],
    ["Nu contează.", "withdrawal"],
    ["nu-mi pasă", "withdrawal"],
    ["nu imi pasa", "withdrawal"],
    ["mi-e indiferent", "withdrawal"],
  ])("%s → %s", (text, category) => {
    expect(categories(text)).toContain(category);
  });

  it.each(["Nu este inutil, chiar m-a ajutat", "Ședința m-a ajutat mult", "nu ma gandesc sa renunt"])("stays quiet: %s", (text) => {
    expect(findMarkers(text)).toEqual([]);
  });
});

describe("crisis language", () => {
  it.each([
    "I want to kill myself",
    "sometimes I think about suicide",
    "I don't know if I want to die",
    "I'm not sure, but I want to end my life",
    "I've been cutting myself again",
    "better off dead",
    "I don't want to live anymore",
    "Vreau să mor",
    "vreau sa mor",
    "Mă gândesc să mă sinucid",
    "ma gandesc la sinucidere",
    "Nu mai vreau să trăiesc",
    "nu mai vreau sa traiesc",
    "Îmi fac rău uneori",
  ])("detects: %s", (text) => {
    expect(findCrisisLanguage(text)?.category).toBe("crisis");
  });

  it.each([
    "I'm not going to hurt myself",
    "I would never kill myself",
    "I don't want to die, I want things to change",
    "Nu vreau să mor",
    "nu o să-mi fac rău",
    "Nu mă gândesc să mă sinucid",
    "That joke killed me",
    "",
  ])("does not fire on: %s", (text) => {
    expect(findCrisisLanguage(text)).toBeNull();
  });

  it("a negated phrase does not hide a later, un-negated one in another clause", () => {
    expect(findCrisisLanguage("I'm not going to hurt myself, but I want to die")).not.toBeNull();
  });

  it("crisis resources: documented defaults per locale, practice text wins", () => {
    expect(crisisResources(DEFAULT_SETTINGS_PRACTICE, "en")).toContain("988");
    expect(crisisResources(DEFAULT_SETTINGS_PRACTICE, "en")).toContain("116 123");
    expect(crisisResources(DEFAULT_SETTINGS_PRACTICE, "ro")).toBe(DEFAULT_CRISIS_RESOURCES.ro);
    expect(DEFAULT_CRISIS_RESOURCES.ro).toContain("112");
    expect(DEFAULT_CRISIS_RESOURCES.ro).toContain("0800 801 200");
    // The defaults are user-facing text, so they live in the locale files like every other string.
    expect(DEFAULT_CRISIS_RESOURCES.en).toBe(en["crisis.resources_default"]);
    expect(DEFAULT_CRISIS_RESOURCES.ro).toBe(ro["crisis.resources_default"]);
    expect(crisisResources({ settings: { ...DEFAULT_SETTINGS, crisisResources: { ro: "Sunați la 112." } } }, "ro")).toBe("Sunați la 112.");
    expect(crisisResources({ settings: { ...DEFAULT_SETTINGS, crisisResources: { ro: "Sunați la 112." } } }, "en")).toBe(DEFAULT_CRISIS_RESOURCES.en);
  });
});

const DEFAULT_SETTINGS_PRACTICE = { settings: DEFAULT_SETTINGS };

describe("negation scope", () => {
  it("a negation that belongs to an earlier verb does not hide crisis language", () => {
    expect(findCrisisLanguage("I can't stop thinking I want to die")).not.toBeNull();
    expect(findCrisisLanguage("I'm not thinking of killing myself")).toBeNull();
    expect(findCrisisLanguage("Nu știu dacă vreau să trăiesc, vreau să mor")).not.toBeNull();
  });
});
