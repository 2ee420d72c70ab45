import { MediaError } from "../domain/errors.js";
import { checkInputFile, ffmpegTools, fileArgument, startTool, toolFailure } from "./ffmpeg.js";

/** What a video's container says about its first video stream. */
export interface VideoInfo {
  /** Frame width in pixels as decoded: after rotation metadata is applied, as decoded frames have it. */
  readonly width: number;
  /** Frame height in pixels, likewise after rotation. */
  readonly height: number;
  /** Average frames per second; null when the container does not say. */
  readonly fps: number | null;
  /**
   * Frame count as the container states it (MP4 and MOV do, Matroska and WebM usually not);
   * null when unknown. Decoding is the only exact count (edit lists can hide frames).
   */
  readonly frameCount: number | null;
  /** Seconds; the stream's duration, else the file's; null when unknown. */
  readonly duration: number | null;
}

/** What `ffprobe -of json` prints for the entries asked for below. */
interface ProbeJson {
  streams?: {
    width?: number;
    height?: number;
    avg_frame_rate?: string;
    r_frame_rate?: string;
    nb_frames?: string;
    duration?: string;
    side_data_list?: { rotation?: number }[];
  }[];
  format?: { duration?: string };
}

const maxOutputBytes = 1024 * 1024;

/**
 * Reads a local video's size, rate, frame count and duration with ffprobe, without decoding.
 * The stream is the first video stream that is not cover art (ffmpeg's `V:0`), the one
 * {@link decodeVideoFrames} decodes; width and height are swapped for a ±90° rotation, because
 * ffmpeg rotates frames when it decodes them, as players do.
 *
 * @throws MediaError `TA_FFMPEG_MISSING`, `TA_FILE_NOT_FOUND`, or `TA_MEDIA_DECODE` when ffprobe
 * cannot read the file or finds no video stream in it; the signal's reason when aborted.
 */
export async function probeVideo(path: string, options: { signal?: AbortSignal } = {}): Promise<VideoInfo> {
  const { signal } = options;
  signal?.throwIfAborted();
  const { ffprobe } = ffmpegTools();
  await checkInputFile(path);
  signal?.throwIfAborted();
  const entries = "stream=width,height,avg_frame_rate,r_frame_rate,nb_frames,duration:stream_side_data=rotation:format=duration";
  const chunks: Uint8Array[] = [];
  let size = 0;
  const scratch = new Uint8Array(16 * 1024);
  const collect = {
    target: () => scratch,
    received: (chunk: Uint8Array, bytes: number) => {
      // Past the limit, read on and drop: pausing would leave ffprobe blocked on its pipe.
      size += bytes;
      if (size <= maxOutputBytes) chunks.push(chunk.slice(0, bytes));
      return true;
    },
  };
  const tool = await startTool(
    ffprobe,
    ["-v", "error", "-hide_banner", "-select_streams", "V:0", "-show_entries", entries, "-of", "json", fileArgument(path)],
    collect,
  );
  const onAbort = () => tool.kill();
  signal?.addEventListener("abort", onAbort, { once: true });
  let exit;
  try {
    exit = await tool.closed;
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
  signal?.throwIfAborted();
  if (size > maxOutputBytes) {
    throw new MediaError(
      "TA_MEDIA_DECODE",
      `ffprobe printed more than ${maxOutputBytes} bytes about ${JSON.stringify(path)}; it is not a video task-agents can read.`,
      true,
    );
  }
  if (exit.code !== 0) throw toolFailure("ffprobe", ffprobe, JSON.stringify(path), exit, tool.stderr());
  return videoInfo(path, Buffer.concat(chunks).toString("utf8"));
}

function videoInfo(path: string, text: string): VideoInfo {
  let json: ProbeJson;
  try {
    json = JSON.parse(text) as ProbeJson;
  } catch (error) {
    throw new MediaError("TA_MEDIA_DECODE", `ffprobe printed something other than JSON about ${JSON.stringify(path)}.`, true, { cause: error });
  }
  const stream = json.streams?.[0];
  const width = stream?.width ?? 0;
  const height = stream?.height ?? 0;
  if (stream === undefined || width <= 0 || height <= 0) {
    const what = stream === undefined ? "no video stream" : "a video stream of unknown size";
    throw new MediaError("TA_MEDIA_DECODE", `${JSON.stringify(path)} has ${what}; accepted: a file with at least one video stream that ffmpeg decodes.`, true);
  }
  const rotation = stream.side_data_list?.find((data) => typeof data.rotation === "number")?.rotation ?? 0;
  const sideways = Math.abs(Math.round(rotation)) % 180 === 90;
  const frameCount = Number(stream.nb_frames);
  return {
    width: sideways ? height : width,
    height: sideways ? width : height,
    fps: rate(stream.avg_frame_rate) ?? rate(stream.r_frame_rate),
    frameCount: stream.nb_frames !== undefined && Number.isSafeInteger(frameCount) && frameCount > 0 ? frameCount : null,
    duration: seconds(stream.duration) ?? seconds(json.format?.duration),
  };
}

/** "30000/1001" → 29.97…; "0/0" and absent → null. */
function rate(text: string | undefined): number | null {
  const [num, den] = (text ?? "").split("/").map(Number);
  if (num === undefined || den === undefined || !(num > 0) || !(den > 0)) return null;
  return num / den;
}

function seconds(text: string | undefined): number | null {
  const value = Number(text);
  return text !== undefined && Number.isFinite(value) && value > 0 ? value : null;
}
