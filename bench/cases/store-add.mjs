// `task-agents data add --manifest` of 100,000 items (half local files probed for type and size,
// half URLs) into a new local store, against plain better-sqlite3 writing the same kind of rows
// in one transaction (no probing, fewer columns), measured in the same run.
import { join } from "node:path";
import { interleaved, int, median, tempDir } from "../lib/common.mjs";
import { buildRawStore, offerRawStore } from "../lib/raw-sqlite.mjs";
import { storeDetails, medians, storeSizes } from "../lib/store-commands.mjs";
import { cliChild, createDemoProject, discard, mixedManifest, offerCliStore } from "../lib/stores.mjs";

export const name = "store-add";
export const unit = "s";
export const target = null; // no stated target: the ratio shows the cost over plain SQLite inserts

export async function run({ smoke }) {
  const { items, small } = storeSizes(smoke);
  const repeats = smoke ? 1 : 3;
  const manifestDir = tempDir("manifests");
  const manifests = { [items]: mixedManifest(manifestDir, items), [small]: mixedManifest(manifestDir, small) };
  const add = (count) => {
    const dir = tempDir(`add-${count}`);
    const template = join(dir, "store.db");
    const hash = createDemoProject(template);
    const report = cliChild(template, "data", "add", hash, "--manifest", manifests[count]);
    if (!offerCliStore(count, { template, hash })) discard(template);
    return report;
  };
  const samples = await interleaved(repeats, {
    large: () => add(items),
    raw: () => {
      const path = join(tempDir("raw"), "raw.db");
      const ms = buildRawStore(path, items);
      if (!offerRawStore(items, path)) discard(path);
      return ms;
    },
    small: () => add(small),
  });
  const large = medians(samples.large);
  const raw = median(samples.raw);
  return {
    value: large.ms / 1000,
    baseline: `plain better-sqlite3 inserts, ${int(items)} rows × 4 tables`,
    baselineValue: raw / 1000,
    ratio: large.ms / raw,
    details: storeDetails(items, small, large, medians(samples.small)),
  };
}
