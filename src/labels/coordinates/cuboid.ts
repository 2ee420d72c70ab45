import { flatToPoints, planarPoint, type PointCoordinate, type PointInput } from "./point-shapes.js";
import { invalid, lenient, requireArray, requireFinite, requireNonNegative, requireRecord, show } from "./validate.js";

export type Vector3 = readonly [number, number, number];

/** Options of {@link CuboidCoordinates}: a box in a point cloud, in scene units. */
export interface CuboidOptions {
  /** Centre of the cuboid (x, y, z). */
  readonly position: Vector3;
  /** Euler angles (alpha, beta, gamma) in radians. */
  readonly orientation: Vector3;
  /** Extent along the cuboid's own x, y, z axes. */
  readonly size: Vector3;
}

function readVector(value: unknown, what: string): Vector3 {
  const v = requireArray(value, what, "a 3-D vector is [x, y, z]");
  if (v.length !== 3) throw invalid(`${what} has ${v.length} numbers; a 3-D vector is [x, y, z].`);
  return Object.freeze([requireFinite(v[0], `${what}[0]`), requireFinite(v[1], `${what}[1]`), requireFinite(v[2], `${what}[2]`)] as const);
}

/** A 3-D cuboid (point clouds). Not normalised: the values are scene coordinates. */
export class CuboidCoordinates implements CuboidOptions {
  readonly shape = "cuboid";
  readonly position: Vector3;
  readonly orientation: Vector3;
  readonly size: Vector3;

  constructor(options: CuboidOptions) {
    const o = requireRecord(options, "Cuboid coordinates", "give {position: [x, y, z], orientation: [a, b, c], size: [x, y, z]}");
    this.position = readVector(o.position, "Cuboid position");
    this.orientation = readVector(o.orientation, "Cuboid orientation");
    this.size = readVector(o.size, "Cuboid size");
    this.size.forEach((n, i) => requireNonNegative(n, `Cuboid size[${i}]`, "a cuboid's size is 0 or more along each axis"));
    Object.freeze(this);
  }

  toFrameFields(): Record<string, unknown> {
    return { cuboid: { position: [...this.position], orientation: [...this.orientation], size: [...this.size] } };
  }
}

/** The front face: four corners, normalised to the image size. */
function readFront(value: unknown, label: string): readonly PointCoordinate[] {
  const points = requireArray(value, `${label} front`, "the front face is a list of 4 points {x, y}");
  if (!lenient() && points.length !== 4) {
    throw invalid(`${label} front has ${points.length} points; the front face is 4 points {x, y}.`);
  }
  return Object.freeze(points.map((p, i) => planarPoint(p, `${label} front point ${i}`)));
}

/** A free 2-D vector (vanishing point, offset): may lie outside the image, so only finiteness counts. */
function readVector2(value: unknown, what: string): { readonly x: number; readonly y: number } {
  const p = requireRecord(value, what, "give {x, y}");
  return Object.freeze({ x: requireFinite(p.x, `${what} x`), y: requireFinite(p.y, `${what} y`) });
}

/** On the wire `front` is flat: [x1, y1, x2, y2, ...]. */
function frontToWire(front: readonly PointInput[]): number[] {
  return front.flatMap((p) => [p.x, p.y]);
}

export interface Cuboid2DPerspectiveOptions {
  readonly front: readonly PointInput[];
  /** Where the receding edges meet; normalised, but may lie outside the image. */
  readonly vanishingPoint: { readonly x: number; readonly y: number };
  /** Size of the back face relative to the front face. */
  readonly scaleRatio: number;
}

/** A 2-D cuboid drawn in perspective: the back face shrinks towards a vanishing point. */
export class Cuboid2DPerspectiveCoordinates {
  readonly shape = "cuboid_2d";
  readonly front: readonly PointCoordinate[];
  readonly vanishingPoint: { readonly x: number; readonly y: number };
  readonly scaleRatio: number;

  constructor(options: Cuboid2DPerspectiveOptions) {
    const o = requireRecord(options, "Cuboid 2D coordinates", "give {front, vanishingPoint, scaleRatio}");
    this.front = readFront(o.front, "Cuboid 2D");
    this.vanishingPoint = readVector2(o.vanishingPoint, "Cuboid 2D vanishingPoint");
    this.scaleRatio = requireFinite(o.scaleRatio, "Cuboid 2D scaleRatio");
    Object.freeze(this);
  }

  toFrameFields(): Record<string, unknown> {
    return {
      cuboid_2d: {
        front: frontToWire(this.front),
        vanishingPoint: { x: this.vanishingPoint.x, y: this.vanishingPoint.y },
        scaleRatio: this.scaleRatio,
      },
    };
  }
}

export interface Cuboid2DIsometricOptions {
  readonly front: readonly PointInput[];
  /** Displacement of the back face from the front face (normalised; may be negative). */
  readonly offset: { readonly x: number; readonly y: number };
}

/** A 2-D cuboid drawn isometrically: the back face is the front face shifted by `offset`. */
export class Cuboid2DIsometricCoordinates {
  readonly shape = "cuboid_2d";
  readonly front: readonly PointCoordinate[];
  readonly offset: { readonly x: number; readonly y: number };

  constructor(options: Cuboid2DIsometricOptions) {
    const o = requireRecord(options, "Cuboid 2D coordinates", "give {front, offset}");
    this.front = readFront(o.front, "Cuboid 2D");
    this.offset = readVector2(o.offset, "Cuboid 2D offset");
    Object.freeze(this);
  }

  toFrameFields(): Record<string, unknown> {
    return { cuboid_2d: { front: frontToWire(this.front), offset: { x: this.offset.x, y: this.offset.y } } };
  }
}

/** Perspective when `vanishingPoint`/`scaleRatio` are there, isometric when `offset` is; never both. */
export function cuboid2DFromWire(entry: Record<string, unknown>, where: string): Cuboid2DPerspectiveCoordinates | Cuboid2DIsometricCoordinates {
  const raw = requireRecord(entry.cuboid_2d, `${where} cuboid_2d`, "cuboid_2d is {front, vanishingPoint, scaleRatio} or {front, offset}");
  const front = flatToPoints(raw.front, `${where} cuboid_2d front`);
  const perspective = raw.vanishingPoint !== undefined || raw.scaleRatio !== undefined;
  const isometric = raw.offset !== undefined;
  if (perspective && isometric) {
    throw invalid(`${where} cuboid_2d has both vanishingPoint/scaleRatio and offset; a 2-D cuboid is either perspective or isometric.`);
  }
  if (perspective) {
    if (raw.vanishingPoint === undefined || raw.scaleRatio === undefined) {
      throw invalid(
        `${where} cuboid_2d has ` +
          `${raw.vanishingPoint === undefined ? "scaleRatio but no vanishingPoint" : "vanishingPoint but no scaleRatio"}` +
          `; a perspective cuboid needs both.`,
      );
    }
    return new Cuboid2DPerspectiveCoordinates({
      front,
      vanishingPoint: raw.vanishingPoint as { x: number; y: number },
      scaleRatio: raw.scaleRatio as number,
    });
  }
  if (isometric) return new Cuboid2DIsometricCoordinates({ front, offset: raw.offset as { x: number; y: number } });
  throw invalid(`${where} cuboid_2d ${show(raw)} has neither vanishingPoint + scaleRatio (perspective) nor offset (isometric); one of them is needed.`);
}

export function cuboidFromWire(entry: Record<string, unknown>, where: string): CuboidCoordinates {
  const raw = requireRecord(entry.cuboid, `${where} cuboid`, "cuboid is {position, orientation, size}");
  return new CuboidCoordinates(raw as unknown as CuboidOptions);
}
