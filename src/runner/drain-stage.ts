import type { AgentTask } from "../domain/task.js";
import { processBatch, type BatchEnvironment } from "./batch.js";
import type { ConfigurationError } from "../domain/errors.js";
import type { StageReport } from "./run-report.js";
import type { BoundStage } from "./stage-registry.js";

const maxPageSize = 1000;

/**
 * Handles the tasks of one stage for one pass: pages are streamed (never the whole stage in
 * memory) into batches of `taskBatchSize`, at most `maxTasksPerStage` tasks in all.
 */
export async function drainStage(
  env: BatchEnvironment,
  bound: BoundStage,
  report: StageReport,
  limits: { taskBatchSize: number; maxTasksPerStage: number | undefined; pass: number },
): Promise<ConfigurationError | undefined> {
  const started = performance.now();
  const cap = limits.maxTasksPerStage ?? Number.POSITIVE_INFINITY;
  const batchSize = Math.min(limits.taskBatchSize, cap);
  const total = await env.backend.countStageTasks?.(env.project.uuid, bound.stage.uuid);
  env.events.stageStarted(report, limits.pass, total === undefined ? undefined : Math.min(total, cap));

  let taken = 0;
  let batchNumber = 0;
  let pageToken: string | undefined;
  let buffer: AgentTask[] = [];
  let stopError: ConfigurationError | undefined;
  const flush = async () => {
    if (buffer.length === 0) return;
    const batch = buffer;
    buffer = [];
    stopError = await processBatch(env, bound, batch, report, ++batchNumber);
  };
  try {
    pages: while (!env.control.stopping) {
      const page = await env.backend.listStageTasks(env.project.uuid, bound.stage.uuid, { pageToken, pageSize: Math.min(batchSize, maxPageSize), signal: env.control.stopSignal });
      for (const task of page.tasks) {
        buffer.push(task);
        taken++;
        if (buffer.length === batchSize || taken >= cap) {
          await flush();
          if (stopError || env.control.stopping || taken >= cap) break pages;
        }
      }
      if (page.nextPageToken === null) break;
      pageToken = page.nextPageToken;
    }
    if (!env.control.stopping) await flush();
  } finally {
    report.durationMs += performance.now() - started;
    env.events.stageFinished(report);
  }
  return stopError;
}
