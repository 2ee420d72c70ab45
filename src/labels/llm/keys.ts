/**
 * Property keys of the LLM schema: readable lower-snake forms of ontology names, unique within
 * one JSON object.
 */

/** Longest key before a `_2`-style suffix; tool APIs cap property names at 64 characters. */
const MAX_KEY_LENGTH = 56;

/**
 * Lower snake case of a name, restricted to `a-z`, `0-9` and `_` (accents dropped, any other run
 * of characters one underscore): "Radio level 1 " → "radio_level_1". `fallback` when nothing is left.
 */
export function snakeKey(name: string, fallback: string): string {
  const snake = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, MAX_KEY_LENGTH)
    .replace(/_+$/, "");
  return snake === "" ? fallback : snake;
}

/** Hands out unique keys for one JSON object: a clash gets `_2`, `_3`, … */
export class KeyAllocator {
  readonly #taken: Set<string>;

  /** `reserved`: keys the object already uses (such as `choice` or `confidence`). */
  constructor(reserved: Iterable<string> = []) {
    this.#taken = new Set(reserved);
  }

  take(name: string, fallback: string): string {
    return this.#claim(snakeKey(name, fallback));
  }

  /** Claims `base` as it is (no snake casing), or `base_2`, `base_3`, … when taken. */
  takeExact(base: string): string {
    return this.#claim(base);
  }

  #claim(base: string): string {
    let key = base;
    for (let n = 2; this.#taken.has(key); n++) key = `${base}_${n}`;
    this.#taken.add(key);
    return key;
  }
}
