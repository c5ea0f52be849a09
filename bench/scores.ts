// The answers the benchmark's clients give, shared by the engine's and the web's load generators.

/** Deterministic scores: mostly steady 4–5 with a low answer every seventh check-in, so rules fire. */
export function scoresFor(i: number): { goal: number; task: number; bond: number } {
  if (i % 7 === 0) return { goal: 2, task: 3, bond: 3 };
  return { goal: 4 + (i % 2), task: 4, bond: 4 + ((i >> 1) % 2) };
}
