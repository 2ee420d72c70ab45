import {
  BitmaskCoordinates,
  BoundingBoxCoordinates,
  Cuboid2DIsometricCoordinates,
  Cuboid2DPerspectiveCoordinates,
  PointCoordinate,
  PolygonCoordinates,
  PolylineCoordinates,
  RotatableBoundingBoxCoordinates,
  SkeletonCoordinates,
  type Coordinates,
  type PointInput,
} from "../../labels/coordinates/index.js";
import type { LabelRow } from "../../labels/label-row.js";
import type { ObjectInstance } from "../../labels/object-instance.js";
import { skeletonEdges } from "./skeleton-edges.js";

/** A point in pixels of the media, origin at the top left. */
export interface PixelPoint {
  readonly x: number;
  readonly y: number;
}

/** The media size labels are scaled to: label coordinates are fractions of it. */
export interface MediaSize {
  readonly width: number;
  readonly height: number;
}

/** What every drawn object carries: which object it is and how the ontology shows it. */
export interface OverlayObject {
  readonly objectHash: string;
  /** The ontology object's feature node hash: the class the page's toggles switch. */
  readonly featureHash: string;
  readonly title: string;
  /** The ontology colour, `#rrggbb`. */
  readonly color: string;
}

/** One object on one frame, in pixels, ready to be drawn. */
export type OverlayShape = OverlayObject &
  (
    | { readonly kind: "box"; readonly x: number; readonly y: number; readonly width: number; readonly height: number; readonly rotationDegrees: number }
    /** Polygons, each its outline ring followed by its holes. */
    | { readonly kind: "polygon"; readonly polygons: readonly (readonly (readonly PixelPoint[])[])[] }
    | { readonly kind: "polyline"; readonly points: readonly PixelPoint[] }
    | { readonly kind: "point"; readonly point: PixelPoint }
    | {
        readonly kind: "skeleton";
        readonly nodes: readonly (PixelPoint & { readonly name: string; readonly hidden: boolean })[];
        readonly edges: readonly (readonly [number, number])[];
      }
    /** A mask is drawn as an image of its own; `x`/`y` place its top-left pixel. */
    | { readonly kind: "bitmask"; readonly mask: BitmaskCoordinates; readonly x: number; readonly y: number }
    | { readonly kind: "cuboid"; readonly front: readonly PixelPoint[]; readonly back: readonly PixelPoint[] }
  );

/** The ontology colour when it is a CSS hex colour; a visible default otherwise (the value lands in markup). */
export function safeColor(color: string): string {
  return /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i.test(color) ? color : "#ff00ff";
}

function toPixels(point: PointInput, size: MediaSize): PixelPoint {
  return { x: point.x * size.width, y: point.y * size.height };
}

/**
 * The objects of one frame of a label row as shapes in pixels of `size`, in the order they were
 * added. A 3-D cuboid (point clouds) and audio/text ranges have no place on a 2-D frame and are
 * left out; the page lists them instead.
 */
export function overlayShapes(labelRow: LabelRow, frame: number, size: MediaSize): OverlayShape[] {
  const shapes: OverlayShape[] = [];
  for (const instance of labelRow.getObjectInstances({ filterFrames: frame })) {
    const coordinates = instance.getAnnotation(frame).coordinates;
    const shape = shapeOf(coordinates, size, labelRow, instance);
    if (shape !== undefined) shapes.push({ ...describeObject(instance), ...shape });
  }
  return shapes;
}

function describeObject(instance: ObjectInstance): OverlayObject {
  return {
    objectHash: instance.objectHash,
    featureHash: instance.featureHash,
    title: instance.ontologyItem.name,
    color: safeColor(instance.ontologyItem.color),
  };
}

type ShapeGeometry = DistributiveOmit<OverlayShape, keyof OverlayObject>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function shapeOf(coordinates: Coordinates, size: MediaSize, labelRow: LabelRow, instance: ObjectInstance): ShapeGeometry | undefined {
  if (coordinates instanceof BoundingBoxCoordinates || coordinates instanceof RotatableBoundingBoxCoordinates) {
    return {
      kind: "box",
      x: coordinates.topLeftX * size.width,
      y: coordinates.topLeftY * size.height,
      width: coordinates.width * size.width,
      height: coordinates.height * size.height,
      rotationDegrees: coordinates instanceof RotatableBoundingBoxCoordinates ? coordinates.theta : 0,
    };
  }
  if (coordinates instanceof PolygonCoordinates) {
    return { kind: "polygon", polygons: coordinates.polygons.map((rings) => rings.map((ring) => ring.map((p) => toPixels(p, size)))) };
  }
  if (coordinates instanceof PolylineCoordinates) return { kind: "polyline", points: coordinates.values.map((p) => toPixels(p, size)) };
  if (coordinates instanceof PointCoordinate) return { kind: "point", point: toPixels(coordinates, size) };
  if (coordinates instanceof SkeletonCoordinates) {
    return {
      kind: "skeleton",
      nodes: coordinates.values.map((node) => ({ ...toPixels(node, size), name: node.name, hidden: node.visibility === "invisible" })),
      edges: skeletonEdges(labelRow.ontology, instance.ontologyItem, coordinates.values),
    };
  }
  if (coordinates instanceof BitmaskCoordinates) return { kind: "bitmask", mask: coordinates, x: coordinates.left, y: coordinates.top };
  if (coordinates instanceof Cuboid2DPerspectiveCoordinates) {
    const { vanishingPoint: vp, scaleRatio } = coordinates;
    // The back face is the front face shrunk towards the vanishing point.
    const back = coordinates.front.map((p) => ({ x: vp.x + (p.x - vp.x) * scaleRatio, y: vp.y + (p.y - vp.y) * scaleRatio }));
    return { kind: "cuboid", front: coordinates.front.map((p) => toPixels(p, size)), back: back.map((p) => toPixels(p, size)) };
  }
  if (coordinates instanceof Cuboid2DIsometricCoordinates) {
    const { offset } = coordinates;
    const back = coordinates.front.map((p) => ({ x: p.x + offset.x, y: p.y + offset.y }));
    return { kind: "cuboid", front: coordinates.front.map((p) => toPixels(p, size)), back: back.map((p) => toPixels(p, size)) };
  }
  return undefined;
}
