import type { Logger } from "pino";
import type { Backend, LabelSave, PriorityUpdate, TaskMove } from "../backends/backend.js";
import type { ConfigurationError } from "../domain/errors.js";
import type { AgentTask } from "../domain/task.js";
import type { Project } from "../domain/workflow.js";
import type { RunEvents } from "./output/run-events.js";
import { prefetchBatch } from "./prefetch.js";
import type { RunControl } from "./run-control.js";
import { describeFailure, type StageReport } from "./run-report.js";
import { runTask, type TaskOutcome } from "./run-task.js";
import type { BoundStage } from "./stage-registry.js";

/** Everything a batch needs from its run. */
export interface BatchEnvironment {
  readonly backend: Backend;
  readonly project: Project;
  readonly control: RunControl;
  readonly events: RunEvents;
  readonly logger: Logger;
  readonly numRetries: number;
  readonly taskTimeoutMs: number | undefined;
  readonly concurrency: number;
  readonly actor: string;
}

/**
 * Handles one batch: fetch what its dependencies need in bulk, run up to `concurrency` handlers
 * at a time (no new task once a stop is requested), then commit every decision in one call, even
 * when the run is stopping. Returns the configuration error that stopped it, if one did.
 */
export async function processBatch(env: BatchEnvironment, bound: BoundStage, tasks: readonly AgentTask[], report: StageReport, batchNumber: number): Promise<ConfigurationError | undefined> {
  const started = performance.now();
  env.events.batchStarted(report, batchNumber, tasks.length);
  const prefetched = await prefetchBatch(env.backend, env.project.uuid, bound, tasks);

  const outcomes: (TaskOutcome | undefined)[] = new Array<TaskOutcome | undefined>(tasks.length);
  let next = 0;
  let stopError: ConfigurationError | undefined;
  const worker = async () => {
    while (!env.control.stopping && next < tasks.length) {
      const index = next++;
      const task = tasks[index]!;
      const outcome = await runTask({ bound, task, project: env.project, prefetched: prefetched.get(task.uuid)!, numRetries: env.numRetries, taskTimeoutMs: env.taskTimeoutMs, control: env.control, logger: env.logger });
      outcomes[index] = outcome;
      if (outcome.kind === "stop") {
        stopError ??= outcome.error;
        env.control.requestStop("configuration error");
      }
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
    }
  };
  await Promise.all(Array.from({ length: Math.min(env.concurrency, tasks.length) }, worker));

  const commit = { labelSaves: [] as LabelSave[], priorities: [] as PriorityUpdate[], moves: [] as TaskMove[], actor: env.actor };
  const pathwayNameByUuid = new Map(bound.stage.pathways.map((p) => [p.uuid, p.name]));
  let left = 0;
  outcomes.forEach((outcome, index) => {
    if (outcome?.kind !== "decided") return;
    const task = tasks[index]!;
    const { decision } = outcome;
    if (decision.labelRow) commit.labelSaves.push({ dataHash: task.dataHash, labelRow: decision.labelRow.toEncordDict() });
    if (decision.priority !== undefined) commit.priorities.push({ dataHash: task.dataHash, priority: decision.priority });
    if (decision.pathway) commit.moves.push({ taskUuid: task.uuid, fromStageUuid: bound.stage.uuid, pathwayUuid: decision.pathway.uuid });
    else left++;
  });
  report.left += left;
  let moved = 0;
  let refused = 0;
  if (commit.labelSaves.length + commit.priorities.length + commit.moves.length > 0) {
    const result = await env.backend.commit(env.project.uuid, commit);
    const movedUuids = new Set(result.moved.map((m) => m.taskUuid));
    for (const move of commit.moves) {
      if (!movedUuids.has(move.taskUuid.toLowerCase()) && !movedUuids.has(move.taskUuid)) continue;
      const name = pathwayNameByUuid.get(move.pathwayUuid) ?? move.pathwayUuid;
      report.moved[name] = (report.moved[name] ?? 0) + 1;
      moved++;
    }
    refused = result.refused.length;
    report.refused += refused;
    for (const refusal of result.refused) env.logger.warn({ task: refusal.taskUuid, stage: bound.stage.title }, `move refused: ${refusal.message}`);
  }
  const durationMs = performance.now() - started;
  env.events.batchCommitted(report, {
    number: batchNumber,
    size: outcomes.filter((o) => o !== undefined).length,
    moved,
    left,
    failed: outcomes.filter((o) => o?.kind === "failed").length,
    refused,
    durationMs,
  });
  return stopError;
}
