import { ConfigurationError, MediaError } from "../domain/errors.js";
import type { Range } from "../labels/frames.js";
import { probeAudio, type AudioInfo } from "../media/audio-probe.js";
import { audioRangeToSamples, type SampleRange } from "../media/audio-range.js";
import { checkAudioFormat, decodeAudioSamples, type AudioChunk } from "../media/audio-samples.js";
import { makeConfigurableDependency, makeDependency, type Dependency, type DependencyParts } from "./define-dependency.js";
import { mediaAccess, type MediaAccess } from "./media-access.js";

export type { AudioChunk } from "../media/audio-samples.js";
export type { AudioInfo } from "../media/audio-probe.js";
export type { SampleRange } from "../media/audio-range.js";

/** Options of {@link audioSamples}; each one left out keeps the file's own. */
export interface AudioSamplesOptions {
  /** Samples per second per channel to resample to (16000 for most speech models). @defaultValue the stored rate */
  readonly sampleRate?: number;
  /** Channels to mix to: 1 for mono. @defaultValue the stored channel count */
  readonly channels?: number;
  /** Seconds of audio in each chunk the iteration yields (the last may be shorter). @defaultValue 1 */
  readonly chunkSeconds?: number;
}

/**
 * The sound of the task's audio file or video, decoded on demand by ffmpeg to float PCM in
 * [-1, 1] (channels interleaved). Iterating it streams chunks, so a long file never sits in memory
 * whole; every iteration decodes afresh from the start.
 */
export interface AudioSamples extends AsyncIterable<AudioChunk> {
  /** Samples per second per channel of the decoded samples. */
  readonly sampleRate: number;
  /** Channels of the decoded samples. */
  readonly channels: number;
  /** Seconds, as the file states it; null when it does not. The decoded sample count is exact. */
  readonly duration: number | null;
  /** The audio track as stored: its own rate, channels and codec. */
  readonly source: AudioInfo;
  /** Every sample in one array (the whole track in memory: for long files iterate instead). */
  all(): Promise<Float32Array>;
  /** The sample indices (per channel) an audio label's millisecond span covers, at this rate. */
  range(span: Range): SampleRange;
}

const accepted = "audio files and the sound track of videos";

function checkOptions(options: unknown): { sampleRate?: number; channels?: number; chunkSeconds: number } {
  if (options === undefined) return { chunkSeconds: 1 };
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new ConfigurationError(
      "TA_INVALID_ARGUMENT",
      `audioSamples() takes { sampleRate?, channels?, chunkSeconds? }, got ${JSON.stringify(options) ?? typeof options}.`,
    );
  }
  const known = new Set(["sampleRate", "channels", "chunkSeconds"]);
  const unknown = Object.keys(options).filter((key) => !known.has(key));
  if (unknown.length > 0) {
    throw new ConfigurationError(
      "TA_INVALID_ARGUMENT",
      `audioSamples(): unknown option ${unknown.map((key) => JSON.stringify(key)).join(", ")}; the options are sampleRate, channels and chunkSeconds.`,
    );
  }
  const { sampleRate, channels, chunkSeconds = 1 } = options as AudioSamplesOptions;
  // Checked with placeholders for the ones left out, so each given one is checked alone.
  checkAudioFormat({ sampleRate: sampleRate ?? 1, channels: channels ?? 1 }, "audioSamples()");
  if (typeof chunkSeconds !== "number" || !Number.isFinite(chunkSeconds) || chunkSeconds <= 0 || chunkSeconds > 3600) {
    throw new ConfigurationError(
      "TA_INVALID_ARGUMENT",
      `audioSamples(): chunkSeconds must be a number of seconds above 0 and at most 3600, got ${JSON.stringify(chunkSeconds) ?? String(chunkSeconds)}.`,
    );
  }
  return { ...(sampleRate === undefined ? {} : { sampleRate }), ...(channels === undefined ? {} : { channels }), chunkSeconds };
}

async function openAudio(media: MediaAccess, options: ReturnType<typeof checkOptions>): Promise<AudioSamples> {
  const type = media.item.itemType;
  if (type !== "audio" && type !== "video") {
    throw new MediaError("TA_UNSUPPORTED_MEDIA", `audioSamples cannot read ${media.describe()}: it reads ${accepted}.`, true);
  }
  const path = await media.file();
  const name = JSON.stringify(media.item.name);
  const source = await probeAudio(path, { signal: media.signal, name });
  const sampleRate = options.sampleRate ?? source.sampleRate;
  const channels = options.channels ?? source.channels;
  const chunkSamples = Math.max(1, Math.round(options.chunkSeconds * sampleRate));
  const decode = () => decodeAudioSamples(path, { sampleRate, channels, chunkSamples, signal: media.signal, name });
  return Object.freeze({
    sampleRate,
    channels,
    duration: source.duration,
    source,
    [Symbol.asyncIterator]: decode,
    all: async () => {
      const chunks: Float32Array[] = [];
      let length = 0;
      for await (const { samples } of decode()) {
        chunks.push(samples);
        length += samples.length;
      }
      const out = new Float32Array(length);
      let at = 0;
      for (const samples of chunks) {
        out.set(samples, at);
        at += samples.length;
      }
      return out;
    },
    range: (span: Range) => audioRangeToSamples(span, sampleRate),
  });
}

function parts(options: ReturnType<typeof checkOptions>, label: string): DependencyParts<AudioSamples> {
  return {
    deps: { media: mediaAccess },
    prefetch: [],
    label,
    resolve: ({ valueOf }) => openAudio(valueOf(mediaAccess), options),
  };
}

/**
 * The sound of the task's audio file, or of a video's sound track, as float PCM decoded by
 * ffmpeg: bare it keeps the file's rate and channels; `audioSamples({ sampleRate: 16000,
 * channels: 1 })` resamples and mixes to what a model takes. The file is probed when the task
 * starts, so an item without sound fails the task at once (no retries: the file stays silent).
 * @example
 * runner.stage("Transcribe", { deps: { audio: audioSamples({ sampleRate: 16000, channels: 1 }) } }, async ({ audio }) => {
 *   for await (const { start, samples } of audio) { … }
 *   const whole = await audio.all();
 * });
 */
export const audioSamples: Dependency<AudioSamples> & ((options?: AudioSamplesOptions) => Dependency<AudioSamples>) = makeConfigurableDependency(
  parts(checkOptions(undefined), "audioSamples"),
  (options?: AudioSamplesOptions) => {
    const checked = checkOptions(options);
    return makeDependency(parts(checked, `audioSamples(${JSON.stringify(options ?? {})})`));
  },
);
