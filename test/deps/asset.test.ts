import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { asset, QueueRunner, Runner, singleFrame } from "../../src/index.js";
import { backends, createEncordProject } from "../support/backend-fixtures.js";
import { resultOf, silentLogger, specOf } from "../support/queue-fixture.js";
import { paths } from "../support/paths.js";

const image = join(paths.mediaData, "one-red.png");
const clip = join(paths.mediaData, "moving-square.mp4");
const text = join(paths.demoData, "caption.txt");

describe.each(backends)("on $name", ({ name, create }) => {
  describe("asset", () => {
    test("is the task's file on local disk while the handler runs, with the file's bytes and a suffix from its type", async () => {
      await using store = await create({ items: [image, clip, text] });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      const seen = new Map<string, { path: string; bytes: Buffer; existed: boolean }>();
      runner.stage("Pre-label", { deps: { asset } }, ({ asset, task }) => {
        seen.set(task.dataTitle, { path: asset, bytes: readFileSync(asset), existed: existsSync(asset) });
        return "annotate";
      });
      const report = await runner.execute({ output: "silent" });
      expect(report.stages[0]!.succeeded).toBe(3);
      for (const [title, file] of [
        ["one-red.png", image],
        ["moving-square.mp4", clip],
        ["caption.txt", text],
      ] as const) {
        const got = seen.get(title)!;
        expect(got.existed).toBe(true);
        expect(got.bytes.equals(readFileSync(file))).toBe(true);
        if (name === "local") {
          // The local store points at the file that was added; it is never removed.
          expect(got.path).toBe(file);
          expect(existsSync(got.path)).toBe(true);
        } else {
          expect(got.path).not.toBe(file);
          expect(got.path.endsWith({ "one-red.png": ".png", "moving-square.mp4": ".mp4", "caption.txt": ".txt" }[title])).toBe(true);
          expect(existsSync(got.path)).toBe(false);
        }
      }
    });

    test("a download is removed after the task even when the handler throws, on every attempt", async () => {
      await using store = await create({ items: [image] });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      const paths: string[] = [];
      runner.stage("Pre-label", { deps: { asset } }, ({ asset }) => {
        paths.push(asset);
        throw new Error("model crashed");
      });
      const report = await runner.execute({ output: "silent", numRetries: 2 });
      expect(report.stages[0]!.failures).toEqual([
        expect.objectContaining({ attempts: 3, error: expect.objectContaining({ message: "model crashed" }) as unknown }),
      ]);
      expect(paths).toHaveLength(3);
      if (name === "encord") {
        expect(new Set(paths).size).toBe(3);
        for (const path of paths) expect(existsSync(path)).toBe(false);
      } else {
        for (const path of paths) expect(path).toBe(image);
        expect(existsSync(image)).toBe(true);
      }
      expect((await store.tasksIn("Pre-label")).map((t) => t.dataTitle)).toEqual(["one-red.png"]);
    });

    test("a QueueRunner's wrapped handler gets the media helpers too, and its download is gone after the call", async () => {
      await using store = await create({ items: [image] });
      const queueRunner = new QueueRunner({ projectHash: store.projectHash, backend: store.backend, logger: silentLogger });
      let seen: { path: string; width: number } | undefined;
      const handle = queueRunner.stage("Pre-label", { deps: { asset, frame: singleFrame } }, ({ asset, frame }) => {
        seen = { path: asset, width: frame.width };
        return "annotate";
      });
      const [task] = await store.tasksIn("Pre-label");
      expect(resultOf(await handle(specOf(task!)))).toMatchObject({ success: true });
      expect(seen!.width).toBe(160);
      expect(existsSync(seen!.path)).toBe(name === "local");
    });
  });
});

describe("asset downloads on Encord", () => {
  async function withEnv<T>(values: Record<string, string>, run: () => Promise<T>): Promise<T> {
    const saved = Object.fromEntries(Object.keys(values).map((k) => [k, process.env[k]]));
    Object.assign(process.env, values);
    try {
      return await run();
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  }

  test("a file over TASK_AGENTS_DOWNLOAD_MAX_BYTES fails its task once, naming the item and the limit", async () => {
    await using store = await createEncordProject({ items: [image] });
    const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
    runner.stage("Pre-label", { deps: { asset } }, () => "annotate");
    const report = await withEnv({ TASK_AGENTS_DOWNLOAD_MAX_BYTES: "100" }, () => runner.execute({ output: "silent", numRetries: 3 }));
    expect(report.stages[0]!.failures).toEqual([
      expect.objectContaining({
        attempts: 1,
        error: expect.objectContaining({
          name: "MediaError",
          message: expect.stringMatching(/"one-red.png" is .* more than maxBytes, 100 bytes.*TASK_AGENTS_DOWNLOAD_MAX_BYTES/) as unknown,
        }) as unknown,
      }),
    ]);
  });

  test("a limit that is not a number fails with the variable and what it accepts", async () => {
    await using store = await createEncordProject({ items: [image] });
    const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
    runner.stage("Pre-label", { deps: { asset } }, () => "annotate");
    const report = await withEnv({ TASK_AGENTS_DOWNLOAD_TIMEOUT: "soon" }, () => runner.execute({ output: "silent", numRetries: 3 }));
    expect(report.stages[0]!.failures).toEqual([
      expect.objectContaining({
        attempts: 1,
        error: expect.objectContaining({ message: 'TASK_AGENTS_DOWNLOAD_TIMEOUT is "soon"; it must be a number of seconds > 0, e.g. 1800.' }) as unknown,
      }),
    ]);
  });
});
