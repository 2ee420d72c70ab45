import { invalid, isRecord, requireArray, requireFinite, requireMinLength, requireRecord, requireUnit, show } from "./validate.js";

/** A point as callers write it: normalised x/y (0..1 of the image size); `z` only in 3-D spaces. */
export interface PointInput {
  readonly x: number;
  readonly y: number;
  readonly z?: number;
}

/** One `{x, y}` (or `{x, y, z}`) as it appears on the wire. */
export type WirePoint = { x: number; y: number } | { x: number; y: number; z: number };

/**
 * A point, normalised to the image size. Points of point-cloud spaces carry `z` and are in scene
 * units, so only their finiteness is checked.
 */
export class PointCoordinate implements PointInput {
  readonly shape = "point";
  readonly x: number;
  readonly y: number;
  // `declare` keeps 2-D points free of an own `z: undefined` key.
  declare readonly z?: number;

  constructor(options: PointInput) {
    const { x, y, z } = readPoint(options, "Point");
    this.x = x;
    this.y = y;
    if (z !== undefined) this.z = z;
    Object.freeze(this);
  }

  toFrameFields(): Record<string, unknown> {
    return { point: { "0": pointToWire(this) } };
  }
}

/** Checks one caller- or wire-given point; `what` names it in messages ("Polygon ring 1 point 3"). */
function readPoint(value: unknown, what: string): { x: number; y: number; z?: number } {
  const p = requireRecord(value, what, "a point is {x, y} normalised to 0..1");
  if (p.z !== undefined) {
    return { x: requireFinite(p.x, `${what} x`), y: requireFinite(p.y, `${what} y`), z: requireFinite(p.z, `${what} z`) };
  }
  return { x: requireUnit(p.x, `${what} x`), y: requireUnit(p.y, `${what} y`) };
}

/** A 2-D point inside a shape that has no 3-D form (polygons, cuboid_2d, skeletons). */
export function planarPoint(value: unknown, what: string): PointCoordinate {
  if (isRecord(value) && value.z !== undefined) {
    throw invalid(`${what} has a z coordinate; this shape takes 2-D points {x, y} only.`);
  }
  readPoint(value, what);
  return new PointCoordinate(value as PointInput);
}

export function pointToWire(p: PointInput): WirePoint {
  return p.z === undefined ? { x: p.x, y: p.y } : { x: p.x, y: p.y, z: p.z };
}

function pointsToWireDict(points: readonly PointInput[]): Record<string, WirePoint> {
  const out: Record<string, WirePoint> = {};
  points.forEach((p, i) => {
    out[String(i)] = pointToWire(p);
  });
  return out;
}

function flatten(ring: readonly PointInput[]): number[] {
  return ring.flatMap((p) => [p.x, p.y]);
}

type Ring = readonly PointCoordinate[];
type Polygon = readonly Ring[];

/** Options of {@link PolygonCoordinates}: one ring (`values`) or full polygons with holes. */
export type PolygonOptions =
  | { readonly values: readonly PointInput[]; readonly polygons?: undefined }
  | { readonly polygons: readonly (readonly (readonly PointInput[])[])[]; readonly values?: undefined };

/**
 * Polygons → rings → points. The first ring of each polygon is its outline, later rings are holes.
 * `values` is the first ring of the first polygon: the legacy single-ring form Encord still reads.
 */
export class PolygonCoordinates {
  readonly shape = "polygon";
  readonly values: Ring;
  readonly polygons: readonly Polygon[];

  constructor(options: PolygonOptions) {
    const o = requireRecord(options, "Polygon coordinates", "give {values: [{x, y}, ...]} or {polygons: [[[{x, y}, ...]]]}");
    if (o.values !== undefined && o.polygons !== undefined) {
      throw invalid("Polygon coordinates got both values and polygons; give one: values is a single ring, polygons holds rings with holes.");
    }
    if (o.polygons !== undefined) {
      const polygons = requireArray(o.polygons, "Polygon polygons", "polygons is a list of polygons, each a list of rings of {x, y}");
      requireMinLength(polygons, 1, "Polygon polygons", "polygon");
      this.polygons = Object.freeze(
        polygons.map((polygon, pi) => {
          const rings = requireArray(polygon, `Polygon ${pi}`, "a polygon is a list of rings of {x, y}");
          requireMinLength(rings, 1, `Polygon ${pi}`, "ring");
          return Object.freeze(rings.map((ring, ri) => readRing(ring, `Polygon ${pi} ring ${ri}`)));
        }),
      );
    } else {
      this.polygons = Object.freeze([Object.freeze([readRing(o.values, "Polygon")])]);
    }
    this.values = this.polygons[0]?.[0] ?? Object.freeze([]);
    Object.freeze(this);
  }

  toFrameFields(): Record<string, unknown> {
    return {
      polygon: pointsToWireDict(this.values),
      polygons: this.polygons.map((polygon) => polygon.map(flatten)),
    };
  }
}

function readRing(value: unknown, what: string): Ring {
  const points = requireArray(value, what, "a ring is a list of {x, y} points");
  requireMinLength(points, 3, what, "point");
  return Object.freeze(points.map((p, i) => planarPoint(p, `${what} point ${i}`)));
}

/** A polyline: at least two points, all 2-D (normalised) or all 3-D. */
export class PolylineCoordinates {
  readonly shape = "polyline";
  readonly values: readonly PointCoordinate[];

  constructor(options: { readonly values: readonly PointInput[] }) {
    const o = requireRecord(options, "Polyline coordinates", "give {values: [{x, y}, ...]}");
    const points = requireArray(o.values, "Polyline values", "a polyline is a list of {x, y} points");
    requireMinLength(points, 2, "Polyline", "point");
    const values = points.map((p, i) => new PointCoordinate(readPoint(p, `Polyline point ${i}`)));
    const dims = new Set(values.map((p) => (p.z === undefined ? 2 : 3)));
    if (dims.size > 1) throw invalid("Polyline mixes 2-D points {x, y} and 3-D points {x, y, z}; use one kind for all points.");
    this.values = Object.freeze(values);
    Object.freeze(this);
  }

  toFrameFields(): Record<string, unknown> {
    return { polyline: pointsToWireDict(this.values) };
  }
}

/** The points of a wire point list: a dict keyed "0", "1", … (sorted numerically) or a plain list. */
export function wirePointList(value: unknown, what: string): unknown[] {
  if (Array.isArray(value)) return [...(value as unknown[])];
  if (!isRecord(value)) {
    throw invalid(`${what} ${show(value)} is neither a dict {"0": {x, y}, ...} nor a list of {x, y}.`);
  }
  const entries = Object.entries(value).map(([key, point]) => {
    if (!/^\d+$/.test(key)) throw invalid(`${what} has key ${JSON.stringify(key)}; point keys are "0", "1", ...`);
    return [Number(key), point] as const;
  });
  return entries.sort((a, b) => a[0] - b[0]).map(([, point]) => point);
}

/** Flat `[x1, y1, x2, y2, ...]` → points. */
export function flatToPoints(value: unknown, what: string): PointInput[] {
  const flat = requireArray(value, what, "a ring is a flat list [x1, y1, x2, y2, ...]");
  if (flat.length % 2 !== 0) throw invalid(`${what} has ${flat.length} numbers; a flat ring needs pairs [x1, y1, x2, y2, ...].`);
  const points: PointInput[] = [];
  for (let i = 0; i < flat.length; i += 2) {
    points.push({ x: requireFinite(flat[i], `${what} x${i / 2}`), y: requireFinite(flat[i + 1], `${what} y${i / 2}`) });
  }
  return points;
}

/** Reads `polygon` / `polygons` of a frame entry the way the SDK does: `polygons` wins when non-empty. */
export function polygonFromWire(entry: Record<string, unknown>, where: string): PolygonCoordinates {
  const raw = entry.polygons;
  if (raw !== undefined && raw !== null) {
    const polygons = requireArray(raw, `${where} polygons`, "polygons is [[[x1, y1, ...], [hole...]], ...]");
    if (polygons.length > 0) {
      return new PolygonCoordinates({
        polygons: polygons.map((polygon, pi) =>
          requireArray(polygon, `${where} polygons[${pi}]`, "a polygon is a list of flat rings").map((ring, ri) =>
            flatToPoints(ring, `${where} polygons[${pi}][${ri}]`),
          ),
        ),
      });
    }
  }
  const legacy = entry.polygon;
  const values = legacy === undefined || legacy === null ? [] : wirePointList(legacy, `${where} polygon`);
  if (values.length === 0) {
    throw invalid(`${where} has shape polygon but neither polygon nor polygons holds points; one of them must.`);
  }
  return new PolygonCoordinates({ values: values as PointInput[] });
}
