import { ConfigurationError } from "../domain/errors.js";
import type { Range } from "../labels/frames.js";

/** Sample indices `start` (inclusive) to `end` (exclusive), per channel: `samples.subarray(start * channels, end * channels)`. */
export interface SampleRange {
  readonly start: number;
  readonly end: number;
}

function invalid(message: string): ConfigurationError {
  return new ConfigurationError("TA_INVALID_ARGUMENT", message);
}

function checkRate(sampleRate: unknown, where: string): number {
  if (typeof sampleRate !== "number" || !Number.isFinite(sampleRate) || sampleRate <= 0) {
    throw invalid(`${where}: sampleRate must be a number of samples per second above 0, got ${JSON.stringify(sampleRate) ?? String(sampleRate)}.`);
  }
  return sampleRate;
}

/**
 * The samples an audio label's span covers. The label model gives audio ranges in milliseconds
 * ({@link AudioCoordinates}: `{ start, end }`, start ≤ end); a span covers the time from `start`
 * ms to `end` ms, so at 16 kHz `{ start: 0, end: 1000 }` is samples 0 to 16000 (exclusive). The
 * first sample is the one playing at `start`, rounded down; the end is rounded up, so a span
 * shorter than a sample still covers one. Clamp to the decoded length yourself: a label may
 * reach past the end of the file.
 * @example
 * const { start, end } = audioRangeToSamples(coordinates.range[0], audio.sampleRate);
 */
export function audioRangeToSamples(span: Range, sampleRate: number): SampleRange {
  const rate = checkRate(sampleRate, "audioRangeToSamples");
  const accepted = "a span is { start, end } in milliseconds, numbers from 0 with start ≤ end";
  const given = (typeof span === "object" && span !== null ? span : {}) as Partial<Record<string, unknown>>;
  const { start, end } = given;
  if (typeof start !== "number" || typeof end !== "number" || !Number.isFinite(start) || !Number.isFinite(end) || start < 0 || end < start) {
    throw invalid(`audioRangeToSamples: ${JSON.stringify(span) ?? typeof span} is not accepted; ${accepted}.`);
  }
  // Rounded to a microsecond first, so 1000 ms × 44.1 samples/ms is 44100, not 44100.00000001 → 44101.
  const first = Math.floor(Math.round(start * rate * 1000) / 1e6);
  const after = Math.ceil(Math.round(end * rate * 1000) / 1e6);
  return { start: first, end: Math.max(after, first + 1) };
}

/**
 * The millisecond span of the label model for samples `start` to `end` (exclusive), to write an
 * audio object where a model found something: start rounded down, end rounded up to whole
 * milliseconds, so the span covers every sample of the range.
 * @example
 * instance.setForFrames(new AudioCoordinates({ range: [samplesToAudioRange({ start: 8000, end: 24000 }, 16000)] }));
 */
export function samplesToAudioRange(range: SampleRange, sampleRate: number): Range {
  const rate = checkRate(sampleRate, "samplesToAudioRange");
  const given = (typeof range === "object" && range !== null ? range : {}) as Partial<Record<string, unknown>>;
  const { start, end } = given;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || (start as number) < 0 || (end as number) <= (start as number)) {
    throw invalid(
      `samplesToAudioRange: ${JSON.stringify(range) ?? typeof range} is not accepted; a ` +
        `sample range is { start, end }, whole numbers from 0 with start < end (end exclusive).`,
    );
  }
  const startMs = Math.floor(Math.round(((start as number) * 1e6) / rate) / 1000);
  const endMs = Math.ceil(Math.round(((end as number) * 1e6) / rate) / 1000);
  return { start: startMs, end: endMs };
}
