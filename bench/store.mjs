// npm run bench: the local store at scale. Adds N data items from a manifest, lists them, moves
// them all, exports the labels; each step in its own process so its peak memory is its own.
// Ratios compare against (a) plain better-sqlite3 doing the same row writes in one transaction,
// measured in this run, and (b) the same commands on a project 10 times smaller (memory).
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";

const items = Number(process.env.BENCH_ITEMS ?? 100_000);
const root = fileURLToPath(new URL("..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "task-agents-bench-"));

function cli(store, ...args) {
  const result = spawnSync(process.execPath, [join(root, "bench/cli-child.mjs"), "--store", store, ...args], { encoding: "utf8", maxBuffer: 1 << 26 });
  if (result.status !== 0) throw new Error(`task-agents ${args.join(" ")} failed:\n${result.stderr}`);
  const report = JSON.parse(result.stdout.trim().split("\n").at(-1));
  if (report.code !== 0) throw new Error(`task-agents ${args.join(" ")} exited ${report.code}:\n${result.stderr}`);
  return report;
}

function manifest(count, name) {
  // Local files (probed for type and size on every line) and URLs, half and half.
  for (const file of ["red-square.png", "green-wide.png", "caption.txt"]) copyFileSync(join(root, "examples/data", file), join(dir, file));
  const files = ["red-square.png", "green-wide.png", "caption.txt"];
  const lines = [];
  for (let i = 0; i < count; i++) {
    lines.push(
      i % 2 === 0
        ? JSON.stringify({ title: `item-${i}`, path: files[i % 3], clientMetadata: { i } })
        : JSON.stringify({ title: `item-${i}`, url: `https://example.com/bucket/img-${i}.jpg`, clientMetadata: { i } }),
    );
  }
  const path = join(dir, name);
  writeFileSync(path, lines.join("\n") + "\n");
  return path;
}

function scenario(count) {
  const store = join(dir, `store-${count}.db`);
  const create = spawnSync(process.execPath, [join(root, "dist/cli/main.js"), "--store", store, "project", "create", join(root, "examples/demo-project.yaml")], { encoding: "utf8" });
  const hash = create.stdout.trim();
  const path = manifest(count, `manifest-${count}.jsonl`);
  return {
    add: cli(store, "data", "add", hash, "--manifest", path),
    list: cli(store, "tasks", "list", hash),
    listJson: cli(store, "--json", "tasks", "list", hash, "--stage", "Pre-label"),
    proceed: cli(store, "tasks", "proceed", hash, "--stage", "Pre-label", "--pathway", "annotate", "--all"),
    exportLabels: cli(store, "labels", "export", hash, "--out", join(dir, `labels-${count}.json`)),
  };
}

/** The floor: the same rows written by plain better-sqlite3, one transaction, no probing. */
function rawSqliteBaseline(count) {
  const db = new Database(join(dir, "raw.db"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.exec(`CREATE TABLE items (uuid TEXT PRIMARY KEY, url TEXT, meta TEXT);
           CREATE TABLE rows (hash TEXT PRIMARY KEY, json TEXT);
           CREATE TABLE tasks (id INTEGER PRIMARY KEY, uuid TEXT UNIQUE, hash TEXT UNIQUE, stage TEXT, status TEXT);
           CREATE INDEX tasks_stage ON tasks (stage, id);
           CREATE TABLE moves (id INTEGER PRIMARY KEY, task TEXT, from_stage TEXT, to_stage TEXT, at TEXT)`);
  const row = JSON.stringify({ label_hash: randomUUID(), data_units: { x: { labels: { objects: [], classifications: [] } } }, padding: "x".repeat(500) });
  const insertItem = db.prepare("INSERT INTO items VALUES (?, ?, ?)");
  const insertRow = db.prepare("INSERT INTO rows VALUES (?, ?)");
  const insertTask = db.prepare("INSERT INTO tasks (uuid, hash, stage, status) VALUES (?, ?, 'a', 'NEW')");
  const insertMove = db.prepare("INSERT INTO moves (task, from_stage, to_stage, at) VALUES (?, 's', 'a', ?)");
  let started = performance.now();
  db.transaction(() => {
    for (let i = 0; i < count; i++) {
      const hash = randomUUID();
      const task = randomUUID();
      insertItem.run(randomUUID(), `https://example.com/${i}.jpg`, "{}");
      insertRow.run(hash, row);
      insertTask.run(task, hash);
      insertMove.run(task, new Date().toISOString());
    }
  })();
  const insertMs = performance.now() - started;
  started = performance.now();
  db.transaction(() => {
    db.prepare("INSERT INTO moves (task, from_stage, to_stage, at) SELECT uuid, stage, 'b', 'now' FROM tasks WHERE stage = 'a'").run();
    db.prepare("UPDATE tasks SET stage = 'b' WHERE stage = 'a'").run();
  })();
  const moveMs = performance.now() - started;
  db.close();
  return { insertMs, moveMs };
}

try {
  const small = scenario(Math.max(1, Math.floor(items / 10)));
  const large = scenario(items);
  const raw = rawSqliteBaseline(items);
  const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
  const rate = (ms) => `${Math.round(items / (ms / 1000)).toLocaleString("en")} items/s`;
  const lines = [
    `task-agents local store, ${items.toLocaleString("en")} data items (Node ${process.versions.node})`,
    ``,
    `data add --manifest      ${s(large.add.ms).padStart(9)}  ${rate(large.add.ms)}   ${(large.add.ms / raw.insertMs).toFixed(1)}× plain better-sqlite3 inserts (${s(raw.insertMs)}; no file probing, fewer columns)`,
    `tasks list (table)       ${s(large.list.ms).padStart(9)}  ${rate(large.list.ms)}`,
    `tasks list --json        ${s(large.listJson.ms).padStart(9)}  ${rate(large.listJson.ms)}`,
    `tasks proceed --all      ${s(large.proceed.ms).padStart(9)}  ${rate(large.proceed.ms)}   ${(large.proceed.ms / raw.moveMs).toFixed(1)}× plain UPDATE+INSERT…SELECT (${s(raw.moveMs)})`,
    `labels export --out      ${s(large.exportLabels.ms).padStart(9)}  ${rate(large.exportLabels.ms)}`,
    ``,
    `peak JS heap and peak RSS, ${items.toLocaleString("en")} items vs ${Math.floor(items / 10).toLocaleString("en")} items`,
    `(heap ≈1× means no command holds the project in memory; RSS also holds SQLite's page cache, capped at 64 MiB):`,
    ...["add", "list", "listJson", "proceed", "exportLabels"].map(
      (k) =>
        `  ${k.padEnd(14)} heap ${large[k].peakHeapMb.toFixed(0).padStart(4)} MB vs ${small[k].peakHeapMb.toFixed(0).padStart(3)} MB = ${(large[k].peakHeapMb / small[k].peakHeapMb).toFixed(2)}×   ` +
        `RSS ${large[k].maxRssMb.toFixed(0).padStart(4)} MB vs ${small[k].maxRssMb.toFixed(0).padStart(3)} MB`,
    ),
  ];
  process.stdout.write(lines.join("\n") + "\n");
} finally {
  rmSync(dir, { recursive: true, force: true });
}
