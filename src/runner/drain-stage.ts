import type { PrefetchedTaskData } from "./batch-data.js";
import type { AgentTask, WorkflowTask } from "../domain/task.js";
import { processBatch, type BatchEnvironment } from "./process-batch.js";
import { ReadAhead } from "../shared/read-ahead.js";
import { prefetchBatch } from "./prefetch.js";
import type { StageReport } from "./run-report.js";
import { StageClaims } from "./stage-claims.js";
import type { BoundStage } from "./stage-registry.js";

const maxPageSize = 1000;
/**
 * Batches listed before they are asked for. With the batch whose data is being fetched, the
 * listing runs two batches ahead of the one being handled: it never waits for the handlers, and
 * more would only make the server juggle more requests at once.
 */
const listingDepth = 1;
/**
 * Claimed batches are not claimed ahead beyond the one whose data is being fetched: a claimed
 * batch waiting here is work other processes on the stage cannot take, and claiming is a local
 * write of milliseconds.
 */
const claimingDepth = 0;

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
 * pass costs about the longer of listing and work rather than their sum; and a batch's commit
 * goes on while the next batch is handled. The listing runs two batches ahead at most, the
 * fetching of their data one, and one commit at most is in flight while a batch is handled. A
 * failed commit ends the stage with its error before another batch is handled.
 *
 * On a backend that can claim tasks (the local store), the batches are claimed instead of listed,
 * so that several processes running the stage share its tasks; a batch's claims end with its
 * commit, and those of batches not handled (a stop, an error) when the stage ends.
 */
export async function drainStage(
  env: BatchEnvironment,
  bound: BoundStage,
  report: StageReport,
  limits: { taskBatchSize: number; maxTasksPerStage: number | undefined; pass: number },
): Promise<void> {
  const started = performance.now();
  const cap = limits.maxTasksPerStage ?? Number.POSITIVE_INFINITY;
  const batchSize = Math.min(limits.taskBatchSize, cap);
  const total = await env.backend.countStageTasks?.(env.project.uuid, bound.stage.uuid);
  env.events.stageStarted(report, limits.pass, total === undefined ? undefined : Math.min(total, cap));

  // The listing runs ahead of the handlers (task references only, small); the data of one batch
  // ahead is fetched (label rows, larger).
  const claims = StageClaims.forPass(env.backend, env.project.uuid, bound.stage.uuid, env.claimLeaseMs, env.logger);
  const source = claims === undefined ? listedTasks(env, bound, Math.min(batchSize, maxPageSize), cap) : claimedTasks(env, claims);
  const batches = new ReadAhead(
    stageBatches(env, source, batchSize, cap, () => report.skipped++),
    claims === undefined ? listingDepth : claimingDepth,
  );
  const fetchNext = async (): Promise<BatchAhead | undefined> => {
    const tasks = await batches.next();
    if (tasks === undefined) return undefined;
    const prefetched = prefetchBatch(env.backend, env.project, bound, tasks);
    // Awaited when the batch's turn comes; a batch never handled (the run stopped) may fail unseen.
    prefetched.catch(() => undefined);
    return { tasks, prefetched };
  };

  let ahead: Promise<BatchAhead | undefined> | undefined;
  let batchNumber = 0;
  // The commit of the batch handled last goes on while the next batch is handled; the one
  // before it must be over first, so commits cannot pile up behind fast handlers.
  let committed: Promise<void> = Promise.resolve();
  let committedBefore: Promise<void> = Promise.resolve();
  let commitFailure: { error: unknown } | undefined;
  try {
    let current = env.control.stopping ? undefined : await fetchNext();
    // A stop of any cause (a configuration error included) ends the stage; env.control keeps why.
    while (current !== undefined && !env.control.stopping) {
      ahead = fetchNext();
      ahead.catch(() => undefined);
      const prefetched = await current.prefetched;
      await committedBefore.catch(() => undefined);
      // A failed commit ends the stage before another batch is handled, as it would in turn.
      if (commitFailure !== undefined) throw commitFailure.error;
      committedBefore = committed;
      ({ committed } = await processBatch(env, bound, current.tasks, report, ++batchNumber, prefetched, committed, claims?.releaseWith(current.tasks)));
      committed.catch((error: unknown) => (commitFailure ??= { error }));
      if (env.control.stopping) break;
      current = await ahead;
      ahead = undefined;
    }
    // The first failed commit is the stage's error, even when a later batch committed.
    await committed.catch(() => undefined);
    if (commitFailure !== undefined) throw commitFailure.error;
  } finally {
    // Nothing may still be in flight when the stage is over: the backend may be closed next.
    await committed.catch(() => undefined);
    if (ahead !== undefined) await settle(ahead);
    await batches.close();
    await source.close();
    await claims?.close();
    report.durationMs += performance.now() - started;
    env.events.stageFinished(report);
  }
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

/** Where a pass takes a stage's tasks from, a few at a time. */
interface TaskSource {
  /** Up to about `wanted` more tasks (a listing may give a page's worth), and whether more may follow. */
  next(wanted: number): Promise<{ tasks: readonly WorkflowTask[]; more: boolean }>;
  /** Tasks the pass leaves out (skipped): a claim on them ends at once. */
  leaveOut(tasks: readonly WorkflowTask[]): Promise<void>;
  /** The pass is over: nothing more is read. */
  close(): Promise<void>;
}

/**
 * The stage's pages, keyset-paged, so tasks that leave the stage meanwhile do not shift them.
 * Read ahead off this thread where the backend can (Encord), so handlers never hold the listing back.
 */
function listedTasks(env: BatchEnvironment, bound: BoundStage, pageSize: number, maxTasks: number): TaskSource {
  const reader = env.backend.readStageAhead?.(env.project.uuid, bound.stage.uuid, { maxTasks, signal: env.control.stopSignal });
  let pageToken: string | undefined;
  return {
    async next() {
      const page =
        reader !== undefined
          ? await reader.next()
          : await env.backend.listStageTasks(env.project.uuid, bound.stage.uuid, { pageToken, pageSize, signal: env.control.stopSignal });
      pageToken = page.nextPageToken ?? undefined;
      return { tasks: page.tasks, more: page.nextPageToken !== null };
    },
    leaveOut: async () => undefined,
    close: async () => reader?.close(),
  };
}

/** Tasks claimed for this pass: only as many as a batch still needs, none another process holds. */
function claimedTasks(env: BatchEnvironment, claims: StageClaims): TaskSource {
  return {
    async next(wanted) {
      const tasks = await claims.claim(Math.min(wanted, maxPageSize), env.control.stopSignal);
      return { tasks, more: !claims.exhausted };
    },
    leaveOut: (tasks) => claims.giveBack(tasks),
    close: async () => undefined,
  };
}

/**
 * The stage's tasks in batches, from `source`. A task is handed to one batch of the pass at most,
 * even if a source returns it twice. A task that failed for good in an earlier pass is left out
 * (and `onSkip` called) until `retryFailedAfterMs` has passed; it does not count towards `cap`, so
 * failing tasks at the head of a stage cannot starve the rest. Stops when the run stops.
 */
async function* stageBatches(
  env: BatchEnvironment,
  source: TaskSource,
  batchSize: number,
  cap: number,
  onSkip: () => void,
): AsyncGenerator<AgentTask[], void, undefined> {
  const seen = new Set<string>();
  let taken = 0;
  let buffer: AgentTask[] = [];
  while (!env.control.stopping) {
    const page = await source.next(Math.min(batchSize - buffer.length, cap - taken));
    const fresh: WorkflowTask[] = [];
    const skipped: WorkflowTask[] = [];
    for (const task of page.tasks) {
      const key = task.uuid;
      if (seen.has(key)) continue;
      seen.add(key);
      if (env.failedTasks.shouldSkip(key, Date.now(), env.retryFailedAfterMs)) {
        onSkip();
        skipped.push(task);
      } else fresh.push(task);
    }
    await source.leaveOut(skipped);
    for (const task of fresh) {
      taken++;
      buffer.push(task);
      if (buffer.length === batchSize || taken >= cap) {
        yield buffer;
        buffer = [];
        if (taken >= cap || env.control.stopping) return;
      }
    }
    if (!page.more) break;
  }
  if (buffer.length > 0 && !env.control.stopping) yield buffer;
}
