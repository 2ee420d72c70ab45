/** The label model: ontologies, label rows, instances, coordinates. Everything here is public. */
export { LabelRow } from "./label-row.js";
export type { ClassificationInstanceFilter, LabelRowFromDictOptions, ObjectInstanceFilter } from "./label-row.js";
export { ObjectInstance, ObjectAnnotation } from "./object-instance.js";
export type { ObjectDeleteAnswerOptions, ObjectSetAnswerOptions, ObjectSetForFramesOptions } from "./object-instance.js";
export { ClassificationInstance } from "./classification-instance.js";
export type { ClassificationSetAnswerOptions, ClassificationSetForFramesOptions } from "./classification-instance.js";
export { Annotation } from "./annotation-info.js";
export type { AnnotationInfoOptions } from "./annotation-info.js";
export type { AnswerValue } from "./answers/answer-codec.js";
export type { DynamicAnswer } from "./answers/dynamic-answers.js";
export type { Frames, Range } from "./frames.js";
export { Attribute, AttributeOption, Classification, Ontology, OntologyObject, SkeletonTemplate, OBJECT_SHAPES } from "./ontology/index.js";
export type {
  AttributeType,
  CreateClassificationInstanceOptions,
  CreateObjectInstanceOptions,
  ObjectShape,
  OntologyNode,
  OntologyNodeKind,
} from "./ontology/index.js";
export {
  AudioCoordinates,
  BitmaskCoordinates,
  BoundingBoxCoordinates,
  Cuboid2DIsometricCoordinates,
  Cuboid2DPerspectiveCoordinates,
  CuboidCoordinates,
  HtmlCoordinates,
  PointCoordinate,
  PolygonCoordinates,
  PolylineCoordinates,
  RotatableBoundingBoxCoordinates,
  SkeletonCoordinates,
  TextCoordinates,
  decodeRle,
  encodeRle,
} from "./coordinates/index.js";
export type {
  BitmaskOptions,
  BoundingBoxOptions,
  Coordinates,
  Cuboid2DIsometricOptions,
  Cuboid2DPerspectiveOptions,
  CuboidOptions,
  FrameCoordinates,
  HtmlNode,
  HtmlSpan,
  PointInput,
  PolygonOptions,
  RangeCoordinates,
  RotatableBoundingBoxOptions,
  SkeletonOptions,
  SkeletonPoint,
  SkeletonVisibility,
  Span,
  Vector3,
} from "./coordinates/index.js";
export * from "./llm/index.js";
