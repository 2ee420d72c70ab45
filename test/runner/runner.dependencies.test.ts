import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { defineDependency, labelRow, Runner, storageItem, type Dependency } from "../../src/index.js";
import { backends } from "../support/backend-fixtures.js";
import { paths } from "../support/paths.js";

/** The bytes a signed URL serves: a file:// URL of the local store, or an http(s) one. */
async function download(url: string): Promise<Buffer> {
  if (url.startsWith("file:")) return readFileSync(fileURLToPath(url));
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

describe.each(backends)("on $name", ({ create }) => {
  describe("dependencies", () => {
    test("a user dependency may need built-ins and other user dependencies; the batch still fetches what they need", async () => {
      await using store = await create({ items: "demo" });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      const names = defineDependency({
        deps: { storageItem, labelRow },
        resolve: ({ storageItem, labelRow }) => ({ item: storageItem.name, row: labelRow.dataTitle }),
      });
      const summary = defineDependency({
        deps: { names, storageItem },
        resolve: ({ names, storageItem }) => `${names.item}|${names.row}|${storageItem.mimeType}`,
      });
      const seen = new Map<string, string>();
      // Only `summary` is declared: labelRow and storageItem come in through it.
      runner.stage("Pre-label", { deps: { summary } }, ({ summary, task }) => {
        seen.set(task.dataTitle, summary);
        return null;
      });
      await runner.execute({ output: "silent" });
      expect(seen).toEqual(
        new Map([
          ["blue-tall.png", "blue-tall.png|blue-tall.png|image/png"],
          ["caption.txt", "caption.txt|caption.txt|text/plain"],
          ["green-wide.png", "green-wide.png|green-wide.png|image/png"],
          ["red-square.png", "red-square.png|red-square.png|image/png"],
        ]),
      );
      expect(store.backend.count("getLabelRows")).toBe(1);
      expect(store.backend.count("getStorageItems")).toBe(1);
    });

    test("a dependency shared by two others is resolved once per attempt, and both get the same value", async () => {
      await using store = await create({ items: 3 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      let sharedResolves = 0;
      let sharedDisposes = 0;
      const shared = defineDependency({
        resolve: () => ({ n: ++sharedResolves }),
        dispose: () => void sharedDisposes++,
      });
      const left = defineDependency({ deps: { shared }, resolve: ({ shared }) => shared });
      const right = defineDependency({ deps: { shared }, resolve: async ({ shared }) => shared });
      const pairs: boolean[] = [];
      let attempts = 0;
      runner.stage("Pre-label", { deps: { left, right, shared } }, ({ left, right, shared }) => {
        pairs.push(left === right && right === shared);
        if (++attempts === 1) throw new Error("first attempt fails");
        return null;
      });
      await runner.execute({ numRetries: 1, output: "silent" });
      // Three tasks, the first with two attempts.
      expect(pairs).toEqual([true, true, true, true]);
      expect(sharedResolves).toBe(4);
      expect(sharedDisposes).toBe(4);
    });

    test("resolve may be async, and gets the task context", async () => {
      await using store = await create({ items: 2 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      const upperTitle = defineDependency({
        resolve: async ({ task, stage, project }) => {
          await new Promise((resolve) => setImmediate(resolve));
          return `${project.title}/${stage.title}/${task.dataTitle.toUpperCase()}`;
        },
      });
      const seen: string[] = [];
      runner.stage("Pre-label", { deps: { upperTitle } }, ({ upperTitle }) => {
        seen.push(upperTitle);
        return null;
      });
      await runner.execute({ output: "silent" });
      expect(seen).toEqual(["Demo/Pre-label/I-1.PNG", "Demo/Pre-label/I-2.PNG"]);
    });

    test("dispose runs after success and after failure, and a dispose that throws changes no outcome", async () => {
      await using store = await create({ items: 2 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      const disposed: string[] = [];
      const tracked = defineDependency({
        resolve: ({ task }) => task.dataTitle,
        dispose: (title) => {
          disposed.push(title);
          throw new Error("dispose failed");
        },
      });
      runner.stage("Pre-label", { deps: { tracked } }, ({ tracked }) => {
        if (tracked === "i-2.png") throw new Error("handler failed");
        return "annotate";
      });
      const report = await runner.execute({ numRetries: 0, output: "silent" });
      expect(disposed).toEqual(["i-1.png", "i-2.png"]);
      expect(report.stages[0]).toMatchObject({ succeeded: 1, failed: 1, moved: { annotate: 1 } });
      expect(report.stages[0]!.failures[0]!.error.message).toBe("handler failed");
    });

    test("an async dispose is awaited before the batch commits", async () => {
      await using store = await create({ items: 1 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      const log: string[] = [];
      const slow = defineDependency({
        resolve: () => 1,
        dispose: async () => {
          await new Promise((resolve) => setImmediate(resolve));
          log.push(`disposed, commits so far: ${store.backend.count("commit")}`);
        },
      });
      runner.stage("Pre-label", { deps: { slow } }, () => "annotate");
      await runner.execute({ output: "silent" });
      expect(log).toEqual(["disposed, commits so far: 0"]);
      expect(store.backend.count("commit")).toBe(1);
    });

    test("a cycle of dependencies is a task failure whose message names the cycle", async () => {
      await using store = await create({ items: 2 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      // deps objects are filled in afterwards: the only way to build a cycle.
      const depsOfAlpha: Record<string, Dependency<unknown>> = {};
      const alpha = defineDependency({ name: "alpha", deps: depsOfAlpha, resolve: () => "a" });
      const beta = defineDependency({ name: "beta", deps: { alpha }, resolve: () => "b" });
      depsOfAlpha.beta = beta;
      let handled = 0;
      runner.stage("Pre-label", { deps: { alpha } }, () => {
        handled++;
        return null;
      });
      const report = await runner.execute({ numRetries: 0, output: "silent" });
      expect(handled).toBe(0);
      expect(report.end).toBe("completed");
      expect(report.stages[0]).toMatchObject({ seen: 2, failed: 2 });
      for (const failure of report.stages[0]!.failures) {
        expect(failure.error.message).toContain("cycle");
        expect(failure.error.message).toContain("alpha → beta → alpha");
      }
    });

    test("a cycle through an async dependency is found too, instead of leaving the task waiting forever", async () => {
      await using store = await create({ items: 1 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      const slow = defineDependency({
        name: "slow",
        resolve: async () => {
          await new Promise((resolve) => setImmediate(resolve));
          return 1;
        },
      });
      // alpha needs slow, then gamma; gamma needs alpha. Both are also declared on the stage, so
      // gamma's resolution starts while alpha waits for slow.
      const depsOfAlpha: Record<string, Dependency<unknown>> = { slow };
      const alpha = defineDependency({ name: "alpha", deps: depsOfAlpha, resolve: () => "a" });
      const gamma = defineDependency({ name: "gamma", deps: { alpha }, resolve: () => "c" });
      depsOfAlpha.gamma = gamma;
      let handled = 0;
      runner.stage("Pre-label", { deps: { alpha, gamma } }, () => {
        handled++;
        return null;
      });
      const report = await runner.execute({ numRetries: 0, output: "silent" });
      expect(handled).toBe(0);
      expect(report.stages[0]!.failures).toHaveLength(1);
      expect(report.stages[0]!.failures[0]!.error.message).toContain("alpha → gamma → alpha");
      // A generous limit: before the fix this test hung; it finishes in milliseconds.
    }, 10_000);

    test("a dependency that needs itself is a cycle", async () => {
      await using store = await create({ items: 1 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      const deps: Record<string, Dependency<unknown>> = {};
      const selfish = defineDependency({ name: "selfish", deps, resolve: () => 1 });
      deps.me = selfish;
      runner.stage("Pre-label", { deps: { selfish } }, () => null);
      const report = await runner.execute({ numRetries: 0, output: "silent" });
      expect(report.stages[0]!.failures[0]!.error.message).toContain("selfish → selfish");
    });

    test("defineDependency() rejects deps that are not dependencies, naming them", () => {
      const notADependency = { resolve: () => 1 } as unknown as Dependency<number>;
      expect(() => defineDependency({ name: "size", deps: { storageItem, helper: notADependency }, resolve: () => 1 })).toThrow(
        expect.objectContaining({
          name: "ConfigurationError",
          code: "TA_INVALID_ARGUMENT",
          message: expect.stringContaining(`deps.helper of "size"`) as unknown,
        }),
      );
    });

    describe("storageItem", () => {
      test("each task gets its own item, matched by UUID", async () => {
        await using store = await create({ items: "demo" });
        const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
        const pairs: [string, string, string | null][] = [];
        runner.stage("Pre-label", { deps: { storageItem } }, ({ storageItem, task }) => {
          pairs.push([task.dataTitle, storageItem.name, storageItem.signedUrl]);
          return null;
        });
        // Two tasks at once in batches of three, so position in a batch tells nothing.
        await runner.execute({ taskBatchSize: 3, concurrency: 2, output: "silent" });
        expect(pairs).toHaveLength(4);
        for (const [title, name, signedUrl] of pairs) {
          expect(name).toBe(title);
          // The local store signs with the file's own URL; Encord with a URL of its storage.
          if (store.kind === "local") expect(signedUrl).toMatch(new RegExp(`^file://.*/${title.replace(".", "\\.")}$`));
          // Either way the signed URL serves this item's file.
          expect(await download(signedUrl!)).toEqual(readFileSync(join(paths.demoData, title)));
        }
      });

      test("each task gets its own item among many URL items", async () => {
        await using store = await create({ items: 10 });
        const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
        const mismatches: string[] = [];
        let count = 0;
        runner.stage("Pre-label", { deps: { storageItem, labelRow } }, ({ storageItem, labelRow, task }) => {
          count++;
          if (storageItem.name !== task.dataTitle) mismatches.push(task.dataTitle);
          // URL items keep their URL in the local store; on Encord `url` is the item's storage path.
          if (store.kind === "local" && storageItem.url !== `https://example.com/${task.dataTitle}`) mismatches.push(`url of ${task.dataTitle}`);
          if (labelRow.dataHash !== task.dataHash || labelRow.backingItemUuid !== storageItem.uuid) mismatches.push(`row of ${task.dataTitle}`);
          return null;
        });
        await runner.execute({ taskBatchSize: 4, concurrency: 3, output: "silent" });
        expect(count).toBe(10);
        expect(mismatches).toEqual([]);
      });

      test("a handler's changes to its storage item do not leak into a retry", async () => {
        await using store = await create({ items: 1 });
        const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
        const seenMetadata: unknown[] = [];
        let attempt = 0;
        runner.stage("Pre-label", { deps: { storageItem } }, ({ storageItem }) => {
          seenMetadata.push(structuredClone(storageItem.clientMetadata));
          storageItem.clientMetadata.touched = true;
          if (++attempt === 1) throw new Error("retry");
          return null;
        });
        await runner.execute({ numRetries: 1, output: "silent" });
        expect(seenMetadata).toEqual([{}, {}]);
      });
    });
  });
});
