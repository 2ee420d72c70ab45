import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { decodeVideoFrame } from "../../src/media/video-frames.js";
import { decodeImage, Runner, singleFrame, videoFrames, videoSampler, type RgbImage } from "../../src/index.js";
import { backends } from "../support/backend-fixtures.js";
import { paths } from "../support/paths.js";

const image = join(paths.mediaData, "one-red.png");
const clip = join(paths.mediaData, "moving-square.mp4");
const text = join(paths.demoData, "caption.txt");

/** ffmpeg processes that are children of this test process. */
function ffmpegChildren(): string[] {
  const out = execFileSync("ps", ["-o", "pid=,comm=", "--ppid", String(process.pid)], { encoding: "utf8" }).trim();
  return out.split("\n").filter((line) => line.includes("ffmpeg"));
}

function sameImage(a: RgbImage, b: RgbImage): boolean {
  return a.width === b.width && a.height === b.height && Buffer.from(a.data).equals(Buffer.from(b.data));
}

describe.each(backends)("on $name", ({ create }) => {
  describe("singleFrame", () => {
    test("is the image's pixels, and frame 0 / frame N of a video", async () => {
      await using store = await create({ items: [image, clip] });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      const frames = new Map<string, { first: RgbImage; tenth: RgbImage | undefined }>();
      const tenth = singleFrame({ frame: 10 });
      runner.stage("Pre-label", { deps: { first: singleFrame } }, ({ first, task }) => {
        frames.set(task.dataTitle, { first, tenth: undefined });
        return null;
      });
      await runner.execute({ output: "silent" });
      const videoRunner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      videoRunner.stage("Pre-label", { deps: { tenth } }, ({ tenth, task }) => {
        if (task.dataTitle === "moving-square.mp4") frames.set("tenth", { first: tenth, tenth });
        return null;
      });
      await videoRunner.execute({ output: "silent" });
      expect(sameImage(frames.get("one-red.png")!.first, await decodeImage(image))).toBe(true);
      expect(sameImage(frames.get("moving-square.mp4")!.first, await decodeVideoFrame(clip, 0))).toBe(true);
      expect(sameImage(frames.get("tenth")!.first, await decodeVideoFrame(clip, 10))).toBe(true);
      expect(frames.get("moving-square.mp4")!.first).toMatchObject({ width: 160, height: 120 });
    });

    test("a frame the item lacks, or media without frames, fails the task once (no retries) with the reason", async () => {
      await using store = await create({ items: [image, text] });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      runner.stage("Pre-label", { deps: { frame: singleFrame(3) } }, () => "annotate");
      const report = await runner.execute({ output: "silent", numRetries: 3 });
      const failures = report.stages[0]!.failures;
      expect(failures).toHaveLength(2);
      const byTitle = new Map(failures.map((f) => [f.dataTitle, f]));
      expect(byTitle.get("one-red.png")).toMatchObject({
        attempts: 1,
        error: { name: "MediaError", message: expect.stringMatching(/has one frame, 0; frame 3 was asked for/) as unknown },
      });
      expect(byTitle.get("caption.txt")).toMatchObject({
        attempts: 1,
        error: {
          name: "MediaError",
          message: expect.stringMatching(/reads images, image groups, image sequences, videos, DICOM files and series, NIfTI volumes and PDFs/) as unknown,
        },
      });
      expect(await store.tasksIn("Pre-label")).toHaveLength(2);
    });

    test("rejects bad frame numbers when the stage is registered", () => {
      expect(() => singleFrame({ frame: -1 })).toThrow(/frame must be a whole number ≥ 0/);
      expect(() => singleFrame(1.5)).toThrow(/got 1.5/);
      expect(singleFrame(4)).toBe(singleFrame({ frame: 4 }));
    });
  });

  describe("videoFrames and videoSampler", () => {
    test("videoFrames yields every frame of a video in order, and the one frame of an image", async () => {
      await using store = await create({ items: [image, clip] });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      const numbers = new Map<string, number[]>();
      runner.stage("Pre-label", { deps: { videoFrames } }, async ({ videoFrames, task }) => {
        const seen: number[] = [];
        for await (const { frame, image } of videoFrames) {
          expect(image.data.length).toBe(image.width * image.height * 3);
          seen.push(frame);
        }
        numbers.set(task.dataTitle, seen);
        return null;
      });
      await runner.execute({ output: "silent" });
      expect(numbers.get("moving-square.mp4")).toEqual(Array.from({ length: 48 }, (_, i) => i));
      expect(numbers.get("one-red.png")).toEqual([0]);
    });

    test("videoFrames({ reuseBuffers: true }) yields the same pixels, and a frame's buffer goes back once the loop moves on", async () => {
      await using store = await create({ items: [clip, image] });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      const copies = new Map<string, Buffer[]>();
      const keptLengths = new Map<string, number[]>();
      runner.stage("Pre-label", { deps: { frames: videoFrames({ reuseBuffers: true }) } }, async ({ frames, task }) => {
        const seen: Buffer[] = [];
        const kept: RgbImage[] = [];
        for await (const { image } of frames) {
          seen.push(Buffer.from(image.data));
          kept.push(image);
        }
        copies.set(task.dataTitle, seen);
        keptLengths.set(
          task.dataTitle,
          kept.map((k) => k.data.length),
        );
        return null;
      });
      await runner.execute({ output: "silent" });
      const video = copies.get("moving-square.mp4")!;
      expect(video).toHaveLength(48);
      for (const frame of [0, 10, 47]) expect(video[frame]!.equals(Buffer.from((await decodeVideoFrame(clip, frame)).data))).toBe(true);
      // Every frame the loop moved past (the last one too: the loop asked for a next) was emptied, its buffer reused.
      expect(keptLengths.get("moving-square.mp4")).toEqual(Array.from({ length: 48 }, () => 0));
      // An image has one frame of its own.
      expect(keptLengths.get("one-red.png")).toEqual([copies.get("one-red.png")![0]!.length]);
    });

    test("videoFrames() rejects unknown options and a non-boolean reuseBuffers when the stage is registered", () => {
      expect(() => videoFrames({ reuse: true } as never)).toThrow(/unknown option "reuse"; accepted: reuseBuffers/);
      expect(() => videoFrames({ reuseBuffers: "yes" } as never)).toThrow(/reuseBuffers must be true or false, got "yes"/);
      expect(() => videoFrames(5 as never)).toThrow(/takes \{ reuseBuffers \}, got 5/);
      expect(videoFrames({ reuseBuffers: true })).toBe(videoFrames({ reuseBuffers: true }));
      expect(videoFrames({ reuseBuffers: false })).toBe(videoFrames);
    });

    test("videoSampler picks every k-th frame for a rate and exactly the listed frames for a list", async () => {
      await using store = await create({ items: [clip] });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      const picks: Record<string, number[]> = {};
      let tenth: RgbImage | undefined;
      runner.stage("Pre-label", { deps: { videoSampler } }, async ({ videoSampler }) => {
        for (const [name, selection] of [
          ["0.25", 0.25],
          ["1", 1],
          ["0.1", 0.1],
          ["list", [30, 10, 10, 47, 0]],
        ] as const) {
          picks[name] = [];
          for await (const { frame, image } of videoSampler(selection)) {
            picks[name].push(frame);
            if (name === "list" && frame === 10) tenth = image;
          }
        }
        return null;
      });
      await runner.execute({ output: "silent" });
      expect(picks["0.25"]).toEqual([0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44]);
      expect(picks["1"]).toHaveLength(48);
      expect(picks["0.1"]).toEqual([0, 10, 20, 30, 40]);
      expect(picks["list"]).toEqual([0, 10, 30, 47]);
      expect(sameImage(tenth!, await decodeVideoFrame(clip, 10))).toBe(true);
    });

    test("rates outside (0, 1] and frames past the end fail the task at once with what is accepted", async () => {
      await using store = await create({ items: [clip] });
      for (const [selection, message] of [
        [0, /rate must be a number in \(0, 1\]/],
        [1.5, /rate must be a number in \(0, 1\].*got 1.5/],
        [-0.5, /got -0.5/],
        [[3, -1], /frame must be a whole number ≥ 0/],
        [[5, 48], /^Frame 48 is past the end of "moving-square.mp4", which has 48 frames \(0–47\)/],
      ] as const) {
        const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
        runner.stage("Pre-label", { deps: { videoSampler } }, async ({ videoSampler }) => {
          for await (const _ of videoSampler(selection)) void _;
          return "annotate";
        });
        const report = await runner.execute({ output: "silent", numRetries: 2 });
        expect(report.stages[0]!.failures).toEqual([
          expect.objectContaining({ attempts: 1, error: expect.objectContaining({ message: expect.stringMatching(message) as unknown }) as unknown }),
        ]);
      }
      expect(await store.tasksIn("Pre-label")).toHaveLength(1);
    });

    test("leaving the loop early, or a handler that throws mid-loop, leaves no ffmpeg running", async () => {
      await using store = await create({ items: [clip] });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      let during: string[] = [];
      runner.stage("Pre-label", { deps: { videoFrames, videoSampler } }, async ({ videoFrames, videoSampler }) => {
        for await (const { frame } of videoFrames) if (frame === 2) break;
        const iterator = videoSampler(0.5)[Symbol.asyncIterator]();
        await iterator.next();
        during = ffmpegChildren();
        throw new Error("stop half-way");
      });
      const report = await runner.execute({ output: "silent", numRetries: 0 });
      expect(report.stages[0]!.failed).toBe(1);
      expect(during.length).toBeGreaterThan(0);
      // Killed when the attempt's dependencies were released.
      await expect.poll(() => ffmpegChildren(), { timeout: 5000 }).toEqual([]);
    });

    test("without ffmpeg a video task fails once, saying what to install; images still work", async () => {
      await using store = await create({ items: [image, clip] });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      runner.stage("Pre-label", { deps: { frame: singleFrame } }, () => "annotate");
      const saved = process.env.TASK_AGENTS_FFMPEG;
      process.env.TASK_AGENTS_FFMPEG = "/nonexistent/ffmpeg";
      try {
        const report = await runner.execute({ output: "silent", numRetries: 3 });
        expect(report.stages[0]!.failures).toEqual([
          expect.objectContaining({
            dataTitle: "moving-square.mp4",
            attempts: 1,
            error: expect.objectContaining({ message: expect.stringMatching(/needs ffmpeg.*apt-get install ffmpeg/) as unknown }) as unknown,
          }),
        ]);
      } finally {
        if (saved === undefined) delete process.env.TASK_AGENTS_FFMPEG;
        else process.env.TASK_AGENTS_FFMPEG = saved;
      }
      expect((await store.tasksIn("Annotate")).map((t) => t.dataTitle)).toEqual(["one-red.png"]);
    });
  });
});
