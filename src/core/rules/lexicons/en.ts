// English lexicon. Sources of the categories (not of the wording, which is our own; see the
// README here): confrontation and withdrawal follow the rupture-marker categories of Safran &
// Muran (Negotiating the Therapeutic Alliance, 2000) and the 3RS (Rupture Resolution Rating
// System, Eubanks, Muran & Safran 2015); crisis phrases follow the categories of the C-SSRS
// screener (wish to be dead, active thoughts, method, intent, plan, preparatory behaviour),
// PHQ-9 item 9 ("better off dead or of hurting yourself") and the ASQ (burden, "can't go on").
// No item text from those instruments is reproduced.
//
// Phrases are written as clients write them: first and second person ("I felt judged", "you keep
// pushing me", "we always talk about…"), hedged ("I don't think you understand"), deflecting
// ("I'd rather not say", "fine, I guess"). A phrase that carries its own negation ("don't want to
// live") is an entry of its own, so the negation check does not silence it. The normaliser turns
// "do not", "cannot", "I am" … into "dont", "cant", "im", so patterns list the contracted forms.

import type { Lexicon } from "./types.ts";

/** What "you keep …" complains about ("you keep pushing me", not "you keep me grounded"). */
const YOU_KEEP = "push*|pressur*|interrupt*|rush*|hurry*|lectur*|correct*|judg*|criticis*|criticiz*|dismiss*|ignor*|assum*|steer*|redirect*|forc*|telling|asking|bringing|changing|going|coming|missing|talking|cutting|brushing|minimi*|downplay*|avoid*|analys*|analyz*|question*|doubt*";
/** What "you always …" complains about (narrower: "you always ask good questions" is praise). */
const YOU_ALWAYS = "push*|pressur*|interrupt*|rush*|hurry*|lectur*|correct*|judg*|criticis*|criticiz*|dismiss*|ignor*|assum*|steer*|redirect*|forc*|cut*|brush*|minimi*|downplay*|avoid*|change|changes|changing|doubt*";
/** What "we keep / we always / we never …" complains about. */
const WE_KEEP = "talk*|discuss*|go|going|come|coming|end|ending|circl*|spend*|focus*|avoid*|skip*|rehash*|repeat*|revisit*|stay|staying|stuck";

export const englishLexicon: Lexicon = {
  locale: "en",
  confrontation: [
    // the work does not help
    { label: "this isn't helping", pattern: "isnt|wasnt|not helping|helpful" },
    { label: "it doesn't help", pattern: "doesnt|didnt help|helps|helped" },
    { label: "unhelpful", pattern: "unhelpful|useless" },
    { label: "not working", pattern: "isnt|not working" },
    { label: "I don't think this is working", pattern: "dont think this|it|therapy|these|sessions|its is|are? working|helping|useful|going" },
    { label: "I don't think this is working", pattern: "not sure if|whether|that? this|it|therapy|these|sessions|its is|are? working|helping|useful|going|for" },
    { label: "waste of time", pattern: "waste of time|money|my" },
    { label: "pointless", pattern: "pointless" },
    { label: "I don't see the point", pattern: "dont|cant see the point|what" },
    { label: "going nowhere", pattern: "going|getting nowhere" },
    { label: "not getting anywhere", pattern: "not|arent|isnt getting|going anywhere" },
    { label: "going in circles", pattern: "going|go|talking|talk|went|round|around round|around? in circles" },
    { label: "the wrong things", pattern: "wrong things|thing|topics|topic|stuff|questions|direction" },
    { label: "the same thing every time", pattern: "same thing|things|stuff|topic|topics every|over|again|each" },
    { label: "not what I need", pattern: "not what i need|needed|want|wanted|came" },
    // the therapist: listening and understanding (first and second person, hedged)
    { label: "you don't listen", pattern: "you dont|didnt|never really? listen|hear" },
    { label: "you're not listening", pattern: "youre|werent|wasnt|arent not? listening" },
    { label: "you're not listening", pattern: "not listening to me" },
    { label: "you're not listening", pattern: "not paying attention" },
    { label: "you don't understand", pattern: "you dont|didnt|never really? understand|get" },
    { label: "I don't think you understand", pattern: "dont think you really? understand|get|listen|hear|see|know" },
    { label: "I don't think you understand", pattern: "not sure you really? understand|get|listen|hear|see" },
    { label: "you don't seem to understand", pattern: "you dont|didnt seem to understand|listen|care|get|hear" },
    { label: "you don't care", pattern: "you dont|didnt|never care" },
    { label: "I don't feel heard", pattern: "dont|didnt|never feel|felt heard|listened|understood|supported|respected|seen" },
    { label: "I felt judged", pattern: "felt|feel|feeling judged|criticised|criticized|dismissed|rushed|pressured|pushed|lectured|patronised|patronized|misunderstood|ignored|invalidated|blamed" },
    { label: "you were dismissive", pattern: "you were|seemed|seem|sounded|youre|werent so? judgmental|judgemental|dismissive|condescending|patronising|patronizing|impatient|distracted|cold|rude|bored|uninterested" },
    { label: "you keep pushing me", pattern: `you keep|constantly on? ${YOU_KEEP}` },
    { label: "you keep pushing me", pattern: `you always ${YOU_ALWAYS}` },
    { label: "you keep pushing me", pattern: "you always|never tell|telling|make|making|let me what|how|do|feel|talk|finish" },
    { label: "you keep pushing me", pattern: "you never let|letting|ask|asked|give|gave|answer*" },
    { label: "you pushed me", pattern: "you pushed|push|pressured|rushed|interrupted|forced|cut me" },
    { label: "we keep talking about the wrong things", pattern: `we keep|always|never|constantly on? ${WE_KEEP}` },
    { label: "we keep talking about the wrong things", pattern: "we keep|always|constantly get|getting stuck|nowhere|sidetracked|lost|off" },
    { label: "stop telling me", pattern: "stop telling|pushing|interrupting|lecturing|judging|rushing|analysing|analyzing me" },
    // trust and feelings about the therapist
    { label: "I don't trust you", pattern: "dont trust you" },
    { label: "frustrated with you", pattern: "frustrated|angry|annoyed|upset|irritated|disappointed|mad with|at|in you" },
    { label: "frustrated with you", pattern: "frustrated|angry|annoyed|upset|irritated|disappointed|mad that|when you" },
    { label: "I didn't like how you", pattern: "dont|didnt like it? how|when|that you" },
    { label: "I didn't like how you", pattern: "dont|didnt like the way you" },
    // wanting to quit
    { label: "thinking of quitting", pattern: "thinking of|about quitting|stopping|leaving|ending|taking" },
    { label: "I want to quit therapy", pattern: "want to quit|stop|end therapy|this|sessions" },
    { label: "I want to quit therapy", pattern: "should stop|quit coming|therapy|seeing|this|the" },
    { label: "I want to quit therapy", pattern: "stop coming|seeing you" },
    { label: "I want to quit therapy", pattern: "take a break from therapy|this|sessions|you" },
    { label: "this isn't for me", pattern: "this|therapy isnt for me" },
  ],
  withdrawal: [
    { label: "whatever", pattern: "whatever" },
    { label: "doesn't matter", pattern: "doesnt matter" },
    { label: "I don't care", pattern: "i dont care" },
    { label: "nothing to say", pattern: "nothing to say|add|talk|tell" },
    { label: "nothing to say", pattern: "not much to say|add|talk|tell" },
    { label: "nothing to say", pattern: "nothing much|really $" },
    { label: "nothing to say", pattern: "no comment|comments" },
    { label: "nothing to say", pattern: "dont know what to say" },
    { label: "nothing to say", pattern: "not sure what to say" },
    { label: "didn't want to talk", pattern: "didnt|dont want to talk|get|go|discuss|open|share|say|bring" },
    { label: "didn't feel like talking", pattern: "didnt|dont feel like talking|it|sharing" },
    { label: "I'd rather not say", pattern: "rather not say|talk|discuss|answer|share|go|get|comment|explain" },
    { label: "I'd rather not say", pattern: "prefer not to say|talk|discuss|answer|share|comment" },
    { label: "I'd rather not say", pattern: "not in the mood" },
    { label: "fine I guess", pattern: "fine|ok|okay|alright|good i guess|suppose" },
    { label: "fine I guess", pattern: "i guess|suppose it was|its fine|ok|okay|alright" },
    { label: "fine I guess", pattern: "if you say so" },
    { label: "fine I guess", pattern: "dunno|idk" },
    { label: "I just went along", pattern: "went|go|going along with? it?" },
    { label: "I just went along", pattern: "just agreed|nodded" },
    { label: "I just went along", pattern: "what you wanted|want to hear" },
    { label: "I kept quiet", pattern: "kept|keep|keeping quiet" },
    { label: "I kept quiet", pattern: "kept|keep|keeping it|things|that|stuff to myself" },
    { label: "I kept quiet", pattern: "held|holding|hold back" },
    { label: "I kept quiet", pattern: "didnt|couldnt say|tell|mention what|how|anything" },
    { label: "I shut down", pattern: "shut|shutting down|off" },
    { label: "I shut down", pattern: "zoned|tuned|checked|spaced out" },
    { label: "I shut down", pattern: "switched off" },
    { label: "no point talking", pattern: "no point in? talking|saying|explaining" },
    { label: "never mind", pattern: "never mind|nevermind" },
  ],
  crisis: [
    // active ideation, intent (C-SSRS 2, 4, 5)
    { label: "kill myself", pattern: "kill* myself" },
    { label: "kill myself", pattern: "kms|unaliv*" },
    { label: "suicide", pattern: "suicid*" },
    { label: "end my life", pattern: "end* my own? life" },
    { label: "take my own life", pattern: "take|taking|took my own? life" },
    { label: "end it all", pattern: "end|ending it all" },
    { label: "end it all", pattern: "to end it|things|everything $" },
    { label: "end it all", pattern: "to end it|things|everything now|tonight|soon" },
    { label: "want to die", pattern: "want|going|wanted|ready|like to die" },
    { label: "want to die", pattern: "wanna die" },
    { label: "want to die", pattern: "wish i could|would die" },
    { label: "want to die", pattern: "rather be dead|die" },
    // passive ideation: wish to be dead, not to wake up (C-SSRS 1)
    { label: "wish I were dead", pattern: "wish i was|were dead|gone" },
    { label: "wish I were dead", pattern: "wish i wasnt|werent alive|here|around|born" },
    { label: "wish I were dead", pattern: "never been born" },
    { label: "wish I could disappear", pattern: "wish i could disappear|vanish" },
    { label: "wish I could disappear", pattern: "stop existing" },
    { label: "not wake up", pattern: "never|not wake up" },
    { label: "not wake up", pattern: "wish|hope|if i wouldnt|didnt|dont|never|could wake up" },
    { label: "not wake up", pattern: "wish|hope|if i wouldnt|didnt|dont|never|could just? not|never wake up" },
    { label: "not wake up", pattern: "never have to wake up" },
    { label: "not wake up", pattern: "sleep forever" },
    { label: "don't want to live", pattern: "dont want to live|exist|wake" },
    { label: "don't want to live", pattern: "didnt want to live|exist" },
    { label: "don't want to live", pattern: "dont want to be alive|here|around" },
    { label: "don't want to live", pattern: "dont know if|whether i want to live|be|go|keep" },
    { label: "don't want to live", pattern: "not sure if|whether|that? i want to live|be|go|keep" },
    { label: "tired of living", pattern: "tired of living|life|being|existing" },
    { label: "tired of living", pattern: "done with life|living" },
    { label: "tired of living", pattern: "give|giving|gave up on life|living|everything" },
    // better off dead, burden (PHQ-9 item 9, ASQ)
    { label: "better off dead", pattern: "better off dead|gone" },
    { label: "better off without me", pattern: "better off without me" },
    { label: "better off without me", pattern: "better off? if i wasnt|werent|didnt here|around|alive|exist" },
    { label: "better off without me", pattern: "better off? if i was|were dead|gone" },
    { label: "better off without me", pattern: "better off? if i was|were not here|around|alive" },
    { label: "better off without me", pattern: "better off? if i disappeared|died" },
    { label: "I'm a burden", pattern: "im|like|being a burden" },
    { label: "I'm a burden", pattern: "burden to|on|for everyone|others|my|them|people|you" },
    // no reason to live
    { label: "no reason to live", pattern: "no reason|point to|in|of living|live|life|existing|exist" },
    { label: "no reason to live", pattern: "no reason|point to|in|of go|going|keep|keeping|carry|carrying on|going" },
    { label: "no reason to live", pattern: "nothing to live for" },
    { label: "no reason to live", pattern: "not|isnt worth living" },
    { label: "no reason to live", pattern: "whats the point of|in living|life|being|existing|it" },
    { label: "no reason to live", pattern: "dont see the point of|in living|life|being|existing" },
    // can't go on
    { label: "can't go on", pattern: "cant go|carry on" },
    { label: "can't go on", pattern: "cant keep going" },
    { label: "can't go on", pattern: "cant do|take|handle|bear|cope with? this|it|life anymore" },
    { label: "can't go on", pattern: "cant do|take|handle|bear|cope with? this|it|life any more" },
    { label: "can't go on", pattern: "cant live like this" },
    // self-harm (C-SSRS behaviour, PHQ-9 item 9)
    { label: "hurt myself", pattern: "hurt*|harm*|injur* myself" },
    { label: "self-harm", pattern: "self harm*|injur*" },
    { label: "self-harm", pattern: "selfharm*" },
    { label: "cut myself", pattern: "cut|cutting|burn|burning|burned|burnt myself" },
    { label: "cut myself", pattern: "cutting|cut again" },
    // plans and means (C-SSRS 5, 6)
    { label: "overdose", pattern: "overdos*" },
    { label: "plan or means", pattern: "hang*|shoot*|drown*|poison*|gas|suffocat* myself" },
    { label: "plan or means", pattern: "take|took|taking|swallow*|down* all|the whole? the|my? pills|tablets|bottle|pack|packet" },
    { label: "plan or means", pattern: "saving|saved|stockpil*|hoard*|collect*|stash* up? my|the|some? pills|tablets|meds|painkillers" },
    { label: "plan or means", pattern: "jump* off|from the|a? bridge|roof|building|balcony|cliff|window" },
    { label: "plan or means", pattern: "jump* in front of the|a? train|car|bus|truck" },
    { label: "plan or means", pattern: "a plan to|for end*|kill*|die" },
    { label: "plan or means", pattern: "how i|id|ill would|will|could? do|end it" },
    { label: "plan or means", pattern: "goodbye|suicide letter|letters|note|notes" },
    { label: "plan or means", pattern: "giving|give|gave away my|all? things|stuff|belongings|possessions" },
    { label: "plan or means", pattern: "bought|got a rope|gun" },
    { label: "plan or means", pattern: "not sure i wont|can|could hurt*|harm*|kill*" },
    { label: "plan or means", pattern: "not sure i can|could keep|stay myself? safe" },
    { label: "plan or means", pattern: "cant promise|guarantee that? i|ill|to? will? stay|be|keep|remain myself? safe|alive" },
  ],
  negations: ["not", "no", "never", "dont", "doesnt", "didnt", "isnt", "wasnt", "wont", "wouldnt", "cant", "cannot", "couldnt", "shouldnt", "arent", "werent", "havent", "hasnt", "hadnt", "nor", "neither", "without", "hardly"],
  // A negation that belongs to one of these verbs does not reach past it: "I can't stop thinking I want to die".
  scopeBreaks: ["but", "however", "although", "though", "yet", "if", "whether", "why", "because", "and", "so", "sometimes", "stop", "know", "sure", "care", "help", "wonder", "except"],
};
