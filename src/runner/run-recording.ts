import type { Logger } from "pino";
import type { Backend } from "../backends/backend.js";
import type { ResolvedExecuteOptions } from "./options.js";
import { describeFailure, type RunReport, type TaskFailure } from "./run-report.js";
import type { BoundStage } from "./stage-registry.js";

/** What started: a Runner execution, one stage pass (serve, runStage) or a queue worker's session. */
export type RecordedRunKind = "run" | "stage-pass" | "queue-worker";

/** A run as it starts, for {@link RunRecorder.startRun}. */
export interface RunStart {
  readonly kind: RecordedRunKind;
  readonly projectHash: string;
  /** The options the run was given that say how it worked (no signals, streams or secrets). */
  readonly options: Readonly<Record<string, unknown>>;
  readonly report: RunReport;
}

/** A recorded run, kept up to date while it goes. */
export interface RecordedRun {
  readonly id: number;
  /** Writes the report so far and the failures listed since the last write. */
  progress(report: RunReport): Promise<void>;
  /** Writes the final report, its failures and, when the run ended with one, the error. */
  finish(report: RunReport, error?: unknown): Promise<void>;
}

/**
 * A backend capability: keeping a record of runs (the local store's `runs`, shown by
 * `task-agents runs` and the dashboard). Backends without it (Encord) are left alone.
 */
export interface RunRecorder {
  startRun(start: RunStart): Promise<RecordedRun>;
}

export function isRunRecorder(backend: Backend): backend is Backend & RunRecorder {
  return typeof (backend as Partial<RunRecorder>).startRun === "function";
}

/** The failure of a recorded run, with its stage. */
export interface RecordedFailure extends TaskFailure {
  readonly stageUuid: string;
}

/**
 * Starts recording a run when the backend keeps records. Recording is a side job: when the store
 * refuses a write (busy past patience, read-only file), the run goes on unrecorded and the
 * logger says so once, rather than failing work that was decided.
 */
export async function startRecording(backend: Backend, start: RunStart, logger: Logger): Promise<RecordedRun | undefined> {
  if (!isRunRecorder(backend)) return undefined;
  let warned = false;
  const warn = (error: unknown) => {
    if (warned) return;
    warned = true;
    logger.warn({ err: describeFailure(error) }, `the run could not be recorded in ${backend.description}; the run itself goes on`);
  };
  let recorded: RecordedRun;
  try {
    recorded = await backend.startRun(start);
  } catch (error) {
    warn(error);
    return undefined;
  }
  return {
    id: recorded.id,
    progress: (report) => recorded.progress(report).catch(warn),
    finish: (report, error) => recorded.finish(report, error).catch(warn),
  };
}

/** The options of a Runner execution worth keeping with its record: how it worked, nothing live. */
export function recordedOptions(resolved: ResolvedExecuteOptions, stages: readonly BoundStage[]): Record<string, unknown> {
  return {
    stages: stages.map((b) => b.stage.title),
    numRetries: resolved.numRetries,
    taskBatchSize: resolved.taskBatchSize,
    maxTasksPerStage: resolved.maxTasksPerStage ?? null,
    concurrency: resolved.concurrency,
    taskTimeoutMs: resolved.taskTimeoutMs ?? null,
    refreshEveryMs: resolved.refreshEveryMs ?? null,
    watch: resolved.watch,
    retryFailedAfterMs: resolved.retryFailedAfterMs ?? null,
    gracePeriodMs: resolved.gracePeriodMs,
  };
}
