import type { Logger } from "pino";
import type { OutputMode } from "../options.js";
import { jsonOutput } from "./json-output.js";
import { logLinesOutput } from "./log-lines-output.js";
import type { OutputStreams } from "./output-streams.js";
import type { RunEvents } from "./run-events.js";
import { createRunLogger } from "./run-logger.js";
import { ttyOutput } from "./tty-output.js";

/** The display for an output mode; `auto` picks bars on a terminal and log lines otherwise. */
export function createRunOutput(mode: OutputMode, streams: OutputStreams, logger?: Logger): RunEvents {
  const chosen = mode === "auto" ? (streams.stderr.isTTY ? "tty" : "plain") : mode;
  switch (chosen) {
    case "tty":
      return ttyOutput(streams);
    case "plain":
      return logLinesOutput(logger ?? createRunLogger("human", streams.stderr), streams);
    case "json":
      return jsonOutput(logger ?? createRunLogger("json", streams.stderr), streams);
    case "silent":
      return logLinesOutput(logger ?? createRunLogger("silent", streams.stderr), streams, false);
    default: {
      const unreachable: never = chosen;
      throw new Error(`unknown output mode ${String(unreachable)}`);
    }
  }
}
