import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { audioSamples, isConfigurationError, Runner, type AudioSamples } from "../../src/index.js";
import { backends } from "../support/backend-fixtures.js";
import { channel, dftMagnitude, makeTone, makeUnknownCodecWav, sineAmplitude, zeroCrossingFrequency } from "../support/make-audio.js";
import { makeVideo } from "../support/make-media.js";
import { paths } from "../support/paths.js";
import { tempDir } from "../support/temp-dir.js";

const dir = tempDir("task-agents-audio-deps-");
const stereo = join(dir.path, "duet.wav");
const withSound = join(dir.path, "talk.mp4");
const silent = join(dir.path, "silent.mp4");
const unknownCodec = join(dir.path, "odd.wav");
const text = join(paths.demoData, "caption.txt");

beforeAll(async () => {
  await Promise.all([
    makeTone(stereo, { frequencies: [440, 1000], sampleRate: 44100, seconds: 2 }),
    makeTone(withSound, { frequencies: [500], sampleRate: 48000, seconds: 1, codec: "aac", video: true }),
    makeVideo(silent, { width: 32, height: 32, frames: 5 }),
    makeUnknownCodecWav(unknownCodec),
  ]);
});
afterAll(() => dir[Symbol.dispose]());

/** What a handler saw of its task's audio. */
interface Seen {
  readonly sampleRate: number;
  readonly channels: number;
  readonly duration: number | null;
  readonly chunkStarts: number[];
  readonly streamed: Float32Array;
  readonly all: Float32Array;
  readonly range: { start: number; end: number };
}

async function look(audio: AudioSamples): Promise<Seen> {
  const chunkStarts: number[] = [];
  const parts: Float32Array[] = [];
  for await (const { start, samples } of audio) {
    chunkStarts.push(start);
    parts.push(samples);
  }
  const streamed = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (streamed.set(p, at), at + p.length), 0);
  const { sampleRate, channels, duration } = audio;
  return { sampleRate, channels, duration, chunkStarts, streamed, all: await audio.all(), range: audio.range({ start: 250, end: 500 }) };
}

describe.each(backends)("on $name", ({ create }) => {
  test("audioSamples({ sampleRate: 16000, channels: 1 }) streams an audio file and a video's sound track, resampled and mixed", async () => {
    await using store = await create({ items: [stereo, withSound] });
    const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
    const seen = new Map<string, Seen>();
    runner.stage("Pre-label", { deps: { audio: audioSamples({ sampleRate: 16000, channels: 1, chunkSeconds: 0.5 }) } }, async ({ audio, task }) => {
      seen.set(task.dataTitle, await look(audio));
      return "annotate";
    });
    const report = await runner.execute({ output: "silent" });
    expect(report.stages[0]!.failures).toEqual([]);
    const duet = seen.get("duet.wav")!;
    expect(duet).toMatchObject({ sampleRate: 16000, channels: 1, duration: 2, chunkStarts: [0, 8000, 16000, 24000], range: { start: 4000, end: 8000 } });
    expect(duet.streamed.length).toBe(32000);
    expect(duet.all).toEqual(duet.streamed);
    // Mixed to mono: both tones, each at half its level.
    expect(dftMagnitude(duet.all, 16000, 440)).toBeCloseTo(sineAmplitude / 2, 2);
    expect(dftMagnitude(duet.all, 16000, 1000)).toBeCloseTo(sineAmplitude / 2, 2);
    const talk = seen.get("talk.mp4")!;
    expect(talk).toMatchObject({ sampleRate: 16000, channels: 1 });
    expect(zeroCrossingFrequency(talk.all.subarray(2000, 14000), 16000)).toBeCloseTo(500, 0);
    expect((await store.tasksIn("Annotate")).map((t) => t.dataTitle).sort()).toEqual(["duet.wav", "talk.mp4"]);
  });

  test("bare audioSamples keeps the stored rate and channels", async () => {
    await using store = await create({ items: [stereo] });
    const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
    let seen: Seen | undefined;
    runner.stage("Pre-label", { deps: { audioSamples } }, async ({ audioSamples }) => {
      seen = await look(audioSamples);
      return null;
    });
    await runner.execute({ output: "silent" });
    expect(seen).toMatchObject({ sampleRate: 44100, channels: 2, chunkStarts: [0, 44100], range: { start: 11025, end: 22050 } });
    expect(zeroCrossingFrequency(channel(seen!.all, 2, 0), 44100)).toBeCloseTo(440, 0);
    expect(zeroCrossingFrequency(channel(seen!.all, 2, 1), 44100)).toBeCloseTo(1000, 0);
  });

  test("a video without sound, a track no decoder reads and a text item fail once (no retries), naming the item and what is read", async () => {
    await using store = await create({ items: [silent, unknownCodec, text] });
    const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
    let ran = 0;
    runner.stage("Pre-label", { deps: { audio: audioSamples({ sampleRate: 16000 }) } }, () => {
      ran++;
      return "annotate";
    });
    const report = await runner.execute({ output: "silent", numRetries: 3 });
    expect(ran).toBe(0);
    const byTitle = new Map(report.stages[0]!.failures.map((f) => [f.dataTitle, f]));
    expect(byTitle.get("silent.mp4")).toMatchObject({
      attempts: 1,
      error: { name: "MediaError", message: '"silent.mp4" has no audio track; audio samples come from audio files and from videos with a sound track.' },
    });
    expect(byTitle.get("caption.txt")).toMatchObject({
      attempts: 1,
      error: {
        name: "MediaError",
        message: expect.stringMatching(
          /^audioSamples cannot read task .* \(data "caption.txt", a text file\): it reads audio files and the sound track of videos\.$/,
        ) as unknown,
      },
    });
    expect(byTitle.get("odd.wav")).toMatchObject({
      attempts: 1,
      error: {
        name: "MediaError",
        message: expect.stringMatching(
          /^The audio track of "odd.wav" is in a codec this ffmpeg does not know\. Accepted: audio files and videos with sound/,
        ) as unknown,
      },
    });
    expect(await store.tasksIn("Pre-label")).toHaveLength(3);
  });
});

/** ffmpeg processes that are children of this test process. */
function ffmpegChildren(): string[] {
  const out = execFileSync("ps", ["-o", "pid=,comm=", "--ppid", String(process.pid)], { encoding: "utf8" }).trim();
  return out.split("\n").filter((line) => line.includes("ffmpeg"));
}

describe("audioSamples after the task", () => {
  test("a handler that throws mid-stream leaves no ffmpeg running", async () => {
    await using store = await backends[0]!.create({ items: [stereo] });
    const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
    let during: string[] = [];
    runner.stage("Pre-label", { deps: { audio: audioSamples({ chunkSeconds: 0.01 }) } }, async ({ audio }) => {
      const chunks = audio[Symbol.asyncIterator]();
      await chunks.next();
      during = ffmpegChildren();
      throw new Error("stop half-way");
    });
    const report = await runner.execute({ output: "silent", numRetries: 0 });
    expect(report.stages[0]!.failed).toBe(1);
    expect(during).toHaveLength(1);
    // Killed when the attempt's dependencies were released.
    await expect.poll(() => ffmpegChildren(), { timeout: 5000 }).toEqual([]);
  });
});

describe("audioSamples options", () => {
  test.each([
    [
      { sampleRate: 0 },
      /^audioSamples\(\): sampleRate must be a whole number of samples per second from 1 to 768000 \(16000 for most speech models\), got 0\.$/,
    ],
    [{ channels: 2.5 }, /^audioSamples\(\): channels must be a whole number from 1 to 8 .*got 2.5\.$/],
    [{ chunkSeconds: 0 }, /^audioSamples\(\): chunkSeconds must be a number of seconds above 0 and at most 3600, got 0\.$/],
    [{ rate: 16000 }, /^audioSamples\(\): unknown option "rate"; the options are sampleRate, channels and chunkSeconds\.$/],
    [16000, /^audioSamples\(\) takes \{ sampleRate\?, channels\?, chunkSeconds\? \}, got 16000\.$/],
  ])("%j is refused when the stage is declared", (options, message) => {
    let error: unknown;
    try {
      audioSamples(options as never);
    } catch (caught) {
      error = caught;
    }
    expect(isConfigurationError(error)).toBe(true);
    expect((error as Error).message).toMatch(message);
  });
});
