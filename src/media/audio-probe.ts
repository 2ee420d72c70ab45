import { MediaError } from "../domain/errors.js";
import { checkInputFile, ffmpegTools, fileArgument, runToEnd, toolFailure } from "./ffmpeg.js";

/** What a file's container says about its first audio stream (an audio file's, or a video's sound track). */
export interface AudioInfo {
  /** Samples per second per channel, as stored. */
  readonly sampleRate: number;
  /** Channel count as stored. */
  readonly channels: number;
  /** Seconds: the stream's duration, else the file's; null when the container does not say. */
  readonly duration: number | null;
  /** ffmpeg's name of the codec ("pcm_s16le", "mp3", "aac", …). */
  readonly codec: string;
}

interface ProbeJson {
  streams?: { codec_name?: string; sample_rate?: string; channels?: number; duration?: string }[];
  format?: { duration?: string };
}

const maxOutputBytes = 64 * 1024;
const accepted =
  "Accepted: audio files and videos with sound in a format ffmpeg decodes (WAV, " +
  "MP3, AAC/M4A, FLAC, Ogg Vorbis or Opus, and more; `ffmpeg -decoders` lists them).";

/**
 * Reads the rate, channels, duration and codec of a local file's first audio stream with ffprobe,
 * without decoding it.
 *
 * @throws MediaError `TA_UNSUPPORTED_MEDIA` when the file has no audio stream (a silent video) or
 * one in a codec ffmpeg does not know;
 * `TA_MEDIA_DECODE` when ffprobe cannot read the file; `TA_FFMPEG_MISSING`, `TA_FILE_NOT_FOUND`;
 * the signal's reason when aborted. Every one is permanent: trying again reads the same file.
 */
export async function probeAudio(path: string, options: { signal?: AbortSignal | undefined; name?: string | undefined } = {}): Promise<AudioInfo> {
  const { signal } = options;
  const shown = options.name ?? JSON.stringify(path);
  signal?.throwIfAborted();
  const { ffprobe } = ffmpegTools();
  await checkInputFile(path);
  const entries = "stream=codec_name,sample_rate,channels,duration:format=duration";
  const run = await runToEnd(ffprobe, ["-v", "error", "-hide_banner", "-select_streams", "a:0", "-show_entries", entries, "-of", "json", fileArgument(path)], {
    maxBytes: maxOutputBytes,
    signal,
  });
  if (run.exit.code !== 0) {
    const failure = toolFailure("ffprobe", ffprobe, shown, run.exit, run.stderr);
    throw failure.code === "TA_MEDIA_DECODE" ? new MediaError("TA_MEDIA_DECODE", `${failure.message.replace(/\.?$/, ".")} ${accepted}`, true) : failure;
  }
  let json: ProbeJson;
  try {
    json = JSON.parse(run.output ?? "") as ProbeJson;
  } catch (error) {
    throw new MediaError("TA_MEDIA_DECODE", `ffprobe printed something other than the expected JSON about ${shown}.`, true, { cause: error });
  }
  const stream = json.streams?.[0];
  if (stream === undefined) {
    throw new MediaError("TA_UNSUPPORTED_MEDIA", `${shown} has no audio track; audio samples come from audio files and from videos with a sound track.`, true);
  }
  if (stream.codec_name === undefined) {
    throw new MediaError("TA_UNSUPPORTED_MEDIA", `The audio track of ${shown} is in a codec this ffmpeg does not know. ${accepted}`, true);
  }
  const sampleRate = Number(stream.sample_rate);
  const channels = stream.channels ?? 0;
  if (!Number.isSafeInteger(sampleRate) || sampleRate <= 0 || !Number.isSafeInteger(channels) || channels <= 0) {
    throw new MediaError(
      "TA_MEDIA_DECODE",
      `The audio track of ${shown} states no usable sample rate or channel count (${String(stream.sample_rate)} Hz, ${String(stream.channels)} channels).`,
      true,
    );
  }
  return { sampleRate, channels, duration: seconds(stream.duration) ?? seconds(json.format?.duration), codec: stream.codec_name };
}

function seconds(text: string | undefined): number | null {
  const value = Number(text);
  return text !== undefined && Number.isFinite(value) && value > 0 ? value : null;
}
