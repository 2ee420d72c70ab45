import { ConfigurationError, MediaError } from "../domain/errors.js";
import { decodeImage } from "../media/decode-image.js";
import { checkWindow, type DisplayWindow, type RawFrame } from "../media/medical/raw-frame.js";
import { checkDpi } from "../media/pdf/render-pdf.js";
import type { RgbImage } from "../media/rgb-image.js";
import { decodeVideoFrame, decodeVideoFrames, type FrameSelection, type VideoFrame } from "../media/video-frames.js";
import { makeConfigurableDependency, makeDependency, type Dependency, type DependencyParts } from "./define-dependency.js";
import { documentFrames, hasDocumentFrames, type FrameRendering } from "./document-frames.js";
import { capitalise, mediaAccess, type MediaAccess } from "./media-access.js";

export type { VideoFrame } from "../media/video-frames.js";
export type { DisplayWindow, RawFrame, RawPixels } from "../media/medical/raw-frame.js";

/** Options of {@link singleFrame}: which frame (0-based) and, for DICOM, NIfTI and PDF, how to render it. */
export interface SingleFrameOptions {
  /** @defaultValue 0 */
  readonly frame?: number;
  /** DICOM and NIfTI: the display window in rescaled units; default: the file's own, else the frame's min–max. */
  readonly window?: DisplayWindow;
  /** PDF: render pages at this resolution (10–1200). @defaultValue 150 */
  readonly dpi?: number;
  readonly raw?: false;
}

/** Options of {@link singleFrame} for a DICOM or NIfTI frame's stored values, unwindowed. */
export interface RawFrameOptions {
  /** @defaultValue 0 */
  readonly frame?: number;
  readonly raw: true;
}

/** A frame number, as given to the frame helpers. */
function checkFrameNumber(frame: unknown, where: string): number {
  if (typeof frame !== "number" || !Number.isInteger(frame) || frame < 0) {
    throw new ConfigurationError(
      "TA_INVALID_ARGUMENT",
      `${where}: frame must be a whole number ≥ 0 (frames count from 0), got ${JSON.stringify(frame) ?? String(frame)}.`,
    );
  }
  return frame;
}

const videoTypes = new Set(["video", "imageSequence"]);

function unsupported(media: MediaAccess, helper: string): MediaError {
  return new MediaError(
    "TA_UNSUPPORTED_MEDIA",
    `${helper} cannot read ${media.describe()}: it reads images, image groups, image sequences, videos, ` +
      `DICOM files and series, NIfTI volumes and PDFs. Use the asset dependency for the file itself.`,
    true,
  );
}

/** Frame `frame` of the task's media as RGB pixels. */
async function readFrame(media: MediaAccess, frame: number, helper = "singleFrame", rendering: FrameRendering = {}): Promise<RgbImage> {
  const type = media.item.itemType;
  if (hasDocumentFrames(type)) {
    const source = documentFrames(media);
    try {
      return await source.image(frame, rendering);
    } finally {
      source.close();
    }
  }
  if (type === "image") {
    if (frame !== 0) throw new MediaError("TA_UNSUPPORTED_FRAME", `${capitalise(media.describe())} has one frame, 0; frame ${frame} was asked for.`, true);
    return decodeImage(await media.file(), { name: media.item.name });
  }
  if (type === "imageGroup") return media.withChildFile(frame, (path) => decodeImage(path, { name: `${JSON.stringify(media.item.name)} frame ${frame}` }));
  if (videoTypes.has(type)) return decodeVideoFrame(await media.file(), frame, { signal: media.signal, name: JSON.stringify(media.item.name) });
  throw unsupported(media, helper);
}

/** The frames of the task's media in order, all of them or those `select` keeps. */
async function* readFrames(
  media: MediaAccess,
  select: FrameSelection | undefined,
  helper: string,
  options: VideoFramesOptions = {},
): AsyncGenerator<VideoFrame> {
  const type = media.item.itemType;
  if (videoTypes.has(type)) {
    const reuse = options.reuseBuffers === true ? { reuseBuffers: true } : {};
    yield* decodeVideoFrames(await media.file(), { signal: media.signal, name: JSON.stringify(media.item.name), ...(select ? { select } : {}), ...reuse });
    return;
  }
  if (hasDocumentFrames(type)) {
    const source = documentFrames(media);
    try {
      for (const frame of selectedFrames(select, await source.count(), media)) {
        media.signal.throwIfAborted();
        yield { frame, image: await source.image(frame, {}) };
      }
    } finally {
      source.close();
    }
    return;
  }
  if (type !== "image" && type !== "imageGroup") throw unsupported(media, helper);
  const count = type === "image" ? 1 : (await media.children()).length;
  for (const frame of selectedFrames(select, count, media)) yield { frame, image: await readFrame(media, frame, helper) };
}

function selectedFrames(select: FrameSelection | undefined, count: number, media: MediaAccess): number[] {
  if (!select) return Array.from({ length: count }, (_, i) => i);
  if ("every" in select) return Array.from({ length: Math.ceil(count / select.every) }, (_, i) => i * select.every);
  const frames = [...new Set(select.frames)].sort((a, b) => a - b);
  const missing = frames.filter((f) => f >= count);
  if (missing.length > 0) {
    throw new MediaError(
      "TA_UNSUPPORTED_FRAME",
      `${capitalise(media.describe())} has ${count} frame${count === 1 ? "" : "s"}` +
        ` (0–${count - 1}); frame${missing.length === 1 ? "" : "s"} ` +
        `${missing.join(", ")} ${missing.length === 1 ? "does" : "do"} not exist.`,
      true,
    );
  }
  return frames;
}

const singleFrames = new Map<string, Dependency<RgbImage>>();
const rawFrames = new Map<number, Dependency<RawFrame>>();

function renderingLabel(rendering: FrameRendering): string {
  const parts = [
    rendering.window ? `window ${rendering.window.center}/${rendering.window.width}` : "",
    rendering.dpi !== undefined ? `${rendering.dpi} dpi` : "",
  ].filter(Boolean);
  return parts.length === 0 ? "" : ` (${parts.join(", ")})`;
}

function singleFrameParts(frame: number, rendering: FrameRendering = {}): DependencyParts<RgbImage> {
  return {
    deps: { media: mediaAccess },
    prefetch: [],
    label: `${frame === 0 ? "singleFrame" : `singleFrame(${frame})`}${renderingLabel(rendering)}`,
    resolve: ({ valueOf }) => readFrame(valueOf(mediaAccess), frame, "singleFrame", rendering),
  };
}

/**
 * The dependency for frame `frame` rendered as `rendering` says; one object per frame and
 * rendering, so helpers that need the same frame decode it once per task.
 */
export function frameDependency(frame: number, rendering: FrameRendering = {}): Dependency<RgbImage> {
  const key = JSON.stringify([frame, rendering.window?.center, rendering.window?.width, rendering.dpi]);
  let dependency = singleFrames.get(key);
  if (!dependency) {
    dependency = makeDependency(singleFrameParts(frame, rendering));
    singleFrames.set(key, dependency);
  }
  return dependency;
}

/** Frame `frame` of a DICOM or NIfTI item as stored; other media have no raw values to give. */
async function readRawFrame(media: MediaAccess, frame: number): Promise<RawFrame> {
  const type = media.item.itemType;
  if (!hasDocumentFrames(type) || type === "pdf") {
    throw new MediaError(
      "TA_UNSUPPORTED_MEDIA",
      `singleFrame({ raw: true }) reads DICOM files and series and NIfTI volumes; ` +
        `${media.describe()} has no raw values. Use singleFrame({ frame }) for RGB pixels.`,
      true,
    );
  }
  const source = documentFrames(media);
  try {
    return await source.raw(frame);
  } finally {
    source.close();
  }
}

function rawFrameDependency(frame: number): Dependency<RawFrame> {
  let dependency = rawFrames.get(frame);
  if (!dependency) {
    dependency = makeDependency<RawFrame>({
      deps: { media: mediaAccess },
      prefetch: [],
      label: `singleFrame(${frame}, raw)`,
      resolve: ({ valueOf }) => readRawFrame(valueOf(mediaAccess), frame),
    });
    rawFrames.set(frame, dependency);
  }
  return dependency;
}

const singleFrameKeys = new Set(["frame", "window", "dpi", "raw"]);

function configureSingleFrame(options?: SingleFrameOptions | RawFrameOptions | number): Dependency<RgbImage> | Dependency<RawFrame> {
  if (typeof options === "number" || options === undefined) return frameDependency(checkFrameNumber(options ?? 0, "singleFrame()"));
  if (typeof options !== "object" || options === null) {
    throw new ConfigurationError(
      "TA_INVALID_ARGUMENT",
      `singleFrame() takes a frame number or { frame, window, dpi, raw }, got ${JSON.stringify(options) ?? typeof options}.`,
    );
  }
  const unknown = Object.keys(options).filter((key) => !singleFrameKeys.has(key));
  if (unknown.length > 0) {
    throw new ConfigurationError(
      "TA_INVALID_ARGUMENT",
      `singleFrame(): unknown option${unknown.length === 1 ? "" : "s"} ${unknown.map((k) => JSON.stringify(k)).join(", ")}; accepted: frame, window, dpi, raw.`,
    );
  }
  const frame = checkFrameNumber(options.frame ?? 0, "singleFrame()");
  const { raw, window, dpi } = options as SingleFrameOptions & { raw?: unknown };
  if (raw !== undefined && typeof raw !== "boolean")
    throw new ConfigurationError("TA_INVALID_ARGUMENT", `singleFrame(): raw must be true or false, got ${JSON.stringify(raw)}.`);
  if (raw) {
    if (window !== undefined || dpi !== undefined)
      throw new ConfigurationError(
        "TA_INVALID_ARGUMENT",
        "singleFrame(): raw: true gives stored values, so window and dpi do not apply; drop them or drop raw.",
      );
    return rawFrameDependency(frame);
  }
  return frameDependency(frame, {
    ...(window !== undefined ? { window: checkWindow(window, "singleFrame()") } : {}),
    ...(dpi !== undefined ? { dpi: checkDpi(dpi, "singleFrame()") } : {}),
  });
}

/** {@link singleFrame}'s call forms: raw values with `raw: true`, RGB pixels otherwise. */
export interface SingleFrameFunction {
  (options: RawFrameOptions): Dependency<RawFrame>;
  (options?: SingleFrameOptions | number): Dependency<RgbImage>;
}

/**
 * One frame of the task's media as RGB pixels (`{ width, height, data }`, an {@link RgbImage}):
 * the image itself, image N of an image group, frame N of a video or image sequence (decoded
 * by ffmpeg), slice N of a DICOM series or NIfTI volume (windowed to 8 bits), frame N of a
 * multi-frame DICOM file, or page N of a PDF (rendered at `dpi`, default 150). Bare, it is frame
 * 0; `singleFrame({ frame: 5 })` (or `singleFrame(5)`) is frame 5. For DICOM and NIfTI,
 * `window: { center, width }` sets the display window and `raw: true` gives the stored values
 * instead (a {@link RawFrame}).
 * @example
 * runner.stage("Pre-label", { deps: { image: singleFrame } }, async ({ image }) => { … image.width … });
 * runner.stage("Measure", { deps: { slice: singleFrame({ frame: 10, raw: true }) } }, async ({ slice }) => { … slice.data … });
 */
export const singleFrame: Dependency<RgbImage> & SingleFrameFunction = makeConfigurableDependency(
  singleFrameParts(0),
  configureSingleFrame as (options?: SingleFrameOptions | RawFrameOptions | number) => Dependency<RgbImage>,
) as unknown as Dependency<RgbImage> & SingleFrameFunction;
singleFrames.set(JSON.stringify([0, undefined, undefined, undefined]), singleFrame);

/** Frames of the task's media in order, read on demand; every iteration starts from frame 0. */
export type FrameIterable = AsyncIterable<VideoFrame>;

/** Options of {@link videoFrames}. */
export interface VideoFramesOptions {
  /**
   * Videos and image sequences: decode into a few buffers used over and over instead of a new
   * one per frame, which takes a third or more off the process's CPU time for large frames
   * (docs/architecture.md). A frame is then yours only until the loop asks for the next one: its
   * `data` becomes empty. Copy what you keep (`image.data.slice()`). Other media give every frame
   * its own buffer either way.
   * @defaultValue false
   */
  readonly reuseBuffers?: boolean;
}

function videoFramesParts(options: VideoFramesOptions): DependencyParts<FrameIterable> {
  return {
    deps: { media: mediaAccess },
    prefetch: [],
    label: options.reuseBuffers === true ? "videoFrames({ reuseBuffers: true })" : "videoFrames",
    resolve: ({ valueOf }) => {
      const media = valueOf(mediaAccess);
      return { [Symbol.asyncIterator]: () => readFrames(media, undefined, "videoFrames", options) };
    },
  };
}

const videoFramesKeys = new Set(["reuseBuffers"]);
let reusingVideoFrames: Dependency<FrameIterable> | undefined;

function configureVideoFrames(options?: VideoFramesOptions): Dependency<FrameIterable> {
  if (options === undefined) return videoFrames;
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new ConfigurationError("TA_INVALID_ARGUMENT", `videoFrames() takes { reuseBuffers }, got ${JSON.stringify(options) ?? typeof options}.`);
  }
  const unknown = Object.keys(options).filter((key) => !videoFramesKeys.has(key));
  if (unknown.length > 0) {
    throw new ConfigurationError(
      "TA_INVALID_ARGUMENT",
      `videoFrames(): unknown option${unknown.length === 1 ? "" : "s"} ${unknown.map((k) => JSON.stringify(k)).join(", ")}; accepted: reuseBuffers.`,
    );
  }
  const { reuseBuffers } = options as { reuseBuffers?: unknown };
  if (reuseBuffers !== undefined && typeof reuseBuffers !== "boolean") {
    throw new ConfigurationError(
      "TA_INVALID_ARGUMENT",
      `videoFrames(): reuseBuffers must be true or false, got ${JSON.stringify(reuseBuffers) ?? typeof reuseBuffers}.`,
    );
  }
  if (reuseBuffers !== true) return videoFrames;
  return (reusingVideoFrames ??= makeDependency(videoFramesParts({ reuseBuffers: true })));
}

/**
 * Every frame of the task's video (or image sequence, image group, the one frame of an image,
 * the slices of a DICOM series or NIfTI volume, the pages of a PDF) as `{ frame, image }`,
 * decoded as the loop asks for them; leaving the loop early stops the decoder, and it is stopped
 * after the task in any case. Bare, each frame has its own buffer and may be kept;
 * `videoFrames({ reuseBuffers: true })` recycles a video's frame buffers (see
 * {@link VideoFramesOptions.reuseBuffers}).
 * @example
 * for await (const { frame, image } of videoFrames) { … }
 * runner.stage("Scan", { deps: { frames: videoFrames({ reuseBuffers: true }) } }, async ({ frames }) => { … });
 */
export const videoFrames: Dependency<FrameIterable> & ((options?: VideoFramesOptions) => Dependency<FrameIterable>) = makeConfigurableDependency(
  videoFramesParts({}),
  configureVideoFrames,
);

/**
 * Picks frames of the task's media: a rate in (0, 1] takes every round(1/rate)-th frame (0.2 →
 * frames 0, 5, 10, …); a list takes exactly those frame numbers, in increasing order.
 */
export type VideoSampler = (rateOrFrames: number | readonly number[]) => FrameIterable;

/** The selection a sampler argument stands for; throws on rates outside (0, 1] and bad frame numbers. */
export function frameSelection(rateOrFrames: unknown): FrameSelection {
  if (typeof rateOrFrames === "number") {
    if (!Number.isFinite(rateOrFrames) || rateOrFrames <= 0 || rateOrFrames > 1) {
      throw new ConfigurationError(
        "TA_INVALID_ARGUMENT",
        `videoSampler: the rate must be a number in (0, 1] (the share of frames to keep: 1 = every frame, ` +
          `0.2 = every 5th), got ${String(rateOrFrames)}. For given frames pass a list, e.g. [0, 10, 20].`,
      );
    }
    return { every: Math.max(1, Math.round(1 / rateOrFrames)) };
  }
  if (Array.isArray(rateOrFrames)) {
    return { frames: rateOrFrames.map((f) => checkFrameNumber(f, "videoSampler")) };
  }
  throw new ConfigurationError(
    "TA_INVALID_ARGUMENT",
    `videoSampler takes a rate in (0, 1] or a list of frame numbers, got ${JSON.stringify(rateOrFrames) ?? typeof rateOrFrames}.`,
  );
}

/**
 * A function that samples frames of the task's media: `sampler(0.1)` yields every 10th frame,
 * `sampler([0, 30, 60])` yields those frames. Frames that are not wanted are skipped by the
 * decoder, not converted; every call starts a fresh pass.
 * @example
 * for await (const { frame, image } of videoSampler(0.2)) { … }
 */
export const videoSampler: Dependency<VideoSampler> = makeDependency<VideoSampler>({
  deps: { media: mediaAccess },
  prefetch: [],
  label: "videoSampler",
  resolve: ({ valueOf }) => {
    const media = valueOf(mediaAccess);
    return (rateOrFrames) => {
      const select = frameSelection(rateOrFrames);
      return { [Symbol.asyncIterator]: () => readFrames(media, select, "videoSampler") };
    };
  },
});
