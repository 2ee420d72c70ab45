import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from "vitest";
import { isConfigurationError, isMediaError } from "../../src/domain/errors.js";
import { ffmpegTools } from "../../src/media/ffmpeg.js";
import { probeVideo } from "../../src/media/probe-video.js";
import type { RgbImage } from "../../src/media/rgb-image.js";
import { decodeVideoFrame, decodeVideoFrames, type FrameSelection, type VideoFrame } from "../../src/media/video-frames.js";
import { makeGarbage, makeVideo } from "../support/make-media.js";
import { rejectionOf } from "../support/failure.js";
import { ffmpegChildren } from "../support/ffmpeg-children.js";
import { tempDir } from "../support/temp-dir.js";

const dir = tempDir("task-agents-video-frames-");
const file = (name: string) => join(dir.path, name);
/** Expected RGB pixels of each frame, by video file name. */
const made: Record<string, Uint8Array[]> = {};

beforeAll(async () => {
  const videos = {
    "lossless.mp4": { width: 48, height: 32, frames: 24 },
    "lossy.mp4": { width: 64, height: 48, frames: 24, codec: "h264" },
    "odd-size.mkv": { width: 33, height: 17, frames: 5 },
    "rotated.mp4": { width: 32, height: 16, frames: 4, rotate: 90 },
    "long.mp4": { width: 320, height: 240, frames: 60 },
    "many.mp4": { width: 16, height: 16, frames: 160 },
  } as const;
  await Promise.all(Object.entries(videos).map(async ([name, spec]) => (made[name] = await makeVideo(file(name), spec))));
  await makeGarbage(file("garbage.mp4"));
});
afterAll(() => dir[Symbol.dispose]());
afterEach(() => {
  vi.unstubAllEnvs();
  // Every test leaves no ffmpeg behind, running or zombie.
  expect(ffmpegChildren()).toEqual([]);
});

async function collect(path: string, select?: FrameSelection, signal?: AbortSignal): Promise<VideoFrame[]> {
  const frames: VideoFrame[] = [];
  for await (const frame of decodeVideoFrames(path, { select, signal })) frames.push(frame);
  return frames;
}

/** Index of the first differing byte, or undefined when equal (keeps failures readable). */
function firstDifference(actual: Uint8Array, expected: Uint8Array): number | string | undefined {
  if (actual.length !== expected.length) return `length ${actual.length} ≠ ${expected.length}`;
  const at = actual.findIndex((v, i) => v !== expected[i]);
  return at === -1 ? undefined : at;
}

function meanError(actual: Uint8Array, expected: Uint8Array): number {
  return actual.reduce((sum, v, i) => sum + Math.abs(v - expected[i]!), 0) / actual.length;
}

/** Frame pixels turned a quarter, clockwise or not: `height` wide and `width` tall. */
function quarterTurn(pixels: Uint8Array, width: number, height: number, clockwise: boolean): Uint8Array {
  const out = new Uint8Array(pixels.length);
  for (let y = 0; y < width; y++) {
    for (let x = 0; x < height; x++) {
      const from = (clockwise ? (height - 1 - x) * width + y : x * width + (width - 1 - y)) * 3;
      out.set(pixels.subarray(from, from + 3), (y * height + x) * 3);
    }
  }
  return out;
}

describe("probeVideo", () => {
  test("reads size, rate, frame count and duration without decoding", async () => {
    expect(await probeVideo(file("lossless.mp4"))).toEqual({ width: 48, height: 32, fps: 24, frameCount: 24, duration: 1 });
  });

  test("reports a ±90° rotated video's size as decoded (swapped)", async () => {
    expect(await probeVideo(file("rotated.mp4"))).toMatchObject({ width: 16, height: 32 });
  });

  test("an undecodable file is a permanent TA_MEDIA_DECODE with ffprobe's reason", async () => {
    const error = await rejectionOf(probeVideo(file("garbage.mp4")));
    expect(isMediaError(error)).toBe(true);
    expect(error).toMatchObject({ code: "TA_MEDIA_DECODE", permanent: true });
    expect(error.message).toContain(JSON.stringify(file("garbage.mp4")));
    expect(error.message).toMatch(/Invalid data found when processing input/);
  });
});

describe("decodeVideoFrames", () => {
  test("decodes every frame of a lossless video, numbered from 0, pixel for pixel", async () => {
    const frames = await collect(file("lossless.mp4"));
    expect(frames.map((f) => f.frame)).toEqual([...Array(24).keys()]);
    for (const { frame, image } of frames) {
      expect([image.width, image.height]).toEqual([48, 32]);
      expect(firstDifference(image.data, made["lossless.mp4"]![frame]!), `frame ${frame}`).toBeUndefined();
    }
  });

  test("decodes an ordinary yuv420p H.264 video within a tolerance, each frame nearest its own source", async () => {
    const frames = await collect(file("lossy.mp4"));
    const sources = made["lossy.mp4"]!;
    expect(frames).toHaveLength(24);
    for (const { frame, image } of frames) {
      const errors = sources.map((source) => meanError(image.data, source));
      expect(errors[frame], `frame ${frame}`).toBeLessThan(6);
      expect(errors.indexOf(Math.min(...errors)), `frame ${frame}`).toBe(frame);
    }
  });

  test("decodes odd sizes exactly", async () => {
    const frames = await collect(file("odd-size.mkv"));
    expect(frames).toHaveLength(5);
    for (const { frame, image } of frames) {
      expect([image.width, image.height]).toEqual([33, 17]);
      expect(firstDifference(image.data, made["odd-size.mkv"]![frame]!)).toBeUndefined();
    }
  });

  test("applies rotation metadata, matching probeVideo's size", async () => {
    const info = await probeVideo(file("rotated.mp4"));
    const frames = await collect(file("rotated.mp4"));
    expect(frames).toHaveLength(4);
    // Which way a rotate=90 tag turns the picture is ffmpeg's convention, not ours; that
    // frames come out turned, whole and with probeVideo's size, is ours.
    for (const { frame, image } of frames) {
      expect([image.width, image.height]).toEqual([info.width, info.height]);
      const turned = [true, false].map((clockwise) => firstDifference(image.data, quarterTurn(made["rotated.mp4"]![frame]!, 32, 16, clockwise)));
      expect(turned, `frame ${frame}`).toContain(undefined);
    }
  });

  test("{ every: 5 } keeps frames 0, 5, 10, 15 and 20", async () => {
    const frames = await collect(file("lossless.mp4"), { every: 5 });
    expect(frames.map((f) => f.frame)).toEqual([0, 5, 10, 15, 20]);
    for (const { frame, image } of frames) expect(firstDifference(image.data, made["lossless.mp4"]![frame]!)).toBeUndefined();
  });

  test("{ every: 1 } is every frame", async () => {
    expect((await collect(file("lossless.mp4"), { every: 1 })).map((f) => f.frame)).toEqual([...Array(24).keys()]);
  });

  test("a frame list is sorted and deduplicated, and gives exactly those frames", async () => {
    const frames = await collect(file("lossless.mp4"), { frames: [20, 3, 3, 7, 0, 23] });
    expect(frames.map((f) => f.frame)).toEqual([0, 3, 7, 20, 23]);
    for (const { frame, image } of frames) expect(firstDifference(image.data, made["lossless.mp4"]![frame]!)).toBeUndefined();
  });

  test("a list of more ranges than the filter takes is still exact", async () => {
    // 80 separate frames: more ranges than one select expression holds, so gaps are joined.
    const wanted = [...Array(80).keys()].map((i) => i * 2);
    const frames = await collect(file("many.mp4"), { frames: wanted });
    expect(frames.map((f) => f.frame)).toEqual(wanted);
    for (const { frame, image } of frames) expect(firstDifference(image.data, made["many.mp4"]![frame]!), `frame ${frame}`).toBeUndefined();
  });

  test("an empty list yields nothing and runs no ffmpeg", async () => {
    expect(await collect(file("lossless.mp4"), { frames: [] })).toEqual([]);
  });

  test("a listed frame past the end yields the others, then a permanent TA_UNSUPPORTED_FRAME with the frame count", async () => {
    const seen: number[] = [];
    const iterate = async () => {
      for await (const { frame } of decodeVideoFrames(file("lossless.mp4"), { select: { frames: [2, 30, 40] } })) seen.push(frame);
    };
    const error = await rejectionOf(iterate());
    expect(seen).toEqual([2]);
    expect(isMediaError(error)).toBe(true);
    expect(error).toMatchObject({ code: "TA_UNSUPPORTED_FRAME", permanent: true });
    expect(error.message).toBe(`Frames 30 and 40 are past the end of ${JSON.stringify(file("lossless.mp4"))}, which has 24 frames (0–23).`);
  });

  test.each([
    ["{ every: 0 }", { every: 0 }],
    ["{ every: 1.5 }", { every: 1.5 }],
    ["a negative frame", { frames: [3, -1] }],
    ["a fractional frame", { frames: [0.5] }],
    ["frames that are not an array", { frames: "1,2" }],
    ["both every and frames", { every: 2, frames: [1] }],
    ["neither", {}],
  ])("%s is a TA_INVALID_ARGUMENT before anything runs", async (_, select) => {
    const error = await rejectionOf(collect(file("lossless.mp4"), select as FrameSelection));
    expect(isConfigurationError(error)).toBe(true);
    expect(error.code).toBe("TA_INVALID_ARGUMENT");
    expect(error.message).toMatch(/accepted|numbered by integers from 0/);
  });

  test("breaking out of the loop kills ffmpeg at once", async () => {
    let running: number[] = [];
    for await (const { frame } of decodeVideoFrames(file("long.mp4"))) {
      expect(frame).toBe(0);
      running = ffmpegChildren();
      break;
    }
    expect(running).toHaveLength(1);
    expect(ffmpegChildren()).toEqual([]);
  });

  test("aborting the signal stops the iteration with its reason and kills ffmpeg", async () => {
    const controller = new AbortController();
    const reason = new Error("enough frames");
    const seen: number[] = [];
    const iterate = async () => {
      for await (const { frame } of decodeVideoFrames(file("long.mp4"), { signal: controller.signal })) {
        seen.push(frame);
        if (frame === 1) {
          expect(ffmpegChildren()).toHaveLength(1);
          controller.abort(reason);
        }
      }
    };
    expect(await rejectionOf(iterate())).toBe(reason);
    expect(seen).toEqual([0, 1]);
    expect(ffmpegChildren()).toEqual([]);
  });

  test("an already-aborted signal rejects before ffmpeg starts", async () => {
    const reason = new Error("too late");
    const error = await rejectionOf(collect(file("long.mp4"), undefined, AbortSignal.abort(reason)));
    expect(error).toBe(reason);
  });

  test("an undecodable file is a permanent TA_MEDIA_DECODE with ffmpeg's reason", async () => {
    const error = await rejectionOf(collect(file("garbage.mp4")));
    expect(isMediaError(error)).toBe(true);
    expect(error).toMatchObject({ code: "TA_MEDIA_DECODE", permanent: true });
    expect(error.message).toMatch(/^ffmpeg could not decode ".*garbage\.mp4": it exited with code \d+: .*Invalid data found when processing input/);
  });

  test("a file named like an option or a protocol (-a:b.mp4) is read as a file", async () => {
    copyFileSync(file("lossless.mp4"), file("-a:b.mp4"));
    expect(await probeVideo(file("-a:b.mp4"))).toMatchObject({ width: 48, frameCount: 24 });
    expect(firstDifference((await decodeVideoFrame(file("-a:b.mp4"), 4)).data, made["lossless.mp4"]![4]!)).toBeUndefined();
  });

  test("a missing file is a permanent TA_FILE_NOT_FOUND", async () => {
    const error = await rejectionOf(collect(file("nope.mp4")));
    expect(error).toMatchObject({ code: "TA_FILE_NOT_FOUND", permanent: true });
    expect(error.message).toBe(`Media file ${JSON.stringify(file("nope.mp4"))} does not exist.`);
  });

  test("where no socket can be made (a temp folder too deep for one), frames come through stdout, still exact", async () => {
    const deep = join(dir.path, "d".repeat(100));
    mkdirSync(deep);
    vi.stubEnv("TMPDIR", deep);
    const frames = await collect(file("lossless.mp4"), { frames: [1, 22] });
    expect(frames.map((f) => f.frame)).toEqual([1, 22]);
    for (const { frame, image } of frames) expect(firstDifference(image.data, made["lossless.mp4"]![frame]!)).toBeUndefined();
    expect((await collect(file("long.mp4"))).length).toBe(60);
    // Nothing was left behind in it, nor a socket cut short next to it.
    expect(readdirSync(deep)).toEqual([]);
    expect(readdirSync(dir.path).filter((name) => name.startsWith("d") && name !== "d".repeat(100))).toEqual([]);
  });
});

/** Pixels the fake ffmpeg below writes for frame `index` of `width` × `height`. */
function fakePixels(width: number, height: number, index: number): Uint8Array {
  return Uint8Array.from({ length: width * height * 3 }, (_, i) => (i * 7 + index * 13 + width) & 255);
}

/**
 * Points TASK_AGENTS_FFMPEG at a stand-in that writes PPM frames of the sizes FAKE_PPM lists
 * one at a time (so reads meet each frame apart, in small pieces), then `cut` bytes of one more frame when set: an
 * output ffmpeg itself does not make (it scales every frame to the first one's size).
 */
function fakeFfmpeg(sizes: readonly (readonly [number, number])[], cut?: number): void {
  const script = file("fake-ffmpeg.mjs");
  writeFileSync(
    script,
    `#!${process.execPath}
const { sizes, cut } = JSON.parse(process.env.FAKE_PPM);
const frame = (w, h, k) => Buffer.concat([Buffer.from("P6\\n" + w + " " + h + "\\n255\\n"), ` +
      `Buffer.from(Array.from({ length: w * h * 3 }, (_, i) => (i * 7 + k * 13 + w) & 255))]);
const parts = sizes.map(([w, h], k) => frame(w, h, k));
if (cut !== undefined) parts.push(frame(5, 5, sizes.length).subarray(0, cut));
for (const part of parts) {
  for (let at = 0; at < part.length; at += 37) process.stdout.write(part.subarray(at, at + 37));
  await new Promise((resolve) => setTimeout(resolve, 15));
}
`,
    { mode: 0o755 },
  );
  vi.stubEnv("TASK_AGENTS_FFMPEG", script);
  vi.stubEnv("FAKE_PPM", JSON.stringify({ sizes, cut }));
}

describe("decodeVideoFrames reads a frame whole into one buffer once it knows the header", () => {
  test.each([false, true])("sizes changing mid-stream, and a smaller last frame, come out exact (reuseBuffers: %s)", async (reuseBuffers) => {
    const sizes = [
      [4, 2],
      [4, 2],
      [4, 2],
      [3, 3],
      [3, 3],
      [4, 2],
      [4, 2],
      [2, 1],
    ] as const;
    fakeFfmpeg(sizes);
    const seen: [number, number, number | string | undefined][] = [];
    for await (const { frame, image } of decodeVideoFrames(file("lossless.mp4"), { reuseBuffers })) {
      const [width, height] = sizes[frame]!;
      seen.push([image.width, image.height, firstDifference(image.data, fakePixels(width, height, frame))]);
    }
    expect(seen).toEqual(sizes.map(([w, h]) => [w, h, undefined]));
  });

  test.each([3, 20])("output cut %d bytes into a frame is a TA_MEDIA_DECODE after the whole frames", async (cut) => {
    fakeFfmpeg(
      [
        [5, 5],
        [5, 5],
      ],
      cut,
    );
    const seen: number[] = [];
    const iterate = async () => {
      for await (const { frame } of decodeVideoFrames(file("lossless.mp4"), { name: '"cut.mp4"' })) seen.push(frame);
    };
    const error = await rejectionOf(iterate());
    expect(seen).toEqual([0, 1]);
    expect(error).toMatchObject({ code: "TA_MEDIA_DECODE", permanent: true });
    expect(error.message).toBe(`ffmpeg's output for "cut.mp4" ended in the middle of a frame.`);
  });
});

describe("decodeVideoFrames with reuseBuffers", () => {
  test("every frame is exact while it is the current one; one the loop has moved on from is emptied, not overwritten", async () => {
    const expected = made["lossless.mp4"]!;
    let previous: RgbImage | undefined;
    let count = 0;
    for await (const { frame, image } of decodeVideoFrames(file("lossless.mp4"), { reuseBuffers: true })) {
      expect(firstDifference(image.data, expected[frame]!), `frame ${frame}`).toBeUndefined();
      if (previous !== undefined) expect(previous.data.length, `frame ${frame - 1} after the loop moved on`).toBe(0);
      previous = image;
      count++;
    }
    expect(count).toBe(24);
    // The loop asked for a frame after the last too (and found the end).
    expect(previous!.data.length).toBe(0);
  });

  test("frames skipped for a list, and the listed ones, are exact", async () => {
    const frames: number[] = [];
    for await (const { frame, image } of decodeVideoFrames(file("many.mp4"), { reuseBuffers: true, select: { frames: [3, 50, 51, 159] } })) {
      frames.push(frame);
      expect(firstDifference(image.data, made["many.mp4"]![frame]!), `frame ${frame}`).toBeUndefined();
    }
    expect(frames).toEqual([3, 50, 51, 159]);
  });
});

describe("decodeVideoFrame", () => {
  test("returns one frame, exactly", async () => {
    const image: RgbImage = await decodeVideoFrame(file("lossless.mp4"), 17);
    expect(firstDifference(image.data, made["lossless.mp4"]![17]!)).toBeUndefined();
  });

  test("the last frame is there; the one after it is a TA_UNSUPPORTED_FRAME", async () => {
    expect(firstDifference((await decodeVideoFrame(file("lossless.mp4"), 23)).data, made["lossless.mp4"]![23]!)).toBeUndefined();
    const error = await rejectionOf(decodeVideoFrame(file("lossless.mp4"), 24));
    expect(error).toMatchObject({ code: "TA_UNSUPPORTED_FRAME", permanent: true });
    expect(error.message).toBe(`Frame 24 is past the end of ${JSON.stringify(file("lossless.mp4"))}, which has 24 frames (0–23).`);
  });

  test.each([-1, 1.5, Number.NaN])("frame %d is a TA_INVALID_ARGUMENT", async (frame) => {
    const error = await rejectionOf(decodeVideoFrame(file("lossless.mp4"), frame));
    expect(isConfigurationError(error)).toBe(true);
    expect(error.message).toBe(`Frame number ${frame} is not accepted; frames are numbered by integers from 0.`);
  });
});

describe("ffmpegTools", () => {
  test("finds ffmpeg and ffprobe on PATH", () => {
    const tools = ffmpegTools();
    expect(tools.ffmpeg).toMatch(/ffmpeg$/);
    expect(tools.ffprobe).toMatch(/ffprobe$/);
  });

  test("TASK_AGENTS_FFMPEG naming a missing file is a permanent TA_FFMPEG_MISSING naming the variable", async () => {
    vi.stubEnv("TASK_AGENTS_FFMPEG", file("no-such-ffmpeg"));
    const error = await rejectionOf(collect(file("lossless.mp4")));
    expect(isMediaError(error)).toBe(true);
    expect(error).toMatchObject({ code: "TA_FFMPEG_MISSING", permanent: true });
    expect(error.message).toContain(`TASK_AGENTS_FFMPEG is ${JSON.stringify(file("no-such-ffmpeg"))}, which does not exist`);
    expect(error.message).toContain("apt-get install ffmpeg");
    expect(error.message).toContain("brew install ffmpeg");
  });

  test("TASK_AGENTS_FFPROBE naming a file that is not executable is refused", async () => {
    writeFileSync(file("not-executable"), "#!/bin/sh\n", { mode: 0o644 });
    vi.stubEnv("TASK_AGENTS_FFPROBE", file("not-executable"));
    const error = await rejectionOf(probeVideo(file("lossless.mp4")));
    expect(error).toMatchObject({ code: "TA_FFMPEG_MISSING" });
    expect(error.message).toContain("TASK_AGENTS_FFPROBE");
    expect(error.message).toContain("which is not executable");
  });

  test("ffmpeg missing from PATH says video needs it and how to install it", () => {
    vi.stubEnv("PATH", dir.path);
    expect(() => ffmpegTools()).toThrow(
      /^Decoding video and audio needs ffmpeg, which was not found on PATH\. Install it \(Debian\/Ubuntu: apt-get install ffmpeg; macOS: brew install ffmpeg\)/,
    );
  });

  test("with TASK_AGENTS_FFMPEG alone, the ffprobe next to it is used", () => {
    const { ffmpeg, ffprobe } = ffmpegTools();
    vi.stubEnv("TASK_AGENTS_FFMPEG", ffmpeg);
    vi.stubEnv("PATH", dir.path);
    expect(ffmpegTools()).toEqual({ ffmpeg, ffprobe });
  });
});
