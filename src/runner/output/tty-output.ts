import { MultiBar, Presets, type SingleBar } from "cli-progress";
import type { Logger } from "pino";
import { renderReport, type RunReport } from "../run-report.js";
import type { RunEvents } from "./run-events.js";
import { createRunLogger, type LogLevel } from "./run-logger.js";
import type { OutputStreams } from "./output-streams.js";

/**
 * Progress bars on a terminal (stderr): one per stage with its rate and, when the backend can
 * count the stage, an ETA; one for the batch in progress. Log lines print above the bars.
 */
export function ttyOutput(streams: OutputStreams, level: LogLevel = "info"): RunEvents {
  const bars = new MultiBar(
    {
      stream: streams.stderr as NodeJS.WriteStream,
      clearOnComplete: false,
      hideCursor: true,
      etaBuffer: 200,
      format: "{label} |{bar}| {value}/{total} tasks  {rate}/s  eta {eta_formatted}",
    },
    Presets.shades_classic,
  );
  const logger: Logger = createRunLogger("human", { write: (text: string) => bars.log(text) }, level);
  let stageBar: SingleBar | undefined;
  let batchBar: SingleBar | undefined;
  let stageStartedAt = 0;
  let done = 0;
  const rate = () => String(Math.round((done * 1000) / Math.max(1, Date.now() - stageStartedAt)));

  return {
    logger,
    runStarted: ({ backend, project }) => logger.info(`task-agents run on ${backend}, project ${JSON.stringify(project.title)} (${project.uuid})`),
    stageStarted: (stage, pass, total) => {
      stageStartedAt = Date.now();
      done = 0;
      stageBar = bars.create(total ?? 0, 0, { label: `pass ${pass} ${stage.title}`.padEnd(24).slice(0, 24), rate: "0" });
    },
    batchStarted: (_stage, batch, size) => {
      if (batchBar) bars.remove(batchBar);
      batchBar = bars.create(size, 0, { label: `  batch ${batch}`.padEnd(24), rate: "0" });
    },
    taskFinished: () => {
      done++;
      const payload = { rate: rate() };
      batchBar?.increment(1, payload);
      if (stageBar) {
        if (stageBar.getTotal() < done) stageBar.setTotal(done);
        stageBar.increment(1, payload);
      }
    },
    taskFailed: (stage, failure) =>
      logger.warn(
        `task ${failure.taskUuid} failed after ${failure.attempts} attempt(s) in ` +
          `${JSON.stringify(stage.title)}: ${failure.error.message}` +
          `${failure.routedTo === undefined ? "" : `; moved along ${JSON.stringify(failure.routedTo)}`}`,
      ),
    batchCommitted: () => undefined,
    stageFinished: () => {
      if (batchBar) bars.remove(batchBar);
      batchBar = undefined;
      stageBar?.stop();
    },
    passFinished: (pass, next) => {
      if (next !== undefined) logger.info(`pass ${pass} done; next pass in ${(next / 1000).toFixed(1)} s`);
    },
    stopRequested: (reason) => logger.warn(`stopping (${reason}): no new tasks; in-flight tasks finish, decisions are committed`),
    runFinished: (report: RunReport) => {
      bars.stop();
      streams.stdout.write(renderReport(report));
    },
    close: () => bars.stop(),
  };
}
