// decodeVideoFrames, every frame to RGB, of a 640×480, 10 s, 30 fps H.264 clip (libx264,
// testsrc2, made once in a temporary folder), against ffmpeg alone decoding the same clip to RGB
// into /dev/null (`ffmpeg -i clip -f rawvideo -pix_fmt rgb24 -y /dev/null`), same ffmpeg, same
// run, interleaved, median of 7. Both times include starting ffmpeg. value and baselineValue are
// decoded frames per second; ratio = decodeVideoFrames fps / ffmpeg fps. decodeVideoFrames runs
// twice per round: into pooled buffers (reuseBuffers, the way issue 19 asks frames to be decoded:
// value and ratio) and as it is by default (a fresh buffer per frame, which the caller may keep:
// reported beside it, without a target; docs/benchmarks.md says what separates the two).
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { ffmpegTools } from "../../dist/media/ffmpeg.js";
import { decodeVideoFrames } from "../../dist/media/video-frames.js";
import { interleaved, median, tempDir } from "../lib/common.mjs";

export const name = "video-frames";
export const unit = "frames/s";
export const target = { kind: "min", value: 0.8, of: "ratio", text: "≥ 0.8× ffmpeg → /dev/null (reuseBuffers)" };

const REPEATS = 7;

function makeClip(ffmpeg, path, { width, height, seconds, fps }) {
  const args = ["-nostdin", "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", `testsrc2=size=${width}x${height}:rate=${fps}`, "-t", String(seconds)];
  const made = spawnSync(ffmpeg, [...args, "-c:v", "libx264", "-pix_fmt", "yuv420p", "-y", path], { encoding: "utf8" });
  if (made.status !== 0) throw new Error(`could not make the bench clip: ${made.stderr || made.error?.message}`);
}

/** Milliseconds ffmpeg takes to decode `path` to RGB into /dev/null. */
function ffmpegAlone(ffmpeg, path) {
  const started = performance.now();
  const child = spawn(ffmpeg, ["-nostdin", "-hide_banner", "-loglevel", "error", "-i", path, "-f", "rawvideo", "-pix_fmt", "rgb24", "-y", "/dev/null"], {
    stdio: "ignore",
  });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => (code === 0 ? resolve(performance.now() - started) : reject(new Error(`ffmpeg exited with ${code}`))));
  });
}

/** Milliseconds decodeVideoFrames takes to yield every frame of `path`, checking count and size. */
async function decodeAll(path, clip, options = {}) {
  const started = performance.now();
  let frames = 0;
  for await (const { image } of decodeVideoFrames(path, options)) {
    if (image.width !== clip.width || image.height !== clip.height) throw new Error(`frame ${frames} is ${image.width}×${image.height}`);
    frames++;
  }
  const ms = performance.now() - started;
  if (frames !== clip.frames) throw new Error(`decodeVideoFrames gave ${frames} frames, not ${clip.frames}`);
  return ms;
}

export async function run({ smoke }) {
  const clip = smoke ? { width: 160, height: 120, seconds: 1, fps: 30 } : { width: 640, height: 480, seconds: 10, fps: 30 };
  clip.frames = clip.seconds * clip.fps;
  const { ffmpeg } = ffmpegTools();
  const path = join(tempDir("video"), "clip.mp4");
  makeClip(ffmpeg, path, clip);
  const samples = await interleaved(smoke ? 1 : REPEATS, {
    ffmpeg: () => ffmpegAlone(ffmpeg, path),
    ours: () => decodeAll(path, clip),
    reused: () => decodeAll(path, clip, { reuseBuffers: true }),
  });
  const fps = (ms) => (clip.frames * 1000) / ms;
  const value = fps(median(samples.reused));
  const baselineValue = fps(median(samples.ffmpeg));
  const defaultRatio = fps(median(samples.ours)) / baselineValue;
  const times = (list) => list.map((ms) => `${(ms / 1000).toFixed(2)} s`).join(", ");
  return {
    value,
    baseline: `ffmpeg -i clip -f rawvideo -pix_fmt rgb24 -y /dev/null, ${clip.width}×${clip.height}, ${clip.frames} frames`,
    baselineValue,
    ratio: value / baselineValue,
    details: {
      clip: `${clip.width}×${clip.height}, ${clip.seconds} s at ${clip.fps} fps, libx264 yuv420p (testsrc2)`,
      "RGB per frame": `${((clip.width * clip.height * 3) / 1024).toFixed(0)} KiB`,
      "decodeVideoFrames, reuseBuffers, run times": times(samples.reused),
      "decodeVideoFrames by default (a fresh buffer per frame), no target": `${fps(median(samples.ours)).toFixed(0)} frames/s, ${defaultRatio.toFixed(2)}× ffmpeg`,
      "decodeVideoFrames by default, run times": times(samples.ours),
      "ffmpeg → /dev/null run times": times(samples.ffmpeg),
    },
  };
}
