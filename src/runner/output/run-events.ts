import type { Logger } from "pino";
import type { AgentStage, Project } from "../../domain/workflow.js";
import type { RunReport, StageReport } from "../run-report.js";

/** One committed batch, as progress displays show it. */
export interface BatchSummary {
  readonly number: number;
  readonly size: number;
  readonly moved: number;
  readonly left: number;
  readonly failed: number;
  readonly refused: number;
  readonly durationMs: number;
}

/** What a run tells its display; each display (bars, log lines, JSON, nothing) implements it. */
export interface RunEvents {
  /** Logs of the run and of handlers (through `context.logger`). */
  readonly logger: Logger;
  runStarted(info: { backend: string; project: Project; stages: readonly AgentStage[] }): void;
  stageStarted(stage: StageReport, pass: number, total: number | undefined): void;
  batchStarted(stage: StageReport, batch: number, size: number): void;
  taskFinished(stage: StageReport, outcome: "succeeded" | "failed"): void;
  taskFailed(stage: StageReport, failure: StageReport["failures"][number]): void;
  batchCommitted(stage: StageReport, batch: BatchSummary): void;
  stageFinished(stage: StageReport): void;
  passFinished(pass: number, nextPassInMs: number | undefined): void;
  stopRequested(reason: string): void;
  runFinished(report: RunReport, error?: unknown): void;
  /** Releases terminals and timers. */
  close(): void;
}
