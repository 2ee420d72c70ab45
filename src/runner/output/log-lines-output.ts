import type { Logger } from "pino";
import { renderReport, type RunReport } from "../run-report.js";
import type { BatchSummary, RunEvents } from "./run-events.js";
import type { OutputStreams } from "./output-streams.js";
import type { StageReport } from "../run-report.js";

const rate = (count: number, ms: number) => (ms > 0 ? Math.round((count * 1000) / ms) : count);

/** Plain log lines (one per batch) on stderr and the summary table on stdout: for logs and CI. */
export function logLinesOutput(logger: Logger, streams: OutputStreams, showReport = true): RunEvents {
  return {
    logger,
    runStarted: ({ backend, project, stages }) =>
      logger.info(
        `task-agents run on ${backend}, project ${JSON.stringify(project.title)} ` +
          `(${project.uuid}); stages: ${stages.map((s) => JSON.stringify(s.title)).join(", ")}`,
      ),
    stageStarted: (stage, pass, total) =>
      logger.info(`pass ${pass}: stage ${JSON.stringify(stage.title)}${total === undefined ? "" : `, ${total} task${total === 1 ? "" : "s"} waiting`}`),
    batchStarted: () => undefined,
    taskFinished: () => undefined,
    taskFailed: (stage, failure) =>
      logger.warn(
        `task ${failure.taskUuid} failed after ${failure.attempts} attempt` +
          `${failure.attempts === 1 ? "" : "s"} in stage ${JSON.stringify(stage.title)}: ` +
          `${failure.error.message}` +
          `${failure.routedTo === undefined ? "" : `; moved along ${JSON.stringify(failure.routedTo)}`}`,
      ),
    batchCommitted: (stage: StageReport, b: BatchSummary) =>
      logger.info(
        `stage ${JSON.stringify(stage.title)} batch ${b.number}: ${b.size} tasks, ${b.moved}` +
          ` moved, ${b.left} left, ${b.failed} failed${b.refused ? `, ${b.refused} refused` : ""}` +
          ` in ${(b.durationMs / 1000).toFixed(2)} s (${rate(b.size, b.durationMs)} tasks/s)`,
      ),
    stageFinished: () => undefined,
    passFinished: (pass, next) => {
      if (next !== undefined) logger.info(`pass ${pass} done; next pass in ${(next / 1000).toFixed(1)} s`);
    },
    stopRequested: (reason) => logger.warn(`stopping (${reason}): no new tasks; in-flight tasks finish, decisions are committed`),
    runFinished: (report: RunReport) => {
      if (showReport) streams.stdout.write(renderReport(report));
    },
    close: () => undefined,
  };
}
