// Local stores of the demo project (examples/demo-project.yaml) with many tasks, built once per
// bench process and copied for every run that changes them.
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { localBackend } from "../../dist/index.js";
import { demoSpec, repoPath, tempDir } from "./common.mjs";

/** A JSONL manifest of `count` URL items (nothing to probe): the fast way to a big stage. */
export function urlManifest(dir, count) {
  const path = join(dir, `urls-${count}.jsonl`);
  const lines = Array.from({ length: count }, (_, i) => JSON.stringify({ url: `https://example.com/img-${i}.png` }));
  writeFileSync(path, lines.join("\n") + "\n");
  return path;
}

/**
 * A JSONL manifest of `count` items, half local files (probed for type and size on every line)
 * and half URLs, with client metadata: what `data add --manifest` meets in practice.
 */
export function mixedManifest(dir, count) {
  const files = ["red-square.png", "green-wide.png", "caption.txt"];
  for (const file of files) copyFileSync(repoPath(`examples/data/${file}`), join(dir, file));
  const lines = [];
  for (let i = 0; i < count; i++) {
    lines.push(
      i % 2 === 0
        ? JSON.stringify({ title: `item-${i}`, path: files[i % 3], clientMetadata: { i } })
        : JSON.stringify({ title: `item-${i}`, url: `https://example.com/bucket/img-${i}.jpg`, clientMetadata: { i } }),
    );
  }
  const path = join(dir, `mixed-${count}.jsonl`);
  writeFileSync(path, lines.join("\n") + "\n");
  return path;
}

const templates = new Map();

/**
 * A store (built once per process and count, through the library: createProject + addData of a
 * URL manifest) whose "Pre-label" stage holds `count` tasks. Do not change it: run on
 * {@link copyOf} its `template`. Returns { template, hash, project, stage }.
 */
export function demoStore(count) {
  if (!templates.has(count)) templates.set(count, buildDemoStore(count));
  return templates.get(count);
}

async function buildDemoStore(count) {
  const dir = tempDir(`store-${count}`);
  const template = join(dir, "template.db");
  const backend = localBackend({ storePath: template });
  try {
    const hash = backend.createProject(demoSpec);
    await backend.addData(hash, { manifest: urlManifest(dir, count) });
    const project = await backend.getProject(hash);
    return { template, hash, project, stage: project.stages.find((s) => s.title === "Pre-label") };
  } finally {
    await backend.close();
  }
}

let copies = 0;
/** A copy of the store file `template` (and its WAL, should one be left), in a fresh place. */
export function copyOf(template) {
  const path = join(tempDir("copy"), `copy-${++copies}.db`);
  copyFileSync(template, path);
  for (const suffix of ["-wal", "-shm"]) if (existsSync(template + suffix)) copyFileSync(template + suffix, path + suffix);
  return path;
}

/** Deletes a store file made by {@link copyOf} (and its WAL), to keep the scratch directory small. */
export function discard(path) {
  for (const suffix of ["", "-wal", "-shm"]) rmSync(path + suffix, { force: true });
}

/**
 * Runs one task-agents command through bench/lib/cli-child.mjs (its own process, so its peak
 * memory is its own) and returns { code, ms, maxRssMb, peakHeapMb }; throws when it fails.
 */
export function cliChild(store, ...args) {
  const result = spawnSync(process.execPath, [repoPath("bench/lib/cli-child.mjs"), "--store", store, ...args], { encoding: "utf8", maxBuffer: 1 << 26 });
  if (result.status !== 0) throw new Error(`task-agents ${args.join(" ")} failed:\n${result.stderr}`);
  const report = JSON.parse(result.stdout.trim().split("\n").at(-1));
  if (report.code !== 0) throw new Error(`task-agents ${args.join(" ")} exited ${report.code}:\n${result.stderr}`);
  return report;
}

/** Creates the demo project in `store` with the built CLI; returns its hash. */
export function createDemoProject(store) {
  const create = spawnSync(process.execPath, [repoPath("dist/cli/main.js"), "--store", store, "project", "create", demoSpec], { encoding: "utf8" });
  if (create.status !== 0) throw new Error(`project create failed:\n${create.stderr}`);
  return create.stdout.trim();
}

const cliStores = new Map();

/**
 * A store filled by the CLI (`data add --manifest` of a {@link mixedManifest}), built once per
 * process and count; store-add hands over the first one it builds. Returns { template, hash }.
 */
export function cliStore(count) {
  if (!cliStores.has(count)) {
    const dir = tempDir(`cli-store-${count}`);
    const template = join(dir, "store.db");
    const hash = createDemoProject(template);
    cliChild(template, "data", "add", hash, "--manifest", mixedManifest(dir, count));
    cliStores.set(count, { template, hash });
  }
  return cliStores.get(count);
}

/** Lets a case that built a CLI store anyway offer it to the others (see {@link cliStore}); false when one is kept already. */
export function offerCliStore(count, store) {
  if (cliStores.has(count)) return false;
  cliStores.set(count, store);
  return true;
}
