import { failedCount, stageTotals } from "../run-report.js";
import type { RunEvents } from "./run-events.js";

/**
 * Adds the run's debug and trace logs to a display, whichever it is: at `debug` each batch's
 * start and committed counts, each stage's totals and the run's outcome; at `trace` each task's
 * outcome. (Failed attempts are logged at `debug` with their errors where they happen.) Logs
 * go through the display's logger, so they are cleaned of secrets like every other line.
 */
export function withDebugLogs(events: RunEvents): RunEvents {
  const { logger } = events;
  return {
    ...events,
    batchStarted: (stage, batch, size) => {
      logger.debug(
        { stage: stage.title, batch, tasks: size },
        `stage ${JSON.stringify(stage.title)} batch ${batch}: ${size} task${size === 1 ? "" : "s"} fetched`,
      );
      events.batchStarted(stage, batch, size);
    },
    taskFinished: (stage, outcome) => {
      logger.trace({ stage: stage.title, outcome, seen: stage.seen }, `task ${outcome}`);
      events.taskFinished(stage, outcome);
    },
    batchCommitted: (stage, batch) => {
      logger.debug(
        {
          stage: stage.title,
          batch: batch.number,
          tasks: batch.size,
          moved: batch.moved,
          left: batch.left,
          failed: batch.failed,
          refused: batch.refused,
          durationMs: Math.round(batch.durationMs),
        },
        `stage ${JSON.stringify(stage.title)} batch ${batch.number} committed`,
      );
      events.batchCommitted(stage, batch);
    },
    stageFinished: (stage) => {
      logger.debug(
        { ...stageTotals(stage), refused: stage.refused, durationMs: Math.round(stage.durationMs) },
        `stage ${JSON.stringify(stage.title)} finished`,
      );
      events.stageFinished(stage);
    },
    runFinished: (report, error) => {
      logger.debug({ end: report.end, passes: report.passes, failed: failedCount(report), durationMs: Math.round(report.durationMs) }, "run finished");
      events.runFinished(report, error);
    },
  };
}
