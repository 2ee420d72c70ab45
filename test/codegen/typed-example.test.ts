/**
 * The typed example agent (examples/agents/typed-prelabel.ts) runs through the built CLI on the
 * demo project and moves every task; run `npm run build` first.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";
import { cliOk } from "../support/run-cli.js";
import { demoProjectWithData, freshStore, stageCounts } from "../cli/cli-helpers.js";

const main = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));
const agent = fileURLToPath(new URL("../../examples/agents/typed-prelabel.ts", import.meta.url));

test("the typed example agent labels and routes every demo item", async () => {
  using store = freshStore();
  const hash = await demoProjectWithData(store.store);
  const run = spawnSync(process.execPath, [main, "--store", store.store, "run", agent, "--project-hash", hash], { encoding: "utf8" });
  expect(run.status, run.stderr).toBe(0);
  const counts = await stageCounts(store.store, hash);
  expect(counts["Pre-label"]).toBe(0);
  expect((counts["Annotate"] ?? 0) + (counts["Complete"] ?? 0)).toBe(4);
  const labels = JSON.parse(await cliOk(store.store, ["labels", "export", hash])) as unknown[];
  expect(JSON.stringify(labels)).toContain("c2l6ZQ==");
});
