// Makes the media examples' files: images with coloured blobs on a dark background and a short
// clip of a red square crossing the frame, into examples/media/. Run: node scripts/make-example-media.mjs
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";

const here = new URL("../examples/media/", import.meta.url).pathname;
const background = [40, 40, 48];

/** A width×height RGB buffer with filled rectangles ([x, y, w, h, [r, g, b]]) and discs ([cx, cy, r, colour]). */
function draw(width, height, { rects = [], discs = [] }) {
  const data = Buffer.alloc(width * height * 3);
  for (let i = 0; i < width * height; i++) data.set(background, i * 3);
  for (const [x, y, w, h, colour] of rects) {
    for (let yy = y; yy < y + h; yy++) for (let xx = x; xx < x + w; xx++) data.set(colour, (yy * width + xx) * 3);
  }
  for (const [cx, cy, r, colour] of discs) {
    for (let yy = 0; yy < height; yy++)
      for (let xx = 0; xx < width; xx++) if ((xx - cx) ** 2 + (yy - cy) ** 2 <= r * r) data.set(colour, (yy * width + xx) * 3);
  }
  return data;
}

const red = [220, 40, 40];
const green = [40, 200, 60];
const blue = [50, 80, 230];
const images = {
  "one-red.png": { rects: [[50, 30, 40, 30, red]] },
  "red-and-blue.png": { rects: [[10, 10, 30, 20, red]], discs: [[110, 80, 20, blue]] },
  "three-blobs.png": {
    rects: [
      [8, 90, 24, 20, green],
      [120, 10, 30, 30, red],
    ],
    discs: [[70, 55, 14, blue]],
  },
  "empty.png": {},
};
for (const [name, shapes] of Object.entries(images)) {
  await sharp(draw(160, 120, shapes), { raw: { width: 160, height: 120, channels: 3 } })
    .png()
    .toFile(join(here, name));
}

// 48 frames at 12 fps: a red square moving left to right over a green disc that stays put.
const frames = mkdtempSync(join(tmpdir(), "task-agents-clip-"));
try {
  for (let i = 0; i < 48; i++) {
    const x = 4 + i * 3;
    const raw = draw(160, 120, { rects: [[x, 44, 20, 20, red]], discs: [[120, 90, 12, green]] });
    await sharp(raw, { raw: { width: 160, height: 120, channels: 3 } })
      .png()
      .toFile(join(frames, `${String(i).padStart(3, "0")}.png`));
  }
  execFileSync("ffmpeg", [
    "-hide_banner",
    "-loglevel",
    "error",
    "-y",
    "-framerate",
    "12",
    "-i",
    join(frames, "%03d.png"),
    "-c:v",
    "libx264",
    "-pix_fmt",
    "yuv420p",
    "-crf",
    "18",
    "-movflags",
    "+faststart",
    join(here, "moving-square.mp4"),
  ]);
} finally {
  rmSync(frames, { recursive: true, force: true });
}
