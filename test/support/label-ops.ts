/**
 * Replays the operation vocabulary of the shared label vectors (their README, "Op vocabulary")
 * through the public API, the way a user of task-agents would write each call.
 */
import {
  AudioCoordinates,
  BoundingBoxCoordinates,
  Cuboid2DIsometricCoordinates,
  Cuboid2DPerspectiveCoordinates,
  HtmlCoordinates,
  PointCoordinate,
  PolygonCoordinates,
  PolylineCoordinates,
  RotatableBoundingBoxCoordinates,
  TextCoordinates,
  type Attribute,
  type AttributeOption,
  type ClassificationInstance,
  type Coordinates,
  type Frames,
  type LabelRow,
  type ObjectInstance,
} from "../../src/index.js";

type Args = Record<string, unknown>;
export interface Operation {
  op: string;
  args: Args;
}

function coordinates(spec: Args): Coordinates {
  const n = (key: string): number => spec[key] as number;
  switch (spec["type"]) {
    case "bounding_box":
      return new BoundingBoxCoordinates({ height: n("h"), width: n("w"), topLeftX: n("x"), topLeftY: n("y") });
    case "rotatable_bounding_box":
      return new RotatableBoundingBoxCoordinates({ height: n("h"), width: n("w"), topLeftX: n("x"), topLeftY: n("y"), theta: n("theta") });
    case "polygon":
      return spec["polygons"] === undefined
        ? new PolygonCoordinates({ values: spec["points"] as { x: number; y: number }[] })
        : new PolygonCoordinates({ polygons: spec["polygons"] as { x: number; y: number }[][][] });
    case "polyline":
      return new PolylineCoordinates({ values: spec["points"] as { x: number; y: number }[] });
    case "point":
      return new PointCoordinate({ x: n("x"), y: n("y") });
    case "cuboid_2d_perspective":
      return new Cuboid2DPerspectiveCoordinates({
        front: spec["front"] as { x: number; y: number }[],
        vanishingPoint: spec["vanishing_point"] as { x: number; y: number },
        scaleRatio: n("scale_ratio"),
      });
    case "cuboid_2d_isometric":
      return new Cuboid2DIsometricCoordinates({ front: spec["front"] as { x: number; y: number }[], offset: spec["offset"] as { x: number; y: number } });
    case "audio":
      return new AudioCoordinates({ range: spec["ranges"] as { start: number; end: number }[] });
    case "text":
      return new TextCoordinates({ range: spec["ranges"] as { start: number; end: number }[] });
    case "html":
      return new HtmlCoordinates({ range: spec["ranges"] as { start: { xpath: string; offset: number }; end: { xpath: string; offset: number } }[] });
    default:
      throw new Error(`unknown coordinates type ${String(spec["type"])}`);
  }
}

const date = (value: unknown): Date | undefined => (typeof value === "string" ? new Date(value) : undefined);

/** The metadata args an op passes, as options (omitted ones stay omitted). */
function metadata(args: Args): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (args["created_at"] !== undefined) out["createdAt"] = date(args["created_at"]);
  if (args["created_by"] !== undefined) out["createdBy"] = args["created_by"];
  if (args["last_edited_at"] !== undefined) out["lastEditedAt"] = date(args["last_edited_at"]);
  if (args["last_edited_by"] !== undefined) out["lastEditedBy"] = args["last_edited_by"];
  if (args["confidence"] !== undefined) out["confidence"] = args["confidence"];
  if (args["manual_annotation"] !== undefined) out["manualAnnotation"] = args["manual_annotation"];
  return out;
}

function attributeOf(item: ObjectInstance["ontologyItem"] | ClassificationInstance["ontologyItem"], hash: string): Attribute {
  const node = item.getChildByHash(hash);
  if (node?.kind !== "attribute") throw new Error(`no attribute ${hash} in ${item.name}`);
  return node;
}

function answer(attribute: Attribute, spec: Args): string | number | AttributeOption | AttributeOption[] {
  const option = (hash: string): AttributeOption => {
    const found = attribute.options.find((o) => o.featureNodeHash === hash);
    if (found === undefined) throw new Error(`no option ${hash} in ${attribute.name}`);
    return found;
  };
  if ("text" in spec) return spec["text"] as string;
  if ("number" in spec) return spec["number"] as number;
  if ("option" in spec) return option(spec["option"] as string);
  return (spec["options"] as string[]).map(option);
}

/** Applies the operations to the row; `ref`s name the instances made along the way. */
export function replayOperations(row: LabelRow, operations: readonly Operation[]): void {
  const objects = new Map<string, ObjectInstance>();
  const classifications = new Map<string, ClassificationInstance>();
  const object = (args: Args): ObjectInstance => objects.get(args["ref"] as string) as ObjectInstance;
  const classification = (args: Args): ClassificationInstance => classifications.get(args["ref"] as string) as ClassificationInstance;

  for (const { op, args } of operations) {
    switch (op) {
      case "create_object_instance":
        objects.set(
          args["ref"] as string,
          row.ontology.getChildByHash(args["feature_hash"] as string, "object").createInstance({ objectHash: args["object_hash"] as string }),
        );
        break;
      case "object_set_for_frames":
        object(args).setForFrames(coordinates(args["coordinates"] as Args), {
          frames: (args["frames"] ?? 0) as Frames,
          ...(args["overwrite"] === undefined ? {} : { overwrite: args["overwrite"] as boolean }),
          ...metadata(args),
        });
        break;
      case "object_remove_from_frames":
        object(args).removeFromFrames(args["frames"] as Frames);
        break;
      case "object_set_answer": {
        const attribute = attributeOf(object(args).ontologyItem, args["attribute_hash"] as string);
        object(args).setAnswer(answer(attribute, args["answer"] as Args), {
          attribute,
          ...(args["frames"] === undefined ? {} : { frames: args["frames"] as Frames }),
          ...(args["overwrite"] === undefined ? {} : { overwrite: args["overwrite"] as boolean }),
          ...(args["manual_annotation"] === undefined ? {} : { manualAnnotation: args["manual_annotation"] as boolean }),
        });
        break;
      }
      case "object_delete_answer": {
        const attribute = attributeOf(object(args).ontologyItem, args["attribute_hash"] as string);
        object(args).deleteAnswer(attribute, {
          ...(args["filter_frame"] === undefined ? {} : { filterFrame: args["filter_frame"] as number }),
          ...(args["filter_answer"] === undefined ? {} : { filterAnswer: answer(attribute, args["filter_answer"] as Args) }),
        });
        break;
      }
      case "object_update_annotation":
        Object.assign(object(args).getAnnotation(args["frame"] as number), metadata(args));
        break;
      case "add_object_instance":
        row.addObjectInstance(object(args), args["force"] === undefined ? {} : { force: args["force"] as boolean });
        break;
      case "remove_object":
        row.removeObject(object(args));
        break;
      case "create_classification_instance":
        classifications.set(
          args["ref"] as string,
          row.ontology.getChildByHash(args["feature_hash"] as string, "classification").createInstance({
            classificationHash: args["classification_hash"] as string,
            ...(args["range_only"] === undefined ? {} : { rangeOnly: args["range_only"] as boolean }),
          }),
        );
        break;
      case "classification_set_for_frames":
        classification(args).setForFrames({
          frames: (args["frames"] ?? 0) as Frames,
          ...(args["overwrite"] === undefined ? {} : { overwrite: args["overwrite"] as boolean }),
          ...metadata(args),
        });
        break;
      case "classification_remove_from_frames":
        classification(args).removeFromFrames(args["frames"] as Frames);
        break;
      case "classification_set_answer": {
        const attribute = attributeOf(classification(args).ontologyItem, args["attribute_hash"] as string);
        classification(args).setAnswer(answer(attribute, args["answer"] as Args), {
          attribute,
          ...(args["overwrite"] === undefined ? {} : { overwrite: args["overwrite"] as boolean }),
        });
        break;
      }
      case "classification_delete_answer":
        classification(args).deleteAnswer(attributeOf(classification(args).ontologyItem, args["attribute_hash"] as string));
        break;
      case "classification_set_instance_metadata":
        Object.assign(classification(args), metadata(args));
        break;
      case "classification_update_annotation":
        Object.assign(classification(args).getAnnotation(args["frame"] as number), metadata(args));
        break;
      case "add_classification_instance":
        row.addClassificationInstance(classification(args), args["force"] === undefined ? {} : { force: args["force"] as boolean });
        break;
      case "remove_classification":
        row.removeClassificationInstance(classification(args));
        break;
      default:
        throw new Error(`unknown op ${op}`);
    }
  }
}
