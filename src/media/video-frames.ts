import { ConfigurationError, MediaError } from "../domain/errors.js";
import { framesToRanges } from "../labels/frames.js";
import { checkInputFile, ffmpegTools, fileArgument, itemsOf, startTool, toolFailure, type ItemReceiver, type RunningTool } from "./ffmpeg.js";
import { RgbImage } from "./rgb-image.js";

/** One decoded frame: its 0-based number among the video's decoded frames, and its pixels. */
export interface VideoFrame {
  readonly frame: number;
  readonly image: RgbImage;
}

/** Every k-th frame (0, k, 2k…), or the listed frame numbers (any order, repeats ignored). */
export type FrameSelection = { readonly every: number } | { readonly frames: readonly number[] };

/** Options of {@link decodeVideoFrames}. */
export interface DecodeVideoFramesOptions {
  /** Which frames to decode. @defaultValue every frame */
  readonly select?: FrameSelection;
  /** Aborting kills ffmpeg at once; the iteration then rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** What to call the video in error messages (a download's temp path means nothing to users). @defaultValue the path */
  readonly name?: string;
  /**
   * Decode into a few buffers used over and over instead of a new one per frame: at ~1 GB/s of
   * RGB that takes a third or more off this process's CPU time (no page faults, no garbage). A
   * frame is then yours only until the loop asks for the next one: its pixels are moved on to a
   * later frame and its `data` becomes empty. Copy what you keep (`image.data.slice()`).
   * @defaultValue false: every frame has its own buffer and may be kept
   */
  readonly reuseBuffers?: boolean;
}

/** What ffmpeg is asked to pass on, and how to number and keep what it pipes. */
interface FramePlan {
  /** The `select` filter expression; undefined to pass every frame. */
  readonly expression: string | undefined;
  /** Frame numbers of the piped frames, in order. */
  readonly piped: () => Iterator<number>;
  /** Frames to yield, ascending, for a list; undefined to yield every piped frame. */
  readonly wanted: readonly number[] | undefined;
}

/**
 * Past this many ranges a list is widened (the closest ranges joined) and the extra frames are
 * dropped here: ffmpeg evaluates every term of the expression on every decoded frame.
 */
const maxSelectTerms = 64;

function invalid(message: string): ConfigurationError {
  return new ConfigurationError("TA_INVALID_ARGUMENT", message);
}

function checkFrameNumber(frame: unknown): number {
  if (typeof frame !== "number" || !Number.isSafeInteger(frame) || frame < 0) {
    throw invalid(`Frame number ${typeof frame === "number" ? String(frame) : JSON.stringify(frame)} is not accepted; frames are numbered by integers from 0.`);
  }
  return frame;
}

function counting(from: number, step: number): () => Iterator<number> {
  return function* () {
    for (let n = from; ; n += step) yield n;
  };
}

function planFrames(select: FrameSelection | undefined): FramePlan {
  if (select === undefined) return { expression: undefined, piped: counting(0, 1), wanted: undefined };
  const accepted = "accepted: { every: k } with k a positive integer, or { frames: [n, …] } with frame numbers from 0";
  const hasEvery = typeof select === "object" && select !== null && "every" in select;
  const hasFrames = typeof select === "object" && select !== null && "frames" in select;
  if (hasEvery === hasFrames) throw invalid(`Frame selection ${JSON.stringify(select)} is not accepted; ${accepted}.`);
  if (hasEvery) {
    const k = select.every;
    if (!Number.isSafeInteger(k) || k < 1) throw invalid(`Frame selection { every: ${String(k)} } is not accepted; ${accepted}.`);
    return { expression: k === 1 ? undefined : `not(mod(n,${k}))`, piped: counting(0, k), wanted: undefined };
  }
  if (!Array.isArray(select.frames)) throw invalid(`Frame selection { frames: ${JSON.stringify(select.frames)} } is not accepted; ${accepted}.`);
  const wanted = [...new Set(select.frames.map(checkFrameNumber))].sort((a, b) => a - b);
  const ranges = widen(framesToRanges(wanted), maxSelectTerms);
  const expression = ranges.map(([a, b]) => (a === b ? `eq(n,${a})` : `between(n,${a},${b})`)).join("+");
  return {
    expression,
    piped: function* () {
      for (const [a, b] of ranges) for (let n = a; n <= b; n++) yield n;
    },
    wanted,
  };
}

/** At most `max` ranges covering `ranges`, made by closing the smallest gaps. */
function widen(ranges: [number, number][], max: number): [number, number][] {
  if (ranges.length <= max) return ranges;
  const gapAfter = (i: number) => ranges[i + 1]![0] - ranges[i]![1];
  const byGap = ranges
    .slice(0, -1)
    .map((_, i) => i)
    .sort((a, b) => gapAfter(a) - gapAfter(b));
  const closed = new Set(byGap.slice(0, ranges.length - max));
  const out: [number, number][] = [];
  ranges.forEach(([a, b], i) => {
    if (closed.has(i - 1)) out.at(-1)![1] = b;
    else out.push([a, b]);
  });
  return out;
}

/**
 * The ffmpeg command line. Frames go out as binary PPM images, whose small header carries each
 * frame's size: no ffprobe run is needed first, and sizes stay right whatever the rotation
 * metadata or a mid-stream size change. `passthrough` keeps ffmpeg from dropping or duplicating
 * frames to fit a rate. For a list, a second output counts every decoded frame (its count is the
 * `frame=` of the final `-progress` report), so a frame past the end can be reported with the
 * video's real length.
 */
function ffmpegArguments(path: string, plan: FramePlan): string[] {
  const quiet = ["-nostdin", "-hide_banner", "-loglevel", "error", "-nostats"];
  const input = ["-i", fileArgument(path)];
  const frames = ["-fps_mode", "passthrough", "-f", "image2pipe", "-c:v", "ppm", "-pix_fmt", "rgb24", "pipe:1"];
  if (plan.wanted === undefined) {
    const filter = plan.expression === undefined ? [] : ["-vf", `select='${plan.expression}'`];
    return [...quiet, ...input, "-map", "0:V:0", "-an", "-sn", "-dn", ...filter, ...frames];
  }
  const graph = `[0:V:0]split=2[all][picked];[picked]select='${plan.expression}'[frames]`;
  const progress = ["-progress", "pipe:2", "-stats_period", "86400"];
  return [
    ...quiet,
    ...progress,
    ...input,
    "-filter_complex",
    graph,
    "-map",
    "[all]",
    "-fps_mode",
    "passthrough",
    "-f",
    "null",
    "-",
    "-map",
    "[frames]",
    ...frames,
  ];
}

/**
 * Decodes a local video's frames in order with ffmpeg into RGB images. `select` keeps every k-th
 * frame (0, k, 2k…) or the listed frame numbers; ffmpeg drops the others before converting them,
 * and stops as soon as the last listed frame is out. Frame numbers count decoded frames from 0,
 * as Encord numbers a video's frames; frames are rotated as the file's rotation metadata says.
 *
 * Stopping early (`break`, `return`) or aborting `signal` kills ffmpeg at once, and the generator
 * finishes only when the process is gone. Leave the loop by those means: a generator left
 * suspended forever keeps its ffmpeg waiting.
 *
 * @throws ConfigurationError `TA_INVALID_ARGUMENT` for a bad selection (before anything runs);
 * MediaError `TA_FFMPEG_MISSING`, `TA_FILE_NOT_FOUND`, `TA_MEDIA_DECODE` (ffmpeg failed, with its
 * message), `TA_UNSUPPORTED_FRAME` when the stream ends before a listed frame (after yielding
 * the ones it had); the signal's reason when aborted.
 * @example
 * for await (const { frame, image } of decodeVideoFrames(asset.path, { select: { every: 30 } })) {
 *   console.log(frame, image.pixel(0, 0));
 * }
 */
export async function* decodeVideoFrames(path: string, options: DecodeVideoFramesOptions = {}): AsyncGenerator<VideoFrame> {
  const { signal } = options;
  const plan = planFrames(options.select);
  const reuse = options.reuseBuffers === true;
  signal?.throwIfAborted();
  const { ffmpeg } = ffmpegTools();
  await checkInputFile(path);
  signal?.throwIfAborted();
  if (plan.wanted?.length === 0) return;
  const shown = options.name ?? JSON.stringify(path);
  const frames = new PpmFrames(shown);
  const tool = await startTool(ffmpeg, ffmpegArguments(path, plan), frames, { direct: true });
  try {
    const { wanted } = plan;
    const piped = plan.piped();
    let found = 0;
    for await (const image of itemsOf(tool, frames, signal)) {
      const frame = piped.next().value as number;
      if (wanted !== undefined) {
        if (frame !== wanted[found]) {
          frames.recycle(image);
          continue;
        }
        if (++found === wanted.length) {
          tool.kill();
          yield { frame, image };
          return;
        }
      }
      yield { frame, image };
      // The loop asked for the next frame: with reuseBuffers, this one's buffer goes back.
      if (reuse) frames.recycle(image);
    }
    await failureOf(tool, shown, signal);
    if (frames.partial) throw new MediaError("TA_MEDIA_DECODE", `ffmpeg's output for ${shown} ended in the middle of a frame.`, true);
    if (wanted !== undefined) throw pastTheEnd(shown, wanted.slice(found), decodedCount(tool.stderr()));
  } finally {
    tool.kill();
    await tool.closed;
  }
}

/** Waits for ffmpeg to end and throws what went wrong: the abort, or ffmpeg's own failure. */
async function failureOf(tool: RunningTool, shown: string, signal: AbortSignal | undefined): Promise<void> {
  const exit = await tool.closed;
  signal?.throwIfAborted();
  if (exit.code !== 0) throw toolFailure("ffmpeg", tool.command, shown, exit, tool.stderr());
}

/** The decoded-frame count of the final `-progress` report, if ffmpeg printed one. */
function decodedCount(stderr: string): number | null {
  const counts = [...stderr.matchAll(/^frame=(\d+)\s*$/gm)];
  const last = counts.at(-1)?.[1];
  return last === undefined ? null : Number(last);
}

function pastTheEnd(shown: string, missing: readonly number[], count: number | null): MediaError {
  const listed = missing.length > 5 ? `${missing.slice(0, 5).join(", ")} and ${missing.length - 5} more` : missing.join(", ").replace(/, (\d+)$/, " and $1");
  const subject = missing.length === 1 ? `Frame ${listed} is` : `Frames ${listed} are`;
  const length =
    count === null
      ? "(ffmpeg did not report how many frames it decoded)"
      : count === 0
        ? "which has no frames"
        : `which has ${count} frame${count === 1 ? "" : "s"} (0–${count - 1})`;
  return new MediaError("TA_UNSUPPORTED_FRAME", `${subject} past the end of ${shown}, ${length}.`, true);
}

/**
 * One frame (0-based) of a local video, as {@link decodeVideoFrames} numbers them; ffmpeg stops
 * as soon as it has it. It decodes every frame before it, so for many frames of one video, one
 * `decodeVideoFrames` call with `{ frames: [...] }` is much faster than a call per frame.
 *
 * @throws MediaError `TA_UNSUPPORTED_FRAME` for a frame past the end, and as decodeVideoFrames.
 */
export async function decodeVideoFrame(path: string, frame: number, options: Omit<DecodeVideoFramesOptions, "select"> = {}): Promise<RgbImage> {
  checkFrameNumber(frame);
  for await (const decoded of decodeVideoFrames(path, { ...options, select: { frames: [frame] } })) return decoded.image;
  throw new MediaError("TA_UNSUPPORTED_FRAME", `Frame ${frame} of ${options.name ?? JSON.stringify(path)} was not decoded.`, true);
}

const isSpace = (byte: number) => byte === 0x20 || (byte >= 0x09 && byte <= 0x0d);
/** "P6", two sizes of up to 5 digits (ffmpeg allows 65535 × 65535 PPMs), "255", separators. */
const maxHeaderLength = 24;
/** Decoded frames held before reading pauses (and ffmpeg, its output full, waits). */
const maxReady = 2;

/** A buffer a whole frame, header and pixels, is read into when its header is foreseen. */
interface Foreseen {
  readonly bytes: Uint8Array;
  filled: number;
}

/**
 * Receives ffmpeg's stream of binary PPM images (`P6 <width> <height> 255`, then the RGB bytes)
 * as RgbImages. ffmpeg writes every frame of a video with the same header, so once one has been
 * seen, each next frame is read whole, header and pixels, straight into one buffer, and its image
 * is a view of the pixels: no byte is copied after the kernel's copy. Where that guess fails (a
 * size change mid-stream) and for the first header, the bytes go through a parser that copies.
 * Buffers come from {@link PpmFrames.recycle}d frames when there are any, else are allocated
 * without zero-filling (every byte is then written).
 */
class PpmFrames implements ItemReceiver<RgbImage> {
  onReady: () => void = () => {};
  #failure: MediaError | undefined;
  readonly #ready: RgbImage[] = [];
  readonly #scratch = new Uint8Array(4096);
  #header = "";
  #image: { width: number; height: number; data: Uint8Array } | undefined;
  #filled = 0;
  #lastTarget: Uint8Array | undefined;
  /** The bytes of the last header parsed; the next frame is expected to start with them. */
  #expected: { readonly header: Uint8Array; readonly width: number; readonly height: number } | undefined;
  #foreseen: Foreseen | undefined;
  /** Buffers of recycled frames, each the size a foreseen frame takes. */
  #pool: ArrayBuffer[] = [];
  #ended = false;

  /** @param shown what to call the video in errors */
  constructor(private readonly shown: string) {}

  /** Set when ffmpeg's output was not a PPM stream; reading is paused for good. */
  get failure(): MediaError | undefined {
    return this.#failure;
  }

  /** True when the stream stopped inside an image. */
  get partial(): boolean {
    return this.#image !== undefined || this.#header !== "" || (this.#foreseen?.filled ?? 0) > 0;
  }

  /** The oldest complete frame not yet taken. */
  take(): RgbImage | undefined {
    return this.#ready.shift();
  }

  /**
   * Takes back the buffer of a frame the caller is done with, for a later frame. The image's
   * pixels are detached (moved, not copied, to a new ArrayBuffer): code still holding the old
   * image then finds an empty array instead of another frame's pixels.
   */
  recycle(image: RgbImage): void {
    const buffer = image.data.buffer as ArrayBuffer;
    let moved: ArrayBuffer;
    try {
      moved = structuredClone(buffer, { transfer: [buffer] });
    } catch {
      return; // already moved away by the caller (transferred to a worker, say): nothing to take back
    }
    const expected = this.#expected;
    const size = expected === undefined ? -1 : expected.header.length + expected.width * expected.height * 3;
    if (moved.byteLength === size && this.#pool.length < maxReady + 2) this.#pool.push(moved);
  }

  /** The output ended: a foreseen buffer that never filled (a smaller last frame) is parsed. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    const foreseen = this.#foreseen;
    if (foreseen === undefined || foreseen.filled === 0) return;
    this.#foreseen = undefined;
    this.#guard(() => this.#copy(foreseen.bytes.subarray(0, foreseen.filled)));
  }

  target(): Uint8Array {
    if (this.#image !== undefined) this.#lastTarget = this.#image.data.subarray(this.#filled);
    else if (this.#expected !== undefined && this.#header === "") {
      this.#foreseen ??= { bytes: this.#frameBuffer(this.#expected), filled: 0 };
      this.#lastTarget = this.#foreseen.bytes.subarray(this.#foreseen.filled);
    } else this.#lastTarget = this.#scratch;
    return this.#lastTarget;
  }

  received(chunk: Uint8Array, bytes: number): boolean {
    if (this.#failure !== undefined) return false;
    const ready = this.#ready.length;
    const direct = chunk === this.#lastTarget;
    this.#lastTarget = undefined;
    this.#guard(() => {
      if (direct && this.#image !== undefined) this.#advance(bytes);
      else if (direct && this.#foreseen !== undefined) this.#fillForeseen(bytes);
      else this.#copy(chunk.subarray(0, bytes));
    });
    if (this.#ready.length > ready || this.#failure !== undefined) this.onReady();
    return this.#failure === undefined && this.#ready.length < maxReady;
  }

  #guard(run: () => void): void {
    try {
      run();
    } catch (error) {
      this.#failure = error as MediaError;
    }
  }

  #frameBuffer(expected: { readonly header: Uint8Array; readonly width: number; readonly height: number }): Uint8Array {
    const size = expected.header.length + expected.width * expected.height * 3;
    const pooled = this.#pool.pop();
    if (pooled !== undefined) return new Uint8Array(pooled);
    const buffer = Buffer.allocUnsafeSlow(size);
    return new Uint8Array(buffer.buffer, buffer.byteOffset, size);
  }

  #fillForeseen(bytes: number): void {
    const foreseen = this.#foreseen!;
    foreseen.filled += bytes;
    if (foreseen.filled < foreseen.bytes.length) return;
    this.#foreseen = undefined;
    const { header, width, height } = this.#expected!;
    if (foreseen.bytes.subarray(0, header.length).every((byte, i) => byte === header[i])) {
      this.#ready.push(new RgbImage(width, height, foreseen.bytes.subarray(header.length)));
    } else {
      // Not the header seen before: parse (and copy) what arrived instead.
      this.#copy(foreseen.bytes);
    }
  }

  #advance(bytes: number): void {
    const image = this.#image!;
    this.#filled += bytes;
    if (this.#filled < image.data.length) return;
    this.#ready.push(new RgbImage(image.width, image.height, image.data));
    this.#image = undefined;
    this.#filled = 0;
  }

  #copy(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.length) {
      const image = this.#image;
      if (image === undefined) {
        at = this.#readHeader(chunk, at);
        continue;
      }
      const count = Math.min(image.data.length - this.#filled, chunk.length - at);
      image.data.set(chunk.subarray(at, at + count), this.#filled);
      at += count;
      this.#advance(count);
    }
  }

  /** Reads header bytes from `at`; returns where they end (the chunk's end if the header goes on). */
  #readHeader(chunk: Uint8Array, at: number): number {
    while (at < chunk.length) {
      const byte = chunk[at++]!;
      this.#header += String.fromCharCode(byte);
      if (this.#header.length > maxHeaderLength) throw this.#malformed();
      // The header ends with the one whitespace byte after its fourth field.
      if (!isSpace(byte)) continue;
      const fields = this.#header.trim().split(/\s+/);
      if (fields.length < 4) continue;
      const [magic, width, height, maxValue] = fields.map((f) => (/^\d{1,5}$/.test(f) ? Number(f) : f));
      if (magic !== "P6" || maxValue !== 255 || typeof width !== "number" || typeof height !== "number" || width < 1 || height < 1) throw this.#malformed();
      const bytes = width * height * 3;
      const buffer = Buffer.allocUnsafeSlow(bytes);
      this.#image = { width, height, data: new Uint8Array(buffer.buffer, buffer.byteOffset, bytes) };
      this.#expected = { header: Uint8Array.from(this.#header, (c) => c.charCodeAt(0)), width, height };
      this.#pool = [];
      this.#header = "";
      return at;
    }
    return at;
  }

  #malformed(): MediaError {
    const header = JSON.stringify(this.#header.slice(0, maxHeaderLength));
    return new MediaError("TA_MEDIA_DECODE", `ffmpeg's output for ${this.shown} is not the expected PPM stream (header ${header}).`, true);
  }
}
