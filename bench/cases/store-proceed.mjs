// `task-agents tasks proceed --all` moving 100,000 tasks of a local store to the next stage,
// against plain better-sqlite3 doing one INSERT…SELECT (the move records) and one UPDATE on the
// same number of rows, measured in the same run.
import { interleaved, int, median } from "../lib/common.mjs";
import { moveAllRawCopy } from "../lib/raw-sqlite.mjs";
import { commandSample, medians, storeDetails, storeSizes } from "../lib/store-commands.mjs";

export const name = "store-proceed";
export const unit = "s";
export const target = null; // no stated target: the ratio shows the cost over plain SQL

const args = (hash) => ["tasks", "proceed", hash, "--stage", "Pre-label", "--pathway", "annotate", "--all"];

export async function run({ smoke }) {
  const { items, small, repeats } = storeSizes(smoke);
  const samples = await interleaved(repeats, {
    large: () => commandSample(items, args, { mutates: true }),
    raw: () => moveAllRawCopy(items),
    small: () => commandSample(small, args, { mutates: true }),
  });
  const large = medians(samples.large);
  const raw = median(samples.raw);
  return {
    value: large.ms / 1000,
    baseline: `plain UPDATE + INSERT…SELECT, ${int(items)} rows`,
    baselineValue: raw / 1000,
    ratio: large.ms / raw,
    details: storeDetails(items, small, large, medians(samples.small)),
  };
}
