import { describe, expect, test } from "vitest";
import { isConfigurationError } from "../../src/domain/errors.js";
import { decodeImage } from "../../src/media/decode-image.js";
import { RgbImage } from "../../src/media/rgb-image.js";
import { patternPixels } from "../support/make-media.js";

const pngSignature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const jpegSignature = [0xff, 0xd8, 0xff];

function pattern(width: number, height: number): RgbImage {
  return new RgbImage(width, height, patternPixels(width, height));
}

/** Runs `fn` and returns the ConfigurationError it throws (or the promise rejects with). */
async function configurationError(fn: () => unknown): Promise<Error & { code: string }> {
  try {
    await fn();
  } catch (error) {
    expect(isConfigurationError(error), String(error)).toBe(true);
    return error as Error & { code: string };
  }
  throw new Error("expected a ConfigurationError");
}

describe("RgbImage validation", () => {
  test.each([
    ["a zero width", 0, 2, 0],
    ["a fractional height", 2, 1.5, 9],
    ["a NaN width", Number.NaN, 2, 6],
  ])("refuses %s", async (_, width, height, bytes) => {
    const error = await configurationError(() => new RgbImage(width, height, new Uint8Array(bytes)));
    expect(error.code).toBe("TA_INVALID_ARGUMENT");
    expect(error.message).toMatch(/positive integer width and height/);
  });

  test("refuses data of the wrong length, saying how many bytes it needs", async () => {
    const error = await configurationError(() => new RgbImage(4, 3, new Uint8Array(35)));
    expect(error.message).toContain("must be 36 bytes");
    expect(error.message).toContain("got 35");
  });

  test("points out 4-byte (RGBA) data", async () => {
    const error = await configurationError(() => new RgbImage(4, 3, new Uint8Array(48)));
    expect(error.message).toMatch(/4 bytes per pixel: drop the alpha channel/);
  });

  test("refuses data that is not a Uint8Array", async () => {
    const error = await configurationError(() => new RgbImage(1, 1, [1, 2, 3] as unknown as Uint8Array));
    expect(error.message).toContain("got Array");
  });

  test("from() builds one from any object of that shape", () => {
    const data = new Uint8Array([1, 2, 3, 4, 5, 6]);
    const image = RgbImage.from({ width: 2, height: 1, data });
    expect(image).toBeInstanceOf(RgbImage);
    expect([image.width, image.height, image.data]).toEqual([2, 1, data]);
    expect(RgbImage.from(image)).toBe(image);
    expect(() => RgbImage.from({ width: 3, height: 1, data })).toThrow(/must be 9 bytes/);
  });
});

describe("pixel and crop", () => {
  test("pixel(x, y) reads row-major RGB", () => {
    const image = new RgbImage(2, 2, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]));
    expect(image.pixel(0, 0)).toEqual([1, 2, 3]);
    expect(image.pixel(1, 0)).toEqual([4, 5, 6]);
    expect(image.pixel(0, 1)).toEqual([7, 8, 9]);
    expect(image.pixel(1, 1)).toEqual([10, 11, 12]);
  });

  test.each([
    [2, 0],
    [0, 2],
    [-1, 0],
    [0.5, 0],
  ])("pixel(%d, %d) of a 2 × 2 image is refused", async (x, y) => {
    const image = pattern(2, 2);
    const error = await configurationError(() => image.pixel(x, y));
    expect(error.message).toContain("0 ≤ x < 2");
  });

  test("crop copies exactly the rectangle's pixels", () => {
    const image = pattern(7, 5);
    const crop = image.crop({ x: 2, y: 1, width: 4, height: 3 });
    expect([crop.width, crop.height]).toEqual([4, 3]);
    for (let y = 0; y < 3; y++) for (let x = 0; x < 4; x++) expect(crop.pixel(x, y)).toEqual(image.pixel(x + 2, y + 1));
    crop.data[0] = (crop.data[0]! + 1) & 255;
    expect(crop.pixel(0, 0)).not.toEqual(image.pixel(2, 1));
  });

  test("cropping the whole image gives an equal copy", () => {
    const image = pattern(3, 2);
    const crop = image.crop({ x: 0, y: 0, width: 3, height: 2 });
    expect(crop.data).toEqual(image.data);
    expect(crop.data).not.toBe(image.data);
  });

  test.each([
    ["empty", { x: 0, y: 0, width: 0, height: 2 }],
    ["past the right edge", { x: 5, y: 0, width: 3, height: 2 }],
    ["past the bottom edge", { x: 0, y: 4, width: 2, height: 2 }],
    ["at a negative x", { x: -1, y: 0, width: 2, height: 2 }],
    ["fractional", { x: 0.5, y: 0, width: 2, height: 2 }],
  ])("a rectangle %s is refused", async (_, rect) => {
    const error = await configurationError(() => pattern(7, 5).crop(rect));
    expect(error.code).toBe("TA_INVALID_ARGUMENT");
    expect(error.message).toContain("from a 7 × 5 image");
    expect(error.message).toContain("x + width ≤ 7");
  });
});

describe("encoding", () => {
  test("PNG round-trips exactly", async () => {
    const image = pattern(13, 9);
    const png = await image.encode({ format: "png" });
    expect([...png.subarray(0, 8)]).toEqual(pngSignature);
    const decoded = await decodeImage(png);
    expect([decoded.width, decoded.height]).toEqual([13, 9]);
    expect(decoded.data).toEqual(image.data);
  });

  test("JPEG is the default, near the source, and smaller at lower quality", async () => {
    const flat = new RgbImage(32, 16, new Uint8Array(32 * 16 * 3).fill(120));
    const jpeg = await flat.encode();
    expect([...jpeg.subarray(0, 3)]).toEqual(jpegSignature);
    const decoded = await decodeImage(jpeg);
    expect(Math.max(...decoded.data.map((v) => Math.abs(v - 120)))).toBeLessThanOrEqual(2);
    const detailed = pattern(64, 64);
    expect((await detailed.encode({ quality: 10 })).length).toBeLessThan((await detailed.encode({ quality: 95 })).length);
  });

  test.each([
    ["an unknown format", { format: "gif" }, /"gif" is not supported; accepted: "png", "jpeg"/],
    ["quality 0", { quality: 0 }, /quality 0 is not accepted; accepted: an integer from 1 to 100/],
    ["quality 101", { quality: 101 }, /quality 101/],
    ["a fractional quality", { quality: 50.5 }, /quality 50.5/],
  ])("refuses %s", async (_, options, message) => {
    const error = await configurationError(() => pattern(2, 2).encode(options as never));
    expect(error.message).toMatch(message);
  });

  test("toBase64 is the encoded bytes in base64", async () => {
    const image = pattern(4, 4);
    const base64 = await image.toBase64({ format: "png" });
    expect(base64).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(base64, "base64")).toEqual(Buffer.from(await image.encode({ format: "png" })));
  });

  test("toDataUrl names the media type and carries a decodable image", async () => {
    const image = pattern(5, 3);
    const jpegUrl = await image.toDataUrl();
    expect(jpegUrl).toMatch(/^data:image\/jpeg;base64,[A-Za-z0-9+/]+=*$/);
    const pngUrl = await image.toDataUrl({ format: "png" });
    expect(pngUrl).toMatch(/^data:image\/png;base64,/);
    const decoded = await decodeImage(Buffer.from(pngUrl.slice("data:image/png;base64,".length), "base64"));
    expect(decoded.data).toEqual(image.data);
  });
});

describe("vision API content", () => {
  test("toOpenAIContent is an image_url part with a data URL, and detail only when given", async () => {
    const image = pattern(6, 4);
    const plain = await image.toOpenAIContent();
    expect(Object.keys(plain)).toEqual(["type", "image_url"]);
    expect(plain.type).toBe("image_url");
    expect(Object.keys(plain.image_url)).toEqual(["url"]);
    expect(plain.image_url.url).toMatch(/^data:image\/jpeg;base64,/);
    const jpeg = Buffer.from(plain.image_url.url.split(",")[1]!, "base64");
    expect([...jpeg.subarray(0, 3)]).toEqual(jpegSignature);
    expect((await decodeImage(jpeg)).width).toBe(6);

    const detailed = await image.toOpenAIContent({ detail: "low", format: "png" });
    expect(detailed).toEqual({ type: "image_url", image_url: { url: await image.toDataUrl({ format: "png" }), detail: "low" } });
  });

  test("toOpenAIContent refuses an unknown detail", async () => {
    const error = await configurationError(() => pattern(2, 2).toOpenAIContent({ detail: "max" as never }));
    expect(error.message).toContain('"max" is not one of "auto", "low", "high"');
  });

  test("toAnthropicContent is a base64 image block whose media type matches its data", async () => {
    const image = pattern(6, 4);
    const block = await image.toAnthropicContent({ format: "png" });
    expect(Object.keys(block)).toEqual(["type", "source"]);
    expect(block.type).toBe("image");
    expect(Object.keys(block.source)).toEqual(["type", "media_type", "data"]);
    expect(block.source).toMatchObject({ type: "base64", media_type: "image/png" });
    const png = Buffer.from(block.source.data, "base64");
    expect([...png.subarray(0, 8)]).toEqual(pngSignature);
    expect((await decodeImage(png)).data).toEqual(image.data);

    const jpegBlock = await image.toAnthropicContent();
    expect(jpegBlock.source.media_type).toBe("image/jpeg");
    expect([...Buffer.from(jpegBlock.source.data, "base64").subarray(0, 3)]).toEqual(jpegSignature);
  });
});
