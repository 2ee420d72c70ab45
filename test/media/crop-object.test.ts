/**
 * cropToShape on a synthetic 40 × 30 frame whose pixel (x, y) is [x, y, 200]: every crop shows
 * where it came from, so sizes, offsets and pixels are checked exactly for each shape.
 */
import { describe, expect, test } from "vitest";
import { isConfigurationError, isLabelError } from "../../src/domain/errors.js";
import {
  BitmaskCoordinates,
  BoundingBoxCoordinates,
  PointCoordinate,
  PolygonCoordinates,
  PolylineCoordinates,
  RotatableBoundingBoxCoordinates,
} from "../../src/labels/coordinates/index.js";
import { cropToShape, isCroppable, type ShapeCrop } from "../../src/media/crop-object.js";
import { RgbImage } from "../../src/media/rgb-image.js";

const W = 40;
const H = 30;

function frame(): RgbImage {
  const data = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) data.set([x, y, 200], (y * W + x) * 3);
  }
  return new RgbImage(W, H, data);
}

function crop(coordinates: Parameters<typeof cropToShape>[1]): ShapeCrop {
  const result = cropToShape(frame(), coordinates);
  if (!result) throw new Error("expected a crop");
  return result;
}

/** The crop's pixels come from where its box says, and the mask has one byte per pixel. */
function expectPixelsFromBox({ image, box, mask }: ShapeCrop): void {
  expect([image.width, image.height]).toEqual([box.width, box.height]);
  expect(mask).toHaveLength(box.width * box.height);
  for (let y = 0; y < box.height; y++) {
    for (let x = 0; x < box.width; x++) expect(image.pixel(x, y)).toEqual([box.x + x, box.y + y, 200]);
  }
}

/** The mask as rows of "#" (inside) and "." (outside), to read failures at a glance. */
function picture({ box, mask }: ShapeCrop): string[] {
  return Array.from({ length: box.height }, (_, y) => Array.from(mask.subarray(y * box.width, (y + 1) * box.width), (v) => (v ? "#" : ".")).join(""));
}

/** The mask value at frame pixel (x, y). */
function maskAt({ box, mask }: ShapeCrop, x: number, y: number): number {
  return mask[(y - box.y) * box.width + (x - box.x)]!;
}

const box = (topLeftX: number, topLeftY: number, width: number, height: number) => new BoundingBoxCoordinates({ topLeftX, topLeftY, width, height });
const rotated = (topLeftX: number, topLeftY: number, width: number, height: number, theta: number) =>
  new RotatableBoundingBoxCoordinates({ topLeftX, topLeftY, width, height, theta });

describe("bounding boxes", () => {
  test("covers floor(x·W) … ceil((x+w)·W) − 1, every pixel in the mask", () => {
    // 0.2 × 30 is 6.000000000000001 in floating point: still row 6, not 7.
    const result = crop(box(0.25, 0.2, 0.5, 0.5));
    expect(result.box).toEqual({ x: 10, y: 6, width: 20, height: 15 });
    expectPixelsFromBox(result);
    expect(result.mask.every((v) => v === 1)).toBe(true);
  });

  test("a box of the whole frame crops the whole frame", () => {
    const result = crop(box(0, 0, 1, 1));
    expect(result.box).toEqual({ x: 0, y: 0, width: W, height: H });
    expectPixelsFromBox(result);
  });

  test("partly covered pixels are included", () => {
    // x: 4.0 … 8.5 → pixels 4..8; y: 3.3 … 6.6 → pixels 3..6.
    const result = crop(box(0.1, 0.11, 0.1125, 0.11));
    expect(result.box).toEqual({ x: 4, y: 3, width: 5, height: 4 });
    expectPixelsFromBox(result);
  });

  test("a box partly outside the frame is clamped", () => {
    const result = crop(box(0.8, 0.9, 0.5, 0.5));
    expect(result.box).toEqual({ x: 32, y: 27, width: 8, height: 3 });
    expectPixelsFromBox(result);
  });

  test("a box wholly outside the frame, or without area, has no crop", () => {
    expect(cropToShape(frame(), box(1, 0.5, 0.3, 0.2))).toBeUndefined();
    expect(cropToShape(frame(), box(0.5, 1, 0.2, 0.4))).toBeUndefined();
    expect(cropToShape(frame(), box(0.5, 0.5, 0, 0.2))).toBeUndefined();
  });
});

describe("rotatable boxes (theta in degrees, about the centre)", () => {
  test("0°: the same rectangle as a plain box, all inside", () => {
    const result = crop(rotated(0.25, 0.2, 0.5, 0.5, 0));
    expect(result.box).toEqual({ x: 10, y: 6, width: 20, height: 15 });
    expectPixelsFromBox(result);
    expect(result.mask.every((v) => v === 1)).toBe(true);
  });

  test("90°: a 20 × 6 box centred at (20, 15) stands up as 6 × 20", () => {
    const result = crop(rotated(0.25, 0.4, 0.5, 0.2, 90));
    expect(result.box).toEqual({ x: 17, y: 5, width: 6, height: 20 });
    expectPixelsFromBox(result);
    expect(result.mask.every((v) => v === 1)).toBe(true);
  });

  test("45°: a 10 × 10 pixel square becomes a diamond; the mask holds the pixels whose centre is inside", () => {
    // 10 px is 0.25 of the width and 1/3 of the height: the rotation happens in pixels.
    const result = crop(rotated(0.375, 0.5 - 5 / 30, 0.25, 10 / 30, 45));
    const half = 5 * Math.SQRT2; // 7.07: the diamond's half diagonal
    expect(result.box).toEqual({ x: 12, y: 7, width: 16, height: 16 });
    expectPixelsFromBox(result);
    for (let y = 0; y < 16; y++) {
      for (let x = 0; x < 16; x++) {
        // |dx| + |dy| of a pixel centre from (20, 15) is a whole number, never exactly 7.07.
        const inside = Math.abs(12 + x + 0.5 - 20) + Math.abs(7 + y + 0.5 - 15) < half ? 1 : 0;
        expect(maskAt(result, 12 + x, 7 + y), `pixel (${12 + x}, ${7 + y})\n${picture(result).join("\n")}`).toBe(inside);
      }
    }
    expect(picture(result)[0]).toBe("................");
    expect(picture(result)[8]).toBe(".##############.");
  });

  test("a positive theta turns the box clockwise on screen (y points down)", () => {
    // A 20 × 2 px bar centred at (20, 15), turned 30°: its right end goes down to (28.7, 20).
    const result = crop(rotated(0.25, 14 / 30, 0.5, 2 / 30, 30));
    expect(maskAt(result, 27, 19)).toBe(1);
    expect(maskAt(result, 12, 10)).toBe(1);
    expect(maskAt(result, 27, 10)).toBe(0);
    expect(maskAt(result, 12, 19)).toBe(0);
  });

  test("a rotated box across the frame's corner is clamped", () => {
    const result = crop(rotated(0.9, 0.9, 0.2, 0.2, 45));
    expect(result.box.x + result.box.width).toBe(W);
    expect(result.box.y + result.box.height).toBe(H);
    expectPixelsFromBox(result);
    expect(maskAt(result, W - 1, H - 1)).toBe(1);
  });
});

describe("polygons (a pixel is inside when its centre is)", () => {
  test("a right triangle: its bounding rectangle, and the pixels under the hypotenuse", () => {
    const triangle = new PolygonCoordinates({
      values: [
        { x: 0.25, y: 0.2 },
        { x: 0.75, y: 0.2 },
        { x: 0.25, y: 0.8 },
      ],
    });
    // (10, 6), (30, 6), (10, 24) in pixels.
    const result = crop(triangle);
    expect(result.box).toEqual({ x: 10, y: 6, width: 20, height: 18 });
    expectPixelsFromBox(result);
    for (let y = 0; y < 18; y++) {
      for (let x = 0; x < 20; x++) expect(maskAt(result, 10 + x, 6 + y)).toBe((x + 0.5) / 20 + (y + 0.5) / 18 < 1 ? 1 : 0);
    }
    expect(picture(result)[0]).toBe("###################.");
    expect(picture(result)[17]).toBe("#...................");
  });

  test("holes are outside; two polygons are both inside", () => {
    const square = (x0: number, y0: number, x1: number, y1: number) => [
      { x: x0 / W, y: y0 / H },
      { x: x1 / W, y: y0 / H },
      { x: x1 / W, y: y1 / H },
      { x: x0 / W, y: y1 / H },
    ];
    const result = crop(new PolygonCoordinates({ polygons: [[square(2, 2, 10, 10), square(4, 4, 8, 8)], [square(20, 2, 24, 6)]] }));
    expect(result.box).toEqual({ x: 2, y: 2, width: 22, height: 8 });
    expect(picture(result)).toEqual([
      "########..........####",
      "########..........####",
      "##....##..........####",
      "##....##..........####",
      "##....##..............",
      "##....##..............",
      "########..............",
      "########..............",
    ]);
  });

  test("a polygon along the frame's edge keeps to the frame", () => {
    const result = crop(
      new PolygonCoordinates({
        values: [
          { x: 0, y: 0 },
          { x: 1, y: 0 },
          { x: 1, y: 1 },
          { x: 0, y: 1 },
        ],
      }),
    );
    expect(result.box).toEqual({ x: 0, y: 0, width: W, height: H });
    expect(result.mask.every((v) => v === 1)).toBe(true);
  });

  test("a polygon without area has no crop", () => {
    expect(
      cropToShape(
        frame(),
        new PolygonCoordinates({
          values: [
            { x: 0.5, y: 0.1 },
            { x: 0.5, y: 0.5 },
            { x: 0.5, y: 0.9 },
          ],
        }),
      ),
    ).toBeUndefined();
  });
});

describe("bitmasks (full-frame, row by row)", () => {
  /** A mask with a 6 × 3 block at x 12..17, y 5..7 and one more pixel at (30, 20), not mirror-symmetric. */
  function blobs(): Uint8Array {
    const mask = new Uint8Array(W * H);
    for (let y = 5; y <= 7; y++) for (let x = 12; x <= 17; x++) mask[y * W + x] = 1;
    mask[20 * W + 30] = 1;
    return mask;
  }

  test("crops to the set pixels' rectangle; the mask is theirs (row-major, as the project's RLE encodes)", () => {
    const bitmask = BitmaskCoordinates.fromArray(blobs(), { width: W, height: H });
    const result = crop(bitmask);
    expect(result.box).toEqual({ x: 12, y: 5, width: 19, height: 16 });
    expectPixelsFromBox(result);
    expect(maskAt(result, 12, 5)).toBe(1);
    expect(maskAt(result, 17, 7)).toBe(1);
    expect(maskAt(result, 18, 7)).toBe(0);
    expect(maskAt(result, 30, 20)).toBe(1);
    expect(maskAt(result, 30, 19)).toBe(0);
    expect(result.mask.reduce((sum, v) => sum + v, 0)).toBe(19);
  });

  test("an empty mask has no crop", () => {
    expect(cropToShape(frame(), BitmaskCoordinates.fromArray(new Uint8Array(W * H), { width: W, height: H }))).toBeUndefined();
  });

  test("a mask of another size than the frame is refused, naming both sizes", () => {
    const bitmask = BitmaskCoordinates.fromArray(new Uint8Array(30 * 40).fill(1), { width: 30, height: 40 });
    let caught: unknown;
    try {
      cropToShape(frame(), bitmask);
    } catch (error) {
      caught = error;
    }
    expect(isLabelError(caught)).toBe(true);
    expect((caught as Error).message).toBe("Bitmask is 30×40 but the frame is 40×30; a bitmask covers the whole frame, so it must be the frame's size.");
  });
});

describe("isCroppable", () => {
  test("boxes, rotatable boxes, polygons and bitmasks; not points, polylines or other values", () => {
    expect(isCroppable(box(0, 0, 1, 1))).toBe(true);
    expect(isCroppable(rotated(0, 0, 1, 1, 10))).toBe(true);
    expect(
      isCroppable(
        new PolygonCoordinates({
          values: [
            { x: 0, y: 0 },
            { x: 1, y: 0 },
            { x: 0, y: 1 },
          ],
        }),
      ),
    ).toBe(true);
    expect(isCroppable(BitmaskCoordinates.fromArray([1], { width: 1, height: 1 }))).toBe(true);
    expect(isCroppable(new PointCoordinate({ x: 0.5, y: 0.5 }))).toBe(false);
    expect(
      isCroppable(
        new PolylineCoordinates({
          values: [
            { x: 0, y: 0 },
            { x: 1, y: 1 },
          ],
        }),
      ),
    ).toBe(false);
    expect(isCroppable(null)).toBe(false);
    expect(isCroppable({ shape: "polygon" })).toBe(false);
    expect(isCroppable({ shape: "bounding_box", topLeftX: "0" })).toBe(false);
  });

  test("cropToShape refuses other shapes with a message naming the accepted ones", () => {
    let caught: unknown;
    try {
      cropToShape(frame(), new PointCoordinate({ x: 0.5, y: 0.5 }) as never);
    } catch (error) {
      caught = error;
    }
    expect(isConfigurationError(caught)).toBe(true);
    expect((caught as Error).message).toBe(
      'cropToShape cannot crop shape "point"; it crops bounding_box, rotatable_bounding_box, polygon, bitmask coordinates (check with isCroppable first).',
    );
  });
});
