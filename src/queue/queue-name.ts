import type { JobsOptions } from "bullmq";
import { ConfigurationError } from "../domain/errors.js";
import { quoteValue } from "../shared/suggest.js";

/** The data of one job: one task of one stage. */
export interface TaskJobData {
  /** Stage UUID. */
  readonly stage: string;
  /** The task spec, JSON (Python field names). */
  readonly spec: string;
}

/** The default queue of a project: one queue per project, jobs name their stage. */
export function queueNameFor(projectHash: string): string {
  return `task-agents-${projectHash.toLowerCase()}`;
}

/**
 * The queue to use: the one given, checked (BullMQ builds Redis keys from it with ":"), or the
 * project's default. Throws a ConfigurationError naming what is accepted.
 */
export function chooseQueueName(given: string | undefined, projectHash: string): string {
  if (given === undefined) return queueNameFor(projectHash);
  const accepted = `accepted: a non-empty name without ":", spaces or control characters (default ${queueNameFor(projectHash)})`;
  if (given === "" || /[:\s\p{Cc}]/u.test(given) || given.length > 200) {
    throw new ConfigurationError(
      "TA_INVALID_ARGUMENT",
      `The queue name ${quoteValue(given)} is not accepted; ${accepted}${given.length > 200 ? ", at most 200 characters" : ""}.`,
    );
  }
  return given;
}

/**
 * The job id of a task in a stage. BullMQ adds no job whose id is already waiting, delayed or
 * active, so a task is never queued twice; finished jobs are removed so it can be queued again.
 */
export function jobIdFor(stageUuid: string, taskUuid: string): string {
  return `${stageUuid.toLowerCase()}_${taskUuid.toLowerCase()}`;
}

/** Job options the producer uses unless told otherwise. */
export const defaultJobOptions: JobsOptions = {
  attempts: 3,
  backoff: { type: "exponential", delay: 1000 },
  removeOnComplete: true,
  removeOnFail: true,
};
