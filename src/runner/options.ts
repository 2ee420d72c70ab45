import type { Logger } from "pino";
import { z } from "zod";
import type { Backend } from "../backends/backend.js";
import { ConfigurationError } from "../domain/errors.js";
import { logLevels, type LogLevel } from "./output/run-logger.js";
import type { Runner } from "./runner.js";
import { defaultClaimLeaseSeconds } from "./stage-claims.js";

/** How a run shows its progress. */
export type OutputMode = "auto" | "tty" | "plain" | "json" | "silent";

/** Options of `new Runner()`. */
export interface RunnerOptions {
  /** The project to run on; may also be given to `execute()` or as `--project-hash`. */
  readonly projectHash?: string;
  /** Where projects live. @defaultValue the local store (`TASK_AGENTS_STORE` or ./.task-agents/store.db) */
  readonly backend?: Backend;
  /** Runs once per execution, after validation and before the first task, with `runner.project` set. */
  readonly preExecutionCallback?: (runner: Runner) => void | Promise<void>;
}

/** Options of `runner.execute()`. */
export interface ExecuteOptions {
  /** The project to run on (wins over the constructor's). */
  readonly projectHash?: string;
  /** Seconds between the starts of two passes; absent: one pass. */
  readonly refreshEvery?: number;
  /**
   * Keep running and start a pass whenever the backend's data changes (a task arrives, moves or
   * is added), until `signal` aborts; needs a backend that can tell (the local store). Not with
   * `refreshEvery`. @defaultValue false
   */
  readonly watch?: boolean;
  /** Extra attempts after a task fails. @defaultValue 3 (up to 4 attempts) */
  readonly numRetries?: number;
  /** Tasks fetched, handled and committed together. @defaultValue 300 */
  readonly taskBatchSize?: number;
  /** At most this many tasks per stage per pass (an integer ≥ 1). */
  readonly maxTasksPerStage?: number;
  /** Handlers in flight at once. @defaultValue 1 */
  readonly concurrency?: number;
  /** Aborting it stops the run gracefully: no new tasks, in-flight ones finish, decisions are committed. */
  readonly signal?: AbortSignal;
  /** Seconds one attempt of a handler may take; past it the attempt fails (and is retried). @defaultValue no limit */
  readonly taskTimeout?: number;
  /** Seconds in-flight handlers may take after a stop before they are abandoned. @defaultValue 30 */
  readonly gracePeriod?: number;
  /** Progress display. `auto`: bars on a terminal, log lines otherwise. @defaultValue "auto" */
  readonly output?: OutputMode;
  /** Logger for run events and handler logs. @defaultValue one made for `output` */
  readonly logger?: Logger;
  /**
   * Level of the logger the run makes (a `logger` passed in keeps its own): `debug` adds each
   * batch's and stage's counts and failed attempts with their errors, `trace` each task's
   * outcome. Secrets are removed at every level. @defaultValue "info"
   */
  readonly logLevel?: LogLevel;
  /**
   * Seconds after which a task that failed for good (in a stage without `onFailure`) is tried
   * again; until then later passes of the same Runner skip it. 0 tries it on every pass.
   * @defaultValue skipped for the Runner's life
   */
  readonly retryFailedAfter?: number;
  /**
   * Local store: seconds a claim on a batch's tasks lasts when its run stops renewing it (a hung
   * or frozen process); other runs of the stage then take those tasks. A run renews its claims
   * every third of this while it handles them, and a run on the same machine takes a killed
   * run's tasks at once. At least 1. @defaultValue 300
   */
  readonly claimLease?: number;
}

/**
 * Options of `runner.runStage()`: those of `execute()` but `refreshEvery` (one pass), and
 * `output` defaults to `"silent"`.
 */
export type RunStageOptions = Omit<ExecuteOptions, "refreshEvery" | "watch">;

/** Execute options after validation and defaults, with units in their names. */
export interface ResolvedExecuteOptions extends HandlingSettings {
  readonly projectHash: string | undefined;
  readonly refreshEveryMs: number | undefined;
  readonly watch: boolean;
  readonly taskBatchSize: number;
  readonly maxTasksPerStage: number | undefined;
  readonly signal: AbortSignal | undefined;
  readonly gracePeriodMs: number;
  readonly output: OutputMode;
  readonly logger: Logger | undefined;
  readonly logLevel: LogLevel;
  readonly retryFailedAfterMs: number | undefined;
  readonly claimLeaseMs: number;
}

/**
 * The longest duration Node's timers can wait: 2^31 − 1 ms (about 24.8 days). A longer one fires
 * after 1 ms, so longer durations are refused rather than turned into a hot loop.
 */
export const maxTimerSeconds = 2_147_483;
/** The most handlers a runner keeps in flight at once. */
export const maxConcurrency = 1000;

const timerLimit = (what: string) => `${what} must be at most ${maxTimerSeconds} seconds (about 24.8 days)`;

/**
 * A whole number from 1 to `max`. Number.isInteger rather than zod's int(), which also refuses
 * integers past 2^53 and so called 1e20 "not a whole number"; too big a number gets the range.
 */
const positiveIntegerOption = (what: string, max = Number.MAX_SAFE_INTEGER) =>
  z
    .number({ error: `${what} must be a number` })
    .refine((n) => Number.isInteger(n), `${what} must be a whole number`)
    .min(1, `${what} must be at least 1`)
    .max(max, `${what} must be between 1 and ${max}`);

/**
 * How tasks are handled, whichever runner handles them: the one definition of these options (their
 * rules and messages) that `execute()` and `new QueueRunner()` both validate with; each sets its
 * own defaults.
 */
const handlingOptions = {
  numRetries: z
    .number()
    .refine((n) => Number.isInteger(n), "numRetries must be a whole number")
    .min(0, "numRetries must be 0 or more")
    .max(Number.MAX_SAFE_INTEGER, `numRetries must be between 0 and ${Number.MAX_SAFE_INTEGER}`),
  concurrency: positiveIntegerOption("concurrency", maxConcurrency),
  taskTimeout: z.number().positive("taskTimeout must be more than 0 seconds").max(maxTimerSeconds, timerLimit("taskTimeout")),
};

/** Handling options after validation and defaults, as the handling environment takes them. */
export interface HandlingSettings {
  readonly numRetries: number;
  readonly concurrency: number;
  readonly taskTimeoutMs: number | undefined;
}

const executeSchema = z
  .strictObject({
    projectHash: z.string().optional(),
    refreshEvery: z.number().positive("refreshEvery must be more than 0 seconds").max(maxTimerSeconds, timerLimit("refreshEvery")).optional(),
    watch: z.boolean({ error: "watch must be true or false" }).default(false),
    numRetries: handlingOptions.numRetries.default(3),
    taskBatchSize: positiveIntegerOption("taskBatchSize").default(300),
    maxTasksPerStage: positiveIntegerOption("maxTasksPerStage").optional(),
    concurrency: handlingOptions.concurrency.default(1),
    signal: z.instanceof(AbortSignal).optional(),
    taskTimeout: handlingOptions.taskTimeout.optional(),
    gracePeriod: z.number().min(0, "gracePeriod must be 0 or more seconds").max(maxTimerSeconds, timerLimit("gracePeriod")).default(30),
    output: z.enum(["auto", "tty", "plain", "json", "silent"]).default("auto"),
    logger: z
      .custom<Logger>((v) => typeof v === "object" && v !== null && typeof (v as Logger).child === "function", "logger must be a pino logger")
      .optional(),
    logLevel: z.enum(logLevels, { error: `logLevel must be one of ${logLevels.map((l) => JSON.stringify(l)).join(", ")}` }).default("info"),
    retryFailedAfter: z.number({ error: "retryFailedAfter must be a number of seconds" }).min(0, "retryFailedAfter must be 0 or more seconds").optional(),
    claimLease: z
      .number({ error: "claimLease must be a number of seconds" })
      .min(1, "claimLease must be at least 1 second")
      .max(maxTimerSeconds, timerLimit("claimLease"))
      .default(defaultClaimLeaseSeconds),
  })
  .transform((o): ResolvedExecuteOptions => ({
    projectHash: o.projectHash,
    refreshEveryMs: o.refreshEvery === undefined ? undefined : o.refreshEvery * 1000,
    watch: o.watch,
    numRetries: o.numRetries,
    taskBatchSize: o.taskBatchSize,
    maxTasksPerStage: o.maxTasksPerStage,
    concurrency: o.concurrency,
    signal: o.signal,
    taskTimeoutMs: o.taskTimeout === undefined ? undefined : o.taskTimeout * 1000,
    gracePeriodMs: o.gracePeriod * 1000,
    output: o.output,
    logger: o.logger,
    logLevel: o.logLevel,
    retryFailedAfterMs: o.retryFailedAfter === undefined ? undefined : o.retryFailedAfter * 1000,
    claimLeaseMs: o.claimLease * 1000,
  }));

/**
 * A QueueRunner's handling options: those of `execute()`, but one attempt by default (the queue
 * may retry whole jobs) and no concurrency of its own unless given (a worker's then applies).
 */
const queueRunnerSchema = z
  .object({
    numRetries: handlingOptions.numRetries.default(0),
    concurrency: handlingOptions.concurrency.optional(),
    taskTimeout: handlingOptions.taskTimeout.optional(),
  })
  .transform((o) => ({ numRetries: o.numRetries, concurrency: o.concurrency, taskTimeoutMs: o.taskTimeout === undefined ? undefined : o.taskTimeout * 1000 }));

/** A QueueRunner's handling options after validation; `concurrency` undefined: the worker's, else 1. */
export type QueueRunnerSettings = Omit<HandlingSettings, "concurrency"> & { readonly concurrency: number | undefined };

/**
 * Validates and defaults execute options once, at the boundary; flags from the command line go
 * through here too (with absent ones dropped), so both fail alike.
 */
export function resolveExecuteOptions(options: ExecuteOptions): ResolvedExecuteOptions {
  const defined = definedOptions(options);
  if (defined.watch === true && defined.refreshEvery !== undefined) {
    throw new ConfigurationError(
      "TA_INVALID_ARGUMENT",
      "Invalid run options: watch (--watch) and refreshEvery (--refresh-every) cannot be " +
        "combined: watch starts a pass when the store changes, refreshEvery on a clock. Choose one.",
    );
  }
  return parseOptions(executeSchema, defined, Object.keys(executeSchema.in.shape));
}

/** Validates a QueueRunner's handling options at construction, with the rules and messages of execute()'s. */
export function resolveQueueRunnerOptions(options: {
  readonly numRetries?: number;
  readonly concurrency?: number;
  readonly taskTimeout?: number;
}): QueueRunnerSettings {
  const { numRetries, concurrency, taskTimeout } = options;
  return parseOptions(queueRunnerSchema, definedOptions({ numRetries, concurrency, taskTimeout }), Object.keys(queueRunnerSchema.in.shape));
}

function definedOptions(options: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
}

/** Parses options with `schema`, or throws one ConfigurationError listing every problem with the value given. */
function parseOptions<T>(schema: z.ZodType<T>, defined: Record<string, unknown>, accepted: readonly string[]): T {
  const parsed = schema.safeParse(defined);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const key = issue.path.join(".");
    if (issue.code === "unrecognized_keys")
      return `unknown option${issue.keys.length === 1 ? "" : "s"} ${issue.keys.map((k) => JSON.stringify(k)).join(", ")}; accepted: ${accepted.join(", ")}`;
    const given = defined[key];
    const value = key in defined ? ` (got ${typeof given === "number" ? String(given) : (JSON.stringify(given) ?? String(given))})` : "";
    return `${issue.message}${value}`;
  });
  throw new ConfigurationError("TA_INVALID_ARGUMENT", `Invalid run options: ${problems.join("; ")}.`);
}
