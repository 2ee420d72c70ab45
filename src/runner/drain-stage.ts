import type { PrefetchedTaskData } from "../deps/define-dependency.js";
import type { ConfigurationError } from "../domain/errors.js";
import type { AgentTask } from "../domain/task.js";
import { processBatch, type BatchEnvironment } from "./batch.js";
import { ReadAhead } from "../shared/read-ahead.js";
import { prefetchBatch } from "./prefetch.js";
import type { StageReport } from "./run-report.js";
import type { BoundStage } from "./stage-registry.js";

const maxPageSize = 1000;
/**
 * Batches listed before they are asked for. With the batch whose data is being fetched, the
 * listing runs two batches ahead of the one being handled: it never waits for the handlers, and
 * more would only make the server juggle more requests at once.
 */
const listingDepth = 1;

/** A batch whose dependencies' data is being fetched. */
interface BatchAhead {
  readonly tasks: readonly AgentTask[];
  readonly prefetched: Promise<ReadonlyMap<string, PrefetchedTaskData>>;
}

/**
 * Handles the tasks of one stage for one pass in batches of `taskBatchSize`, at most
 * `maxTasksPerStage` tasks in all. Pages are streamed (never the whole stage in memory), and the
 * phases overlap: while one batch's handlers run and its decisions are committed, the next
 * batch's pages are already listed and its label rows, metadata and storage items fetched, so a
 * pass costs about the longer of listing and work rather than their sum. The listing runs two
 * batches ahead at most, the fetching of their data one.
 */
export async function drainStage(
  env: BatchEnvironment,
  bound: BoundStage,
  report: StageReport,
  limits: { taskBatchSize: number; maxTasksPerStage: number | undefined; pass: number },
): Promise<ConfigurationError | undefined> {
  const started = performance.now();
  const cap = limits.maxTasksPerStage ?? Number.POSITIVE_INFINITY;
  const batchSize = Math.min(limits.taskBatchSize, cap);
  const total = await env.backend.countStageTasks?.(env.project.uuid, bound.stage.uuid);
  env.events.stageStarted(report, limits.pass, total === undefined ? undefined : Math.min(total, cap));

  // The listing runs ahead of the handlers (task references only, small); the data of one batch
  // ahead is fetched (label rows, larger).
  const batches = new ReadAhead(stageBatches(env, bound, batchSize, cap, () => report.skipped++), listingDepth);
  const fetchNext = async (): Promise<BatchAhead | undefined> => {
    const tasks = await batches.next();
    if (tasks === undefined) return undefined;
    const prefetched = prefetchBatch(env.backend, env.project, bound, tasks);
    // Awaited when the batch's turn comes; a batch never handled (the run stopped) may fail unseen.
    prefetched.catch(() => undefined);
    return { tasks, prefetched };
  };

  let stopError: ConfigurationError | undefined;
  let ahead: Promise<BatchAhead | undefined> | undefined;
  let batchNumber = 0;
  try {
    let current = env.control.stopping ? undefined : await fetchNext();
    while (current !== undefined && stopError === undefined && !env.control.stopping) {
      ahead = fetchNext();
      ahead.catch(() => undefined);
      const prefetched = await current.prefetched;
      stopError = await processBatch(env, bound, current.tasks, report, ++batchNumber, prefetched);
      if (stopError !== undefined || env.control.stopping) break;
      current = await ahead;
      ahead = undefined;
    }
  } finally {
    // Nothing may still be in flight when the stage is over: the backend may be closed next.
    if (ahead !== undefined) await settle(ahead);
    await batches.close();
    report.durationMs += performance.now() - started;
    env.events.stageFinished(report);
  }
  return stopError;
}

/** Waits for a batch fetched ahead that will not be handled, ignoring how it ends. */
async function settle(ahead: Promise<BatchAhead | undefined>): Promise<void> {
  try {
    const batch = await ahead;
    await batch?.prefetched;
  } catch {
    // The batch is dropped: the run is stopping or already failing for another reason.
  }
}

/**
 * The stage's tasks in batches, from its pages (keyset-paged, so tasks that leave the stage
 * meanwhile do not shift them). A task is handed to one batch of the pass at most, even if a
 * listing returns it twice. A task that failed for good in an earlier pass is left out (and
 * `onSkip` called) until `retryFailedAfterMs` has passed; it does not count towards `cap`, so
 * failing tasks at the head of a stage cannot starve the rest. Stops listing when the run stops.
 */
async function* stageBatches(env: BatchEnvironment, bound: BoundStage, batchSize: number, cap: number, onSkip: () => void): AsyncGenerator<AgentTask[], void, undefined> {
  const seen = new Set<string>();
  let taken = 0;
  let pageToken: string | undefined;
  let buffer: AgentTask[] = [];
  while (!env.control.stopping) {
    const page = await env.backend.listStageTasks(env.project.uuid, bound.stage.uuid, { pageToken, pageSize: Math.min(batchSize, maxPageSize), signal: env.control.stopSignal });
    for (const task of page.tasks) {
      const key = task.uuid.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      if (env.failedTasks.shouldSkip(key, Date.now(), env.retryFailedAfterMs)) {
        onSkip();
        continue;
      }
      taken++;
      buffer.push(task);
      if (buffer.length === batchSize || taken >= cap) {
        yield buffer;
        buffer = [];
        if (taken >= cap || env.control.stopping) return;
      }
    }
    if (page.nextPageToken === null) break;
    pageToken = page.nextPageToken;
  }
  if (buffer.length > 0 && !env.control.stopping) yield buffer;
}
