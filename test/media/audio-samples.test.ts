import { execFile } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { isConfigurationError, isMediaError } from "../../src/domain/errors.js";
import { probeAudio } from "../../src/media/audio-probe.js";
import { decodeAudioSamples, type AudioChunk, type DecodeAudioOptions } from "../../src/media/audio-samples.js";
import { channel, dftMagnitude, makeTone, makeUnknownCodecWav, sineAmplitude, zeroCrossingFrequency } from "../support/make-audio.js";
import { makeGarbage, makeVideo } from "../support/make-media.js";
import { rejectionOf } from "../support/failure.js";
import { ffmpegChildren } from "../support/ffmpeg-children.js";
import { tempDir } from "../support/temp-dir.js";

const dir = tempDir("task-agents-audio-");
const file = (name: string) => join(dir.path, name);

beforeAll(async () => {
  await Promise.all([
    makeTone(file("a440.wav"), { frequencies: [440], sampleRate: 48000, seconds: 2 }),
    makeTone(file("stereo.wav"), { frequencies: [440, 1000], sampleRate: 44100, seconds: 1 }),
    makeTone(file("tone.flac"), { frequencies: [300], sampleRate: 22050, seconds: 3, codec: "flac" }),
    makeTone(file("with-sound.mp4"), { frequencies: [500], sampleRate: 48000, seconds: 1, codec: "aac", video: true }),
    makeVideo(file("silent.mp4"), { width: 32, height: 32, frames: 5 }),
    makeGarbage(file("garbage.wav")),
    makeUnknownCodecWav(file("unknown-codec.wav")),
  ]);
});
afterAll(() => dir[Symbol.dispose]());

async function decodeAll(path: string, options: DecodeAudioOptions): Promise<{ chunks: AudioChunk[]; samples: Float32Array }> {
  const chunks: AudioChunk[] = [];
  for await (const chunk of decodeAudioSamples(path, options)) chunks.push(chunk);
  const samples = new Float32Array(chunks.reduce((n, c) => n + c.samples.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    samples.set(chunk.samples, at);
    at += chunk.samples.length;
  }
  return { chunks, samples };
}

describe("decodeAudioSamples", () => {
  test("a 440 Hz tone at its own rate is the sine, sample for sample", async () => {
    const { samples } = await decodeAll(file("a440.wav"), { sampleRate: 48000, channels: 1 });
    expect(samples.length).toBe(96000);
    let worst = 0;
    for (let i = 0; i < samples.length; i++) worst = Math.max(worst, Math.abs(samples[i]! - sineAmplitude * Math.sin((2 * Math.PI * 440 * i) / 48000)));
    // 16-bit quantisation of the stored file and the source's own sine table stay within this.
    expect(worst).toBeLessThan(2e-3);
    expect(zeroCrossingFrequency(samples, 48000)).toBeCloseTo(440, 0);
  });

  test("resampled to 16 kHz it has a third of the samples and the same pitch", async () => {
    const { samples } = await decodeAll(file("a440.wav"), { sampleRate: 16000, channels: 1 });
    expect(Math.abs(samples.length - 32000)).toBeLessThanOrEqual(16);
    expect(zeroCrossingFrequency(samples, 16000)).toBeCloseTo(440, 0);
    expect(dftMagnitude(samples, 16000, 440)).toBeCloseTo(sineAmplitude, 2);
    expect(dftMagnitude(samples, 16000, 1000)).toBeLessThan(0.005);
  });

  test("stereo keeps each channel's tone apart, interleaved left then right", async () => {
    const { samples } = await decodeAll(file("stereo.wav"), { sampleRate: 44100, channels: 2 });
    expect(samples.length).toBe(44100 * 2);
    const left = channel(samples, 2, 0);
    const right = channel(samples, 2, 1);
    expect(zeroCrossingFrequency(left, 44100)).toBeCloseTo(440, 0);
    expect(zeroCrossingFrequency(right, 44100)).toBeCloseTo(1000, 0);
    expect(dftMagnitude(left, 44100, 1000)).toBeLessThan(0.002);
    expect(dftMagnitude(right, 44100, 440)).toBeLessThan(0.002);
  });

  test("mixed to mono, both tones are in the one channel, each at half its level: the mix is the mean", async () => {
    const { samples } = await decodeAll(file("stereo.wav"), { sampleRate: 44100, channels: 1 });
    expect(samples.length).toBe(44100);
    expect(dftMagnitude(samples, 44100, 440)).toBeCloseTo(sineAmplitude / 2, 2);
    expect(dftMagnitude(samples, 44100, 1000)).toBeCloseTo(sineAmplitude / 2, 2);
  });

  test("mono made stereo puts the tone in both channels", async () => {
    const { samples } = await decodeAll(file("tone.flac"), { sampleRate: 22050, channels: 2 });
    expect(samples.length).toBe(22050 * 3 * 2);
    for (const c of [0, 1]) expect(zeroCrossingFrequency(channel(samples, 2, c), 22050)).toBeCloseTo(300, 0);
  });

  test("chunks are contiguous, of the asked size but the last, numbered in samples per channel", async () => {
    const { chunks } = await decodeAll(file("tone.flac"), { sampleRate: 22050, channels: 2, chunkSamples: 10000 });
    expect(chunks.map((c) => [c.start, c.end])).toEqual([
      [0, 10000],
      [10000, 20000],
      [20000, 30000],
      [30000, 40000],
      [40000, 50000],
      [50000, 60000],
      [60000, 66150],
    ]);
    for (const c of chunks) expect(c.samples.length).toBe((c.end - c.start) * 2);
  });

  test("the sound track of a video", async () => {
    const { samples } = await decodeAll(file("with-sound.mp4"), { sampleRate: 16000, channels: 1 });
    // AAC adds priming samples and rounds to its frames: about a second, not exactly.
    expect(samples.length).toBeGreaterThan(15000);
    expect(samples.length).toBeLessThan(17500);
    expect(zeroCrossingFrequency(samples.subarray(2000, 14000), 16000)).toBeCloseTo(500, 0);
  });

  test("leaving the loop early kills ffmpeg", async () => {
    let chunks = 0;
    for await (const chunk of decodeAudioSamples(file("tone.flac"), { sampleRate: 22050, channels: 1, chunkSamples: 100 })) {
      expect(chunk.start).toBe(chunks * 100);
      if (++chunks === 3) {
        expect(ffmpegChildren()).toHaveLength(1);
        break;
      }
    }
    expect(chunks).toBe(3);
    expect(ffmpegChildren()).toEqual([]);
  });

  test("aborting stops the iteration with the signal's reason", async () => {
    const controller = new AbortController();
    const reason = new Error("enough");
    const iterate = async () => {
      for await (const chunk of decodeAudioSamples(file("tone.flac"), { sampleRate: 22050, channels: 1, chunkSamples: 1000, signal: controller.signal })) {
        if (chunk.start === 1000) controller.abort(reason);
      }
    };
    expect(await rejectionOf(iterate())).toBe(reason);
    expect(ffmpegChildren()).toEqual([]);
  });

  test("a file without sound is a permanent TA_MEDIA_DECODE from ffmpeg", async () => {
    const error = await rejectionOf(decodeAll(file("silent.mp4"), { sampleRate: 16000, channels: 1 }));
    expect(isMediaError(error)).toBe(true);
    expect(error).toMatchObject({ code: "TA_MEDIA_DECODE", permanent: true });
    expect(error.message).toContain("silent.mp4");
  });

  test("a corrupt file is a permanent TA_MEDIA_DECODE with ffmpeg's reason", async () => {
    const error = await rejectionOf(decodeAll(file("garbage.wav"), { sampleRate: 16000, channels: 1, name: '"noise.wav"' }));
    expect(error).toMatchObject({ code: "TA_MEDIA_DECODE", permanent: true });
    expect(error.message).toMatch(/^ffmpeg could not decode "noise.wav": it exited with code \d+: .*Invalid data found/);
  });

  test.each([
    [{ sampleRate: 0, channels: 1 }, /sampleRate must be a whole number of samples per second from 1 to 768000.*got 0/],
    [{ sampleRate: 16000.5, channels: 1 }, /sampleRate .* got 16000.5/],
    [{ sampleRate: 16000, channels: 0 }, /channels must be a whole number from 1 to 8.*got 0/],
    [{ sampleRate: 16000, channels: 9 }, /channels .* got 9/],
    [{ sampleRate: 16000, channels: 1, chunkSamples: 0 }, /chunkSamples must be a whole number ≥ 1/],
  ])("%j is a TA_INVALID_ARGUMENT before anything runs", async (options, message) => {
    const error = await rejectionOf(decodeAll(file("nope.wav"), options));
    expect(isConfigurationError(error)).toBe(true);
    expect(error.message).toMatch(message);
  });

  test("chunk memory stays flat over a long file (10 minutes, 230 MB of samples)", async () => {
    // A fresh process with --expose-gc, so live memory can be measured after collections.
    const long = file("long.flac");
    await makeTone(long, { frequencies: [220], sampleRate: 16000, seconds: 600, codec: "flac" });
    const script = `
      import { decodeAudioSamples } from ${JSON.stringify(fileURLToPath(new URL("../../src/media/audio-samples.ts", import.meta.url)))};
      let bytes = 0, chunks = 0, peak = 0;
      const before = process.memoryUsage().arrayBuffers;
      for await (const { samples } of decodeAudioSamples(${JSON.stringify(long)}, { sampleRate: 48000, channels: 2 })) {
        bytes += samples.byteLength;
        // Now and then the consumer is slow; without backpressure ffmpeg's output would pile up meanwhile.
        if (++chunks % 100 === 0) await new Promise((resolve) => setTimeout(resolve, 400));
        if (chunks % 10 === 0) { globalThis.gc(); peak = Math.max(peak, process.memoryUsage().arrayBuffers - before); }
      }
      console.log(JSON.stringify({ bytes, chunks, peak }));`;
    const { stdout } = await promisify(execFile)(process.execPath, ["--expose-gc", "--import", "tsx", "--input-type=module", "-e", script], {
      cwd: fileURLToPath(new URL("../..", import.meta.url)),
    });
    const result = JSON.parse(stdout) as { bytes: number; chunks: number; peak: number };
    expect(result.bytes).toBe(600 * 48000 * 2 * 4);
    expect(result.chunks).toBe(600);
    // A chunk is 384 KB. Alive at once: the one in hand and two read ahead; V8 frees the memory
    // of the 10 dropped since the last gc() lazily, so those may still count. Without
    // backpressure, 30 MB or more piles up during each pause.
    expect(result.peak).toBeLessThan(12 * 1024 * 1024);
  }, 60_000);
});

describe("probeAudio", () => {
  test("reads the stored rate, channels, duration and codec", async () => {
    expect(await probeAudio(file("stereo.wav"))).toEqual({ sampleRate: 44100, channels: 2, duration: 1, codec: "pcm_s16le" });
    expect(await probeAudio(file("with-sound.mp4"))).toMatchObject({ sampleRate: 48000, channels: 1, codec: "aac" });
  });

  test("a video without sound is a permanent TA_UNSUPPORTED_MEDIA saying what is read", async () => {
    const error = await rejectionOf(probeAudio(file("silent.mp4"), { name: '"clip.mp4"' }));
    expect(error).toMatchObject({ code: "TA_UNSUPPORTED_MEDIA", permanent: true });
    expect(error.message).toBe('"clip.mp4" has no audio track; audio samples come from audio files and from videos with a sound track.');
  });

  test("a corrupt file is a permanent TA_MEDIA_DECODE", async () => {
    const error = await rejectionOf(probeAudio(file("garbage.wav")));
    expect(error).toMatchObject({ code: "TA_MEDIA_DECODE", permanent: true });
    expect(error.message).toMatch(
      /ffprobe could not decode .*garbage\.wav.*Invalid data found.*\. Accepted: audio files and videos with sound in a format ffmpeg decodes \(WAV, MP3/,
    );
  });

  test("a track in a codec ffmpeg does not know is a permanent TA_UNSUPPORTED_MEDIA saying what is accepted", async () => {
    const error = await rejectionOf(probeAudio(file("unknown-codec.wav"), { name: '"odd.wav"' }));
    expect(error).toMatchObject({ code: "TA_UNSUPPORTED_MEDIA", permanent: true });
    expect(error.message).toMatch(/^The audio track of "odd.wav" is in a codec this ffmpeg does not know\. Accepted: audio files and videos with sound/);
  });
});
