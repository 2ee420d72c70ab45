import { LabelError } from "../../domain/errors.js";
import { BitmaskCoordinates, type BitmaskOptions } from "./bitmask.js";
import { BoundingBoxCoordinates, RotatableBoundingBoxCoordinates } from "./box.js";
import type { Cuboid2DIsometricCoordinates, Cuboid2DPerspectiveCoordinates, CuboidCoordinates } from "./cuboid.js";
import { cuboid2DFromWire, cuboidFromWire } from "./cuboid.js";
import type { PolygonCoordinates } from "./point-shapes.js";
import { PointCoordinate, PolylineCoordinates, polygonFromWire, wirePointList, type PointInput } from "./point-shapes.js";
import { AudioCoordinates, HtmlCoordinates, TextCoordinates, spansFromWire, type HtmlSpan } from "./range-coordinates.js";
import type { SkeletonCoordinates } from "./skeleton.js";
import { skeletonFromWire } from "./skeleton.js";
import { fromWire, invalid, requireArray, requireRecord, show } from "./validate.js";

/** Coordinates that live on frames (`labels.objects[]` entries). */
export type FrameCoordinates =
  | BoundingBoxCoordinates
  | RotatableBoundingBoxCoordinates
  | PointCoordinate
  | PolygonCoordinates
  | PolylineCoordinates
  | SkeletonCoordinates
  | BitmaskCoordinates
  | Cuboid2DPerspectiveCoordinates
  | Cuboid2DIsometricCoordinates
  | CuboidCoordinates;

/** Coordinates of non-frame media, carried by `object_answers` entries. */
export type RangeCoordinates = AudioCoordinates | TextCoordinates | HtmlCoordinates;

export type Coordinates = FrameCoordinates | RangeCoordinates;

/** Every frame-entry key that holds coordinates; other keys of an entry are metadata to pass through. */
export const FRAME_COORDINATE_KEYS: ReadonlySet<string> = new Set([
  "boundingBox",
  "rotatableBoundingBox",
  "polygon",
  "polygons",
  "polyline",
  "point",
  "skeleton",
  "bitmask",
  "cuboid",
  "cuboid_2d",
]);

export function isRangeCoordinates(coordinates: Coordinates): coordinates is RangeCoordinates {
  return coordinates instanceof AudioCoordinates || coordinates instanceof TextCoordinates || coordinates instanceof HtmlCoordinates;
}

function describeEntry(entry: Record<string, unknown>, kind: string): string {
  return typeof entry.objectHash === "string" ? `${kind} ${JSON.stringify(entry.objectHash)}` : `${kind} without objectHash`;
}

/** Prefixes errors of nested checks with the entry they came from, once. */
function inEntry<T>(where: string, parse: () => T): T {
  try {
    return fromWire(parse);
  } catch (error) {
    if (error instanceof LabelError) {
      if (error.message.startsWith(where)) throw error;
      throw new LabelError("TA_INVALID_LABEL", `${where}: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

const BOX_WIRE = "boundingBox is {h, w, x, y}";

function boxFields(entry: Record<string, unknown>, key: string, where: string): Record<string, unknown> {
  return requireRecord(entry[key], `${where} ${key}`, key === "boundingBox" ? BOX_WIRE : "rotatableBoundingBox is {h, w, x, y, theta}");
}

function pointFromWire(entry: Record<string, unknown>, where: string): PointCoordinate {
  const raw = requireRecord(entry.point, `${where} point`, 'point is {"0": {x, y}}');
  if (!("0" in raw)) throw invalid(`${where} point has keys ${show(Object.keys(raw))}; point is {"0": {x, y}}.`);
  return new PointCoordinate(requireRecord(raw["0"], `${where} point "0"`, "a point is {x, y}") as unknown as PointInput);
}

/**
 * Reads the coordinates of a frame object entry (`labels.objects[i]`). Dispatches like the SDK: on
 * `shape` for boxes, polygons, polylines, points and 2-D cuboids, else on the `skeleton`, `bitmask`
 * or `cuboid` key. Values are taken as stored (no 0..1 check); types and structure must be right.
 */
export function frameCoordinatesFromEntry(entry: Record<string, unknown>): FrameCoordinates {
  const where = describeEntry(entry, "Frame object");
  return inEntry(where, (): FrameCoordinates => {
    switch (entry.shape) {
      case "bounding_box": {
        const b = boxFields(entry, "boundingBox", where);
        return new BoundingBoxCoordinates({ height: b.h as number, width: b.w as number, topLeftX: b.x as number, topLeftY: b.y as number });
      }
      case "rotatable_bounding_box": {
        const b = boxFields(entry, "rotatableBoundingBox", where);
        return new RotatableBoundingBoxCoordinates({
          height: b.h as number,
          width: b.w as number,
          topLeftX: b.x as number,
          topLeftY: b.y as number,
          theta: b.theta as number,
        });
      }
      case "polygon":
        return polygonFromWire(entry, where);
      case "polyline":
        return new PolylineCoordinates({ values: wirePointList(entry.polyline, `${where} polyline`) as PointInput[] });
      case "point":
        return pointFromWire(entry, where);
      case "cuboid_2d":
        return cuboid2DFromWire(entry, where);
    }
    if ("skeleton" in entry) return skeletonFromWire(entry, where);
    if ("bitmask" in entry) {
      return new BitmaskCoordinates(
        requireRecord(entry.bitmask, `${where} bitmask`, "bitmask is {top, left, width, height, rleString}") as unknown as BitmaskOptions,
      );
    }
    if ("cuboid" in entry) return cuboidFromWire(entry, where);
    throw invalid(
      `${where} has shape ${show(entry.shape)} and keys ${show(Object.keys(entry))}; frame objects have shape bounding_box, ` +
        "rotatable_bounding_box, polygon, polyline, point or cuboid_2d, or a skeleton, bitmask or cuboid key.",
    );
  });
}

/**
 * Reads the range of an audio, text or HTML object from its `object_answers` entry: `range_html`
 * means HTML, otherwise `shape` ("audio" or "text") picks the kind.
 */
export function rangeCoordinatesFromAnswer(entry: Record<string, unknown>): RangeCoordinates {
  const where = describeEntry(entry, "Object answer");
  return inEntry(where, (): RangeCoordinates => {
    if (entry.range_html !== undefined && entry.range_html !== null) {
      const spans = requireArray(entry.range_html, `${where} range_html`, "range_html is [{start: {xpath, offset}, end: {xpath, offset}}, ...]");
      return new HtmlCoordinates({ range: spans as HtmlSpan[] });
    }
    if (entry.shape === "audio") return new AudioCoordinates({ range: spansFromWire(entry.range, `${where} range`) });
    if (entry.shape === "text") return new TextCoordinates({ range: spansFromWire(entry.range, `${where} range`) });
    throw invalid(`${where} has shape ${show(entry.shape)}; range coordinates belong to objects of shape audio or text (HTML ones carry range_html).`);
  });
}

function coordinatesName(c: Coordinates): string {
  // The classes keep their names (plain tsc, no minifier).
  return c.constructor.name;
}

const CLASSES_FOR_SHAPE: Readonly<Record<string, string>> = {
  bounding_box: "BoundingBoxCoordinates",
  rotatable_bounding_box: "RotatableBoundingBoxCoordinates",
  point: "PointCoordinate",
  polygon: "PolygonCoordinates",
  polyline: "PolylineCoordinates",
  skeleton: "SkeletonCoordinates",
  bitmask: "BitmaskCoordinates",
  cuboid_2d: "Cuboid2DPerspectiveCoordinates or Cuboid2DIsometricCoordinates",
  cuboid: "CuboidCoordinates",
  audio: "AudioCoordinates",
  text: "TextCoordinates or HtmlCoordinates",
};

/** Throws unless `coordinates` can be given to an object of the ontology shape `ontologyShape`. */
export function checkCoordinatesFitShape(coordinates: Coordinates, ontologyShape: string, objectName: string): void {
  if (coordinates.shape === ontologyShape) return;
  const fits = CLASSES_FOR_SHAPE[ontologyShape];
  throw invalid(
    `Object ${JSON.stringify(objectName)} has shape ${ontologyShape}; ${coordinatesName(coordinates)} do not fit it ` +
      `(${fits === undefined ? `no coordinates can be set on shape ${ontologyShape}` : `use ${fits}`}).`,
  );
}
