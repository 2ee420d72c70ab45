import type { Logger } from "pino";
import type { AgentTask } from "../domain/task.js";
import type { Project } from "../domain/workflow.js";
import type { PrefetchedTaskData } from "./batch-data.js";
import { isConfigurationError, isLabelError, isMediaError, isTaskAgentsError, TaskAgentsError, type ConfigurationError } from "../domain/errors.js";
import type { LabelRowJson } from "../domain/label-row-json.js";
import { interpretResult, type TaskDecision } from "./handler-result.js";
import { countHandlerInFlight } from "./handlers-in-flight.js";
import { trackAbandonedHandler } from "./abandoned-handlers.js";
import { DependencyScope } from "./resolve-deps.js";
import type { RunControl } from "./run-control.js";
import { sleepUnless, untilAborted } from "./run-control.js";
import type { BoundStage } from "./stage-registry.js";

/** How one task ended. */
export type TaskOutcome =
  | { readonly kind: "decided"; readonly decision: TaskDecision; readonly labelRowJson?: LabelRowJson; readonly attempts: number }
  /**
   * `permanent`: the task failed for good (its last attempt, or an error that would only repeat);
   * false when the run gave up on it while stopping, so a later run tries it again.
   */
  | { readonly kind: "failed"; readonly error: unknown; readonly attempts: number; readonly permanent: boolean }
  | { readonly kind: "stop"; readonly error: ConfigurationError; readonly attempts: number };

/** Wait before retry `attempt` (1-based): 50 ms, 100 ms, 200 ms, … up to 2 s. */
export function retryDelayMs(attempt: number): number {
  return Math.min(2000, 50 * 2 ** (attempt - 1));
}

/**
 * Runs a handler on one task, with up to `numRetries` more attempts. Every attempt resolves its
 * dependencies afresh (so the label row is as loaded), gets its own signal (aborted at
 * `taskTimeoutMs` or when the run gives up) and disposes its dependencies afterwards. A result
 * naming an unknown pathway is not retried: it is a configuration error that stops the run.
 */
export async function runTask(input: {
  bound: BoundStage;
  task: AgentTask;
  project: Project;
  prefetched: PrefetchedTaskData;
  numRetries: number;
  taskTimeoutMs: number | undefined;
  control: RunControl;
  logger: Logger;
}): Promise<TaskOutcome> {
  const { bound, task, control } = input;
  // Made on first use: most handlers never log, and a pino child per task is measurable on a
  // run of thousands of tasks.
  let taskLogger: Logger | undefined;
  const logger = (): Logger => (taskLogger ??= input.logger.child({ stage: bound.stage.title, task: task.uuid }));
  for (let attempt = 1; ; attempt++) {
    const attemptAbort = attemptSignal(task, control, input.taskTimeoutMs);
    const { signal } = attemptAbort;
    const attemptContext = withLazyLogger({ task, stage: bound.stage, project: input.project, signal }, logger);
    const scope = new DependencyScope(attemptContext, input.prefetched);
    let resolving: Promise<unknown> | undefined;
    let running: Promise<unknown> | undefined;
    let result: unknown;
    let failure: { error: unknown } | undefined;
    try {
      // One wait on the signal for resolving and handling together: one listener per attempt.
      const work = (async () => {
        const values = await (resolving = scope.resolveAll(bound.deps));
        running = Promise.resolve().then(() => bound.handler(withLazyLogger({ task, stage: bound.stage, project: input.project, signal, ...values }, logger)));
        countHandlerInFlight(running);
        return running;
      })();
      result = await untilAborted(work, signal);
    } catch (error) {
      failure = { error: signal.aborted ? attemptAbort.reason() : error };
    } finally {
      attemptAbort.release();
    }
    if (signal.aborted) {
      // The handler may still be running: its dependencies are released once it lets go.
      const work = running ?? resolving;
      void Promise.allSettled([work])
        .then(() => scope.dispose(logger))
        .catch((error: unknown) => logger().warn({ err: error }, "dispose after an abandoned attempt failed"));
      // Listed if the process ends before it lets go.
      if (work !== undefined)
        trackAbandonedHandler({ taskUuid: task.uuid, dataTitle: task.dataTitle, stage: bound.stage.title, reason: whyAbandoned(attemptAbort.reason()) }, work);
      if (control.abortSignal.aborted) return { kind: "failed", error: failure?.error ?? abandoned(task, control), attempts: attempt, permanent: false };
    } else {
      await scope.dispose(logger);
    }
    if (!failure) {
      let decision: TaskDecision;
      try {
        decision = interpretResult(result, bound.stage, bound.canSetPriority);
      } catch (error) {
        // Only a configuration error (a pathway the stage does not have) stops the run. Anything
        // else (a malformed return: a HandlerReturnError) is a bug in the handler, the same on
        // every attempt: the task fails, not retried.
        if (isConfigurationError(error)) return { kind: "stop", error, attempts: attempt };
        return { kind: "failed", error, attempts: attempt, permanent: true };
      }
      // Written here, so a row that cannot be written fails its own task and not the batch's commit.
      // The same row would fail again: not retried.
      const written = writeLabelRow(task, decision);
      if (isTaskAgentsError(written)) return { kind: "failed", error: written, attempts: attempt, permanent: true };
      return { kind: "decided", decision, ...(written === undefined ? {} : { labelRowJson: written }), attempts: attempt };
    }
    logger().debug({ err: failure.error, attempt }, "attempt failed");
    const permanent = attempt > input.numRetries || failsAgain(failure.error);
    if (permanent || control.stopping) return { kind: "failed", error: failure.error, attempts: attempt, permanent };
    await sleepUnless(retryDelayMs(attempt), control.stopSignal);
  }
}

/** The decided label row as it will be saved, undefined without one, or why it cannot be written. */
function writeLabelRow(task: AgentTask, decision: TaskDecision): LabelRowJson | TaskAgentsError | undefined {
  if (decision.labelRow === undefined) return undefined;
  try {
    return decision.labelRow.toEncordDict();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return new TaskAgentsError(
      "TA_INVALID_LABEL",
      `The label row of task ${task.uuid} ("${task.dataTitle}") cannot be written for saving: ${reason}. The task stays in its stage.`,
      { cause: error },
    );
  }
}

/**
 * Errors that would repeat on every attempt, so retrying only wastes time: a label that breaks
 * the ontology, media a helper cannot handle (or no ffmpeg), an invalid argument.
 */
function failsAgain(error: unknown): boolean {
  if (isLabelError(error)) return true;
  if (isMediaError(error)) return error.permanent;
  return isConfigurationError(error) && error.code === "TA_INVALID_ARGUMENT";
}

/** Why an attempt was abandoned, short, for the list of handlers still running at exit. */
function whyAbandoned(reason: unknown): string {
  if (isTaskAgentsError(reason) && reason.code === "TA_TASK_TIMEOUT") return "past the task timeout";
  const message = reason instanceof Error ? reason.message : String(reason);
  return message.match(/was abandoned: (.*)\. It stays in its stage\.$/)?.[1] ?? message;
}

/**
 * The signal of one attempt. With a task timeout it is its own, aborted by the timer or when the
 * run gives up; without one it is the run's own signal, so an attempt costs no listener on it.
 * `reason()` says why the attempt was given up, naming the task.
 */
function attemptSignal(task: AgentTask, control: RunControl, timeoutMs: number | undefined): { signal: AbortSignal; reason(): unknown; release(): void } {
  if (timeoutMs === undefined) {
    const signal = control.abortSignal;
    return { signal, reason: () => abandoned(task, control), release: () => undefined };
  }
  const controller = new AbortController();
  const onRunAbort = () => controller.abort(abandoned(task, control));
  control.abortSignal.addEventListener("abort", onRunAbort, { once: true });
  if (control.abortSignal.aborted) onRunAbort();
  const timer = setTimeout(
    () =>
      controller.abort(
        new TaskAgentsError("TA_TASK_TIMEOUT", `Task ${task.uuid} did not finish within ${timeoutMs / 1000} s (taskTimeout); the attempt was abandoned.`),
      ),
    timeoutMs,
  );
  return {
    signal: controller.signal,
    reason: () => controller.signal.reason as unknown,
    release: () => {
      clearTimeout(timer);
      control.abortSignal.removeEventListener("abort", onRunAbort);
    },
  };
}

/**
 * `fields` with a `logger` that is made when first read (spreading the object reads it). It stays
 * an ordinary property to its users: assigning to it replaces it, as on a plain object.
 */
function withLazyLogger<T extends object>(fields: T, logger: () => Logger): T & { readonly logger: Logger } {
  return Object.defineProperty(fields, "logger", {
    get: logger,
    set(this: T, value: unknown) {
      Object.defineProperty(this, "logger", { value, writable: true, enumerable: true, configurable: true });
    },
    enumerable: true,
    configurable: true,
  }) as T & { readonly logger: Logger };
}

function abandoned(task: AgentTask, control: RunControl): TaskAgentsError {
  const reason = control.abortSignal.reason instanceof Error ? control.abortSignal.reason.message : "the run stopped";
  return new TaskAgentsError("TA_TASK_ABANDONED", `Task ${task.uuid} was abandoned: ${reason}. It stays in its stage.`);
}
