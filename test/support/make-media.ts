/**
 * Test media made at test time: PNG and JPEG files through sharp, videos through ffmpeg (from
 * PATH, whatever TASK_AGENTS_FFMPEG says), each returning the RGB pixels it was made from, so
 * tests compare decoded pixels with what was written.
 */
import { spawn } from "node:child_process";
import { rm, writeFile } from "node:fs/promises";
import { extname } from "node:path";
import sharp from "sharp";

/** An 8-bit RGB colour. */
export type Rgb = readonly [number, number, number];

/** An image to make: `pixels` (RGB, row-major) as given, else filled with `colour`, else {@link patternPixels}. */
export interface ImageSpec {
  readonly width: number;
  readonly height: number;
  readonly colour?: Rgb;
  readonly pixels?: Uint8Array;
}

/** Deterministic pixels that differ between neighbours, rows and channels, so a transposed, shifted or channel-swapped decode shows. */
export function patternPixels(width: number, height: number, seed = 0): Uint8Array {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const at = (y * width + x) * 3;
      data[at] = (x * 13 + y * 3 + seed * 31) & 255;
      data[at + 1] = (y * 17 + x * 5 + seed * 7) & 255;
      data[at + 2] = (x * y + seed * 101) & 255;
    }
  }
  return data;
}

/** The RGB pixels an {@link ImageSpec} stands for. */
export function imagePixels(spec: ImageSpec): Uint8Array {
  if (spec.pixels !== undefined) {
    if (spec.pixels.length !== spec.width * spec.height * 3) throw new Error(`pixels must be ${spec.width * spec.height * 3} bytes`);
    return spec.pixels;
  }
  if (spec.colour === undefined) return patternPixels(spec.width, spec.height);
  const data = new Uint8Array(spec.width * spec.height * 3);
  for (let at = 0; at < data.length; at += 3) data.set(spec.colour, at);
  return data;
}

function rawImage(spec: ImageSpec): ReturnType<typeof sharp> {
  return sharp(imagePixels(spec), { raw: { width: spec.width, height: spec.height, channels: 3 } });
}

/** Writes a PNG (lossless, so decoding it gives back exactly the returned pixels). */
export async function makePng(path: string, spec: ImageSpec): Promise<Uint8Array> {
  await rawImage(spec).png().toFile(path);
  return imagePixels(spec);
}

/** Writes a JPEG (lossy: decoded pixels are near, not equal, to the returned ones; flat colours stay within a few levels). */
export async function makeJpeg(path: string, spec: ImageSpec & { readonly quality?: number }): Promise<Uint8Array> {
  await rawImage(spec)
    .jpeg({ quality: spec.quality ?? 95, chromaSubsampling: "4:4:4" })
    .toFile(path);
  return imagePixels(spec);
}

/** Writes a PNG with an alpha channel: the RGB of the returned pixels, with `alpha` everywhere. */
export async function makeRgbaPng(path: string, spec: ImageSpec & { readonly alpha: number }): Promise<Uint8Array> {
  const rgb = imagePixels(spec);
  const rgba = new Uint8Array(spec.width * spec.height * 4);
  for (let i = 0, j = 0; i < rgb.length; i += 3, j += 4) {
    rgba.set(rgb.subarray(i, i + 3), j);
    rgba[j + 3] = spec.alpha;
  }
  await sharp(rgba, { raw: { width: spec.width, height: spec.height, channels: 4 } })
    .png()
    .toFile(path);
  return rgb;
}

/** Writes a JPEG whose stored pixels are `spec`'s, tagged with an EXIF orientation (1–8) that viewers apply. */
export async function makeOrientedJpeg(path: string, spec: ImageSpec & { readonly orientation: number }): Promise<Uint8Array> {
  await rawImage(spec).withMetadata({ orientation: spec.orientation }).jpeg({ quality: 100, chromaSubsampling: "4:4:4" }).toFile(path);
  return imagePixels(spec);
}

/** A video to make. */
export interface VideoSpec {
  readonly width: number;
  readonly height: number;
  readonly frames: number;
  /** @defaultValue 24 */
  readonly fps?: number;
  /**
   * `"lossless"`: H.264 RGB at qp 0 (libx264rgb), decoding gives back the exact pixels; `"h264"`:
   * ordinary yuv420p H.264 (even sizes only), near but not equal. @defaultValue "lossless"
   */
  readonly codec?: "lossless" | "h264";
  /** Rotation metadata in degrees (ffmpeg 5's `rotate` stream tag), which players and ffmpeg apply when decoding. */
  readonly rotate?: 0 | 90 | 180 | 270;
}

/**
 * RGB pixels of frame `index` of a {@link makeVideo} video: smooth gradients (so lossy H.264
 * stays close), a blue level and an 8 × 8 white square that move with the frame number, so
 * every frame differs from the others.
 */
export function videoFramePixels(width: number, height: number, index: number): Uint8Array {
  const data = new Uint8Array(width * height * 3);
  const blue = (index * 37) % 256;
  const square = { x: (index * 5) % Math.max(1, width - 8), y: (index * 3) % Math.max(1, height - 8) };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const at = (y * width + x) * 3;
      const inSquare = x >= square.x && x < square.x + 8 && y >= square.y && y < square.y + 8;
      data[at] = inSquare ? 255 : Math.round((255 * x) / Math.max(1, width - 1));
      data[at + 1] = inSquare ? 255 : Math.round((255 * y) / Math.max(1, height - 1));
      data[at + 2] = inSquare ? 255 : blue;
    }
  }
  return data;
}

/** Writes a video of `spec.frames` frames ({@link videoFramePixels}) and returns each frame's RGB pixels, unrotated. */
export async function makeVideo(path: string, spec: VideoSpec): Promise<Uint8Array[]> {
  const frames = Array.from({ length: spec.frames }, (_, i) => videoFramePixels(spec.width, spec.height, i));
  const codec = spec.codec === "h264" ? ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-crf", "18"] : ["-c:v", "libx264rgb", "-qp", "0", "-pix_fmt", "rgb24"];
  const input = ["-f", "rawvideo", "-pix_fmt", "rgb24", "-s", `${spec.width}x${spec.height}`, "-r", String(spec.fps ?? 24), "-i", "pipe:0"];
  if (!spec.rotate) {
    await runFfmpeg([...input, ...codec, "-y", path], frames);
    return frames;
  }
  // ffmpeg 5 writes the rotate tag into the container's display matrix on a stream copy only.
  const unrotated = `${path}.unrotated${extname(path)}`;
  await runFfmpeg([...input, ...codec, "-y", unrotated], frames);
  await runFfmpeg(["-i", unrotated, "-c", "copy", "-metadata:s:v:0", `rotate=${spec.rotate}`, "-y", path], []);
  await rm(unrotated);
  return frames;
}

/** Writes bytes that no decoder accepts, under a name that says otherwise. */
export async function makeGarbage(path: string): Promise<void> {
  await writeFile(path, Buffer.from("this is not media, whatever its name says\n".repeat(64)));
}

function runFfmpeg(args: readonly string[], input: readonly Uint8Array[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("ffmpeg", ["-nostdin", "-hide_banner", "-loglevel", "error", ...args], { stdio: ["pipe", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg ${args.join(" ")} exited with ${code}: ${stderr}`))));
    child.stdin.on("error", reject);
    for (const frame of input) child.stdin.write(frame);
    child.stdin.end();
  });
}
