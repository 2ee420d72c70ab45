import type { PrefetchedTaskData } from "../deps/define-dependency.js";
import type { ConfigurationError } from "../domain/errors.js";
import type { AgentTask } from "../domain/task.js";
import { commitDecisions, handleTasks, type HandlingEnvironment } from "./handle-tasks.js";
import type { RunEvents } from "./output/run-events.js";
import { describeFailure, type StageReport } from "./run-report.js";
import type { BoundStage } from "./stage-registry.js";

/** Everything a Runner batch needs from its run. */
export interface BatchEnvironment extends HandlingEnvironment {
  readonly events: RunEvents;
}

/**
 * One batch of a Runner pass, its dependencies' data already fetched: handle the tasks, commit every decision in one call (even when
 * the run is stopping), and count it all into the stage's report. Returns the configuration
 * error that stopped it, if one did.
 */
export async function processBatch(
  env: BatchEnvironment,
  bound: BoundStage,
  tasks: readonly AgentTask[],
  report: StageReport,
  batchNumber: number,
  prefetched: ReadonlyMap<string, PrefetchedTaskData>,
): Promise<ConfigurationError | undefined> {
  const started = performance.now();
  env.events.batchStarted(report, batchNumber, tasks.length);
  const { outcomes, stopError } = await handleTasks(env, bound, tasks, (task, outcome) => {
    report.seen++;
    if (outcome.kind === "decided") report.succeeded++;
    else {
      // A result that stopped the run is not applied: the task stays, and is listed.
      report.failed++;
      const failure = { taskUuid: task.uuid, dataTitle: task.dataTitle, attempts: outcome.attempts, error: describeFailure(outcome.error) };
      report.failures.push(failure);
      env.events.taskFailed(report, failure);
    }
    env.events.taskFinished(report, outcome.kind === "decided" ? "succeeded" : "failed");
  }, prefetched);
  const committed = await commitDecisions(env, bound, tasks, outcomes);
  report.left += committed.left;
  for (const name of committed.moved.values()) report.moved[name] = (report.moved[name] ?? 0) + 1;
  report.refused += committed.refused.size;
  for (const refusal of committed.refused.values()) env.logger.warn({ task: refusal.taskUuid, stage: bound.stage.title }, `move refused: ${refusal.message}`);
  env.events.batchCommitted(report, {
    number: batchNumber,
    size: outcomes.filter((o) => o !== undefined).length,
    moved: committed.moved.size,
    left: committed.left,
    failed: outcomes.filter((o) => o !== undefined && o.kind !== "decided").length,
    refused: committed.refused.size,
    durationMs: performance.now() - started,
  });
  return stopError;
}
