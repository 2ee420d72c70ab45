import type { JobsOptions } from "bullmq";

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
