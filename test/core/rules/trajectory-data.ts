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
  { name: "stable-low 3-3-3: absolutely low every time (one alert, updated)", steps: times(5, "333"), expected: [[1, ["low_total"]], [2, ["low_total"]], [3, ["low_total"]], [4, ["low_total"]], [5, ["low_total"]]] },
  { name: "stable-low then recovery", steps: ["333", "343", "555", "555", "555"], expected: [[1, ["low_total"]], [2, ["low_total"]]] },
  // drops
  { name: "sudden drop after five steady weeks", steps: [...times(5, "555"), "333"], expected: [[6, ["low_total", "drop_total", "drop_item", "drop_item", "drop_item", "reliable_drop"]]] },
  { name: "sudden drop during the cold start: absolute rules only", steps: ["555", "555", "333"], expected: [[3, ["low_total"]]] },
  { name: "bond-only drop of two points", steps: [...times(5, "555"), "553"], expected: [[6, ["drop_total", "drop_item"]]] },
  { name: "one item crashes in a stable-high client", steps: [...times(3, "555"), "155"], expected: [[4, ["low_item", "low_total", "drop_total", "drop_item"]]] },
  { name: "a one-point dip from a flat 4-4-4 stays quiet (RCI floor)", steps: [...times(6, "444"), "443", "444"], expected: [[7, ["low_total"]]] },
  // declines
  { name: "slow decline 15 → 14 → 13 → 12", steps: ["555", "554", "544", "444"], expected: [[4, ["drop_total", "decline"]]] },
  { name: "slow decline after a long steady run", steps: [...times(5, "555"), "554", "544", "444"], expected: [[8, ["drop_total", "reliable_drop", "decline"]]] },
  { name: "two decreases then a plateau is not a decline", steps: ["555", "554", "544", "544", "544"], expected: [] },
  // rupture → repair shape
  { name: "V-shaped rupture and recovery", steps: [...times(4, "555"), "333", "444", "555", "555"], expected: [[5, ["low_total", "drop_total", "drop_item", "drop_item", "drop_item"]]] },
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
  { name: "pause right after a low score", steps: ["444", "433", "pause"], expected: [[2, ["low_total"]], [3, ["withdrawal_paused"]]] },
  // comments and crisis, English
  { name: "crisis phrase (en)", steps: ["555", { s: "555", comment: "Some days I want to kill myself." }], expected: [[2, ["crisis_language"], "!"]] },
  { name: "negated crisis phrase (en) stays quiet", steps: ["555", { s: "555", comment: "I'm not going to hurt myself, don't worry." }], expected: [] },
  { name: "crisis after a negated clause (en)", steps: [{ s: "555", comment: "I'm not going to hurt myself, but I want to die" }], expected: [[1, ["crisis_language"], "!"]] },
  { name: "confrontation marker (en)", steps: ["555", { s: "555", comment: "Honestly this isn't helping and you don't listen." }], expected: [[2, ["comment_marker"]]] },
  { name: "double negation 'not unhelpful' (en) stays quiet", steps: [{ s: "555", comment: "It was not unhelpful, just tiring." }], expected: [] },
  { name: "withdrawal marker (en)", steps: [{ s: "444", comment: "whatever, doesn't matter" }], expected: [[1, ["comment_marker"]]] },
  // comments and crisis, Romanian (diacritics and ASCII)
  { name: "crisis phrase (ro, diacritics)", steps: [{ s: "444", comment: "Uneori vreau să mor." }], expected: [[1, ["crisis_language"], "!"]] },
  { name: "crisis phrase (ro, ASCII)", steps: [{ s: "444", comment: "ma gandesc sa ma sinucid" }], expected: [[1, ["crisis_language"], "!"]] },
  { name: "negated crisis phrase (ro) stays quiet", steps: [{ s: "444", comment: "Nu o să-mi fac rău, nu vă faceți griji." }], expected: [] },
  { name: "confrontation marker (ro)", steps: [{ s: "545", comment: "Nu mă ascultați și simt că e o pierdere de timp." }], expected: [[1, ["comment_marker"]]] },
  { name: "withdrawal marker (ro, ASCII)", steps: [{ s: "545", comment: "nu conteaza" }], expected: [[1, ["comment_marker"]]] },
  { name: "praise (ro) stays quiet", steps: [{ s: "555", comment: "Ședința m-a ajutat mult, mulțumesc!" }], expected: [] },
];

