/**
 * Cuts an object's shape out of a frame: the pixels of its bounding rectangle and a mask of the
 * pixels inside the shape, so a model or an LLM sees only the object.
 */
import { ConfigurationError, LabelError } from "../domain/errors.js";
import { decodeRle } from "../labels/coordinates/bitmask-rle.js";
import type { BitmaskCoordinates } from "../labels/coordinates/bitmask.js";
import type { BoundingBoxCoordinates, RotatableBoundingBoxCoordinates } from "../labels/coordinates/box.js";
import type { PolygonCoordinates } from "../labels/coordinates/point-shapes.js";
import type { PixelRect, RgbImage } from "./rgb-image.js";

/** The shapes that have an area, and so a crop. */
export type CroppableCoordinates = BoundingBoxCoordinates | RotatableBoundingBoxCoordinates | PolygonCoordinates | BitmaskCoordinates;

/** A shape cut out of a frame. */
export interface ShapeCrop {
  /** The frame's pixels inside `box`. */
  readonly image: RgbImage;
  /** Where the crop sits in the frame, in pixels. */
  readonly box: PixelRect;
  /** One byte per pixel of `image`, row-major (`box.width × box.height`): 1 inside the shape, else 0. */
  readonly mask: Uint8Array;
}

const CROPPABLE = ["bounding_box", "rotatable_bounding_box", "polygon", "bitmask"];

function hasNumbers(value: Record<string, unknown>, keys: readonly string[]): boolean {
  return keys.every((key) => typeof value[key] === "number" && Number.isFinite(value[key]));
}

/**
 * Whether these coordinates have an area to crop (boxes, rotatable boxes, polygons, bitmasks);
 * points, polylines, skeletons, cuboids and ranges do not. Checks the `shape` tag and the fields
 * the crop reads, so it also accepts coordinates made by another copy of task-agents.
 */
export function isCroppable(c: unknown): c is CroppableCoordinates {
  if (typeof c !== "object" || c === null) return false;
  const value = c as Record<string, unknown>;
  switch (value["shape"]) {
    case "bounding_box":
      return hasNumbers(value, ["topLeftX", "topLeftY", "width", "height"]);
    case "rotatable_bounding_box":
      return hasNumbers(value, ["topLeftX", "topLeftY", "width", "height", "theta"]);
    case "polygon":
      return Array.isArray(value["polygons"]);
    case "bitmask":
      return typeof value["rleString"] === "string" && hasNumbers(value, ["width", "height"]);
    default:
      return false;
  }
}

interface Point {
  readonly x: number;
  readonly y: number;
}

/**
 * Normalised coordinates times the frame size land a hair off whole pixels (0.2 × 30 =
 * 6.000000000000001); without this, such a box would grow by a row.
 */
function snap(value: number): number {
  const rounded = Math.round(value);
  return Math.abs(value - rounded) < 1e-6 ? rounded : value;
}

/**
 * The pixels a span [lo, hi] (in pixels) touches: floor(lo) .. ceil(hi) - 1, clamped to 0..size.
 * Returns [start, end) with end ≤ start when nothing is left.
 */
function pixelSpan(lo: number, hi: number, size: number): readonly [number, number] {
  return [Math.max(0, Math.floor(snap(lo))), Math.min(size, Math.ceil(snap(hi)))];
}

/** The clamped pixel rectangle around these points, or undefined when it is empty. */
function rectAround(points: readonly Point[], width: number, height: number): PixelRect | undefined {
  // A loop, not Math.min(...xs): traced outlines can have more points than a call takes arguments.
  let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const p of points) {
    [minX, maxX] = [Math.min(minX, p.x), Math.max(maxX, p.x)];
    [minY, maxY] = [Math.min(minY, p.y), Math.max(maxY, p.y)];
  }
  const [x0, x1] = pixelSpan(minX, maxX, width);
  const [y0, y1] = pixelSpan(minY, maxY, height);
  if (x1 <= x0 || y1 <= y0) return undefined;
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/**
 * The mask of polygons (each a list of rings; later rings are holes) over `box`: a pixel is
 * inside when its centre is, by the even-odd rule within each polygon; polygons are united.
 * One scanline per row: the ring edges crossing the row's centre line, sorted, pair up into spans.
 */
function polygonMask(polygons: readonly (readonly (readonly Point[])[])[], box: PixelRect): Uint8Array {
  const mask = new Uint8Array(box.width * box.height);
  for (let row = 0; row < box.height; row++) {
    const y = box.y + row + 0.5;
    for (const rings of polygons) {
      const crossings: number[] = [];
      for (const ring of rings) {
        for (let i = 0; i < ring.length; i++) {
          const a = ring[i]!;
          const b = ring[(i + 1) % ring.length]!;
          // Half-open in y, so a vertex on the line is counted once and horizontal edges never.
          if (a.y > y !== b.y > y) crossings.push(a.x + ((y - a.y) * (b.x - a.x)) / (b.y - a.y));
        }
      }
      crossings.sort((p, q) => p - q);
      for (let i = 0; i + 1 < crossings.length; i += 2) {
        // Pixel columns whose centre c + 0.5 lies in [left, right).
        const from = Math.max(box.x, Math.ceil(crossings[i]! - 0.5));
        const to = Math.min(box.x + box.width, Math.ceil(crossings[i + 1]! - 0.5));
        if (to > from) mask.fill(1, row * box.width + (from - box.x), row * box.width + (to - box.x));
      }
    }
  }
  return mask;
}

function boxCorners(c: BoundingBoxCoordinates, width: number, height: number): Point[] {
  const [x0, x1] = [c.topLeftX * width, (c.topLeftX + c.width) * width];
  const [y0, y1] = [c.topLeftY * height, (c.topLeftY + c.height) * height];
  return [
    { x: x0, y: y0 },
    { x: x1, y: y0 },
    { x: x1, y: y1 },
    { x: x0, y: y1 },
  ];
}

/**
 * The corners in pixels. The rotation is applied in pixels, not in normalised units, so a
 * square stays square on a non-square frame. With y pointing down, a positive theta turns the
 * box clockwise on screen (the direction of the image-coordinate rotation matrix).
 */
function rotatedCorners(c: RotatableBoundingBoxCoordinates, width: number, height: number): Point[] {
  const cx = (c.topLeftX + c.width / 2) * width;
  const cy = (c.topLeftY + c.height / 2) * height;
  const [hw, hh] = [(c.width * width) / 2, (c.height * height) / 2];
  const radians = (c.theta * Math.PI) / 180;
  const [cos, sin] = [Math.cos(radians), Math.sin(radians)];
  return [
    [-hw, -hh],
    [hw, -hh],
    [hw, hh],
    [-hw, hh],
  ].map(([dx, dy]) => ({ x: cx + dx! * cos - dy! * sin, y: cy + dx! * sin + dy! * cos }));
}

function cropBitmask(image: RgbImage, c: BitmaskCoordinates): ShapeCrop | undefined {
  if (c.width !== image.width || c.height !== image.height) {
    throw new LabelError(
      "TA_INVALID_LABEL",
      `Bitmask is ${c.width}×${c.height} but the frame is ${image.width}×${image.height}; a bitmask covers the whole frame, so it must be the frame's size.`,
    );
  }
  // Encord's masks run row by row (see bitmask-rle.ts), unlike COCO files, which run by column.
  const full = decodeRle(c.rleString, c.width * c.height);
  let [x0, y0, x1, y1] = [c.width, c.height, -1, -1];
  for (let y = 0; y < c.height; y++) {
    const row = full.subarray(y * c.width, (y + 1) * c.width);
    const first = row.indexOf(1);
    if (first < 0) continue;
    x0 = Math.min(x0, first);
    x1 = Math.max(x1, row.lastIndexOf(1));
    y0 = Math.min(y0, y);
    y1 = y;
  }
  if (x1 < 0) return undefined;
  const box: PixelRect = { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
  const mask = new Uint8Array(box.width * box.height);
  for (let row = 0; row < box.height; row++) {
    const start = (box.y + row) * c.width + box.x;
    mask.set(full.subarray(start, start + box.width), row * box.width);
  }
  return { image: image.crop(box), box, mask };
}

/**
 * Crops a frame to a shape's bounding rectangle (clamped to the frame); undefined when nothing
 * of the shape lies inside the frame. Coordinates are normalised (x is a fraction of the frame's
 * width): a box covers pixels floor(x·W) … ceil((x+w)·W) − 1, so its mask is all ones; rotated
 * boxes and polygons cover the pixels whose centre is inside (even-odd rule, holes excluded);
 * a bitmask's rectangle is that of its set pixels, and the mask must be the frame's size.
 * A shape thinner than a pixel may get a crop whose mask has no pixel set.
 *
 * @example
 * ```ts
 * const crop = cropToShape(frame, instance.getAnnotation(0).coordinates);
 * if (crop) await sendToModel(crop.image, crop.mask);
 * ```
 */
export function cropToShape(image: RgbImage, coordinates: CroppableCoordinates): ShapeCrop | undefined {
  if (!isCroppable(coordinates)) {
    const shape = typeof coordinates === "object" && coordinates !== null ? (coordinates as { shape?: unknown }).shape : undefined;
    throw new ConfigurationError(
      "TA_INVALID_ARGUMENT",
      `cropToShape cannot crop ` +
        `${shape === undefined ? "a value without a shape" : `shape ${JSON.stringify(shape)}`}` +
        `; it crops ${CROPPABLE.join(", ")} coordinates (check with isCroppable first).`,
    );
  }
  const { width, height } = image;
  if (coordinates.shape === "bitmask") return cropBitmask(image, coordinates);
  if (coordinates.shape === "bounding_box") {
    const box = rectAround(boxCorners(coordinates, width, height), width, height);
    return box && { image: image.crop(box), box, mask: new Uint8Array(box.width * box.height).fill(1) };
  }
  const polygons =
    coordinates.shape === "rotatable_bounding_box"
      ? [[rotatedCorners(coordinates, width, height)]]
      : coordinates.polygons.map((rings) => rings.map((ring) => ring.map((p) => ({ x: p.x * width, y: p.y * height }))));
  const box = rectAround(polygons.flat(2), width, height);
  return box && { image: image.crop(box), box, mask: polygonMask(polygons, box) };
}
