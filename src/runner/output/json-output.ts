import type { Logger } from "pino";
import { describeFailure, stageTotals, unlistedFailures, type RunReport } from "../run-report.js";
import type { RunEvents } from "./run-events.js";
import type { OutputStreams } from "./output-streams.js";

/** One JSON object per event on stdout (`--json`); logs go to stderr as pino JSON. */
export function jsonOutput(logger: Logger, streams: OutputStreams): RunEvents {
  const emit = (event: string, fields: Record<string, unknown>) =>
    streams.stdout.write(JSON.stringify({ event, time: new Date().toISOString(), ...fields }) + "\n");
  return {
    logger,
    runStarted: ({ backend, project, stages }) =>
      emit("run-started", { backend, projectHash: project.uuid, projectTitle: project.title, stages: stages.map((s) => ({ uuid: s.uuid, title: s.title })) }),
    stageStarted: (stage, pass, total) => emit("stage-started", { pass, stage: stage.title, stageUuid: stage.uuid, waiting: total ?? null }),
    batchStarted: (stage, batch, size) => emit("batch-started", { stage: stage.title, batch, size }),
    taskFinished: () => undefined,
    taskFailed: (stage, failure) => emit("task-failed", { stage: stage.title, ...failure }),
    // `batch` is the batch's number, as in batch-started; `number` stays for readers written before.
    batchCommitted: (stage, { number, ...counts }) => emit("batch-committed", { stage: stage.title, batch: number, ...counts, number }),
    stageFinished: (stage) => emit("stage-finished", stageTotals(stage)),
    passFinished: (pass, next) => emit("pass-finished", { pass, nextPassInMs: next ?? null }),
    stopRequested: (reason) => emit("stop-requested", { reason }),
    // failuresNotListed: failures counted but past the report's list of the first ones per stage.
    runFinished: (report: RunReport, error?: unknown) =>
      emit("run-finished", { report, failuresNotListed: unlistedFailures(report), ...(error === undefined ? {} : { error: describeFailure(error) }) }),
    close: () => undefined,
  };
}
