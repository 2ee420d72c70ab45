// The Runner cases: a Runner pass on a copy of a demo store, and the hand-written better-sqlite3
// loop doing the same reads and writes (the baseline).
import Database from "better-sqlite3";
import { localBackend, Runner } from "../../dist/index.js";
import { int, interleaved, median } from "./common.mjs";
import { copyOf, demoStore, discard } from "./stores.mjs";

/**
 * One Runner pass over the "Pre-label" stage of a copy of `store` (see demoStore), with the
 * handlers `register(runner)` adds; throws on failed tasks. Returns { ms, seen, rate }.
 */
export async function runRunner(store, register, options) {
  const storePath = copyOf(store.template);
  const backend = localBackend({ storePath });
  try {
    const runner = new Runner({ projectHash: store.hash, backend });
    register(runner);
    const started = performance.now();
    const report = await runner.execute({ output: "silent", ...options });
    const ms = performance.now() - started;
    const stage = report.stages[0];
    if (stage.failed > 0) throw new Error(`bench run had failures: ${JSON.stringify(stage.failures[0])}`);
    return { ms, seen: stage.seen, rate: (stage.seen * 1000) / ms };
  } finally {
    await backend.close();
    discard(storePath);
  }
}

/**
 * What a person would write by hand on better-sqlite3, batch by batch: page the stage's tasks,
 * (withLabels: read each label row, write it back, set a priority,) move each task along the
 * "annotate" pathway and record the move. Returns { ms, seen, rate }.
 */
export function handLoop(store, { batchSize, withLabels }) {
  const storePath = copyOf(store.template);
  const db = new Database(storePath);
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    const pathway = store.stage.pathways.find((p) => p.name === "annotate");
    const page = db.prepare("SELECT id, uuid, data_hash FROM tasks WHERE stage_uuid = ? AND id > ? ORDER BY id LIMIT ?");
    const readLabel = db.prepare("SELECT label_json FROM label_rows WHERE data_hash = ?").pluck();
    const writeLabel = db.prepare("UPDATE label_rows SET label_json = ?, last_edited_at = ? WHERE data_hash = ?");
    const setPriority = db.prepare("UPDATE tasks SET priority = ? WHERE data_hash = ?");
    const move = db.prepare("UPDATE tasks SET stage_uuid = ?, status = 'NEW', updated_at = ? WHERE uuid = ? AND stage_uuid = ?");
    const record = db.prepare(
      "INSERT INTO task_moves (task_uuid, project_uuid, from_stage_uuid, to_stage_uuid, " +
        "pathway_uuid, pathway_name, actor, moved_at) VALUES (?, ?, ?, ?, ?, ?, 'bench', ?)",
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
    return { ms, seen: count, rate: (count * 1000) / ms };
  } finally {
    db.close();
    discard(storePath);
  }
}

/** "12,345 tasks/s (50,000 in 4.15 s)" */
export const rateText = (r) => `${Math.round(r.rate).toLocaleString("en")} tasks/s (${r.seen.toLocaleString("en")} in ${(r.ms / 1000).toFixed(2)} s)`;

/**
 * A Runner pass (`register` sets up its stage) against the hand loop doing the same work
 * (`withLabels`), on `tasks` tasks, batch 300, interleaved: a case's whole result.
 */
export async function runnerVersusHandLoop({ smoke, tasks, register, withLabels }) {
  const count = smoke ? 300 : tasks;
  const store = await demoStore(count);
  const samples = await interleaved(smoke ? 1 : 3, {
    runner: () => runRunner(store, register, { taskBatchSize: 300 }),
    hand: () => handLoop(store, { batchSize: 300, withLabels }),
  });
  for (const s of [...samples.runner, ...samples.hand]) if (s.seen !== count) throw new Error(`${s.seen} tasks handled, expected ${count}`);
  const value = median(samples.runner.map((s) => s.rate));
  const baselineValue = median(samples.hand.map((s) => s.rate));
  return {
    value,
    baseline: `hand-written better-sqlite3 loop, ${int(count)} tasks, batch 300`,
    baselineValue,
    ratio: value / baselineValue,
    details: { "Runner runs": samples.runner.map(rateText).join("; "), "hand-loop runs": samples.hand.map(rateText).join("; ") },
  };
}
