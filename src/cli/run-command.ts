import { Command, CommanderError, InvalidArgumentError, Option } from "@commander-js/extra-typings";
import { selectBackend } from "../backends/select-backend.js";
import { maxRequestsPerSecondVariable } from "../backends/encord/rate-setting.js";
import { ConfigurationError } from "../domain/errors.js";
import { formatCommandError } from "../shared/error-message.js";
import { exitCodes, taskWorkExitCode } from "../shared/exit-codes.js";
import { maxTimerSeconds, type ExecuteOptions } from "../runner/options.js";
import type { OutputStreams } from "../runner/output/output-streams.js";
import { logLevels, type LogLevel } from "../runner/output/run-logger.js";
import { failedCount } from "../runner/run-report.js";
import type { Runner } from "../runner/runner.js";
import { abandonedHandlersStillRunning } from "../runner/abandoned-handlers.js";
import { endProcess, noticeAbandonedHandlers } from "./process-end.js";
import { RunInterrupts } from "./run-interrupts.js";
import { warnOnUnhandledRejections } from "../shared/unhandled-rejections.js";

/** The environment variable read when `--log-level` is not given. */
export const logLevelVariable = "TASK_AGENTS_LOG_LEVEL";

/** A commander argument parser that takes a number for `flag` (shared with `task-agents demo`). */
export function number(flag: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (value.trim() === "" || !Number.isFinite(parsed)) throw new InvalidArgumentError(`${flag} takes a number, got ${JSON.stringify(value)}.`);
    return parsed;
  };
}

/** Parses a duration flag in seconds: more than 0, at most what a Node timer can wait. */
export function durationSeconds(flag: string) {
  const parse = number(flag);
  return (value: string): number => {
    const parsed = parse(value);
    if (parsed <= 0) throw new InvalidArgumentError(`${flag} takes a number of seconds more than 0, got ${JSON.stringify(value)}.`);
    if (parsed > maxTimerSeconds)
      throw new InvalidArgumentError(
        `${flag} takes at most ${maxTimerSeconds} seconds (about 24.8 days, the longest a timer can wait), got ${JSON.stringify(value)}.`,
      );
    return parsed;
  };
}

/**
 * Parses a flag that takes a whole number from 1 to `max`, refusing anything else at parse time
 * with the range (1e20 is a whole number, just too big).
 */
export function positiveInteger(flag: string, max = Number.MAX_SAFE_INTEGER) {
  const parse = number(flag);
  return (value: string): number => {
    const parsed = parse(value);
    if (!Number.isInteger(parsed) || parsed < 1 || parsed > max)
      throw new InvalidArgumentError(`${flag} takes a whole number from 1 to ${max}, got ${JSON.stringify(value)}.`);
    return parsed;
  };
}

/** Like {@link positiveInteger}, refusing values over `max` (`unit` names what the number counts). */
export function positiveIntegerUpTo(flag: string, max: number, unit: string) {
  const parse = positiveInteger(flag);
  return (value: string): number => {
    const parsed = parse(value);
    if (parsed > max) throw new InvalidArgumentError(`${flag} takes at most ${max} ${unit}, got ${JSON.stringify(value)}.`);
    return parsed;
  };
}

/** A parser of a TCP port flag: 0 (any free port) to 65535. */
export function portNumber(flag: string) {
  const parse = positiveIntegerUpTo(flag, 65535, "(the highest TCP port)");
  return (value: string): number => (value.trim() === "0" ? 0 : parse(value));
}

/** A command with the runner's flags (shared by `runner.run()` and `task-agents run`). */
export function runnerCommand(name: string) {
  return new Command(name)
    .addOption(new Option("--project-hash <uuid>", "project to run on (wins over the one in the code)"))
    .addOption(
      new Option("--refresh-every <seconds>", "poll: start a new pass this many seconds after the previous one started").argParser(number("--refresh-every")),
    )
    .addOption(
      new Option("--watch", "local store: keep running and start a pass as soon as tasks arrive or move (no fixed interval; not with --refresh-every)"),
    )
    .addOption(new Option("--num-retries <n>", "extra attempts for a failing task (default 3)").argParser(number("--num-retries")))
    .addOption(new Option("--task-batch-size <n>", "tasks fetched, handled and committed together (default 300)").argParser(number("--task-batch-size")))
    .addOption(new Option("--max-tasks-per-stage <n>", "at most this many tasks per stage per pass").argParser(number("--max-tasks-per-stage")))
    .addOption(new Option("--concurrency <n>", "handlers in flight at once (default 1)").argParser(number("--concurrency")))
    .addOption(new Option("--task-timeout <seconds>", "an attempt taking longer fails (and is retried)").argParser(number("--task-timeout")))
    .addOption(new Option("--grace-period <seconds>", "after Ctrl-C, how long in-flight handlers may finish (default 30)").argParser(number("--grace-period")))
    .addOption(
      new Option(
        "--retry-failed-after <seconds>",
        "try a task that failed for good (in a stage without onFailure) again after this " +
          "long; until then later passes skip it (default: never in this process; 0: every pass)",
      ).argParser(number("--retry-failed-after")),
    )
    .addOption(
      new Option(
        "--claim-lease <seconds>",
        "local store: how long this run's claim on the tasks of a batch outlasts the run " +
          "if it hangs; other runs of the stage take them after it (renewed while the batch " +
          "is handled; a killed run's tasks are free at once on this machine; default 300)",
      ).argParser(number("--claim-lease")),
    )
    .addOption(
      new Option(
        "--max-requests-per-second <n>",
        `Encord only: a fixed cap on requests per second, for a negotiated rate limit (env: ` +
          `${maxRequestsPerSecondVariable}; default none: the client ` +
          `halves its requests in flight when Encord throttles)`,
      ).argParser(number("--max-requests-per-second")),
    )
    .addOption(new Option("--store <path>", "local store file (env: TASK_AGENTS_STORE; default ./.task-agents/store.db)"))
    .addOption(
      new Option(
        "--backend <kind>",
        "where projects live (default: local with --store; else encord when ENCORD_SSH_KEY, ENCORD_SSH_KEY_FILE or ENCORD_BEARER_TOKEN is set; else local)",
      ).choices(["local", "encord"] as const),
    )
    .addOption(new Option("--json", "one JSON object per event on stdout"))
    .addOption(
      new Option(
        "--log-level <level>",
        `log level; debug adds batch and stage counts and failed attempts, trace each ` +
          `task (env: ${logLevelVariable}; default info; secrets are removed at every level)`,
      ).choices(logLevels),
    );
}

/** Parsed runner flags. */
export interface RunnerFlags {
  projectHash?: string;
  refreshEvery?: number;
  watch?: true;
  numRetries?: number;
  taskBatchSize?: number;
  maxTasksPerStage?: number;
  concurrency?: number;
  taskTimeout?: number;
  gracePeriod?: number;
  retryFailedAfter?: number;
  claimLease?: number;
  maxRequestsPerSecond?: number;
  store?: string;
  backend?: "local" | "encord";
  json?: true;
  logLevel?: LogLevel;
}

/** `--log-level`, else a non-empty TASK_AGENTS_LOG_LEVEL (checked here, so the message names it), else absent. */
export function logLevelFrom(flags: Pick<RunnerFlags, "logLevel">, env: NodeJS.ProcessEnv): LogLevel | undefined {
  if (flags.logLevel !== undefined) return flags.logLevel;
  const fromEnv = env[logLevelVariable]?.trim().toLowerCase();
  if (fromEnv === undefined || fromEnv === "") return undefined;
  if (!(logLevels as readonly string[]).includes(fromEnv)) {
    throw new ConfigurationError("TA_INVALID_ARGUMENT", `${logLevelVariable} is ${JSON.stringify(env[logLevelVariable])}; accepted: ${logLevels.join(", ")}.`);
  }
  return fromEnv as LogLevel;
}

/** The execute options the flags stand for; absent flags stay absent so defaults apply. */
export function flagsToExecuteOptions(flags: RunnerFlags, signal: AbortSignal, env: NodeJS.ProcessEnv = {}): ExecuteOptions {
  return {
    projectHash: flags.projectHash,
    refreshEvery: flags.refreshEvery,
    watch: flags.watch,
    numRetries: flags.numRetries,
    taskBatchSize: flags.taskBatchSize,
    maxTasksPerStage: flags.maxTasksPerStage,
    concurrency: flags.concurrency,
    taskTimeout: flags.taskTimeout,
    gracePeriod: flags.gracePeriod,
    retryFailedAfter: flags.retryFailedAfter,
    claimLease: flags.claimLease,
    output: flags.json ? "json" : "auto",
    logLevel: logLevelFrom(flags, env),
    signal,
  };
}

/**
 * Gives the runner the backend the flags choose (`--store`, `--backend`,
 * `--max-requests-per-second`, else the environment), unless its code gave it one, in which case
 * those flags are refused. Shared by `run` and `serve`.
 */
export function attachBackend(
  runner: Runner,
  flags: Pick<RunnerFlags, "store" | "backend" | "maxRequestsPerSecond" | "json">,
  streams: OutputStreams,
  env: NodeJS.ProcessEnv,
): void {
  if (runner.hasOwnBackend) {
    if (flags.store !== undefined || flags.backend !== undefined || flags.maxRequestsPerSecond !== undefined) {
      throw new ConfigurationError(
        "TA_INVALID_ARGUMENT",
        "--store, --backend and --max-requests-per-second configure the backend, but this runner " +
          "was given its own in code; drop the flag, or set the option on the backend you pass.",
      );
    }
    return;
  }
  const warn = (message: string) => streams.stderr.write(flags.json ? `${JSON.stringify({ warning: { message } })}\n` : `warning: ${message}\n`);
  runner.useBackend(
    selectBackend(
      {
        storePath: flags.store,
        warn,
        ...(flags.backend === undefined ? {} : { kind: flags.backend }),
        ...(flags.maxRequestsPerSecond === undefined ? {} : { maxRequestsPerSecond: flags.maxRequestsPerSecond }),
      },
      env,
    ),
  );
}

/**
 * Executes a runner with parsed flags and turns the outcome into an exit code by the rule of
 * {@link taskWorkExitCode}: 0 all tasks done or left, 2 some failed (abandoned ones included),
 * 130/143 a second signal forced the stop; 1 configuration error (printed as one clear
 * message). With `installSignalHandlers` (the real process), SIGINT and SIGTERM stop the run as
 * {@link RunInterrupts} says, a promise left rejected is a warning, and handlers still running
 * after the run are listed.
 */
export async function executeWithFlags(
  runner: Runner,
  flags: RunnerFlags,
  options: { streams: OutputStreams; installSignalHandlers: boolean; env: NodeJS.ProcessEnv },
): Promise<number> {
  const json = flags.json === true;
  const interrupts = new RunInterrupts(options.streams.stderr, json);
  let stopWarning = () => undefined as void;
  if (options.installSignalHandlers) {
    interrupts.install();
    stopWarning = warnOnUnhandledRejections(options.streams.stderr, json);
  }
  // The run's report, events and logs go to the caller's streams (the CLI's io, not the process's).
  runner.streams = options.streams;
  try {
    attachBackend(runner, flags, options.streams, options.env);
    const report = await runner.execute(flagsToExecuteOptions(flags, interrupts.signal, options.env));
    interrupts.finish();
    if (options.installSignalHandlers) noticeAbandonedHandlers(options.streams.stderr, json);
    return taskWorkExitCode({ failedTasks: failedCount(report), forcedBy: interrupts.forcedBy });
  } catch (error) {
    options.streams.stderr.write(formatCommandError(error, json));
    return exitCodes.usageError;
  } finally {
    try {
      // A store the runner opened for this run is closed with it; a backend passed in stays open.
      await runner.close();
    } finally {
      interrupts.dispose();
      stopWarning();
    }
  }
}

/** `--help` of `task-agents run` and of agent files: exit codes and what signals do. */
export const runExitHelp = `Exit codes:
  0    no task failed (also after Ctrl-C, once the in-flight tasks finished)
  1    configuration error (bad flag, unknown project, stage or pathway)
  2    some tasks failed, abandoned ones included (--task-timeout, the grace period)
  130  a second Ctrl-C forced the stop (143 for SIGTERM)

Ctrl-C (or SIGTERM) takes no new tasks; in-flight ones get --grace-period to finish, then are
abandoned. A second Ctrl-C abandons them at once and commits what was decided, saying how many
tasks it dropped; a third ends the process. Once the report is printed the process exits, even
if abandoned handlers are still running (they are listed).`;

/** `runner.run(argv)`: parses the runner's flags and executes. */
export async function runFromCommandLine(
  runner: Runner,
  argv: readonly string[],
  options: { streams: OutputStreams; installSignalHandlers: boolean; env: NodeJS.ProcessEnv },
): Promise<number> {
  const program = runnerCommand("agent")
    .description("Run this file's task agents on the tasks waiting in their stages.")
    .configureOutput({ writeOut: (t) => options.streams.stdout.write(t), writeErr: (t) => options.streams.stderr.write(t) })
    .exitOverride()
    .addHelpText("after", `\n${runExitHelp}\n\nExample:\n  npx tsx agent.ts --project-hash <uuid> --concurrency 8`);
  try {
    program.parse([...argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? exitCodes.ok : exitCodes.usageError;
    throw error;
  }
  const code = await executeWithFlags(runner, program.opts(), options);
  // The file's program is over: handlers the run abandoned do not get to hold the process.
  if (options.installSignalHandlers && abandonedHandlersStillRunning().length > 0) await endProcess(code);
  return code;
}
