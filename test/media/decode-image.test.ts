import { readFile } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, describe, expect, test } from "vitest";
import { isConfigurationError, isMediaError } from "../../src/domain/errors.js";
import { decodeImage } from "../../src/media/decode-image.js";
import { makeGarbage, makeJpeg, makeOrientedJpeg, makePng, makeRgbaPng, patternPixels } from "../support/make-media.js";
import { tempDir } from "../support/temp-dir.js";

const dir = tempDir("task-agents-decode-image-");
afterAll(() => dir[Symbol.dispose]());
const file = (name: string) => join(dir.path, name);

/** Pixels of a `width` × `height` image rotated 90° clockwise (what EXIF orientation 6 asks for). */
function rotatedClockwise(pixels: Uint8Array, width: number, height: number): Uint8Array {
  const out = new Uint8Array(pixels.length);
  // The result is `height` wide: its pixel (x, y) is the source's (y, height - 1 - x).
  for (let y = 0; y < width; y++) {
    for (let x = 0; x < height; x++) {
      const from = ((height - 1 - x) * width + y) * 3;
      out.set(pixels.subarray(from, from + 3), (y * height + x) * 3);
    }
  }
  return out;
}

describe("decodeImage", () => {
  test("a PNG decodes to exactly the pixels written, from a path or from bytes", async () => {
    const pixels = await makePng(file("pattern.png"), { width: 21, height: 11 });
    const fromPath = await decodeImage(file("pattern.png"));
    expect([fromPath.width, fromPath.height]).toEqual([21, 11]);
    expect(fromPath.data).toEqual(pixels);
    const bytes = new Uint8Array(await readFile(file("pattern.png")));
    expect((await decodeImage(bytes)).data).toEqual(pixels);
  });

  test("its data is a plain Uint8Array of width × height × 3 bytes", async () => {
    await makePng(file("small.png"), { width: 3, height: 2, colour: [1, 2, 3] });
    const image = await decodeImage(file("small.png"));
    expect(image.data.constructor).toBe(Uint8Array);
    expect(image.data.length).toBe(18);
  });

  test("a JPEG decodes within a small tolerance", async () => {
    const flat = await makeJpeg(file("flat.jpg"), { width: 16, height: 16, colour: [200, 40, 90] });
    const decoded = await decodeImage(file("flat.jpg"));
    expect([decoded.width, decoded.height]).toEqual([16, 16]);
    expect(Math.max(...decoded.data.map((v, i) => Math.abs(v - flat[i]!)))).toBeLessThanOrEqual(3);

    const busy = await makeJpeg(file("busy.jpg"), { width: 32, height: 24 });
    const busyDecoded = await decodeImage(file("busy.jpg"));
    const meanError = busyDecoded.data.reduce((sum, v, i) => sum + Math.abs(v - busy[i]!), 0) / busy.length;
    expect(meanError).toBeLessThan(8);
  });

  test.each([128, 0])("an RGBA PNG (alpha %d) decodes to its RGB, alpha dropped", async (alpha) => {
    const rgb = await makeRgbaPng(file(`rgba-${alpha}.png`), { width: 9, height: 5, alpha });
    const decoded = await decodeImage(file(`rgba-${alpha}.png`));
    expect(decoded.data.length).toBe(9 * 5 * 3);
    expect(decoded.data).toEqual(rgb);
  });

  test("a grey PNG decodes to equal R, G and B", async () => {
    const grey = new Uint8Array([0, 64, 128, 255, 7, 9]);
    await sharp(grey, { raw: { width: 3, height: 2, channels: 1 } })
      .png()
      .toFile(file("grey.png"));
    const decoded = await decodeImage(file("grey.png"));
    expect([...decoded.data]).toEqual([...grey].flatMap((v) => [v, v, v]));
  });

  test("EXIF orientation is applied (exactly, for a PNG)", async () => {
    const pixels = patternPixels(5, 3);
    await sharp(pixels, { raw: { width: 5, height: 3, channels: 3 } })
      .withMetadata({ orientation: 6 })
      .png()
      .toFile(file("oriented.png"));
    expect((await sharp(file("oriented.png")).metadata()).orientation).toBe(6);
    const decoded = await decodeImage(file("oriented.png"));
    expect([decoded.width, decoded.height]).toEqual([3, 5]);
    expect(decoded.data).toEqual(rotatedClockwise(pixels, 5, 3));
  });

  test("EXIF orientation is applied to a phone-style JPEG", async () => {
    // Stored 16 × 8: red on the left half, blue on the right. Orientation 8 means "rotate 90°
    // counter-clockwise to view": 8 wide, 16 tall, blue on top, red below.
    const pixels = new Uint8Array(16 * 8 * 3);
    for (let y = 0; y < 8; y++) for (let x = 0; x < 16; x++) pixels.set(x < 8 ? [255, 0, 0] : [0, 0, 255], (y * 16 + x) * 3);
    await makeOrientedJpeg(file("phone.jpg"), { width: 16, height: 8, pixels, orientation: 8 });
    const decoded = await decodeImage(file("phone.jpg"));
    expect([decoded.width, decoded.height]).toEqual([8, 16]);
    const near = (actual: number[], expected: number[]) => actual.every((v, i) => Math.abs(v - expected[i]!) <= 8);
    expect(near(decoded.pixel(4, 3), [0, 0, 255]), String(decoded.pixel(4, 3))).toBe(true);
    expect(near(decoded.pixel(4, 12), [255, 0, 0]), String(decoded.pixel(4, 12))).toBe(true);
  });

  test("a lossless WebP and a GIF decode too", async () => {
    const pixels = patternPixels(8, 6);
    await sharp(pixels, { raw: { width: 8, height: 6, channels: 3 } })
      .webp({ lossless: true })
      .toFile(file("image.webp"));
    expect((await decodeImage(file("image.webp"))).data).toEqual(pixels);
    const flat = new Uint8Array(4 * 4 * 3).fill(0).map((_, i) => [10, 200, 30][i % 3]!);
    await sharp(flat, { raw: { width: 4, height: 4, channels: 3 } })
      .gif()
      .toFile(file("image.gif"));
    const gif = await decodeImage(file("image.gif"));
    expect([gif.width, gif.height]).toEqual([4, 4]);
    expect(gif.pixel(2, 2).every((v, i) => Math.abs(v - [10, 200, 30][i]!) <= 4)).toBe(true);
  });

  test("undecodable bytes give a permanent TA_MEDIA_DECODE naming the image and the accepted formats", async () => {
    await makeGarbage(file("broken.png"));
    const error: unknown = await decodeImage(await readFile(file("broken.png")), { name: "cat photo" }).catch((e: unknown) => e);
    expect(isMediaError(error)).toBe(true);
    expect(error).toMatchObject({ code: "TA_MEDIA_DECODE", permanent: true });
    expect((error as Error).message).toMatch(/^Cannot decode "cat photo" as an image: .+\. Accepted: PNG, JPEG, WebP/);

    const fromPath: unknown = await decodeImage(file("broken.png")).catch((e: unknown) => e);
    expect(fromPath).toMatchObject({ code: "TA_MEDIA_DECODE" });
    expect((fromPath as Error).message).toContain(JSON.stringify(file("broken.png")));
  });

  test("a missing file gives TA_FILE_NOT_FOUND", async () => {
    const error: unknown = await decodeImage(file("nope.png")).catch((e: unknown) => e);
    expect(isMediaError(error)).toBe(true);
    expect(error).toMatchObject({ code: "TA_FILE_NOT_FOUND", permanent: true });
    expect((error as Error).message).toBe(`Image file ${JSON.stringify(file("nope.png"))} does not exist.`);
  });

  test("input that is neither a path nor bytes is a TA_INVALID_ARGUMENT", async () => {
    const error: unknown = await decodeImage(42 as never).catch((e: unknown) => e);
    expect(isConfigurationError(error)).toBe(true);
    expect((error as Error).message).toContain("got number");
  });
});
