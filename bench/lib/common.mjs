// Shared by the bench cases: paths, temporary directories (removed by run.mjs when it ends),
// clean-up hooks, medians and timing.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root, with a trailing slash. */
export const root = fileURLToPath(new URL("../../", import.meta.url));
/** Absolute path of a file of the repository (`rel` from the root). */
export const repoPath = (rel) => join(root, rel);
export const demoSpec = repoPath("examples/demo-project.yaml");

const cleanups = [];
/** Runs `fn` when the bench ends (last registered, first run). */
export function onCleanup(fn) {
  cleanups.push(fn);
}
/** Runs the clean-up hooks; run.mjs calls it once at the end, whatever happened. */
export async function cleanup() {
  while (cleanups.length > 0) {
    try {
      await cleanups.pop()();
    } catch (error) {
      process.stderr.write(`bench clean-up: ${error?.message ?? error}\n`);
    }
  }
}

let scratch;
/** A fresh directory under this run's scratch directory (one per process, removed at the end). */
export function tempDir(prefix = "case") {
  if (!scratch) {
    scratch = mkdtempSync(join(tmpdir(), "task-agents-bench-"));
    const dir = scratch;
    onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  }
  return mkdtempSync(join(scratch, `${prefix}-`));
}

/** The median (the mean of the middle two for an even count). */
export function median(values) {
  if (values.length === 0) throw new Error("median of nothing");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Milliseconds `fn` takes (awaited). */
export async function timeMs(fn) {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

/** A full collection when node runs with --expose-gc (run.mjs does), so one sample's garbage is not the next one's cost. */
export function collect() {
  globalThis.gc?.();
}

/**
 * Runs every function of `fns` (an object of name → async function returning a sample) `repeats`
 * times, interleaved (a b a b …) so that a change in the machine's load hits all alike, and
 * returns name → the samples in order.
 */
export async function interleaved(repeats, fns) {
  const samples = Object.fromEntries(Object.keys(fns).map((k) => [k, []]));
  for (let i = 0; i < repeats; i++) {
    for (const [k, fn] of Object.entries(fns)) {
      collect();
      samples[k].push(await fn(i));
    }
  }
  return samples;
}

/** "12,345" */
export const int = (n) => Math.round(n).toLocaleString("en");
