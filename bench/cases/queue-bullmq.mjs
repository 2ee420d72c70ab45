// 20,000 no-op tasks through task-agents/bullmq (enqueued from a local store, drained by two
// `task-agents queue work` processes × concurrency 50, each task moved in the store) against two
// plain BullMQ worker processes with a no-op processor draining as many jobs, same run and Redis.
// Both sides are timed from starting the worker processes until both have drained the queue.
// ratio = task-agents rate / plain BullMQ rate.
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { Queue } from "bullmq";
import { pino } from "pino";
import { localBackend, QueueRunner } from "../../dist/index.js";
import { enqueueTasks } from "../../dist/queue/index.js";
import { int, interleaved, median, onCleanup, repoPath, root, timeMs } from "../lib/common.mjs";
import { redisUrl } from "../lib/redis.mjs";
import { copyOf, demoStore, discard } from "../lib/stores.mjs";

export const name = "queue-bullmq";
export const unit = "tasks/s";
export const target = { kind: "min", value: 0.5, of: "ratio", text: "≥ 0.5× plain BullMQ" };

function node(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    child.stdout.resume();
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`node ${args.join(" ")} exited ${code}: ${stderr.slice(-2000)}`))));
  });
}

export async function run({ smoke }) {
  const tasks = smoke ? 200 : 20_000;
  const concurrency = 50;
  const url = await redisUrl();
  const connection = { url, maxRetriesPerRequest: null };
  const store = await demoStore(tasks);
  const queues = [];
  onCleanup(async () => {
    for (const queueName of queues) {
      const queue = new Queue(queueName, { connection });
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
    }
  });

  const ours = async () => {
    const storePath = copyOf(store.template);
    const queueName = `bench-ours-${randomUUID()}`;
    queues.push(queueName);
    const queueRunner = new QueueRunner({ projectHash: store.hash, backend: localBackend({ storePath }), logger: pino({ level: "silent" }) });
    queueRunner.stage("Pre-label", () => "annotate");
    await enqueueTasks(queueRunner, { redisUrl: url, queueName });
    await queueRunner.close();
    const worker = [
      "dist/cli/main.js",
      "--store",
      storePath,
      "queue",
      "work",
      repoPath("bench/lib/agents/noop-queue.mjs"),
      "--queue",
      queueName,
      "--concurrency",
      String(concurrency),
      "--exit-when-empty",
    ];
    const env = { REDIS_URL: url, PROJECT_HASH: store.hash };
    const ms = await timeMs(() => Promise.all([node(worker, env), node(worker, env)]));
    const check = localBackend({ storePath });
    try {
      const annotate = (await check.getProject(store.hash)).stages.find((s) => s.title === "Annotate").uuid;
      const moved = check.countTasksByStage(store.hash).get(annotate) ?? 0;
      if (moved !== tasks) throw new Error(`expected ${tasks} tasks in Annotate, found ${moved}`);
    } finally {
      await check.close();
      discard(storePath);
    }
    return ms;
  };

  const plain = async () => {
    const queueName = `bench-raw-${randomUUID()}`;
    queues.push(queueName);
    const queue = new Queue(queueName, { connection });
    for (let i = 0; i < tasks; i += 1000) {
      await queue.addBulk(
        Array.from({ length: Math.min(1000, tasks - i) }, (_, j) => ({ name: "noop", data: { i: i + j }, opts: { removeOnComplete: true } })),
      );
    }
    await queue.close();
    const worker = [repoPath("bench/lib/raw-worker.mjs"), queueName, String(concurrency)];
    return timeMs(() => Promise.all([node(worker, { REDIS_URL: url }), node(worker, { REDIS_URL: url })]));
  };

  const samples = await interleaved(smoke ? 1 : 3, { ours, plain });
  const rate = (ms) => (tasks * 1000) / ms;
  const value = rate(median(samples.ours));
  const baselineValue = rate(median(samples.plain));
  const runs = (list) => list.map((ms) => `${(ms / 1000).toFixed(2)} s`).join(", ");
  return {
    value,
    baseline: `plain BullMQ no-op workers, ${int(tasks)} jobs, 2 processes × concurrency ${concurrency}`,
    baselineValue,
    ratio: value / baselineValue,
    details: { "task-agents drain times": runs(samples.ours), "plain BullMQ drain times": runs(samples.plain) },
  };
}
