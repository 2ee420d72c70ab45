import { Queue } from "bullmq";
import type { QueueRunner } from "../runner/queue-runner.js";
import { createRunLogger } from "../runner/output/run-logger.js";
import type { TaskCompletionResult } from "../runner/task-spec.js";
import { chooseQueueName } from "./queue-name.js";
import { assertRedisReachable } from "./redis-check.js";
import { redisOptions, resolveRedisUrl } from "./redis-connection.js";
import { warnOnUnhandledRejections } from "../shared/unhandled-rejections.js";
import { forcedStopExitCode, taskWorkExitCode } from "../shared/exit-codes.js";
import { createWorker } from "./worker.js";
import { recordWorkerSession } from "./worker-run-record.js";

/** Where a worker session writes and what it may do to the process. */
export interface WorkerSessionIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly env: NodeJS.ProcessEnv;
  /** Stop on SIGINT/SIGTERM (a second one exits at once). */
  readonly installSignalHandlers?: boolean;
}

/** What `queue work` was asked to do. */
export interface WorkerSessionOptions {
  readonly io: WorkerSessionIo;
  readonly json: boolean;
  readonly redisUrl: string | undefined;
  readonly queueName: string | undefined;
  readonly concurrency: number;
  readonly exitWhenEmpty: boolean;
  /** Seconds. */
  readonly lockDuration: number | undefined;
  readonly maxStalledCount?: number | undefined;
  /** Serve Prometheus metrics at `http://<metricsHost>:<metricsPort>/metrics` while working. */
  readonly metricsPort?: number | undefined;
  readonly metricsHost?: string | undefined;
}

/**
 * Runs a BullMQ worker for a QueueRunner until a signal (or, with `exitWhenEmpty`, until the
 * queue is drained), printing a line every few seconds and a summary at the end. Resolves to
 * the exit code by the rule shared with `run` (`taskWorkExitCode`): 0, 2 when some tasks failed.
 */
export async function runQueueWorker(queueRunner: QueueRunner, options: WorkerSessionOptions): Promise<number> {
  const { io } = options;
  const logger = createRunLogger(options.json ? "json" : "human", io.stderr);
  queueRunner.useLogger(logger);
  const queueName = chooseQueueName(options.queueName, queueRunner.projectHash);
  const redisUrl = resolveRedisUrl(options.redisUrl, io.env);
  await assertRedisReachable(redisUrl);
  const pathwayNames = new Map((await queueRunner.getAgentStages()).flatMap((s) => s.pathways.map((p) => [p.uuid, `${s.title} → ${p.name}`] as const)));
  const worker = createWorker(queueRunner, {
    redisUrl,
    queueName,
    concurrency: options.concurrency,
    autorun: false,
    ...(options.lockDuration === undefined ? {} : { lockDuration: options.lockDuration, stalledInterval: options.lockDuration }),
    ...(options.maxStalledCount === undefined ? {} : { maxStalledCount: options.maxStalledCount }),
  });
  const stageTitles = new Map((await queueRunner.getAgentStages()).map((s) => [s.uuid, s.title] as const));
  const pathwayOnly = new Map((await queueRunner.getAgentStages()).flatMap((s) => s.pathways.map((p) => [p.uuid, p.name] as const)));
  const metrics =
    options.metricsPort === undefined ? undefined : await startWorkerMetrics(queueRunner, options.metricsHost ?? "127.0.0.1", options.metricsPort);
  if (metrics) logger.info(`metrics at ${metrics.server.url}`);
  const counts = { tasks: 0, succeeded: 0, failed: 0, left: 0, jobFailures: 0, moved: new Map<string, number>() };
  const record = await recordWorkerSession(queueRunner, { queueName, concurrency: options.concurrency }, logger);
  const started = Date.now();

  worker.on("completed", (_job, result: TaskCompletionResult) => {
    counts.tasks++;
    if (!result.success) {
      counts.failed++;
      logger.warn(`task ${result.task_uuid ?? "(no uuid)"} failed: ${(result.error ?? "").split("\n")[0]}`);
    } else if (result.pathway === null) counts.left++;
    else {
      counts.succeeded++;
      const name = pathwayNames.get(result.pathway) ?? result.pathway;
      counts.moved.set(name, (counts.moved.get(name) ?? 0) + 1);
    }
    const outcome = !result.success ? "failed" : result.pathway === null ? "left" : "succeeded";
    record?.taskDone(result, outcome, result.pathway === null ? undefined : (pathwayOnly.get(result.pathway) ?? result.pathway));
    metrics?.metrics.recordTask(
      stageTitles.get(result.stage_uuid) ?? result.stage_uuid,
      outcome,
      result.pathway === null ? undefined : (pathwayOnly.get(result.pathway) ?? result.pathway),
    );
    if (options.json) io.stdout.write(JSON.stringify({ event: "task-done", ...result }) + "\n");
  });
  worker.on("failed", (job, error) => {
    // BullMQ reports every failed attempt; only a job that is not retried (it has finished) failed.
    const final = job === undefined || job.finishedOn !== undefined;
    if (final) counts.jobFailures++;
    logger.warn({ job: job?.id, attemptsMade: job?.attemptsMade }, `${final ? "job failed" : "job attempt failed, to be retried"}: ${error.message}`);
  });
  worker.on("error", (error) => logger.error({ err: error }, "worker error"));

  const progress = setInterval(() => {
    const seconds = (Date.now() - started) / 1000;
    logger.info(
      `${counts.tasks} tasks done (${Math.round(counts.tasks / Math.max(seconds, 0.001))}/s), ${counts.failed} failed, ${counts.jobFailures} job failures`,
    );
  }, 5000);
  progress.unref();

  let stop: () => void = () => undefined;
  const stopped = new Promise<string>((resolve) => (stop = () => resolve("stopped")));
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (++signals > 1) {
      io.stderr.write(`\nSecond ${signal}: exiting now; active jobs go back to the queue when their lock runs out.\n`);
      process.exit(forcedStopExitCode(signal));
    }
    logger.warn(`${signal}: finishing active jobs, then stopping`);
    stop();
  };
  let stopWarning = () => undefined as void;
  if (io.installSignalHandlers) {
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    stopWarning = warnOnUnhandledRejections(io.stderr, options.json);
  }

  const queue = options.exitWhenEmpty ? new Queue(queueName, { connection: redisOptions(redisUrl) }) : undefined;
  let emptyChecks = 0;
  const watcher = queue
    ? setInterval(() => {
        queue
          .getJobCounts("waiting", "active", "delayed", "prioritized", "waiting-children")
          .then((c) => {
            const pending = Object.values(c).reduce((a, b) => a + b, 0);
            // Two empty looks in a row, so a job handed over between the two is not missed.
            emptyChecks = pending === 0 ? emptyChecks + 1 : 0;
            if (emptyChecks >= 2) stop();
          })
          .catch((error: unknown) => logger.error({ err: error }, "cannot read the queue's counts"));
      }, 250)
    : undefined;

  try {
    void worker.run().catch((error: unknown) => {
      logger.error({ err: error }, "worker stopped");
      stop();
    });
    await worker.waitUntilReady();
    logger.info(`worker on ${queueName} (concurrency ${options.concurrency}) for project ${queueRunner.projectHash}`);
    await stopped;
  } finally {
    clearInterval(progress);
    clearInterval(watcher);
    await worker.close();
    await queue?.close();
    await metrics?.stop();
    await record?.finish(signals === 0 ? "completed" : "stopped", signals > 1);
    if (io.installSignalHandlers) {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
    stopWarning();
  }
  const seconds = (Date.now() - started) / 1000;
  const summary = {
    queue: queueName,
    tasks: counts.tasks,
    moved: Object.fromEntries(counts.moved),
    left: counts.left,
    failed: counts.failed,
    jobFailures: counts.jobFailures,
    seconds: Math.round(seconds * 100) / 100,
  };
  if (options.json) io.stdout.write(JSON.stringify({ event: "worker-finished", ...summary }) + "\n");
  else {
    io.stdout.write(
      `Worker summary (${queueName}): ${counts.tasks} tasks in ${seconds.toFixed(1)} s; ` +
        `moved: ${[...counts.moved].map(([k, v]) => `${k}: ${v}`).join(", ") || "none"}; ` +
        `left: ${counts.left}; failed: ${counts.failed}; job failures: ${counts.jobFailures}\n`,
    );
  }
  return taskWorkExitCode({ failedTasks: counts.failed + counts.jobFailures });
}

/** Prometheus metrics of a worker: its tasks and its backend's requests, served on their own port. */
async function startWorkerMetrics(queueRunner: QueueRunner, host: string, port: number) {
  // Loaded only when asked for: most workers run without a metrics port.
  const { TaskMetrics } = await import("../serve/task-metrics.js");
  const { startMetricsServer } = await import("../serve/metrics-server.js");
  const metrics = new TaskMetrics();
  const server = await startMetricsServer(metrics, host, port);
  const stopWatching = metrics.watchBackend(queueRunner.backend);
  return {
    metrics,
    server,
    stop: async () => {
      stopWatching();
      await server.close();
    },
  };
}
