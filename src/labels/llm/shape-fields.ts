/** Zod schemas of object coordinates (normalised 0..1) and the coordinates classes they become. */
import { z } from "zod";
import { BoundingBoxCoordinates, RotatableBoundingBoxCoordinates } from "../coordinates/box.js";
import type { Coordinates } from "../coordinates/frame-coordinates.js";
import { PointCoordinate, PolygonCoordinates, PolylineCoordinates, type PointInput } from "../coordinates/point-shapes.js";
import type { ObjectShape } from "../ontology/shapes.js";

/** The object shapes the LLM schema can describe. */
export const LLM_SHAPES = ["bounding_box", "rotatable_bounding_box", "point", "polygon", "polyline"] as const;
export type LlmShape = (typeof LLM_SHAPES)[number];

export function isLlmShape(shape: ObjectShape): shape is LlmShape {
  return (LLM_SHAPES as readonly string[]).includes(shape);
}

/** The coordinates of one shape as a property of an object entry. */
export interface ShapeField {
  /** The property key in an object entry. */
  readonly key: string;
  /** "a bounding box", for descriptions. */
  readonly noun: string;
  readonly schema: z.ZodType;
  toCoordinates(value: unknown): Coordinates;
}

function unit(description: string): z.ZodNumber {
  return z.number().min(0).max(1).describe(description);
}

function boxShape(): Record<string, z.ZodType> {
  return {
    topLeftX: unit("Left edge, as a fraction of the image width (0 = left border)"),
    topLeftY: unit("Top edge, as a fraction of the image height (0 = top border)"),
    width: unit("Width, as a fraction of the image width"),
    height: unit("Height, as a fraction of the image height"),
  };
}

function point(): z.ZodType {
  return z.strictObject({ x: unit("Fraction of the image width (0 = left border)"), y: unit("Fraction of the image height (0 = top border)") });
}

type BoxValue = { topLeftX: number; topLeftY: number; width: number; height: number };

/** The coordinates field of a shape the LLM schema can describe. */
export function shapeField(shape: LlmShape): ShapeField {
  switch (shape) {
    case "bounding_box":
      return {
        key: "box",
        noun: "an axis-aligned bounding box",
        schema: z.strictObject(boxShape()).describe("The box, normalised to the image size (0..1)"),
        toCoordinates: (value) => new BoundingBoxCoordinates(value as BoxValue),
      };
    case "rotatable_bounding_box":
      return {
        key: "rotatedBox",
        noun: "a rotated bounding box",
        schema: z
          .strictObject({ ...boxShape(), theta: z.number().describe("Rotation of the box about its centre, in degrees") })
          .describe("The box before rotation, normalised to the image size (0..1), and its rotation"),
        toCoordinates: (value) => new RotatableBoundingBoxCoordinates(value as BoxValue & { theta: number }),
      };
    case "point":
      return {
        key: "point",
        noun: "a point",
        schema: point().describe("The point, normalised to the image size (0..1)"),
        toCoordinates: (value) => new PointCoordinate(value as PointInput),
      };
    case "polygon":
      return {
        key: "polygon",
        noun: "a polygon",
        schema: z.array(point()).min(3).describe("The polygon's outline: at least 3 points in order, normalised to the image size (0..1)"),
        toCoordinates: (value) => new PolygonCoordinates({ values: value as PointInput[] }),
      };
    case "polyline":
      return {
        key: "polyline",
        noun: "a polyline",
        schema: z.array(point()).min(2).describe("The line's points in order (at least 2), normalised to the image size (0..1)"),
        toCoordinates: (value) => new PolylineCoordinates({ values: value as PointInput[] }),
      };
  }
}
