// npm run bench (runner part): the Runner on the local store, each case against a baseline
// measured in the same run:
//   1. no-op agent returning a pathway on 50,000 tasks   vs a hand-written better-sqlite3 loop doing the same moves
//   2. label-row agent setting priority and saving        vs a hand-written loop doing the same reads and writes
//   3. handler awaiting 20 ms, concurrency 32             vs the same handler with concurrency 1
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { labelRow, localBackend, Runner } from "../dist/index.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "task-agents-bench-runner-"));
const tasks = Number(process.env.BENCH_RUNNER_TASKS ?? 50_000);
const labelTasks = Math.min(tasks, 20_000);

async function makeStore(count) {
  const storePath = join(dir, `template-${count}.db`);
  const backend = localBackend({ storePath });
  const hash = backend.createProject(join(root, "examples/demo-project.yaml"));
  const manifest = join(dir, `manifest-${count}.jsonl`);
  writeFileSync(manifest, Array.from({ length: count }, (_, i) => JSON.stringify({ url: `https://example.com/img-${i}.png` })).join("\n") + "\n");
  await backend.addData(hash, { manifest });
  const project = await backend.getProject(hash);
  await backend.close();
  return { template: storePath, hash, stage: project.stages.find((s) => s.title === "Pre-label"), project };
}

let copies = 0;
function copyOf(template) {
  const path = join(dir, `copy-${++copies}.db`);
  copyFileSync(template, path);
  return path;
}

async function runRunner(store, register, options) {
  const backend = localBackend({ storePath: copyOf(store.template) });
  const runner = new Runner({ projectHash: store.hash, backend });
  register(runner);
  const started = performance.now();
  const report = await runner.execute({ output: "silent", ...options });
  const ms = performance.now() - started;
  await backend.close();
  const seen = report.stages[0].seen;
  if (report.stages[0].failed > 0) throw new Error(`bench run had failures: ${JSON.stringify(report.stages[0].failures[0])}`);
  return { ms, seen, rate: (seen * 1000) / ms };
}

/** The baseline: what a person would write by hand on better-sqlite3, batch by batch. */
function handLoop(store, { batchSize, withLabels }) {
  const db = new Database(copyOf(store.template));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  const pathway = store.stage.pathways.find((p) => p.name === "annotate");
  const page = db.prepare("SELECT id, uuid, data_hash FROM tasks WHERE stage_uuid = ? AND id > ? ORDER BY id LIMIT ?");
  const readLabel = db.prepare("SELECT label_json FROM label_rows WHERE data_hash = ?").pluck();
  const writeLabel = db.prepare("UPDATE label_rows SET label_json = ?, last_edited_at = ? WHERE data_hash = ?");
  const setPriority = db.prepare("UPDATE tasks SET priority = ? WHERE data_hash = ?");
  const move = db.prepare("UPDATE tasks SET stage_uuid = ?, status = 'NEW', updated_at = ? WHERE uuid = ? AND stage_uuid = ?");
  const record = db.prepare(
    "INSERT INTO task_moves (task_uuid, project_uuid, from_stage_uuid, to_stage_uuid, pathway_uuid, pathway_name, actor, moved_at) VALUES (?, ?, ?, ?, ?, ?, 'bench', ?)",
  );
  const started = performance.now();
  let afterId = 0;
  let count = 0;
  for (;;) {
    const rows = page.all(store.stage.uuid, afterId, batchSize);
    if (rows.length === 0) break;
    afterId = rows.at(-1).id;
    const labels = withLabels ? rows.map((r) => JSON.parse(readLabel.get(r.data_hash))) : [];
    db.transaction(() => {
      const now = new Date().toISOString();
      rows.forEach((r, i) => {
        if (withLabels) {
          writeLabel.run(JSON.stringify(labels[i]), now, r.data_hash);
          setPriority.run(0.7, r.data_hash);
        }
        move.run(pathway.destinationUuid, now, r.uuid, store.stage.uuid);
        record.run(r.uuid, store.hash, store.stage.uuid, pathway.destinationUuid, pathway.uuid, pathway.name, now);
      });
    }).immediate();
    count += rows.length;
  }
  const ms = performance.now() - started;
  db.close();
  return { ms, seen: count, rate: (count * 1000) / ms };
}

const fmt = (r) => `${Math.round(r.rate).toLocaleString("en").padStart(8)} tasks/s (${r.seen.toLocaleString("en")} in ${(r.ms / 1000).toFixed(2)} s)`;

try {
  const big = await makeStore(tasks);
  const labelled = tasks === labelTasks ? big : await makeStore(labelTasks);
  const small = await makeStore(3200);
  const lines = [`task-agents Runner on the local store (Node ${process.versions.node})`, ""];

  const noop = await runRunner(big, (r) => r.stage("Pre-label", () => "annotate"), { taskBatchSize: 300 });
  const noopLoop = handLoop(big, { batchSize: 300, withLabels: false });
  lines.push(`1. no-op agent, ${tasks.toLocaleString("en")} tasks, batch 300`);
  lines.push(`   runner     ${fmt(noop)}`);
  lines.push(`   hand loop  ${fmt(noopLoop)}`);
  lines.push(`   ratio      ${(noop.rate / noopLoop.rate).toFixed(2)} of the hand-written loop (target ≥ 0.25); ${Math.round(noop.rate) >= 20_000 ? "meets" : "MISSES"} ≥ 20,000 tasks/s`);

  const withLabels = await runRunner(
    labelled,
    (r) =>
      r.stage("Pre-label", { deps: { labelRow } }, ({ labelRow }) => {
        labelRow.setPriority(0.7);
        return { pathway: "annotate", labelRow };
      }),
    { taskBatchSize: 300 },
  );
  const labelLoop = handLoop(labelled, { batchSize: 300, withLabels: true });
  lines.push("", `2. label-row agent (priority + save + move), ${labelTasks.toLocaleString("en")} tasks, batch 300`);
  lines.push(`   runner     ${fmt(withLabels)}`);
  lines.push(`   hand loop  ${fmt(labelLoop)}`);
  lines.push(`   ratio      ${(withLabels.rate / labelLoop.rate).toFixed(2)} of the hand-written loop`);

  const sleepy = () => new Promise((resolve) => setTimeout(() => resolve("annotate"), 20));
  const sequential = await runRunner(small, (r) => r.stage("Pre-label", sleepy), { maxTasksPerStage: 100, concurrency: 1 });
  const concurrent = await runRunner(small, (r) => r.stage("Pre-label", sleepy), { concurrency: 32, taskBatchSize: 320 });
  lines.push("", `3. handler awaiting 20 ms`);
  lines.push(`   concurrency 1   ${fmt(sequential)}`);
  lines.push(`   concurrency 32  ${fmt(concurrent)}`);
  lines.push(`   speed-up        ${(concurrent.rate / sequential.rate).toFixed(1)}× (target ≥ 25×; ideal 32×)`);
  process.stdout.write(lines.join("\n") + "\n");
} finally {
  rmSync(dir, { recursive: true, force: true });
}
