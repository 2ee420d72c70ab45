import type { ClaimRelease } from "../backends/backend.js";
import type { PrefetchedTaskData } from "./batch-data.js";
import type { AgentTask } from "../domain/task.js";
import type { FailedTasks } from "./failed-tasks.js";
import { commitDecisions, type CommittedDecisions } from "./commit-decisions.js";
import { handleTasks, type HandlingEnvironment } from "./handle-tasks.js";
import type { TaskOutcome } from "./run-task.js";
import type { RunEvents } from "./output/run-events.js";
import { describeFailure, listFailure, type StageReport, type TaskFailure } from "./run-report.js";
import type { BoundStage } from "./stage-registry.js";

/** Everything a Runner batch needs from its run. */
export interface BatchEnvironment extends HandlingEnvironment {
  readonly events: RunEvents;
  /** The Runner's memory of tasks that failed for good, which later passes skip. */
  readonly failedTasks: FailedTasks;
  /** How long a remembered task is skipped; undefined: for the Runner's life. */
  readonly retryFailedAfterMs: number | undefined;
  /** The lease of the claims a pass takes on a backend that claims tasks (ms). */
  readonly claimLeaseMs: number;
}

/**
 * One batch of a Runner pass, its dependencies' data already fetched: handle the tasks, then
 * commit every decision in one call (even when the run is stopping) and count it all into the
 * stage's report. Resolves once the handlers are done, to `committed`, which settles once the
 * commit is done and counted: the commit goes on while the pass handles the next batch, and the
 * batch is counted (and its events sent) only after `earlier`, the previous batch's, so reports
 * and events stay in batch order. A task that failed for good is moved along the stage's
 * `onFailure` pathway in that commit, or else remembered so later passes skip it. The commit
 * also ends the batch's claims (`release`), whatever became of each task. A configuration error
 * that stops the run is kept by `env.control`.
 */
export async function processBatch(
  env: BatchEnvironment,
  bound: BoundStage,
  tasks: readonly AgentTask[],
  report: StageReport,
  batchNumber: number,
  prefetched: ReadonlyMap<string, PrefetchedTaskData>,
  earlier: Promise<void>,
  release?: ClaimRelease,
): Promise<{ committed: Promise<void> }> {
  const started = performance.now();
  env.events.batchStarted(report, batchNumber, tasks.length);
  // Listed once the commit says whether each was moved along onFailure.
  const failures: { failure: TaskFailure; permanent: boolean }[] = [];
  const outcomes = await handleTasks(
    env,
    bound,
    tasks,
    (task, outcome) => {
      report.seen++;
      if (outcome.kind === "decided") report.succeeded++;
      else {
        // A result that stopped the run is not applied: the task stays, and is listed.
        report.failed++;
        const failure = { taskUuid: task.uuid, dataTitle: task.dataTitle, attempts: outcome.attempts, error: describeFailure(outcome.error) };
        failures.push({ failure, permanent: outcome.kind === "failed" && outcome.permanent });
      }
      env.events.taskFinished(report, outcome.kind === "decided" ? "succeeded" : "failed");
    },
    prefetched,
  );
  // Counted once the earlier batch is done, however it ended: its failure is its own to report.
  const commit = commitDecisions(env, bound, tasks, outcomes, release);
  const committed = Promise.allSettled([commit, earlier]).then(([own]) => {
    if (own.status === "rejected") throw own.reason;
    countCommitted(env, bound, report, batchNumber, outcomes, failures, own.value, started);
  });
  committed.catch(() => undefined); // the caller awaits it; never an unhandled rejection meanwhile
  return { committed };
}

/** Counts a committed batch into the stage's report and sends its events. */
function countCommitted(
  env: BatchEnvironment,
  bound: BoundStage,
  report: StageReport,
  batchNumber: number,
  outcomes: readonly (TaskOutcome | undefined)[],
  failures: readonly { failure: TaskFailure; permanent: boolean }[],
  committed: CommittedDecisions,
  started: number,
): void {
  report.left += committed.left;
  for (const name of committed.moved.values()) report.moved[name] = (report.moved[name] ?? 0) + 1;
  report.failedRouted += committed.routed.size;
  report.refused += committed.refused.size;
  for (const refusal of committed.refused.values()) env.logger.warn({ task: refusal.taskUuid, stage: bound.stage.title }, `move refused: ${refusal.message}`);
  const now = Date.now();
  for (const { failure, permanent } of failures) {
    const routedTo = committed.routed.get(failure.taskUuid);
    const listed = routedTo === undefined ? failure : { ...failure, routedTo };
    // Without an onFailure pathway the task stays: later passes leave it alone.
    if (permanent && routedTo === undefined && !committed.refused.has(failure.taskUuid)) env.failedTasks.remember(failure.taskUuid, now);
    listFailure(report, listed);
    env.events.taskFailed(report, listed);
  }
  env.events.batchCommitted(report, {
    number: batchNumber,
    size: outcomes.filter((o) => o !== undefined).length,
    moved: committed.moved.size,
    left: committed.left,
    failed: outcomes.filter((o) => o !== undefined && o.kind !== "decided").length,
    refused: committed.refused.size,
    durationMs: performance.now() - started,
  });
}
