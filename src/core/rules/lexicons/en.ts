// English lexicon. Sources of the categories (not of the wording, which is our own):
// confrontation and withdrawal follow the rupture-marker categories of Safran & Muran
// (Negotiating the Therapeutic Alliance, 2000; Rupture Resolution Rating System, Eubanks,
// Muran & Safran 2015); crisis phrases follow the categories common to suicide screeners
// (wish to be dead, active thoughts, intent/plan, self-harm) as used in the C-SSRS screener
// and ASQ — no item text from those instruments is reproduced.

import type { Lexicon } from "./types.ts";

export const englishLexicon: Lexicon = {
  locale: "en",
  confrontation: [
    { label: "this isn't helping", pattern: "isnt|wasnt|not helping|helpful" },
    { label: "it doesn't help", pattern: "doesnt|didnt help|helps|helped" },
    { label: "unhelpful", pattern: "unhelpful" },
    { label: "you don't listen", pattern: "you dont|didnt|never listen" },
    { label: "you're not listening", pattern: "youre|werent not listening" },
    { label: "you're not listening", pattern: "you were|are not listening" },
    { label: "you don't understand", pattern: "you dont|didnt understand" },
    { label: "waste of time", pattern: "waste of time|money" },
    { label: "pointless", pattern: "pointless" },
    { label: "thinking of quitting", pattern: "thinking of|about quitting|stopping|leaving|ending" },
    { label: "I want to quit therapy", pattern: "want to quit|stop|end therapy|this|sessions" },
    { label: "going nowhere", pattern: "going nowhere" },
    { label: "not getting anywhere", pattern: "not getting anywhere" },
    { label: "not working", pattern: "isnt|not working" },
    { label: "I don't trust you", pattern: "dont trust you" },
    { label: "I felt judged", pattern: "felt|feel judged|criticised|criticized|dismissed" },
    { label: "frustrated with you", pattern: "frustrated|angry|annoyed|upset with|at you" },
    { label: "you pushed me", pattern: "you pushed|push me" },
  ],
  withdrawal: [
    { label: "whatever", pattern: "whatever" },
    { label: "doesn't matter", pattern: "doesnt matter" },
    { label: "I don't care", pattern: "i dont care" },
    { label: "nothing to say", pattern: "nothing to say|add|talk" },
    { label: "didn't want to talk", pattern: "didnt|dont want to talk" },
    { label: "didn't feel like talking", pattern: "didnt|dont feel like talking" },
    { label: "fine I guess", pattern: "fine i guess" },
    { label: "I just went along", pattern: "just went along" },
    { label: "I kept quiet", pattern: "kept quiet" },
    { label: "no point talking", pattern: "no point talking|saying|explaining" },
  ],
  crisis: [
    { label: "kill myself", pattern: "kill* myself" },
    { label: "suicide", pattern: "suicid*" },
    { label: "end my life", pattern: "end* my life" },
    { label: "take my own life", pattern: "take|taking my own life" },
    { label: "take my own life", pattern: "take|taking my life" },
    { label: "end it all", pattern: "end it all" },
    { label: "want to die", pattern: "want|going to die" },
    { label: "want to die", pattern: "wanna die" },
    { label: "wish I were dead", pattern: "wish i was|were dead" },
    { label: "better off dead", pattern: "better off dead" },
    { label: "better off without me", pattern: "better off without me" },
    { label: "no reason to live", pattern: "no reason to live" },
    { label: "don't want to live", pattern: "dont want to live" },
    { label: "don't want to live", pattern: "do not want to live" },
    { label: "don't want to live", pattern: "dont want to be alive|here" },
    { label: "can't go on", pattern: "cant|cannot go on" },
    { label: "hurt myself", pattern: "hurt*|harm* myself" },
    { label: "self-harm", pattern: "self harm*" },
    { label: "self-harm", pattern: "selfharm*" },
    { label: "cut myself", pattern: "cut|cutting myself" },
    { label: "overdose", pattern: "overdos*" },
  ],
  negations: ["not", "no", "never", "dont", "doesnt", "didnt", "isnt", "wasnt", "wont", "wouldnt", "cant", "cannot", "couldnt", "shouldnt", "arent", "werent", "havent", "hasnt", "nor", "neither", "without", "hardly"],
  // A negation that belongs to one of these verbs does not reach past it: "I can't stop thinking I want to die".
  scopeBreaks: ["but", "however", "although", "though", "yet", "if", "whether", "why", "because", "and", "so", "sometimes", "stop", "know", "sure", "care", "help", "wonder"],
};
