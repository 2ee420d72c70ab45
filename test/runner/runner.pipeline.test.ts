/**
 * The overlapped pass: the next batch is listed and its data fetched while the current one is
 * handled and committed; no task goes to two batches; a label row that cannot be written fails
 * its own task only.
 */
import { describe, expect, test } from "vitest";
import { labelRow, Runner, type Backend, type LabelRow, type ListTasksOptions } from "../../src/index.js";
import { backends } from "../support/backend-fixtures.js";
import { OutputCollector as Collector } from "../support/output-collector.js";

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** `backend` with its listing replaced; every other call goes through. */
function withListing(backend: Backend, listStageTasks: Backend["listStageTasks"]): Backend {
  return withMethod(backend, "listStageTasks", listStageTasks);
}

/** `backend` with one method replaced; every other call goes through. */
function withMethod<K extends keyof Backend>(backend: Backend, name: K, method: Backend[K]): Backend {
  return new Proxy(backend, {
    get(target, property, receiver) {
      if (property === name) return method;
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

describe.each(backends)("on $name", ({ create }) => {
  test("while batch 1 is handled, batch 2's label rows are already fetched; commits stay in batch order", async () => {
    await using store = await create({ items: 9 });
    const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
    const counting = store.backend;
    let first = true;
    runner.stage("Pre-label", { deps: { labelRow } }, async ({ labelRow }) => {
      if (first) {
        first = false;
        // The first handler waits until the next batch's rows were asked for: the phases overlap.
        await until(() => counting.count("getLabelRows") >= 2, "the second batch's label rows");
        expect(counting.count("commit")).toBe(0);
      }
      return { pathway: "annotate", labelRow, labelRowPriority: 0.5 };
    });
    const report = await runner.execute({ taskBatchSize: 3, output: "silent" });
    expect(report.stages[0]).toMatchObject({ seen: 9, succeeded: 9, failed: 0, moved: { annotate: 9 } });
    // Each commit holds one batch, in listing order.
    const listed = counting.argsOf("getLabelRows").map((args) => args[1] as string[]);
    const committed = counting.argsOf("commit").map((args) => (args[1] as { moves: { dataHash: string }[] }).moves.map((m) => m.dataHash));
    expect(committed).toEqual(listed);
    expect(await store.tasksIn("Pre-label")).toEqual([]);
  });

  test("batch 1's commit goes on while batch 2 is handled; reports and events stay in batch order when batch 2's commit ends first", async () => {
    await using store = await create({ items: 6 });
    let secondBatchHandled = false;
    let commits = 0;
    const slowFirstCommit = withMethod(store.backend, "commit", async (projectHash, batch) => {
      if (++commits === 1) {
        // Before the overlap, batch 2 was handled only after this returned: this would time out.
        await until(() => secondBatchHandled, "batch 2's handlers while batch 1 commits");
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return store.backend.commit(projectHash, batch);
    });
    const runner = new Runner({ projectHash: store.projectHash, backend: slowFirstCommit });
    const streams = { stdout: new Collector(), stderr: new Collector() };
    runner.streams = streams;
    let handled = 0;
    runner.stage("Pre-label", () => {
      if (++handled > 3) secondBatchHandled = true;
      return "annotate";
    });
    const report = await runner.execute({ taskBatchSize: 3, output: "json" });
    expect(report.stages[0]).toMatchObject({ seen: 6, succeeded: 6, moved: { annotate: 6 } });
    const events = streams.stdout.text
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { event: string; batch?: number });
    const batchCommitted = events.filter((e) => e.event === "batch-committed").map((e) => e.batch);
    expect(batchCommitted).toEqual([1, 2]);
    expect(await store.tasksIn("Pre-label")).toEqual([]);
  });

  test("a commit that fails ends the stage with its error; the batch handled meanwhile is still committed, none after it is handled", async () => {
    await using store = await create({ items: 9 });
    let commits = 0;
    let firstCommitFailed = false;
    const failingFirstCommit = withMethod(store.backend, "commit", async (projectHash, batch) => {
      if (++commits === 1) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        firstCommitFailed = true;
        throw new Error("the commit broke");
      }
      return store.backend.commit(projectHash, batch);
    });
    const runner = new Runner({ projectHash: store.projectHash, backend: failingFirstCommit });
    const handled: string[] = [];
    runner.stage("Pre-label", async ({ task }) => {
      handled.push(task.uuid);
      // Batch 2 is handled while batch 1's commit fails.
      if (handled.length === 4) await until(() => firstCommitFailed, "batch 1's commit to fail");
      return "annotate";
    });
    const error = await runner.execute({ taskBatchSize: 3, output: "silent" }).then(
      () => undefined,
      (caught: unknown) => caught as Error,
    );
    expect(error?.message).toBe("the commit broke");
    expect(runner.lastReport?.end).toBe("error");
    // Batch 2 was handled while batch 1 committed; its decisions are not lost. Batch 3 never starts.
    expect(handled).toHaveLength(6);
    expect(commits).toBe(2);
    expect(await store.tasksIn("Pre-label")).toHaveLength(6);
  });

  test("a task a listing returns twice is handed to one batch only and moved once", async () => {
    await using store = await create({ items: 7 });
    // Every page after the first starts with the last task of the page before, as a listing
    // might when a task's position shifts between pages.
    let previous: Awaited<ReturnType<Backend["listStageTasks"]>>["tasks"][number] | undefined;
    const repeating = withListing(store.backend, async (projectHash: string, stageUuid: string, options?: ListTasksOptions) => {
      const page = await store.backend.listStageTasks(projectHash, stageUuid, { ...options, pageSize: 2 });
      const tasks = previous === undefined ? page.tasks : [previous, ...page.tasks];
      previous = page.tasks.at(-1);
      return { ...page, tasks };
    });
    const runner = new Runner({ projectHash: store.projectHash, backend: repeating });
    const handled: string[] = [];
    runner.stage("Pre-label", ({ task }) => {
      handled.push(task.uuid);
      return "skip";
    });
    const report = await runner.execute({ taskBatchSize: 3, output: "silent" });
    expect(handled).toHaveLength(7);
    expect(new Set(handled).size).toBe(7);
    expect(report.stages[0]).toMatchObject({ seen: 7, succeeded: 7, refused: 0, moved: { skip: 7 } });
    const moves = (await store.moveHistory()).filter((m) => m.fromStage === "Pre-label");
    expect(moves).toHaveLength(7);
    expect(new Set(moves.map((m) => m.taskUuid)).size).toBe(7);
  });

  test("a stop while batch 1 is handled: the batch fetched ahead is dropped untouched, batch 1 is committed", async () => {
    await using store = await create({ items: 9 });
    const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
    const controller = new AbortController();
    const handled: string[] = [];
    runner.stage("Pre-label", { deps: { labelRow } }, async ({ task, labelRow }) => {
      handled.push(task.uuid);
      if (handled.length === 1) {
        // Batch 2 is being fetched ahead when the stop comes.
        await until(() => store.backend.count("getLabelRows") >= 2, "the second batch's label rows");
        controller.abort();
      }
      return { pathway: "annotate", labelRow };
    });
    const report = await runner.execute({ taskBatchSize: 3, signal: controller.signal, output: "silent" });
    expect(report.end).toBe("stopped");
    // The stop comes inside the first handler: it finishes, the other two of its batch are not started.
    expect(handled).toHaveLength(1);
    expect(report.stages[0]).toMatchObject({ seen: 1, succeeded: 1, moved: { annotate: 1 } });
    expect(store.backend.count("commit")).toBe(1);
    expect(await store.tasksIn("Pre-label")).toHaveLength(8);
  });

  test("a listing that fails on page 3: the batches listed before it are committed, then the run ends with the error", async () => {
    await using store = await create({ items: 9 });
    // Pages of three of its own (token = page number); the third page fails.
    const all = await store.tasksIn("Pre-label");
    const failing = withListing(store.backend, (_projectHash: string, _stageUuid: string, options?: ListTasksOptions) => {
      const page = Number(options?.pageToken ?? 0);
      if (page === 2) return Promise.reject(new Error("the listing broke"));
      return Promise.resolve({ tasks: all.slice(page * 3, page * 3 + 3).map((task) => ({ ...task })), nextPageToken: String(page + 1) });
    });
    const runner = new Runner({ projectHash: store.projectHash, backend: failing });
    runner.stage("Pre-label", { deps: { labelRow } }, ({ labelRow }) => ({ pathway: "skip", labelRow }));
    const error = await runner.execute({ taskBatchSize: 3, output: "silent" }).then(
      () => undefined,
      (caught: unknown) => caught as Error,
    );
    expect(error?.message).toBe("the listing broke");
    expect(runner.lastReport?.end).toBe("error");
    // The listing runs ahead, so page 2 failed while batch 1 was handled. The error comes out
    // where batch 3 is needed: batches 1 and 2, listed whole, were handled and committed first.
    const moved = (await store.moveHistory()).filter((m) => m.fromStage === "Pre-label");
    expect(moved.map((m) => m.taskUuid).sort()).toEqual(
      all
        .slice(0, 6)
        .map((t) => t.uuid)
        .sort(),
    );
    expect(runner.lastReport?.stages[0]?.moved).toEqual({ skip: 6 });
    expect(await store.tasksIn("Pre-label")).toHaveLength(3);
  });

  test("a label row that cannot be written fails its own task, not retried; the batch's other decisions commit", async () => {
    await using store = await create({ items: 6 });
    const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
    const attempts = new Map<string, number>();
    let bad: string | undefined;
    runner.stage("Pre-label", { deps: { labelRow } }, ({ task, labelRow }) => {
      attempts.set(task.uuid, (attempts.get(task.uuid) ?? 0) + 1);
      bad ??= task.uuid;
      if (task.uuid !== bad) return { pathway: "annotate", labelRow, labelRowPriority: 0.25 };
      const unwritable = Object.create(labelRow) as LabelRow;
      unwritable.toEncordDict = () => {
        throw new Error("the row holds a value Encord cannot take");
      };
      return { pathway: "annotate", labelRow: unwritable, labelRowPriority: 0.25 };
    });
    const report = await runner.execute({ taskBatchSize: 6, numRetries: 3, output: "silent" });
    const stage = report.stages[0]!;
    expect(stage).toMatchObject({ seen: 6, succeeded: 5, failed: 1, moved: { annotate: 5 } });
    expect(report.end).toBe("completed");
    expect(stage.failures).toHaveLength(1);
    expect(stage.failures[0]).toMatchObject({ taskUuid: bad, attempts: 1 });
    expect(stage.failures[0]!.error.message).toMatch(/label row of task .* cannot be written for saving: the row holds a value Encord cannot take/);
    expect(attempts.get(bad!)).toBe(1);
    const left = await store.tasksIn("Pre-label");
    expect(left.map((t) => t.uuid)).toEqual([bad]);
  });
});
