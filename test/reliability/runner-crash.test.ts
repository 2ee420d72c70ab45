/**
 * Crash test of the Runner: `task-agents run` (the built program, node dist/cli/main.js) works
 * through a 10,000-task local project and is killed with SIGKILL at random points, 20 times,
 * resumed each time; after each kill and at the end the store must be consistent. The kill
 * points come from a seeded PRNG: the seed is printed, and CRASH_SEED=<seed> repeats them.
 * Needs `npm run build` first.
 */
import { describe, expect, test } from "vitest";
import { agentFile } from "../support/agent-process.js";
import { startBuiltCli } from "../support/built-cli.js";
import { committedIn, crashInvariants } from "../support/crash-invariants.js";
import { notesSpec, runnerStore } from "../support/runner-fixture.js";
import { crashSeed, randomBetween, seededRandom } from "../support/seeded-random.js";

const taskCount = 10_000;
const kills = 20;
const taskBatchSize = 100;
const concurrency = 4;
// Each handler waits this long, so that the 20 kills, each after 50–400 ms of run, land in the
// middle of the work rather than after it, however fast the machine: the kills give the runs
// 4.5 s on average, and 4 handlers of 3 ms cannot do more than 1,333 tasks/s, 6,000 in 4.5 s
// (about 700/s here). At 1 ms a fast machine did 1,650 tasks/s, and a seed of long delays let
// the 20th run finish by itself.
const handlerDelayMs = 3;

interface RunFinished {
  event: "run-finished";
  report: { end: string; stages: { seen: number; succeeded: number; failed: number; moved: Record<string, number> }[] };
}

describe("crash test: task-agents run killed with SIGKILL", () => {
  test(
    `on ${taskCount.toLocaleString("en")} tasks, killed ${kills} times at random points and resumed: nothing is lost or done twice`,
    { timeout: 240_000 },
    async () => {
      const seed = crashSeed();
      const random = seededRandom(seed);
      console.info(`runner crash test: seed ${seed} (CRASH_SEED=${seed} repeats these kill points)`);
      const started = performance.now();
      await using store = await runnerStore({ spec: notesSpec, items: taskCount });
      const args = [
        "run",
        agentFile("crash-notes"),
        "--project-hash",
        store.projectHash,
        "--task-batch-size",
        String(taskBatchSize),
        "--concurrency",
        String(concurrency),
        "--json",
      ];
      const env = { TASK_AGENTS_STORE: store.backend.storePath, HANDLER_DELAY_MS: String(handlerDelayMs), NO_COLOR: "1" };
      const committed = new Set<string>();
      const check = async (when: string) => {
        const state = await crashInvariants(store, { taskCount, committed, actor: "agent" });
        expect(state.problems, `${when} (seed ${seed})`).toEqual([]);
        expect(state.moved.size + state.waiting, `${when} (seed ${seed})`).toBe(taskCount);
        return state;
      };
      await check("before the first run");

      const log: string[] = [];
      let movedBefore = 0;
      let unreportedBefore = 0;
      for (let kill = 1; kill <= kills; kill++) {
        const delayMs = randomBetween(random, 50, 400);
        const run = startBuiltCli(args, env);
        // The random point is counted from the start of the run proper: starting node and loading
        // the agent file through tsx takes longer than 400 ms, and a kill then would test nothing.
        await run.waitFor("stdout", /"event":"run-started"/, 60_000);
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        run.child.kill("SIGKILL");
        const exit = await run.exited;
        const when = `after kill ${kill} (${delayMs} ms into the run)`;
        // Never finished by itself: every kill landed in the middle of the work.
        expect({ code: exit.code, signal: exit.signal }, `${when}\n${exit.stderr.slice(-2000)}`).toEqual({ code: null, signal: "SIGKILL" });
        for (const uuid of committedIn(exit.stderr)) committed.add(uuid);

        const state = await check(when);
        // Committed work is never lost: the moved tasks only grow.
        expect(state.moved.size, when).toBeGreaterThanOrEqual(movedBefore);
        // Tasks moved, but not reported as committed: the process died between its commit and
        // the line saying so. That can be one batch per kill at most, as commits are one at a time.
        const unreported = state.moved.size - committed.size;
        expect(unreported - unreportedBefore, when).toBeLessThanOrEqual(taskBatchSize);
        log.push(
          `kill ${String(kill).padStart(2)} at ${String(delayMs).padStart(3)} ms: ` +
            `${String(state.moved.size - movedBefore).padStart(4)} more moved, ${state.moved.size} in all`,
        );
        movedBefore = state.moved.size;
        unreportedBefore = unreported;
      }
      console.info(log.join("\n"));
      // The kills interrupted real work, and left some for the last run.
      expect(movedBefore, `seed ${seed}`).toBeGreaterThan(0);
      expect(movedBefore, `seed ${seed}`).toBeLessThan(taskCount);

      // The last run is left alone: it finishes what is left, each task once.
      const last = await startBuiltCli(args, env).exited;
      expect(last.code, last.stderr.slice(-2000)).toBe(0);
      for (const uuid of committedIn(last.stderr)) committed.add(uuid);
      const finished = last.stdout
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line) as { event: string })
        .find((event): event is RunFinished => event.event === "run-finished");
      const stage = finished?.report.stages[0];
      expect(finished?.report.end).toBe("completed");
      expect(stage).toMatchObject({ seen: taskCount - movedBefore, succeeded: taskCount - movedBefore, failed: 0 });
      expect((stage?.moved.annotate ?? 0) + (stage?.moved.skip ?? 0)).toBe(taskCount - movedBefore);

      const final = await check("at the end");
      expect(final.moved.size).toBe(taskCount);
      expect(final.waiting).toBe(0);
      expect(await store.tasksIn("Annotate")).toHaveLength(taskCount / 2);
      expect(await store.tasksIn("Complete")).toHaveLength(taskCount / 2);
      console.info(`runner crash test: ${((performance.now() - started) / 1000).toFixed(1)} s (seed ${seed})`);
    },
  );
});
