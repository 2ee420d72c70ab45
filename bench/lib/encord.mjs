// The Encord cases: the Runner on the Encord backend against the fake Encord server
// (test/support/fake-encord, imported through tsx: real HTTP on 127.0.0.1, signatures verified),
// each run on a fresh fake project of the demo spec so every task starts in "Pre-label".
// The baseline of the request counts is the Python encord-agents runner's call pattern for the
// same tasks, batch and page size, computed in the run from docs/encord-protocol.md §5 and §9
// (pythonRunnerRequests); the TypeScript counts are those the fake server received.
import { tsImport } from "tsx/esm/api";
import { BoundingBoxCoordinates, labelRow, loadProjectSpec, Runner, storageItem } from "../../dist/index.js";
import { encordBackend } from "../../dist/backends/encord/encord-backend.js";
import { ed25519KeyFromSeed } from "../../dist/backends/encord/ssh-key.js";
import { demoSpec, int, median, onCleanup } from "./common.mjs";

export const batchSize = 300; // the runner's default task_batch_size (§9 SequentialRunner 1)
export const pageSize = 100; // the fake's task page size (the real server's is UNCONFIRMED, §10)
const priority = 0.7;

// ---- the Python runner's call pattern --------------------------------------------------------

const ceilDiv = (a, b) => (a <= 0 ? 0 : Math.ceil(a / b));

/**
 * Requests the Python encord-agents SequentialRunner sends to handle `tasks` tasks of one agent
 * stage in one pass, by endpoint (the keys of {@link endpointOf}). `needs`: what the agent asks
 * for: `labelRow`, `storageItem`, `saves` / `priorities` (every task returns its label row and
 * a priority), `moves` (every task returns a pathway; default true). Label rows are taken to be
 * uninitialised (no label_hash yet), as on a fresh project.
 */
export function pythonRunnerRequests({ tasks, batchSize = 300, pageSize, needs }) {
  const { labelRow = false, storageItem = false, saves = false, priorities = false, moves = true, rowsInitialised = false } = needs;
  const r = {};
  const add = (key, n) => {
    if (n > 0) r[key] = (r[key] ?? 0) + n;
  };
  // §9 Setup 1–2: GET project, GET ontology.
  add("GET project", 1);
  add("GET ontology", 1);
  // §9 loop 1: the stage's tasks are paged lazily with no filters, page size the server's
  // (§4.4); at least one page even for an empty stage.
  add("GET stage tasks", Math.max(1, ceilDiv(tasks, pageSize)));
  // §9 loop 1: batches of task_batch_size.
  for (let done = 0; done < tasks; done += batchSize) {
    const b = Math.min(batchSize, tasks - done);
    // §9 loop 2 and 4: one labelrowmetadata call per batch when the agent needs the label row,
    // sets a priority, or needs the storage item ("fetch metadata if not yet").
    if (labelRow || priorities || storageItem) add("v1 labelrowmetadata GET", 1);
    // §9 loop 3 + §5: one bundle, labelrow GET for rows with a label_hash and PUT for the others,
    // ≤ 1000 uids per request (LABEL_ROW_BUNDLE_GET_LIMIT / _CREATE_LIMIT).
    if (labelRow) add(rowsInitialised ? "v1 labelrow GET" : "v1 labelrow PUT", ceilDiv(b, 1000));
    // §9 loop 4 + §5: storage get-bulk, ≤ 1000 item uuids per request (STORAGE_BUNDLE_CREATE_LIMIT).
    if (storageItem) add("POST storage get-bulk", ceilDiv(b, 1000));
    // §9 loop 6: label bundle first: saves (v1 labelrow POST), then priorities, each chunked at
    // min(100, batch size).
    if (saves) add("v1 labelrow POST", ceilDiv(b, Math.min(100, batchSize)));
    if (priorities) add("POST priorities", ceilDiv(b, Math.min(100, batchSize)));
    // §9 loop 6 + §5: then the task bundle: PATHWAY_ACTIONs, ≤ 1000 per request.
    if (moves) add("POST stage actions", ceilDiv(b, 1000));
  }
  return r;
}

/** The endpoint of a request the fake recorded, in the keys of {@link pythonRunnerRequests}. */
export function endpointOf(req) {
  if (req.api === "v1") return `v1 ${req.queryType ?? "?"} ${req.queryMethod ?? "?"}`;
  const p = req.path;
  if (req.method === "GET" && /^\/v2\/public\/projects\/[^/]+$/.test(p)) return "GET project";
  if (req.method === "GET" && p.startsWith("/v2/public/ontologies/")) return "GET ontology";
  if (req.method === "GET" && /\/workflow\/stages\/[^/]+\/tasks$/.test(p)) return "GET stage tasks";
  if (req.method === "POST" && /\/workflow\/stages\/[^/]+\/actions$/.test(p)) return "POST stage actions";
  if (req.method === "POST" && /\/workflow\/stages\/[^/]+\/move-tasks$/.test(p)) return "POST move-tasks";
  if (req.method === "POST" && /\/projects\/[^/]+\/priorities$/.test(p)) return "POST priorities";
  if (req.method === "POST" && p === "/v2/public/storage/items/get-bulk") return "POST storage get-bulk";
  return `${req.method} ${p}`;
}

export const endpointOrder = [
  "GET project",
  "GET ontology",
  "GET stage tasks",
  "v1 labelrowmetadata GET",
  "v1 labelrow GET",
  "v1 labelrow PUT",
  "POST storage get-bulk",
  "v1 labelrow POST",
  "POST priorities",
  "POST stage actions",
];
export const total = (counts) => Object.values(counts).reduce((a, b) => a + b, 0);

// ---- runs ------------------------------------------------------------------------------------

const key = ed25519KeyFromSeed(Buffer.alloc(32, 7));
let started;
/** The fake Encord server, started once per bench process. */
export function fakeEncord() {
  started ??= (async () => {
    const { startFakeEncord } = await tsImport("../../test/support/fake-encord/index.ts", import.meta.url);
    const fake = await startFakeEncord({ publicKeys: [key.publicKeyHex] });
    onCleanup(() => fake.close());
    return fake;
  })();
  return started;
}

export const proceedOnly = (r) => r.stage("Pre-label", () => "annotate");
/** Reads the label row and storage item, adds a Cat box, sets a priority, saves, moves on; awaits `sleepMs` first. */
export const withLabels = (sleepMs) => (r) =>
  r.stage("Pre-label", { deps: { labelRow, storageItem } }, async ({ labelRow, storageItem }) => {
    if (!storageItem.uuid) throw new Error("storage item without uuid");
    if (sleepMs > 0) await new Promise((resolve) => setTimeout(resolve, sleepMs));
    const cat = labelRow.ontology.getChildByTitle("Cat", "object").createInstance();
    cat.setForFrames(new BoundingBoxCoordinates({ height: 0.2, width: 0.3, topLeftX: 0.1, topLeftY: 0.4 }), { frames: 0 });
    labelRow.addObjectInstance(cat);
    labelRow.setPriority(priority);
    return { pathway: "annotate", labelRow };
  });

/**
 * One Runner pass (task batch 300, backend defaults) over a fresh fake project of `tasks` items;
 * throws when it fails outright (a task not moved, a failed task, an HTTP error answer, and with
 * checkLabels a label row or priority not stored). Returns { ms, counts (requests by endpoint), seen }.
 */
export async function runOnFake(register, { tasks, concurrency = 1, checkLabels = false }) {
  const fake = await fakeEncord();
  const spec = loadProjectSpec(demoSpec);
  const items = Array.from({ length: tasks }, (_, i) => ({
    title: `img-${String(i).padStart(5, "0")}.png`,
    dataType: "image",
    mimeType: "image/png",
    width: 640,
    height: 480,
  }));
  const added = fake.addProject(spec, items, { pageSize });
  const preLabel = added.stages.find((s) => s.title === "Pre-label");
  const annotate = added.stages.find((s) => s.title === "Annotate");
  const backend = encordBackend({ settings: { credentials: { kind: "ssh", key }, domain: fake.url, warnings: [] } });
  const runner = new Runner({ projectHash: added.projectHash, backend });
  register(runner);
  const first = fake.requests.length;
  const started = performance.now();
  let report;
  try {
    report = await runner.execute({ output: "silent", taskBatchSize: batchSize, concurrency });
  } finally {
    await backend.close();
  }
  const ms = performance.now() - started;
  const requests = fake.requests.slice(first);
  const problems = [];
  const stage = report.stages[0];
  if (stage.failed > 0) problems.push(`${stage.failed} tasks failed, e.g. ${JSON.stringify(stage.failures[0])}`);
  // Stage uuids come from the spec, so they repeat between projects: filter by project.
  const inStage = (stageUuid) => fake.tasksIn(stageUuid).filter((t) => t.projectHash === added.projectHash).length;
  const left = inStage(preLabel.uuid);
  const moved = inStage(annotate.uuid);
  if (left > 0 || moved !== tasks) problems.push(`${moved} of ${tasks} tasks reached Annotate, ${left} still in Pre-label`);
  // HTTP errors; v1 application errors come as HTTP 200 (§3.2) and show as failed tasks above.
  const errors = requests.filter((r) => r.status === null || r.status >= 400);
  if (errors.length > 0) problems.push(`${errors.length} requests answered with errors, e.g. ${errors[0].method} ${errors[0].path} → ${errors[0].status}`);
  if (checkLabels) {
    let unsaved = 0;
    let unprioritised = 0;
    for (const t of added.tasks) {
      const row = fake.state.labelRows.get(t.dataHash)?.row;
      const objects = row ? Object.values(row.data_units ?? {}).flatMap((u) => u.labels?.objects ?? []) : [];
      if (objects.length !== 1) unsaved++;
      if (fake.state.tasksByUuid.get(t.uuid)?.priority !== priority) unprioritised++;
    }
    if (unsaved > 0) problems.push(`${unsaved} label rows without the saved Cat box`);
    if (unprioritised > 0) problems.push(`${unprioritised} tasks without priority ${priority}`);
  }
  if (problems.length > 0) throw new Error(`bench run failed: ${problems.join("; ")}`);
  const counts = {};
  for (const req of requests) counts[endpointOf(req)] = (counts[endpointOf(req)] ?? 0) + 1;
  return { ms, counts, seen: stage.seen };
}

/** A request-count case: `register` on `tasks` tasks, repeated; compared with the Python pattern for `needs`. */
export function requestCase(register, needs, { checkLabels = false } = {}) {
  return async function run({ smoke }) {
    const tasks = smoke ? 30 : 1000;
    const repeats = smoke ? 1 : 3;
    const runs = [];
    for (let i = 0; i < repeats; i++) {
      globalThis.gc?.();
      runs.push(await runOnFake(register, { tasks, checkLabels }));
    }
    // Counts are deterministic; should a repeat differ, the largest is reported.
    const totals = runs.map((r) => total(r.counts));
    const ts = runs[totals.indexOf(Math.max(...totals))].counts;
    const py = pythonRunnerRequests({ tasks, batchSize, pageSize, needs });
    const per1000 = (n) => (n * 1000) / tasks;
    const fmt = (n) => (Number.isInteger(per1000(n)) ? String(per1000(n)) : per1000(n).toFixed(1));
    const keys = [...new Set([...endpointOrder.filter((k) => k in ts || k in py), ...Object.keys(ts), ...Object.keys(py)])];
    const details = { "requests/1k: endpoint": "task-agents / Python runner" };
    for (const k of keys) details[`requests/1k: ${k}`] = `${fmt(ts[k] ?? 0)} / ${fmt(py[k] ?? 0)}`;
    details["run time (s, median)"] = +(median(runs.map((r) => r.ms)) / 1000).toFixed(3);
    if (new Set(totals).size > 1) details["note"] = `request counts varied between repeats: ${totals.join(", ")}`;
    details["settings"] =
      `${int(tasks)} tasks per run, task batch ${batchSize}, server page size ${pageSize}` +
      `, backend defaults (no fixed rate, at most 8 requests in flight), ${repeats} runs`;
    return {
      value: per1000(total(ts)),
      baseline: "the Python encord-agents runner's call pattern for the same tasks, batch and page size",
      baselineValue: per1000(total(py)),
      ratio: total(ts) / total(py),
      details,
    };
  };
}
