/**
 * Test audio made at test time with ffmpeg's `sine` source (from PATH), whose output is known
 * independently: a sine of the given frequency, amplitude 1/8 of full scale, starting at phase 0.
 */
import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { promisify } from "node:util";

const run = promisify(execFile);

/** ffmpeg's `sine` source writes this amplitude (4096 of 32768). */
export const sineAmplitude = 1 / 8;

/** One channel of a tone: frequency in Hz. */
export interface ToneSpec {
  readonly frequencies: readonly number[];
  readonly sampleRate: number;
  readonly seconds: number;
  /** ffmpeg codec. @defaultValue pcm_s16le (for .wav) */
  readonly codec?: string;
  /** With a video track too (testsrc2, 64×48): a video with sound. */
  readonly video?: boolean;
}

/** Writes one sine per channel (channel i at `frequencies[i]`), in the container `path`'s extension names. */
export async function makeTone(path: string, spec: ToneSpec): Promise<void> {
  const inputs = spec.frequencies.flatMap((frequency) => [
    "-f",
    "lavfi",
    "-i",
    `sine=frequency=${frequency}:sample_rate=${spec.sampleRate}:duration=${spec.seconds}`,
  ]);
  const n = spec.frequencies.length;
  const video = spec.video === true ? ["-f", "lavfi", "-i", `testsrc2=size=64x48:rate=10:duration=${spec.seconds}`] : [];
  const join = `${spec.frequencies.map((_, i) => `[${i}:a]`).join("")}join=inputs=${n}:channel_layout=${n === 1 ? "mono" : n === 2 ? "stereo" : `${n}c`}[a]`;
  const maps = ["-filter_complex", join, "-map", "[a]", ...(spec.video === true ? ["-map", `${n}:v`, "-c:v", "libx264", "-pix_fmt", "yuv420p"] : [])];
  await run("ffmpeg", ["-nostdin", "-hide_banner", "-loglevel", "error", ...inputs, ...video, ...maps, "-c:a", spec.codec ?? "pcm_s16le", "-y", path]);
}

/** One channel of interleaved samples. */
export function channel(samples: Float32Array, channels: number, index: number): Float32Array {
  const out = new Float32Array(samples.length / channels);
  for (let i = 0; i < out.length; i++) out[i] = samples[i * channels + index]!;
  return out;
}

/** Frequency estimated from upward zero crossings (independent of any decoder). */
export function zeroCrossingFrequency(samples: Float32Array, sampleRate: number): number {
  let crossings = 0;
  let first = -1;
  let last = -1;
  for (let i = 1; i < samples.length; i++) {
    if (samples[i - 1]! < 0 && samples[i]! >= 0) {
      crossings++;
      if (first < 0) first = i;
      last = i;
    }
  }
  return ((crossings - 1) * sampleRate) / (last - first);
}

/** Magnitude of the DFT of `samples` at `frequency`, normalised so a sine of amplitude A gives A. */
export function dftMagnitude(samples: Float32Array, sampleRate: number, frequency: number): number {
  let re = 0;
  let im = 0;
  const step = (2 * Math.PI * frequency) / sampleRate;
  for (let i = 0; i < samples.length; i++) {
    re += samples[i]! * Math.cos(step * i);
    im -= samples[i]! * Math.sin(step * i);
  }
  return (2 * Math.hypot(re, im)) / samples.length;
}

/** A WAV file whose format tag (0x7777) names no codec: its header reads, its sound does not decode. */
export async function makeUnknownCodecWav(path: string): Promise<void> {
  await makeTone(path, { frequencies: [440], sampleRate: 8000, seconds: 1 });
  const bytes = await readFile(path);
  const fmt = bytes.indexOf("fmt ");
  bytes.writeUInt16LE(0x7777, fmt + 8);
  await writeFile(path, bytes);
}
