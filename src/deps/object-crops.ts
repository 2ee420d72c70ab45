import { ConfigurationError } from "../domain/errors.js";
import type { LabelRow } from "../labels/label-row.js";
import type { ObjectInstance } from "../labels/object-instance.js";
import { cropToShape, isCroppable } from "../media/crop-object.js";
import type { PixelRect, RgbImage } from "../media/rgb-image.js";
import { makeConfigurableDependency, makeDependency, type Dependency, type DependencyParts } from "./define-dependency.js";
import { frameDependency } from "./frames.js";
import { labelRow } from "./label-row.js";

/** The pixels of one object instance on a frame. */
export interface ObjectCrop {
  /** The instance, from the same label row the handler gets: edit it and return the row to save. */
  readonly instance: ObjectInstance;
  readonly frame: number;
  /** The shape's bounding rectangle cut out of the frame (clamped to the frame). */
  readonly image: RgbImage;
  /** Where `image` sits in the frame, in pixels. */
  readonly box: PixelRect;
  /** One byte per pixel of `image`, row-major: 1 inside the shape, 0 outside (all 1 for a box). */
  readonly mask: Uint8Array;
}

/** Options of {@link objectCrops}. */
export interface ObjectCropsOptions {
  /** @defaultValue 0 */
  readonly frame?: number;
}

function cropsParts(frame: number): DependencyParts<ObjectCrop[]> {
  const image = frameDependency(frame);
  return {
    deps: { labelRow, image },
    prefetch: [],
    label: frame === 0 ? "objectCrops" : `objectCrops(${frame})`,
    resolve: ({ valueOf }) => cropsOf(valueOf(labelRow), valueOf(image), frame),
  };
}

function cropsOf(row: LabelRow, image: RgbImage, frame: number): ObjectCrop[] {
  const crops: ObjectCrop[] = [];
  for (const instance of row.getObjectInstances({ filterFrames: frame })) {
    const coordinates = instance.getAnnotation(frame).coordinates;
    if (!isCroppable(coordinates)) continue;
    const crop = cropToShape(image, coordinates);
    if (crop) crops.push({ instance, frame, image: crop.image, box: crop.box, mask: crop.mask });
  }
  return crops;
}

const byFrame = new Map<number, Dependency<ObjectCrop[]>>();

/**
 * The crop of every object instance on a frame whose shape has an area (bounding box, rotatable
 * box, polygon, bitmask), with the instance. Bare it is frame 0; `objectCrops(5)` (or
 * `objectCrops({ frame: 5 })`) is frame 5. Instances wholly outside the frame are left out.
 * @example
 * runner.stage("Check", { deps: { crops: objectCrops, labelRow } }, async ({ crops }) => {
 *   for (const { instance, image } of crops) { … await image.toAnthropicContent() … }
 * });
 */
export const objectCrops: Dependency<ObjectCrop[]> & ((frame?: number | ObjectCropsOptions) => Dependency<ObjectCrop[]>) = makeConfigurableDependency(
  cropsParts(0),
  (option?: number | ObjectCropsOptions) => {
    const frame = typeof option === "number" ? option : (option?.frame ?? 0);
    if (typeof frame !== "number" || !Number.isInteger(frame) || frame < 0) {
      throw new ConfigurationError(
        "TA_INVALID_ARGUMENT",
        `objectCrops(): frame must be a whole number ≥ 0 (frames count from 0), got ${JSON.stringify(frame) ?? String(frame)}.`,
      );
    }
    let dependency = byFrame.get(frame);
    if (!dependency) {
      dependency = frame === 0 ? objectCrops : makeDependency(cropsParts(frame));
      byFrame.set(frame, dependency);
    }
    return dependency;
  },
);
