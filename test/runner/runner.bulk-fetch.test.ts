import { describe, expect, test } from "vitest";
import { defineDependency, labelRow, Runner, storageItem, type DependencyMap } from "../../src/index.js";
import { backends } from "../support/backend-fixtures.js";

describe.each(backends)("on $name", ({ create }) => {
  describe("what a batch fetches, in bulk", () => {
    const runWith = async (deps: DependencyMap) => {
      const store = await create({ items: 10 });
      try {
        const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
        let handled = 0;
        runner.stage("Pre-label", { deps }, () => {
          handled++;
          return null;
        });
        await runner.execute({ taskBatchSize: 5, output: "silent" });
        expect(handled).toBe(10);
        return store;
      } catch (error) {
        await store[Symbol.asyncDispose]();
        throw error;
      }
    };

    test("labelRow and storageItem: one call of each kind per batch, never one per task", async () => {
      await using store = await runWith({ labelRow, storageItem });
      const counting = store.backend;
      expect(counting.count("getLabelRowMetadata")).toBe(2);
      expect(counting.count("getLabelRows")).toBe(2);
      expect(counting.count("getStorageItems")).toBe(2);
      // Each call asks for the five tasks of its batch.
      expect(counting.argsOf("getLabelRowMetadata").map((args) => (args[1] as string[]).length)).toEqual([5, 5]);
      expect(counting.argsOf("getLabelRows").map((args) => (args[1] as string[]).length)).toEqual([5, 5]);
      expect(counting.argsOf("getStorageItems").map((args) => (args[0] as string[]).length)).toEqual([5, 5]);
      const allHashes = counting.argsOf("getLabelRows").flatMap((args) => args[1] as string[]);
      expect(new Set(allHashes)).toEqual(new Set((await store.tasksIn("Pre-label")).map((t) => t.dataHash)));
    });

    test("no dependencies: nothing is fetched besides the task listing", async () => {
      await using store = await runWith({});
      expect(store.backend.count("getLabelRowMetadata")).toBe(0);
      expect(store.backend.count("getLabelRows")).toBe(0);
      expect(store.backend.count("getStorageItems")).toBe(0);
    });

    test("user dependencies that need no built-in fetch nothing", async () => {
      const plain = defineDependency({ resolve: ({ task }) => task.uuid });
      await using store = await runWith({ plain });
      expect(store.backend.count("getLabelRowMetadata")).toBe(0);
      expect(store.backend.count("getLabelRows")).toBe(0);
      expect(store.backend.count("getStorageItems")).toBe(0);
    });

    test("only storageItem: metadata and storage items per batch, no label rows", async () => {
      await using store = await runWith({ storageItem });
      expect(store.backend.count("getLabelRowMetadata")).toBe(2);
      expect(store.backend.count("getLabelRows")).toBe(0);
      expect(store.backend.count("getStorageItems")).toBe(2);
      expect(store.backend.argsOf("getStorageItems").map((args) => args[1])).toEqual([{ signUrls: true }, { signUrls: true }]);
    });

    test("only labelRow: metadata and label rows per batch, no storage items", async () => {
      await using store = await runWith({ labelRow });
      expect(store.backend.count("getLabelRowMetadata")).toBe(2);
      expect(store.backend.count("getLabelRows")).toBe(2);
      expect(store.backend.count("getStorageItems")).toBe(0);
    });

    test("a built-in needed only through a user dependency is fetched in bulk too", async () => {
      const width = defineDependency({ deps: { storageItem }, resolve: ({ storageItem }) => storageItem.width });
      await using store = await runWith({ width });
      expect(store.backend.count("getStorageItems")).toBe(2);
      expect(store.backend.count("getLabelRows")).toBe(0);
    });

    test("the stage's labelRowMetadataIncludeArgs and labelRowInitialiseLabelsArgs are passed to the backend", async () => {
      await using store = await create({ items: 2 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      const clientMetadata: unknown[] = [];
      runner.stage(
        "Pre-label",
        { deps: { labelRow }, labelRowMetadataIncludeArgs: { includeClientMetadata: true }, labelRowInitialiseLabelsArgs: { includeReviews: true } },
        ({ labelRow }) => {
          clientMetadata.push(labelRow.clientMetadata);
          return null;
        },
      );
      await runner.execute({ output: "silent" });
      expect(store.backend.argsOf("getLabelRowMetadata")[0]![2]).toEqual({ includeClientMetadata: true });
      expect(store.backend.argsOf("getLabelRows")[0]![2]).toEqual({ includeReviews: true });
      expect(clientMetadata).toEqual([{}, {}]);
    });

    test("tasks are listed page by page, a batch at a time", async () => {
      await using store = await runWith({});
      const listings = store.backend.argsOf("listStageTasks").map((args) => args[2] as { pageSize?: number });
      // The runner always asks for pages of a batch. The local store gives them; Encord's task
      // listing has no page size (the fake's pages hold 100 tasks), so all ten come in one page.
      expect(listings.length).toBeGreaterThanOrEqual(store.kind === "local" ? 2 : 1);
      for (const options of listings) expect(options.pageSize).toBe(5);
    });
  });
});
