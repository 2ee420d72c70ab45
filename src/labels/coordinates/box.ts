import { requireFinite, requireNonNegative, requireRecord, requireUnit } from "./validate.js";

/** Options of {@link BoundingBoxCoordinates}; all values normalised to the image size (0..1). */
export interface BoundingBoxOptions {
  readonly height: number;
  readonly width: number;
  readonly topLeftX: number;
  readonly topLeftY: number;
}

/** Options of {@link RotatableBoundingBoxCoordinates}: a box plus `theta`, its rotation about the centre. */
export interface RotatableBoundingBoxOptions extends BoundingBoxOptions {
  readonly theta: number;
}

function readBox(options: unknown, label: string): BoundingBoxOptions {
  const o = requireRecord(options, `${label} coordinates`, "give {height, width, topLeftX, topLeftY} normalised to 0..1");
  const size = "sizes are normalised to the image size, 0..1";
  return {
    height: requireUnit(requireNonNegative(o.height, `${label} height`, size), `${label} height`),
    width: requireUnit(requireNonNegative(o.width, `${label} width`, size), `${label} width`),
    topLeftX: requireUnit(o.topLeftX, `${label} topLeftX`),
    topLeftY: requireUnit(o.topLeftY, `${label} topLeftY`),
  };
}

/** An axis-aligned box: top-left corner and size, normalised to the image size. */
export class BoundingBoxCoordinates implements BoundingBoxOptions {
  readonly shape = "bounding_box";
  readonly height: number;
  readonly width: number;
  readonly topLeftX: number;
  readonly topLeftY: number;

  constructor(options: BoundingBoxOptions) {
    const box = readBox(options, "Bounding box");
    this.height = box.height;
    this.width = box.width;
    this.topLeftX = box.topLeftX;
    this.topLeftY = box.topLeftY;
    Object.freeze(this);
  }

  toFrameFields(): Record<string, unknown> {
    return { boundingBox: { h: this.height, w: this.width, x: this.topLeftX, y: this.topLeftY } };
  }
}

/**
 * A box rotated by `theta` about its centre. Encord data shows values such as 32.8, so theta is
 * taken to be degrees; it is only checked to be finite, as any angle is meaningful.
 */
export class RotatableBoundingBoxCoordinates implements RotatableBoundingBoxOptions {
  readonly shape = "rotatable_bounding_box";
  readonly height: number;
  readonly width: number;
  readonly topLeftX: number;
  readonly topLeftY: number;
  readonly theta: number;

  constructor(options: RotatableBoundingBoxOptions) {
    const box = readBox(options, "Rotatable bounding box");
    this.height = box.height;
    this.width = box.width;
    this.topLeftX = box.topLeftX;
    this.topLeftY = box.topLeftY;
    this.theta = requireFinite(options.theta, "Rotatable bounding box theta");
    Object.freeze(this);
  }

  toFrameFields(): Record<string, unknown> {
    return { rotatableBoundingBox: { h: this.height, w: this.width, x: this.topLeftX, y: this.topLeftY, theta: this.theta } };
  }
}
