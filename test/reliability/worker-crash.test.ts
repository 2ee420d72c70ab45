/**
 * Crash test of the BullMQ worker: `queue enqueue` puts 10,000 tasks of a local project on a
 * queue, then `queue work` (the built program, node dist/cli/main.js) is started and killed
 * with SIGKILL at random points while it holds jobs, several times; a last worker drains the
 * queue. After each kill and at the end the store must be consistent, and every task that has
 * not moved must still have its job on the queue. The kill points come from a seeded PRNG: the
 * seed is printed, and CRASH_SEED=<seed> repeats them. Needs `npm run build` first.
 *
 * A job whose worker dies runs again on another worker, however many of the killed workers held
 * it (up to `--max-stalled`, 10): BullMQ's own default (1) would fail a job that stalled twice
 * and drop it, leaving its task without a job. BullMQ's event stream is read to prove no job
 * was dropped.
 */
import { Redis } from "ioredis";
import { describe, expect, onTestFinished, test } from "vitest";
import type { TaskCompletionResult } from "../../src/index.js";
import { agentFile } from "../support/agent-process.js";
import { startBuiltCli } from "../support/built-cli.js";
import { committedIn, crashInvariants } from "../support/crash-invariants.js";
import { redisUrl, testQueue } from "../support/redis.js";
import { notesSpec, runnerStore } from "../support/runner-fixture.js";
import { crashSeed, randomBetween, seededRandom } from "../support/seeded-random.js";

const taskCount = 10_000;
const kills = 10;
const concurrency = 16;
// Short locks, so the jobs a killed worker held go back to the queue within a few seconds.
const lockDurationMs = 2000;

/**
 * Task UUIDs of the jobs a worker reported as failed for stalling too often (human or JSON log
 * lines on its stderr); their jobs are gone from the queue.
 */
function droppedIn(stderr: string): string[] {
  return stderr
    .split("\n")
    .filter((line) => line.includes("job failed: job stalled more than allowable limit"))
    .map((line) => /[0-9a-f-]{36}_([0-9a-f-]{36})/.exec(line)?.[1] ?? `(no job id in: ${line})`);
}

/** Orders two Redis stream ids ("<ms>-<seq>"). */
function compareStreamIds(a: string, b: string): number {
  const [aMs, aSeq] = a.split("-").map(BigInt) as [bigint, bigint];
  const [bMs, bSeq] = b.split("-").map(BigInt) as [bigint, bigint];
  return aMs === bMs ? Number(aSeq - bSeq) : aMs < bMs ? -1 : 1;
}

/**
 * Reads the "failed" events BullMQ writes on a queue's event stream (in the same script that
 * fails, and with removeOnFail removes, the job), each call those since the previous one. This
 * is the record of dropped jobs a killed worker may not have lived to log. Fails if the stream
 * was trimmed past the last event read.
 */
function failedEventReader(redis: Redis, streamKey: string) {
  let last: string | undefined;
  return async (): Promise<{ jobId: string; reason: string }[]> => {
    if (last === undefined) {
      last = (await redis.xrevrange(streamKey, "+", "-", "COUNT", 1))[0]?.[0] ?? "0-0";
      return [];
    }
    const first = (await redis.xrange(streamKey, "-", "+", "COUNT", 1))[0]?.[0];
    if (first !== undefined && last !== "0-0" && compareStreamIds(first, last) > 0)
      throw new Error(`the event stream ${streamKey} was trimmed past ${last}: dropped jobs cannot be counted`);
    const entries = await redis.xrange(streamKey, `(${last}`, "+");
    last = entries.at(-1)?.[0] ?? last;
    return entries.flatMap(([, fields]) => {
      const field = (name: string) => fields[fields.indexOf(name) + 1] ?? "";
      return field("event") === "failed" ? [{ jobId: field("jobId"), reason: field("failedReason") }] : [];
    });
  };
}

const stallLimit = "job stalled more than allowable limit";

type WorkerLine =
  ({ event: "task-done" } & TaskCompletionResult) | { event: "worker-finished"; tasks: number; failed: number; jobFailures: number; left: number };

describe("crash test: queue work killed with SIGKILL", () => {
  test(
    `on ${taskCount.toLocaleString("en")} queued tasks, workers killed ${kills} times at random points, then drained: nothing is lost or moved twice`,
    { timeout: 240_000 },
    async () => {
      const seed = crashSeed();
      const random = seededRandom(seed);
      console.info(`worker crash test: seed ${seed} (CRASH_SEED=${seed} repeats these kill points)`);
      const started = performance.now();
      await using store = await runnerStore({ spec: notesSpec, items: taskCount });
      const { name, queue } = testQueue();
      const agent = agentFile("queue-crash-notes");
      const env = { PROJECT_HASH: store.projectHash, REDIS_URL: redisUrl(), TASK_AGENTS_STORE: store.backend.storePath, NO_COLOR: "1" };
      const workArgs = ["queue", "work", agent, "--queue", name, "--concurrency", String(concurrency), "--lock-duration", String(lockDurationMs / 1000)];
      const preLabel = store.stage("Pre-label").uuid;
      const committed = new Set<string>();
      // Tasks whose job BullMQ failed and removed for stalling twice (see the file's comment).
      const dropped = new Set<string>();
      const redis = new Redis(redisUrl(), { maxRetriesPerRequest: null });
      onTestFinished(() => void redis.quit());
      const readFailedEvents = failedEventReader(redis, `bull:${name}:events`);
      /** Records the jobs failed since the last look; only the stall limit may fail one. */
      const noteDropped = async (when: string) => {
        const failed = await readFailedEvents();
        expect(
          failed.filter((f) => f.reason !== stallLimit),
          `jobs failed ${when} (seed ${seed})`,
        ).toEqual([]);
        for (const { jobId } of failed) dropped.add(jobId.slice(preLabel.length + 1));
        return failed.length;
      };

      const enqueue = await startBuiltCli(["queue", "enqueue", agent, "--queue", name], env).exited;
      expect(enqueue.code, enqueue.stderr).toBe(0);
      expect(enqueue.stdout).toBe(`Queued ${taskCount} tasks of stage "Pre-label" on ${name}.\n`);
      await readFailedEvents();

      let lastLog = "";
      const check = async (when: string) => {
        const state = await crashInvariants(store, { taskCount, committed, actor: "queue-agent" });
        expect(state.problems, `${when} (seed ${seed})`).toEqual([]);
        expect(state.moved.size + state.waiting, `${when} (seed ${seed})`).toBe(taskCount);
        // No task is stranded: each one still in Pre-label has its job on the queue (waiting, or
        // active under a dead worker's lock until the lock runs out), unless the job was dropped
        // for stalling twice.
        const queued = new Set(await queue.getRanges(["waiting", "active", "delayed", "prioritized"], 0, -1));
        const stranded = (await store.tasksIn("Pre-label")).filter((t) => !queued.has(`${preLabel}_${t.uuid}`) && !dropped.has(t.uuid)).map((t) => t.uuid);
        const states = await Promise.all(stranded.slice(0, 5).map(async (uuid) => `${uuid}: ${await queue.getJobState(`${preLabel}_${uuid}`)}`));
        expect(stranded, `tasks in Pre-label with no job on the queue ${when} (seed ${seed}); job states: ${states.join(", ")}\n${lastLog}`).toEqual([]);
        return state;
      };
      await check("after enqueue");

      const log: string[] = [];
      let movedBefore = 0;
      let unreportedBefore = 0;
      for (let kill = 1; kill <= kills; kill++) {
        const delayMs = randomBetween(random, 50, 400);
        const worker = startBuiltCli(workArgs, env);
        // Counted from the moment the worker takes jobs: starting node and loading the agent
        // file takes longer than 400 ms.
        await worker.waitFor("stderr", /worker on \S+ \(concurrency /, 60_000);
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        worker.child.kill("SIGKILL");
        const exit = await worker.exited;
        const when = `after kill ${kill} (${delayMs} ms after the worker started)`;
        expect({ code: exit.code, signal: exit.signal }, `${when}\n${exit.stderr.slice(-2000)}`).toEqual({ code: null, signal: "SIGKILL" });
        for (const uuid of committedIn(exit.stderr)) committed.add(uuid);
        await noteDropped(when);
        lastLog = exit.stderr
          .split("\n")
          .filter((l) => !l.startsWith("committed "))
          .join("\n")
          .slice(-3000);

        const state = await check(when);
        expect(state.moved.size, when).toBeGreaterThanOrEqual(movedBefore);
        // Moved, but not reported as committed: died between a commit and the line saying so;
        // a worker commits at most `concurrency` jobs at once.
        const unreported = state.moved.size - committed.size;
        expect(unreported - unreportedBefore, when).toBeLessThanOrEqual(concurrency);
        const active = await queue.getActiveCount();
        log.push(
          `kill ${String(kill).padStart(2)} at ${String(delayMs).padStart(3)} ms: ` +
            `${String(state.moved.size - movedBefore).padStart(4)} more moved, ` +
            `${state.moved.size} in all; ${active} jobs left active; ${dropped.size} dropped`,
        );
        movedBefore = state.moved.size;
        unreportedBefore = unreported;
      }
      console.info(log.join("\n"));
      expect(movedBefore, `seed ${seed}`).toBeGreaterThan(0);
      expect(movedBefore, `seed ${seed}`).toBeLessThan(taskCount);

      // The last worker drains the queue, the dead workers' jobs included once their locks expire.
      const movedBeforeDrain = new Set((await crashInvariants(store, { taskCount, committed, actor: "queue-agent" })).moved);
      const drain = await startBuiltCli(["--json", ...workArgs, "--exit-when-empty"], env).exited;
      for (const uuid of committedIn(drain.stderr)) committed.add(uuid);
      // The last worker is not killed, so its log is complete; the events of its thousands of
      // jobs are more than the stream keeps (BullMQ trims it to about 10,000).
      const droppedByDrain = droppedIn(drain.stderr);
      for (const uuid of droppedByDrain) dropped.add(uuid);
      const lines = drain.stdout
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line) as WorkerLine);
      const results = lines.flatMap((l) => (l.event === "task-done" ? [l] : []));
      const finished = lines.find((l) => l.event === "worker-finished");
      // A job whose task a killed worker had committed, but which it did not get to complete,
      // is run again: the task is not in Pre-label any more, so nothing is done and the result
      // says so. Such a task moved before the drain; every other result moved its task.
      const failures = results.filter((r) => !r.success);
      for (const failure of failures) {
        expect(movedBeforeDrain.has(failure.task_uuid!), JSON.stringify(failure)).toBe(true);
        expect(failure.error).toMatch(/is not in stage "Pre-label" \([0-9a-f-]+\) any more/);
      }
      const drainLog = drain.stderr
        .split("\n")
        .filter((l) => !l.startsWith("committed "))
        .join("\n")
        .slice(-3000);
      expect(finished, drainLog).toMatchObject({ failed: failures.length, jobFailures: droppedByDrain.length, left: 0 });
      expect(drain.code, drainLog).toBe(failures.length + droppedByDrain.length > 0 ? 2 : 0);
      await check("after the drain");
      // No job is dropped: one that lost its worker runs again (up to --max-stalled dead workers, 10),
      // so the drain moves every task that was still waiting.
      expect([...dropped], `jobs dropped (seed ${seed})`).toEqual([]);
      expect(
        (await store.tasksIn("Pre-label")).map((t) => t.uuid),
        `tasks left after the drain (seed ${seed})`,
      ).toEqual([]);
      expect(results.filter((r) => r.success)).toHaveLength(taskCount - movedBeforeDrain.size);

      const final = await check("at the end");
      expect(final.moved.size).toBe(taskCount);
      expect(final.waiting).toBe(0);
      expect(await store.tasksIn("Annotate")).toHaveLength(taskCount / 2);
      expect(await store.tasksIn("Complete")).toHaveLength(taskCount / 2);
      expect(await queue.getJobCounts("waiting", "active", "delayed", "failed")).toEqual({ waiting: 0, active: 0, delayed: 0, failed: 0 });
      console.info(`worker crash test: ${((performance.now() - started) / 1000).toFixed(1)} s (seed ${seed})`);
    },
  );

  test("a job whose worker was killed twice runs again on the next worker; its task moves once", { timeout: 120_000 }, async () => {
    await using store = await runnerStore({ spec: notesSpec, items: 3 });
    const { name } = testQueue();
    const agent = agentFile("queue-crash-notes");
    const env = { PROJECT_HASH: store.projectHash, REDIS_URL: redisUrl(), TASK_AGENTS_STORE: store.backend.storePath, NO_COLOR: "1", HANDLING_LOG: "1" };
    const work = (workerConcurrency: number, handlerDelayMs: number, extra: readonly string[] = []) =>
      startBuiltCli(["queue", "work", agent, "--queue", name, "--concurrency", String(workerConcurrency), "--lock-duration", "1", ...extra], {
        ...env,
        HANDLER_DELAY_MS: String(handlerDelayMs),
      });
    const enqueued = await startBuiltCli(["queue", "enqueue", agent, "--queue", name], env).exited;
    expect(enqueued.stdout).toBe(`Queued 3 tasks of stage "Pre-label" on ${name}.\n`);

    // Worker 1 takes one job, hangs in its handler and is killed holding it.
    const first = work(1, 600_000);
    await first.waitFor("stderr", /^handling /m, 60_000);
    first.child.kill("SIGKILL");
    const held = /^handling (\S+)$/m.exec((await first.exited).stderr)![1]!;
    // Worker 2 takes the other two jobs, then that one once its lock has run out (it stalled
    // once), and is killed holding all three.
    const second = work(3, 600_000);
    await second.waitFor("stderr", (text) => text.includes(`handling ${held}\n`), 60_000);
    second.child.kill("SIGKILL");
    expect(committedIn((await second.exited).stderr)).toEqual([]);

    // Worker 3 drains: all three jobs run again, the one that lost two workers included
    // (BullMQ's own default would fail it for stalling twice and drop it).
    const drain = await work(3, 0, ["--exit-when-empty"]).exited;
    expect(droppedIn(drain.stderr)).toEqual([]);
    expect(drain.code, drain.stderr).toBe(0);
    const final = await crashInvariants(store, { taskCount: 3, committed: new Set(committedIn(drain.stderr)), actor: "queue-agent" });
    expect(final.problems).toEqual([]);
    expect(final.moved.size).toBe(3);
    expect(await store.tasksIn("Pre-label")).toEqual([]);
  });
});
