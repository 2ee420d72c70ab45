// The store cases: one task-agents command on a CLI-filled store of N items and of N/10 items,
// each run in its own process (bench/lib/cli-child.mjs) so its time and peak memory are its own.
import { int, median, tempDir } from "./common.mjs";
import { cliChild, cliStore, copyOf, discard } from "./stores.mjs";

/** Sizes of the store cases: the 100,000 items (and 10,000 for the memory comparison). */
export function storeSizes(smoke) {
  const items = smoke ? 200 : 100_000;
  return { items, small: items / 10, repeats: smoke ? 1 : 5 };
}

/**
 * One sample of `args(hash, dir)` on the CLI store of `count` items (on a copy when `mutates`):
 * { ms, peakHeapMb, maxRssMb }.
 */
export function commandSample(count, args, { mutates = false } = {}) {
  const store = cliStore(count);
  const path = mutates ? copyOf(store.template) : store.template;
  try {
    return cliChild(path, ...args(store.hash, tempDir("out")));
  } finally {
    if (mutates) discard(path);
  }
}

/** Medians of samples of {@link commandSample}. */
export function medians(samples) {
  return {
    ms: median(samples.map((s) => s.ms)),
    peakHeapMb: median(samples.map((s) => s.peakHeapMb)),
    maxRssMb: median(samples.map((s) => s.maxRssMb)),
  };
}

/** The details every store case prints: time and memory at both sizes. */
export function storeDetails(items, small, large, smallRun) {
  return {
    [`time, ${int(items)} items (s)`]: +(large.ms / 1000).toFixed(3),
    [`rate, ${int(items)} items (items/s)`]: Math.round((items * 1000) / large.ms),
    [`time, ${int(small)} items (s)`]: +(smallRun.ms / 1000).toFixed(3),
    [`peak JS heap, ${int(items)} items (MB)`]: +large.peakHeapMb.toFixed(1),
    [`peak JS heap, ${int(small)} items (MB)`]: +smallRun.peakHeapMb.toFixed(1),
    [`peak RSS, ${int(items)} items (MB)`]: +large.maxRssMb.toFixed(1),
    [`peak RSS, ${int(small)} items (MB)`]: +smallRun.maxRssMb.toFixed(1),
  };
}

/**
 * A read-only command's case: the value is its peak JS heap on N items, the baseline the same
 * command's on N/10 items; a ratio near 1 means it streams rather than holding the project.
 */
export function heapCase(args) {
  return async function run({ smoke }) {
    const { items, small, repeats } = storeSizes(smoke);
    const large = [];
    const smallRuns = [];
    for (let i = 0; i < repeats; i++) {
      large.push(commandSample(items, args));
      smallRuns.push(commandSample(small, args));
    }
    const l = medians(large);
    const s = medians(smallRuns);
    return {
      value: l.peakHeapMb,
      baseline: `the same command on ${int(small)} items`,
      baselineValue: s.peakHeapMb,
      ratio: l.peakHeapMb / s.peakHeapMb,
      details: storeDetails(items, small, l, s),
    };
  };
}
