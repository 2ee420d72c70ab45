// npm run bench (queue part): 20,000 no-op tasks through task-agents/bullmq with 2 worker
// processes, against plain BullMQ no-op workers (2 processes, same concurrency), same run.
// Both sides are timed from starting the worker processes until both have drained the queue.
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Queue } from "bullmq";
import { localBackend, QueueRunner } from "../dist/index.js";
import { enqueueTasks } from "../dist/queue/index.js";
import { pino } from "pino";

const root = fileURLToPath(new URL("..", import.meta.url));
const tasks = Number(process.env.BENCH_QUEUE_TASKS ?? 20_000);
const concurrency = Number(process.env.BENCH_QUEUE_CONCURRENCY ?? 50);
let redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
let privateRedis;
if (!(await answers(redisUrl))) {
  // Nothing answers: start a private redis-server for the benchmark, as the tests do.
  const port = 6400 + Math.floor(Math.random() * 500);
  privateRedis = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
  privateRedis.on("error", () => undefined);
  redisUrl = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 50 && !(await answers(redisUrl)); i++) await new Promise((r) => setTimeout(r, 100));
  if (!(await answers(redisUrl))) throw new Error("No Redis answers at REDIS_URL and redis-server could not be started; install it (apt-get install redis-server).");
}
const connection = { url: redisUrl, maxRetriesPerRequest: null };

async function answers(url) {
  const { Redis } = await import("ioredis");
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await client.connect();
    return (await client.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}
const dir = mkdtempSync(join(tmpdir(), "task-agents-bench-queue-"));

function run(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, REDIS_URL: redisUrl, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    child.stdout.resume();
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`${args.join(" ")} exited ${code}: ${stderr.slice(-2000)}`))));
  });
}

async function timed(makeProcesses) {
  const started = performance.now();
  await Promise.all(makeProcesses());
  return performance.now() - started;
}

const queues = [];
try {
  const storePath = join(dir, "store.db");
  const backend = localBackend({ storePath });
  const hash = backend.createProject(join(root, "examples/demo-project.yaml"));
  const manifest = join(dir, "items.jsonl");
  writeFileSync(manifest, Array.from({ length: tasks }, (_, i) => JSON.stringify({ url: `https://example.com/img-${i}.png` })).join("\n") + "\n");
  await backend.addData(hash, { manifest });
  await backend.close();

  // task-agents: enqueue the project's tasks, then two `queue work` processes drain them.
  const ours = `bench-ours-${randomUUID()}`;
  queues.push(ours);
  const queueRunner = new QueueRunner({ projectHash: hash, backend: localBackend({ storePath }), logger: pino({ level: "silent" }) });
  queueRunner.stage("Pre-label", () => "annotate");
  await enqueueTasks(queueRunner, { redisUrl, queueName: ours });
  await queueRunner.close();
  const worker = ["dist/cli/main.js", "--store", storePath, "queue", "work", "bench/agents/noop-queue.mjs", "--queue", ours, "--concurrency", String(concurrency), "--exit-when-empty"];
  const oursMs = await timed(() => [run(worker, { PROJECT_HASH: hash }), run(worker, { PROJECT_HASH: hash })]);
  const check = localBackend({ storePath });
  const moved = check.countTasksByStage(hash).get((await check.getProject(hash)).stages.find((s) => s.title === "Annotate").uuid) ?? 0;
  await check.close();
  if (moved !== tasks) throw new Error(`expected ${tasks} tasks in Annotate, found ${moved}`);

  // Baseline: the same number of jobs, plain BullMQ workers doing nothing.
  const raw = `bench-raw-${randomUUID()}`;
  queues.push(raw);
  const rawQueue = new Queue(raw, { connection });
  for (let i = 0; i < tasks; i += 1000) {
    await rawQueue.addBulk(Array.from({ length: Math.min(1000, tasks - i) }, (_, j) => ({ name: "noop", data: { i: i + j }, opts: { removeOnComplete: true } })));
  }
  await rawQueue.close();
  const rawMs = await timed(() => [run(["bench/raw-worker.mjs", raw, String(concurrency)]), run(["bench/raw-worker.mjs", raw, String(concurrency)])]);

  const rate = (ms) => Math.round((tasks * 1000) / ms).toLocaleString("en");
  process.stdout.write(
    [
      `task-agents/bullmq, ${tasks.toLocaleString("en")} no-op tasks, 2 worker processes × concurrency ${concurrency} (Redis ${redisUrl})`,
      "",
      `   task-agents workers   ${rate(oursMs).padStart(7)} tasks/s (${(oursMs / 1000).toFixed(2)} s, each task moved in the store)`,
      `   plain BullMQ workers  ${rate(rawMs).padStart(7)} jobs/s  (${(rawMs / 1000).toFixed(2)} s, no-op)`,
      `   ratio                 ${(rawMs / oursMs).toFixed(2)} of plain BullMQ (target ≥ 0.5)`,
    ].join("\n") + "\n",
  );
} finally {
  for (const name of queues) {
    const queue = new Queue(name, { connection });
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
  }
  rmSync(dir, { recursive: true, force: true });
  privateRedis?.kill();
}
