// Named client trajectories and a builder for back-test rows, shared by the trajectory suites.

import type { HistoryRow, HistoryStatus } from "../../../src/evaluate/history.ts";
import type { TalkedThroughAnswer, TensionAnswer } from "../../../src/core/model.ts";

export type Step = string | { s: string; tension?: TensionAnswer; talked?: TalkedThroughAnswer; comment?: string };
const EVENTS: Record<string, HistoryStatus> = { exp: "expired", sys: "missed_by_system", skip: "skipped", pause: "paused", resume: "resumed", stop: "stopped" };

/** "545" = goal 5, task 4, bond 5; "exp" expired, "sys" missed by the system, "pause"/"resume"/"stop" client events. Weekly. */
export function trajectory(...steps: Step[]): HistoryRow[] {
  return steps.map((step, i) => {
    const spec = typeof step === "string" ? { s: step } : step;
    const date = new Date(Date.UTC(2026, 0, 5) + i * 7 * 86_400_000);
    const event = EVENTS[spec.s];
    if (event) return { where: `row ${i + 1}`, date, status: event, goal: null, task: null, bond: null, tension: null, talkedThrough: null, comment: null };
    const [goal, task, bond] = spec.s.split("").map(Number) as [number, number, number];
    return { where: `row ${i + 1}`, date, status: "answered", goal, task, bond, tension: spec.tension ?? null, talkedThrough: spec.talked ?? null, comment: spec.comment ?? null };
  });
}
const times = (n: number, step: Step): Step[] => Array.from({ length: n }, () => step);

/** Expected alert events: [row number (1-based), signal codes in order]; "!" marks an urgent event. */
export type Expected = [number, string[], "!"?][];

export const TRAJECTORIES: { name: string; steps: Step[]; expected: Expected }[] = [
  // stable
  { name: "stable-high 5-5-5 for ten weeks", steps: times(10, "555"), expected: [] },
  { name: "stable-good 4-4-4 (total 12, exactly at the threshold)", steps: times(10, "444"), expected: [] },
  { name: "stable-high with item wobble (554/545/455)", steps: ["554", "545", "455", "554", "545", "455", "554", "545"], expected: [] },
  { name: "noisy-but-stable, totals 12–14, items 4–5", steps: ["445", "554", "444", "454", "455", "544", "444", "545", "544", "454"], expected: [] },
  { name: "noisy-but-stable, high, totals 13–15", steps: ["545", "554", "555", "454", "545", "455", "554", "545", "455", "555"], expected: [] },
  // Changed by issue 14 (level vs event): a steady low level alerts once, when reached, not every week.
  { name: "stable-low 3-3-3: a level, alerted once when reached, then a standing status", steps: times(5, "333"), expected: [[1, ["low_total"]]] },
  { name: "stable-low then recovery", steps: ["333", "343", "555", "555", "555"], expected: [[1, ["low_total"]]] },
  // drops
  { name: "sudden drop after five steady weeks", steps: [...times(5, "555"), "333"], expected: [[6, ["low_total", "drop_total", "drop_item", "drop_item", "drop_item", "reliable_drop"]]] },
  { name: "sudden drop during the cold start: absolute rules only", steps: ["555", "555", "333"], expected: [[3, ["low_total"]]] },
  // Changed by issue 14: a 2-point total drop is within ordinary variation; the bond item's 2-point fall still fires.
  { name: "bond-only drop of two points", steps: [...times(5, "555"), "553"], expected: [[6, ["drop_item"]]] },
  // Changed by issue 14: 11 is a borderline total (needs a second low); the cold-start drop rule needs 5 points.
  { name: "one item crashes in a stable-high client", steps: [...times(3, "555"), "155"], expected: [[4, ["low_item", "drop_item"]]] },
  // Changed by issue 14: a single total one point under low_total is within measurement error.
  { name: "a one-point dip from a flat 4-4-4 stays quiet (RCI floor, borderline level)", steps: [...times(6, "444"), "443", "444"], expected: [] },
  // declines
  // Changed by issue 14: a 3-point fall is a decline, not a drop beyond this client's variation.
  { name: "slow decline 15 → 14 → 13 → 12", steps: ["555", "554", "544", "444"], expected: [[4, ["decline"]]] },
  { name: "slow decline after a long steady run", steps: [...times(5, "555"), "554", "544", "444"], expected: [[8, ["decline"]]] },
  { name: "two decreases then a plateau is not a decline", steps: ["555", "554", "544", "544", "544"], expected: [] },
  // rupture → repair shape
  // Changed by issue 14: per-item 2-point falls during the cold start are within the raised floor.
  { name: "V-shaped rupture and recovery", steps: [...times(4, "555"), "333", "444", "555", "555"], expected: [[5, ["low_total", "drop_total"]]] },
  // tension
  { name: "tension talked through stays quiet", steps: [{ s: "555", tension: "yes", talked: "yes" }, { s: "555", tension: "a_little", talked: "partly" }], expected: [] },
  { name: "a little tension, not talked through", steps: ["555", { s: "555", tension: "a_little", talked: "no" }], expected: [[2, ["tension"]]] },
  { name: "clear tension only partly talked through", steps: [{ s: "545", tension: "yes", talked: "partly" }], expected: [[1, ["tension"]]] },
  // missed check-ins vs downtime vs pauses
  { name: "two missed check-ins in a row", steps: ["555", "555", "exp", "exp"], expected: [[4, ["withdrawal_missed"]]] },
  { name: "missed, system downtime, missed: downtime is transparent", steps: ["555", "exp", "sys", "exp"], expected: [[4, ["withdrawal_missed"]]] },
  { name: "system downtime only", steps: ["555", "sys", "sys", "sys", "555"], expected: [] },
  { name: "missed once, answered, missed once", steps: ["555", "exp", "555", "exp"], expected: [] },
  { name: "missed while paused does not count; after resuming it does", steps: ["555", "pause", "exp", "exp", "resume", "exp", "exp"], expected: [[7, ["withdrawal_missed"]]] },
  { name: "stop right after a low score", steps: ["555", "555", "255", "stop"], expected: [[3, ["low_item"]], [4, ["withdrawal_stopped"]]] },
  { name: "stop after good scores", steps: ["555", "555", "stop"], expected: [] },
  // Changed by issue 14: 11 is a borderline level (no alert alone); the pause right after it still fires.
  { name: "pause right after a low score", steps: ["444", "433", "pause"], expected: [[3, ["withdrawal_paused"]]] },
  // comments and crisis, English
  { name: "crisis phrase (en)", steps: ["555", { s: "555", comment: "Some days I want to kill myself." }], expected: [[2, ["crisis_language"], "!"]] },
  // Changed by issue 14: an explicit denial is not a crisis (no urgent alert, no resources) but the therapist gets a note.
  { name: "negated crisis phrase (en): a denial, a non-urgent note", steps: ["555", { s: "555", comment: "I'm not going to hurt myself, don't worry." }], expected: [[2, ["crisis_denial"]]] },
  { name: "crisis after a negated clause (en)", steps: [{ s: "555", comment: "I'm not going to hurt myself, but I want to die" }], expected: [[1, ["crisis_language"], "!"]] },
  { name: "confrontation marker (en)", steps: ["555", { s: "555", comment: "Honestly this isn't helping and you don't listen." }], expected: [[2, ["comment_marker"]]] },
  { name: "double negation 'not unhelpful' (en) stays quiet", steps: [{ s: "555", comment: "It was not unhelpful, just tiring." }], expected: [] },
  { name: "withdrawal marker (en)", steps: [{ s: "444", comment: "whatever, doesn't matter" }], expected: [[1, ["comment_marker"]]] },
  // comments and crisis, Romanian (diacritics and ASCII)
  { name: "crisis phrase (ro, diacritics)", steps: [{ s: "444", comment: "Uneori vreau să mor." }], expected: [[1, ["crisis_language"], "!"]] },
  { name: "crisis phrase (ro, ASCII)", steps: [{ s: "444", comment: "ma gandesc sa ma sinucid" }], expected: [[1, ["crisis_language"], "!"]] },
  { name: "negated crisis phrase (ro): a denial, a non-urgent note", steps: [{ s: "444", comment: "Nu o să-mi fac rău, nu vă faceți griji." }], expected: [[1, ["crisis_denial"]]] },
  { name: "confrontation marker (ro)", steps: [{ s: "545", comment: "Nu mă ascultați și simt că e o pierdere de timp." }], expected: [[1, ["comment_marker"]]] },
  { name: "withdrawal marker (ro, ASCII)", steps: [{ s: "545", comment: "nu conteaza" }], expected: [[1, ["comment_marker"]]] },
  { name: "praise (ro) stays quiet", steps: [{ s: "555", comment: "Ședința m-a ajutat mult, mulțumesc!" }], expected: [] },
  // issue 14: level versus event
  { name: "stable-mid at 3–4 (totals 10–11): one level alert when reached, then quiet", steps: ["434", "343", "433", "344", "343", "434", "343", "433"], expected: [[2, ["low_total"]]] },
  { name: "a standing low level that gets worse alerts again, once", steps: ["333", "333", "333", "322", "322", "322"], expected: [[1, ["low_total"]], [4, ["low_item", "low_item", "low_total"]]] },
  { name: "another signal during a standing low level still fires", steps: ["333", "333", "333", { s: "333", tension: "yes", talked: "no" }, "333"], expected: [[1, ["low_total"]], [4, ["tension"]]] },
  { name: "a borderline total (11) reaches the level at the second low", steps: ["555", "555", "555", "443", "445", "443"], expected: [[6, ["low_total"]]] },
  { name: "a month back above the level ends it: the next low is a new level", steps: ["333", "454", "454", "454", "454", "333"], expected: [[1, ["low_total"]], [6, ["low_total"]]] },
  // issue 14: drops against the client's own variability
  { name: "5-5-5 → 4-4-4 after steady weeks is within ordinary variation", steps: [...times(5, "555"), "444", "444", "444"], expected: [] },
  { name: "a 4-point drop from a steady 15 fires", steps: [...times(6, "555"), "443"], expected: [[7, ["drop_total", "drop_item", "reliable_drop"]]] },
  { name: "a noisy-but-stable client between 12 and 15 stays quiet", steps: ["554", "455", "545", "555", "444", "545", "455", "554", "444", "555"], expected: [] },
  { name: "the baseline does not sink with a decline: measured from the best recent level", steps: [...times(5, "555"), "544", "544", "444", "444", "443"], expected: [[8, ["decline"]], [10, ["drop_total", "drop_item", "decline"]]] },
  { name: "cold start stays conservative: a 4-point fall after 3 check-ins is not yet a drop", steps: ["555", "555", "555", "443"], expected: [] },
  // issue 14: declines that tolerate plateaus
  { name: "slow decline with plateaus 15, 13, 13, 12, 12, 12: caught at the fourth, plateau quiet", steps: ["555", "544", "544", "444", "444", "444"], expected: [[4, ["decline"]]] },
  { name: "noise running downhill from one good week is not a decline", steps: ["455", "454", "455", "555", "545", "544", "444"], expected: [] },
  { name: "one fall after a flat run is not a decline", steps: [...times(5, "555"), "444"], expected: [] },
  // issue 14: passive ideation and denials (en, ro with and without diacritics)
  { name: "passive death wish: not waking up (en)", steps: ["555", { s: "555", comment: "I wish I could go to sleep and never wake up" }], expected: [[2, ["crisis_language"], "!"]] },
  { name: "burden / better off without me (en)", steps: [{ s: "444", comment: "honestly everyone would be better off without me" }], expected: [[1, ["crisis_language"], "!"]] },
  { name: "no reason to live / can't go on / means (en)", steps: [{ s: "444", comment: "there's no reason to live" }, { s: "444", comment: "I can't go on like this" }, { s: "444", comment: "I've been saving up my pills" }], expected: [[1, ["crisis_language"], "!"], [2, ["crisis_language"], "!"], [3, ["crisis_language"], "!"]] },
  { name: "explicit denial (en): 'I'm not suicidal, just exhausted' is a note, not a crisis", steps: ["555", { s: "555", comment: "I'm not suicidal, just exhausted" }], expected: [[2, ["crisis_denial"]]] },
  { name: "passive death wish (ro, diacritics and ASCII)", steps: [{ s: "444", comment: "Aș vrea să adorm și să nu mă mai trezesc" }, { s: "444", comment: "as vrea sa adorm si sa nu ma mai trezesc" }], expected: [[1, ["crisis_language"], "!"], [2, ["crisis_language"], "!"]] },
  { name: "burden and no reason to live (ro)", steps: [{ s: "444", comment: "Sunt o povară pentru familia mea" }, { s: "444", comment: "nu mai am niciun motiv sa traiesc" }], expected: [[1, ["crisis_language"], "!"], [2, ["crisis_language"], "!"]] },
  { name: "explicit denial (ro): 'nu sunt suicidară' is a note", steps: [{ s: "444", comment: "Nu sunt suicidară, doar obosită" }], expected: [[1, ["crisis_denial"]]] },
  // issue 14: markers written as clients write
  { name: "hedged confrontation: 'I don't think you understand me'", steps: [{ s: "545", comment: "I don't think you understand me" }], expected: [[1, ["comment_marker"]]] },
  { name: "'you keep pushing me' and 'we keep talking about the wrong things'", steps: [{ s: "545", comment: "you keep pushing me" }, { s: "545", comment: "we keep talking about the wrong things" }], expected: [[1, ["comment_marker"]], [2, ["comment_marker"]]] },
  { name: "deflection: 'I'd rather not say' and 'fine, I guess'", steps: [{ s: "545", comment: "I'd rather not say" }, { s: "545", comment: "fine, I guess" }], expected: [[1, ["comment_marker"]], [2, ["comment_marker"]]] },
  { name: "praise with the same words stays quiet ('you keep me grounded')", steps: [{ s: "555", comment: "you keep me grounded, we always get somewhere" }], expected: [] },
  { name: "Romanian markers with and without diacritics", steps: [{ s: "545", comment: "Nu cred că mă înțelegi" }, { s: "545", comment: "ma tot presati" }, { s: "545", comment: "as prefera sa nu spun" }], expected: [[1, ["comment_marker"]], [2, ["comment_marker"]], [3, ["comment_marker"]]] },
];
