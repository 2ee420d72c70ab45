/** Object coordinates of Encord labels: user-facing classes and their wire forms (docs/encord-protocol.md §7.4). */
export { BoundingBoxCoordinates, RotatableBoundingBoxCoordinates } from "./box.js";
export type { BoundingBoxOptions, RotatableBoundingBoxOptions } from "./box.js";
export { PointCoordinate, PolygonCoordinates, PolylineCoordinates } from "./point-shapes.js";
export type { PointInput, PolygonOptions, WirePoint } from "./point-shapes.js";
export { SkeletonCoordinates, SKELETON_VISIBILITIES } from "./skeleton.js";
export type { SkeletonOptions, SkeletonPoint, SkeletonVisibility } from "./skeleton.js";
export { BitmaskCoordinates } from "./bitmask.js";
export type { BitmaskOptions } from "./bitmask.js";
export { decodeRle, encodeRle, maskToRleCounts, rleCountsFromString, rleLength, rleStringFromCounts } from "./bitmask-rle.js";
export { Cuboid2DIsometricCoordinates, Cuboid2DPerspectiveCoordinates, CuboidCoordinates } from "./cuboid.js";
export type { Cuboid2DIsometricOptions, Cuboid2DPerspectiveOptions, CuboidOptions, Vector3 } from "./cuboid.js";
export { AudioCoordinates, HtmlCoordinates, TextCoordinates } from "./range-coordinates.js";
export type { HtmlNode, HtmlSpan, Span } from "./range-coordinates.js";
export {
  FRAME_COORDINATE_KEYS,
  checkCoordinatesFitShape,
  frameCoordinatesFromEntry,
  isRangeCoordinates,
  rangeCoordinatesFromAnswer,
} from "./frame-coordinates.js";
export type { Coordinates, FrameCoordinates, RangeCoordinates } from "./frame-coordinates.js";
