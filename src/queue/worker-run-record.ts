import type { Logger } from "pino";
import { startRecording, type RecordedRun } from "../runner/run-recording.js";
import { startingRunReport, type StageReport } from "../runner/run-report.js";
import type { QueueRunner } from "../runner/queue-runner.js";
import type { TaskCompletionResult } from "../runner/task-spec.js";

/** How often a worker's record is brought up to date while it works. */
const progressEveryMs = 2000;

/** A queue worker's session as a recorded run: its tasks counted per stage, as jobs finish. */
export interface WorkerSessionRecord {
  taskDone(result: TaskCompletionResult, outcome: "succeeded" | "failed" | "left", pathwayName: string | undefined): void;
  /** Writes the final report: `completed` when the queue was drained, else `stopped`; `forced` when a second signal cut it short. */
  finish(end: "completed" | "stopped", forced: boolean): Promise<void>;
}

/**
 * Records a `queue work` session in the store's runs (the local store keeps them; `task-agents
 * runs` and the dashboard show them), like a Runner's execution: one stage report per stage with
 * a handler, counts and failures as jobs finish. Undefined when the backend keeps no records.
 */
export async function recordWorkerSession(
  queueRunner: QueueRunner,
  options: { queueName: string; concurrency: number },
  logger: Logger,
): Promise<WorkerSessionRecord | undefined> {
  const backend = queueRunner.backend;
  const stages = await queueRunner.getAgentStages();
  const project = await backend.getProject(queueRunner.projectHash);
  const report = startingRunReport(backend.description, project, stages);
  report.passes = 1;
  const recorded: RecordedRun | undefined = await startRecording(
    backend,
    {
      kind: "queue-worker",
      projectHash: project.uuid,
      options: { queue: options.queueName, concurrency: options.concurrency, stages: stages.map((s) => s.title) },
      report,
    },
    logger,
  );
  if (recorded === undefined) return undefined;
  const started = performance.now();
  let lastWrite = started;
  const stageOf = (uuid: string): StageReport | undefined => report.stages.find((s) => s.uuid === uuid);
  return {
    taskDone(result, outcome, pathwayName) {
      const stage = stageOf(result.stage_uuid);
      if (stage === undefined) return;
      stage.seen++;
      if (outcome === "failed") {
        stage.failed++;
        // A worker sees the result, not the attempts or the title: the record keeps what it has.
        stage.failures.push({
          taskUuid: result.task_uuid ?? "",
          dataTitle: "",
          attempts: 0,
          error: { name: "Error", message: (result.error ?? "").split("\n")[0] ?? "", ...(result.error ? { stack: result.error } : {}) },
        });
      } else stage.succeeded++;
      if (outcome === "left") stage.left++;
      if (pathwayName !== undefined) stage.moved[pathwayName] = (stage.moved[pathwayName] ?? 0) + 1;
      const now = performance.now();
      report.durationMs = now - started;
      if (now - lastWrite >= progressEveryMs) {
        lastWrite = now;
        void recorded.progress(report);
      }
    },
    async finish(end, forced) {
      report.finishedAt = new Date();
      report.durationMs = performance.now() - started;
      report.end = end;
      await recorded.finish(report, forced ? new Error("a second signal stopped the worker at once") : undefined);
    },
  };
}
