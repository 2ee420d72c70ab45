/** Object shapes of Encord ontologies (docs/encord-protocol.md §7.4). */
export const OBJECT_SHAPES = [
  "bounding_box",
  "rotatable_bounding_box",
  "polygon",
  "polyline",
  "point",
  "skeleton",
  "bitmask",
  "cuboid",
  "cuboid_2d",
  "audio",
  "text",
  "segmentation",
] as const;
export type ObjectShape = (typeof OBJECT_SHAPES)[number];

/** Shapes whose instances live on ranges of the media (ms, characters), not on frames. */
export function isRangeShape(shape: string): boolean {
  return shape === "audio" || shape === "text";
}
