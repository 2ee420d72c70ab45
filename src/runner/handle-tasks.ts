import type { Logger } from "pino";
import type { Backend } from "../backends/backend.js";
import type { AgentTask } from "../domain/task.js";
import type { Project } from "../domain/workflow.js";
import type { PrefetchedTaskData } from "./batch-data.js";
import { IoBreather } from "../shared/io-breather.js";
import { prefetchBatch } from "./prefetch.js";
import type { RunControl } from "./run-control.js";
import { runTask, type TaskOutcome } from "./run-task.js";
import type { BoundStage } from "./stage-registry.js";

/** What handling tasks needs, whichever runner does it. */
export interface HandlingEnvironment {
  readonly backend: Backend;
  readonly project: Project;
  readonly control: RunControl;
  readonly logger: Logger;
  readonly numRetries: number;
  readonly taskTimeoutMs: number | undefined;
  readonly concurrency: number;
  readonly actor: string;
}

/**
 * Runs up to `concurrency` handlers at a time on tasks whose dependencies' data was fetched in
 * bulk (`prefetched`, fetched here when not given); no task is started once a stop is requested.
 * A result that is a configuration error (an unknown pathway…) stops the run through
 * `env.control`, which keeps it. Resolves to the outcome of each task (undefined: not started
 * because the run was stopping). Shared by Runner and QueueRunner.
 */
export async function handleTasks(
  env: HandlingEnvironment,
  bound: BoundStage,
  tasks: readonly AgentTask[],
  onTaskDone: (task: AgentTask, outcome: TaskOutcome) => void = () => undefined,
  prefetchedData?: ReadonlyMap<string, PrefetchedTaskData>,
): Promise<(TaskOutcome | undefined)[]> {
  const prefetched = prefetchedData ?? (await prefetchBatch(env.backend, env.project, bound, tasks));
  const outcomes = new Array<TaskOutcome | undefined>(tasks.length);
  let next = 0;
  // Listings and requests of the batch ahead go on while this one's handlers run.
  const breather = new IoBreather(4);
  const worker = async () => {
    while (!env.control.stopping && next < tasks.length) {
      const index = next++;
      const task = tasks[index]!;
      env.control.taskStarted();
      const outcome = await runTask({
        bound,
        task,
        project: env.project,
        prefetched: prefetched.get(task.uuid)!,
        numRetries: env.numRetries,
        taskTimeoutMs: env.taskTimeoutMs,
        control: env.control,
        logger: env.logger,
      });
      env.control.taskEnded(outcome);
      outcomes[index] = outcome;
      if (outcome.kind === "stop") env.control.stopAtConfigurationError(outcome.error);
      onTaskDone(task, outcome);
      await breather.breathe();
    }
  };
  await Promise.all(Array.from({ length: Math.min(env.concurrency, tasks.length) }, worker));
  return outcomes;
}
