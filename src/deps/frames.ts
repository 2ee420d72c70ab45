import { ConfigurationError, MediaError } from "../domain/errors.js";
import { decodeImage } from "../media/decode-image.js";
import type { RgbImage } from "../media/rgb-image.js";
import { decodeVideoFrame, decodeVideoFrames, type FrameSelection, type VideoFrame } from "../media/video-frames.js";
import { makeConfigurableDependency, makeDependency, type Dependency, type DependencyParts } from "./define-dependency.js";
import { capitalise, mediaAccess, type MediaAccess } from "./media-access.js";

export type { VideoFrame } from "../media/video-frames.js";

/** Options of {@link singleFrame}: which frame (0-based). */
export interface SingleFrameOptions {
  /** @defaultValue 0 */
  readonly frame?: number;
}

/** A frame number, as given to the frame helpers. */
function checkFrameNumber(frame: unknown, where: string): number {
  if (typeof frame !== "number" || !Number.isInteger(frame) || frame < 0) {
    throw new ConfigurationError("TA_INVALID_ARGUMENT", `${where}: frame must be a whole number ≥ 0 (frames count from 0), got ${JSON.stringify(frame) ?? String(frame)}.`);
  }
  return frame;
}

const videoTypes = new Set(["video", "imageSequence"]);

function unsupported(media: MediaAccess, helper: string): MediaError {
  return new MediaError(
    "TA_UNSUPPORTED_MEDIA",
    `${helper} cannot read ${media.describe()}: it reads images, image groups, image sequences and videos. Use the asset dependency for the file itself.`,
    true,
  );
}

/** Frame `frame` of the task's media as RGB pixels. */
async function readFrame(media: MediaAccess, frame: number, helper = "singleFrame"): Promise<RgbImage> {
  const type = media.item.itemType;
  if (type === "image") {
    if (frame !== 0) throw new MediaError("TA_UNSUPPORTED_FRAME", `${capitalise(media.describe())} has one frame, 0; frame ${frame} was asked for.`, true);
    return decodeImage(await media.file(), { name: media.item.name });
  }
  if (type === "imageGroup") return media.withChildFile(frame, (path) => decodeImage(path, { name: `${JSON.stringify(media.item.name)} frame ${frame}` }));
  if (videoTypes.has(type)) return decodeVideoFrame(await media.file(), frame, { signal: media.signal, name: JSON.stringify(media.item.name) });
  throw unsupported(media, helper);
}

/** The frames of the task's media in order, all of them or those `select` keeps. */
async function* readFrames(media: MediaAccess, select: FrameSelection | undefined, helper: string): AsyncGenerator<VideoFrame> {
  const type = media.item.itemType;
  if (videoTypes.has(type)) {
    yield* decodeVideoFrames(await media.file(), { signal: media.signal, name: JSON.stringify(media.item.name), ...(select ? { select } : {}) });
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
    throw new MediaError("TA_UNSUPPORTED_FRAME", `${capitalise(media.describe())} has ${count} frame${count === 1 ? "" : "s"} (0–${count - 1}); frame${missing.length === 1 ? "" : "s"} ${missing.join(", ")} ${missing.length === 1 ? "does" : "do"} not exist.`, true);
  }
  return frames;
}

const singleFrames = new Map<number, Dependency<RgbImage>>();

function singleFrameParts(frame: number): DependencyParts<RgbImage> {
  return {
    deps: { media: mediaAccess },
    prefetch: [],
    label: frame === 0 ? "singleFrame" : `singleFrame(${frame})`,
    resolve: (context: never) => readFrame((context as { media: MediaAccess }).media, frame),
  };
}

/** The dependency for frame `frame`; one object per frame number, so helpers that need the same frame decode it once per task. */
export function frameDependency(frame: number): Dependency<RgbImage> {
  let dependency = singleFrames.get(frame);
  if (!dependency) {
    dependency = makeDependency(singleFrameParts(frame));
    singleFrames.set(frame, dependency);
  }
  return dependency;
}

/**
 * One frame of the task's media as RGB pixels (`{ width, height, data }`, an {@link RgbImage}):
 * the image itself, image N of an image group, or frame N of a video or image sequence (decoded
 * by ffmpeg). Bare, it is frame 0; `singleFrame({ frame: 5 })` (or `singleFrame(5)`) is frame 5.
 * @example
 * runner.stage("Pre-label", { deps: { image: singleFrame } }, async ({ image }) => { … image.width … });
 */
export const singleFrame: Dependency<RgbImage> & ((options?: SingleFrameOptions | number) => Dependency<RgbImage>) = makeConfigurableDependency(
  singleFrameParts(0),
  (options?: SingleFrameOptions | number) => frameDependency(checkFrameNumber(typeof options === "number" ? options : (options?.frame ?? 0), "singleFrame()")),
);
singleFrames.set(0, singleFrame);

/** Frames of the task's media in order, read on demand; every iteration starts from frame 0. */
export type FrameIterable = AsyncIterable<VideoFrame>;

/**
 * Every frame of the task's video (or image sequence, image group, or the one frame of an image)
 * as `{ frame, image }`, decoded by ffmpeg as the loop asks for them; leaving the loop early stops
 * the decoder, and it is stopped after the task in any case.
 * @example
 * for await (const { frame, image } of videoFrames) { … }
 */
export const videoFrames: Dependency<FrameIterable> = makeDependency<FrameIterable>({
    deps: { media: mediaAccess },
    prefetch: [],
    label: "videoFrames",
    resolve: (context: never) => {
      const { media } = context as { media: MediaAccess };
      return { [Symbol.asyncIterator]: () => readFrames(media, undefined, "videoFrames") };
    },
});

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
        `videoSampler: the rate must be a number in (0, 1] (the share of frames to keep: 1 = every frame, 0.2 = every 5th), got ${String(rateOrFrames)}. For given frames pass a list, e.g. [0, 10, 20].`,
      );
    }
    return { every: Math.max(1, Math.round(1 / rateOrFrames)) };
  }
  if (Array.isArray(rateOrFrames)) {
    return { frames: rateOrFrames.map((f) => checkFrameNumber(f, "videoSampler")) };
  }
  throw new ConfigurationError("TA_INVALID_ARGUMENT", `videoSampler takes a rate in (0, 1] or a list of frame numbers, got ${JSON.stringify(rateOrFrames) ?? typeof rateOrFrames}.`);
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
    resolve: (context: never) => {
      const { media } = context as { media: MediaAccess };
      return (rateOrFrames) => {
        const select = frameSelection(rateOrFrames);
        return { [Symbol.asyncIterator]: () => readFrames(media, select, "videoSampler") };
      };
    },
});
