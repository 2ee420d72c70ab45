/**
 * Edit distance counting a swap of two neighbouring letters as one edit (optimal string
 * alignment), so typos like "AGNET" or "titel" are as close as one wrong letter.
 */
function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = best;
    }
  }
  return rows[a.length]![b.length]!;
}

/**
 * The candidate closest to `input` (case-insensitive), if it is close enough to be a likely
 * typo: at most a third of the input's length away.
 */
export function suggestSimilar(input: string, candidates: readonly string[]): string | undefined {
  // A long input is no typo of a name, and comparing it would take time quadratic in its length.
  if (input.length > maxQuoted) return undefined;
  const needle = input.toLowerCase();
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(needle, candidate.toLowerCase());
    if (!best || distance < best.distance) best = { candidate, distance };
  }
  if (!best) return undefined;
  return best.distance <= Math.max(1, Math.floor(needle.length / 3)) ? best.candidate : undefined;
}

/** The most characters of a user's value that a message quotes. */
const maxQuoted = 200;

/**
 * A user's value quoted for a message, cut after 200 characters with its length, so a huge
 * value (an LLM's whole reply returned as a pathway) cannot flood the output.
 */
export function quoteValue(value: string): string {
  if (value.length <= maxQuoted) return JSON.stringify(value);
  return `${JSON.stringify(value.slice(0, maxQuoted))}… (${value.length.toLocaleString("en")} characters)`;
}

/** `"a", "b" or "c"`: quoted values for error messages. */
export function quoteList(values: readonly string[], conjunction = "or"): string {
  const quoted = values.map((v) => JSON.stringify(v));
  if (quoted.length <= 1) return quoted.join("");
  return `${quoted.slice(0, -1).join(", ")} ${conjunction} ${quoted.at(-1)}`;
}

/** ` Did you mean "x"?` or the empty string. */
export function didYouMean(input: string, candidates: readonly string[]): string {
  const suggestion = suggestSimilar(input, candidates);
  return suggestion === undefined ? "" : ` Did you mean ${JSON.stringify(suggestion)}?`;
}

/** "a" or "an", for "a REVIEW stage" / "an AGENT stage". */
export function article(word: string): string {
  return /^[aeiou]/i.test(word) ? "an" : "a";
}
