import type { Logger } from "pino";
import type { OutputMode } from "../options.js";
import { withDebugLogs } from "./debug-events.js";
import { jsonOutput } from "./json-output.js";
import { logLinesOutput } from "./log-lines-output.js";
import type { OutputStreams } from "./output-streams.js";
import type { RunEvents } from "./run-events.js";
import { createRunLogger, type LogLevel } from "./run-logger.js";
import { ttyOutput } from "./tty-output.js";

/**
 * The display for an output mode; `auto` picks bars on a terminal and log lines otherwise.
 * `level` is that of the logger made here (a `logger` passed in keeps its own).
 */
export function createRunOutput(mode: OutputMode, streams: OutputStreams, logger?: Logger, level: LogLevel = "info"): RunEvents {
  return withDebugLogs(displayFor(mode, streams, logger, level));
}

function displayFor(mode: OutputMode, streams: OutputStreams, logger: Logger | undefined, level: LogLevel): RunEvents {
  const chosen = mode === "auto" ? (streams.stderr.isTTY ? "tty" : "plain") : mode;
  switch (chosen) {
    case "tty":
      return ttyOutput(streams, level);
    case "plain":
      return logLinesOutput(logger ?? createRunLogger("human", streams.stderr, level), streams);
    case "json":
      return jsonOutput(logger ?? createRunLogger("json", streams.stderr, level), streams);
    case "silent":
      return logLinesOutput(logger ?? createRunLogger("silent", streams.stderr), streams, false);
    default: {
      const unreachable: never = chosen;
      throw new Error(`unknown output mode ${String(unreachable)}`);
    }
  }
}
