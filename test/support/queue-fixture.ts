import { pino } from "pino";
import { QueueRunner, toTaskSpec, type TaskCompletionResult, type WorkflowTask } from "../../src/index.js";
import type { BackendProject } from "./backend-fixtures.js";

/** A logger that prints nothing, so handler logs stay out of the test output. */
export const silentLogger = pino({ level: "silent" });

/** A QueueRunner on the project's counting backend, quiet. */
export function queueRunnerOn(project: BackendProject, options: { numRetries?: number; concurrency?: number } = {}): QueueRunner {
  return new QueueRunner({ projectHash: project.projectHash, backend: project.backend, logger: silentLogger, ...options });
}

/** The task spec (JSON text) of a task, as a producer would enqueue it. */
export function specOf(task: WorkflowTask): string {
  return JSON.stringify(toTaskSpec(task));
}

/** The one TaskCompletionResult a wrapped handler answered for one spec. */
export function resultOf(json: string): TaskCompletionResult {
  const value = JSON.parse(json) as unknown;
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error(`expected one result object, got ${json}`);
  return value as TaskCompletionResult;
}

/** The TaskCompletionResults a wrapped handler answered for an array of specs. */
export function resultsOf(json: string): TaskCompletionResult[] {
  const value = JSON.parse(json) as unknown;
  if (!Array.isArray(value)) throw new Error(`expected an array of results, got ${json}`);
  return value as TaskCompletionResult[];
}

/** The stage titles a task passed through, from the backend's history (oldest first). */
export async function movesOf(project: BackendProject, taskUuid: string): Promise<{ fromStage: string | null; toStage: string; pathway: string | null }[]> {
  return (await project.moveHistory()).filter((m) => m.taskUuid === taskUuid).map(({ fromStage, toStage, pathway }) => ({ fromStage, toStage, pathway }));
}
