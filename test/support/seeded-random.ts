import { randomInt } from "node:crypto";

/**
 * The seed of a randomised test: `CRASH_SEED` when set (to repeat a run), else a fresh one.
 * Print it, so a failure can be replayed.
 */
export function crashSeed(env: NodeJS.ProcessEnv = process.env): number {
  const given = env.CRASH_SEED;
  if (given === undefined || given === "") return randomInt(2 ** 31);
  const seed = Number(given);
  if (!Number.isInteger(seed) || seed < 0) throw new Error(`CRASH_SEED must be a whole number ≥ 0, got ${JSON.stringify(given)}`);
  return seed;
}

/** A small seeded PRNG (mulberry32): the same seed gives the same numbers, in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** A whole number from `min` to `max` (both included), drawn from `random`. */
export function randomBetween(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}
