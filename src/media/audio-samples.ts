import { endianness } from "node:os";
import { ConfigurationError, MediaError } from "../domain/errors.js";
import { checkInputFile, ffmpegTools, fileArgument, itemsOf, startTool, toolFailure, type ItemReceiver } from "./ffmpeg.js";

/** A run of decoded samples: samples `start` (inclusive) to `end` (exclusive) of every channel. */
export interface AudioChunk {
  /** Index of the chunk's first sample in the decoded stream (per channel, from 0). */
  readonly start: number;
  /** Index after its last sample: `start + samples.length / channels`. */
  readonly end: number;
  /** PCM in [-1, 1], channels interleaved (left, right, left, …), at the requested rate. */
  readonly samples: Float32Array;
}

/** What to decode to: ffmpeg resamples and mixes the stored audio to this. */
export interface AudioFormat {
  /** Samples per second per channel, 1–768000. */
  readonly sampleRate: number;
  /**
   * Channel count, 1–8. Fewer channels than stored are mixed so the mix stays within full scale
   * (stereo → mono is (L + R) / 2); mono made stereo is copied to both.
   */
  readonly channels: number;
}

/** Options of {@link decodeAudioSamples}. */
export interface DecodeAudioOptions extends AudioFormat {
  /** Samples per channel in each chunk (the last may be shorter). @defaultValue one second's worth */
  readonly chunkSamples?: number;
  /** Aborting kills ffmpeg at once; the iteration then rejects with the signal's reason. */
  readonly signal?: AbortSignal | undefined;
  /** What to call the file in error messages. @defaultValue the path */
  readonly name?: string | undefined;
}

const maxSampleRate = 768_000;
const maxChannels = 8;
/** Chunks held before reading pauses (and ffmpeg, its output full, waits): memory stays flat whatever the length. */
const maxReady = 2;
const sampleFormat = endianness() === "LE" ? "f32le" : "f32be";

function invalid(message: string): ConfigurationError {
  return new ConfigurationError("TA_INVALID_ARGUMENT", message);
}

/** Throws unless `format` is a rate and channel count ffmpeg can produce. */
export function checkAudioFormat(format: unknown, where: string): AudioFormat {
  const given = (typeof format === "object" && format !== null ? format : {}) as Record<string, unknown>;
  const { sampleRate, channels } = given;
  if (typeof sampleRate !== "number" || !Number.isSafeInteger(sampleRate) || sampleRate < 1 || sampleRate > maxSampleRate) {
    throw invalid(
      `${where}: sampleRate must be a whole number of samples per second from 1 to ${maxSampleRate}` +
        ` (16000 for most speech models), got ${JSON.stringify(sampleRate) ?? String(sampleRate)}.`,
    );
  }
  if (typeof channels !== "number" || !Number.isSafeInteger(channels) || channels < 1 || channels > maxChannels) {
    throw invalid(
      `${where}: channels must be a whole number from 1 to ${maxChannels} (1 mixes ` +
        `the channels down to mono), got ${JSON.stringify(channels) ?? String(channels)}.`,
    );
  }
  return { sampleRate, channels };
}

/**
 * Decodes the first audio stream of a local file (an audio file, or a video's sound track) with
 * ffmpeg to 32-bit float PCM at `sampleRate` with `channels`, and yields it in chunks as it is
 * decoded: a long file never sits in memory whole, and reads land straight in each chunk's array.
 * Stopping early or aborting `signal` kills ffmpeg; the generator ends only once it is gone.
 *
 * @throws ConfigurationError `TA_INVALID_ARGUMENT` for a bad rate, channel count or chunk size
 * (before anything runs); MediaError `TA_FFMPEG_MISSING`, `TA_FILE_NOT_FOUND`, `TA_MEDIA_DECODE`
 * (ffmpeg failed, with its message; a file without audio fails so too: {@link probeAudio} first
 * says it plainly); the signal's reason when aborted.
 * @example
 * for await (const { start, samples } of decodeAudioSamples(path, { sampleRate: 16000, channels: 1 })) { … }
 */
export async function* decodeAudioSamples(path: string, options: DecodeAudioOptions): AsyncGenerator<AudioChunk, void, undefined> {
  const { sampleRate, channels } = checkAudioFormat(options, "decodeAudioSamples");
  const chunkSamples = options.chunkSamples ?? sampleRate;
  if (!Number.isSafeInteger(chunkSamples) || chunkSamples < 1 || chunkSamples * channels > 2 ** 28) {
    throw invalid(
      `decodeAudioSamples: chunkSamples must be a whole number ≥ 1 (samples per channel ` +
        `in a chunk, at most ${2 ** 28} with every channel), got ${String(chunkSamples)}.`,
    );
  }
  const { signal } = options;
  signal?.throwIfAborted();
  const { ffmpeg } = ffmpegTools();
  await checkInputFile(path);
  signal?.throwIfAborted();
  const shown = options.name ?? JSON.stringify(path);
  const chunks = new PcmChunks(chunkSamples, channels, shown);
  const args = ["-nostdin", "-hide_banner", "-loglevel", "error", "-nostats", "-i", fileArgument(path), "-map", "0:a:0", "-vn", "-sn", "-dn"];
  // rematrix_maxval=1 scales the mixing matrix so a mix cannot pass full scale: stereo → mono is
  // (L + R) / 2, as speech toolkits average; ffmpeg's default adds each at -3 dB, up to 1.41.
  const convert = ["-af", "aresample=rematrix_maxval=1", "-ac", String(channels), "-ar", String(sampleRate)];
  const tool = await startTool(ffmpeg, [...args, ...convert, "-c:a", `pcm_${sampleFormat}`, "-f", sampleFormat, "pipe:1"], chunks, { direct: true });
  try {
    yield* itemsOf(tool, chunks, signal);
    const exit = await tool.closed;
    signal?.throwIfAborted();
    if (exit.code !== 0) throw toolFailure("ffmpeg", tool.command, shown, exit, tool.stderr());
    const last = chunks.finish();
    if (last !== undefined) yield last;
  } finally {
    tool.kill();
    await tool.closed;
  }
}

/**
 * Receives ffmpeg's raw float samples into chunk arrays, each allocated once and read into
 * directly (a plain pipe's chunks are copied in instead).
 */
class PcmChunks implements ItemReceiver<AudioChunk> {
  onReady: () => void = () => {};
  failure: Error | undefined;
  readonly #ready: AudioChunk[] = [];
  readonly #chunkBytes: number;
  #bytes: Uint8Array | undefined;
  #filled = 0;
  #start = 0;
  #lastTarget: Uint8Array | undefined;

  constructor(
    chunkSamples: number,
    private readonly channels: number,
    private readonly shown: string,
  ) {
    this.#chunkBytes = chunkSamples * channels * 4;
  }

  take(): AudioChunk | undefined {
    return this.#ready.shift();
  }

  target(): Uint8Array {
    this.#bytes ??= new Uint8Array(new ArrayBuffer(this.#chunkBytes));
    this.#lastTarget = this.#bytes.subarray(this.#filled);
    return this.#lastTarget;
  }

  received(chunk: Uint8Array, bytes: number): boolean {
    const ready = this.#ready.length;
    if (chunk === this.#lastTarget) this.#advance(bytes);
    else {
      for (let at = 0; at < bytes;) {
        const into = this.target();
        const count = Math.min(into.length, bytes - at);
        into.set(chunk.subarray(at, at + count));
        at += count;
        this.#advance(count);
      }
    }
    this.#lastTarget = undefined;
    if (this.#ready.length > ready) this.onReady();
    return this.#ready.length < maxReady;
  }

  /** The short last chunk once the output has ended, if samples are left over. */
  finish(): AudioChunk | undefined {
    if (this.#filled === 0) return undefined;
    const frameBytes = this.channels * 4;
    if (this.#filled % frameBytes !== 0) {
      throw new MediaError(
        "TA_MEDIA_DECODE",
        `ffmpeg's output for ${this.shown} ended in the middle of a sample (${this.#filled} bytes, not a multiple of ${frameBytes}).`,
        true,
      );
    }
    const samples = new Float32Array(this.#bytes!.buffer, 0, this.#filled / 4);
    this.#bytes = undefined;
    this.#filled = 0;
    return this.#chunk(samples);
  }

  #advance(bytes: number): void {
    this.#filled += bytes;
    if (this.#filled < this.#chunkBytes) return;
    this.#ready.push(this.#chunk(new Float32Array(this.#bytes!.buffer)));
    this.#bytes = undefined;
    this.#filled = 0;
  }

  #chunk(samples: Float32Array): AudioChunk {
    const start = this.#start;
    this.#start += samples.length / this.channels;
    return Object.freeze({ start, end: this.#start, samples });
  }
}
