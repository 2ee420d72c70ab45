/**
 * A local project whose ontology has every shape the task page draws, and a label row with one
 * object of each on a plain image, at known pixels: the overlay tests and the browser tests read
 * the drawing back at these positions.
 */
import { join } from "node:path";
import {
  BitmaskCoordinates,
  BoundingBoxCoordinates,
  Cuboid2DIsometricCoordinates,
  LabelRow,
  PointCoordinate,
  PolygonCoordinates,
  PolylineCoordinates,
  RotatableBoundingBoxCoordinates,
  SkeletonCoordinates,
  type Coordinates,
  type LocalBackend,
} from "../../../src/index.js";
import { makePng, type Rgb } from "../../support/make-media.js";

/** The image every label is drawn on: a plain grey, so any drawn colour stands out. */
export const IMAGE = { width: 200, height: 100, colour: [128, 128, 128] as Rgb };

export const COLOURS = {
  box: "#ff0000",
  rotated: "#00aa00",
  polygon: "#0000ff",
  line: "#ff8800",
  point: "#aa00aa",
  skeleton: "#00aaaa",
  mask: "#ffff00",
  cuboid: "#8844ff",
} as const;

const object = (id: string, name: string, shape: string, color: string) => ({ id, name, color, shape, featureNodeHash: `f-${id}` });

/** The project spec: every drawn shape, a frame classification, and a REVIEW stage to act in. */
export const shapesSpec = {
  title: "Shapes",
  ontology: {
    objects: [
      object("1", "Box", "bounding_box", COLOURS.box),
      object("2", "Rotated", "rotatable_bounding_box", COLOURS.rotated),
      object("3", "Region", "polygon", COLOURS.polygon),
      object("4", "Line", "polyline", COLOURS.line),
      object("5", "Dot", "point", COLOURS.point),
      object("6", "Pose", "skeleton", COLOURS.skeleton),
      object("7", "Mask", "bitmask", COLOURS.mask),
      object("8", "Crate", "cuboid_2d", COLOURS.cuboid),
    ],
    classifications: [
      {
        id: "9",
        featureNodeHash: "f-9",
        attributes: [
          {
            id: "9.1",
            name: "Weather",
            type: "radio",
            featureNodeHash: "f-9-1",
            options: [{ id: "9.1.1", label: "sunny", value: "sunny", featureNodeHash: "f-9-1-1" }],
          },
        ],
      },
    ],
    skeleton_templates: [
      {
        template: {
          name: "Pose",
          shape: "skeleton",
          width: 100,
          height: 100,
          skeleton: {
            "0": { x: 0, y: 0, name: "head", color: "#000000", value: "head", featureHash: "n-head" },
            "1": { x: 0, y: 1, name: "hip", color: "#000000", value: "hip", featureHash: "n-hip" },
          },
          skeletonEdges: { "0": { "1": { color: "#000000" } } },
          feature_node_hash: "f-6",
        },
      },
    ],
  },
  workflow: {
    stages: [
      { title: "Start", type: "START", to: "Review" },
      { title: "Review", type: "REVIEW", approve: "Complete", reject: "Annotate" },
      { title: "Annotate", type: "ANNOTATION", to: "Review" },
      { title: "Complete", type: "DONE" },
    ],
  },
};

/** The mask: a 20 × 20 square at x 150..169, y 10..29 of the 200 × 100 image. */
export const MASK_SQUARE = { x: 150, y: 10, size: 20 };

/** One object of each shape, at the pixel positions the tests check (the image is 200 × 100). */
export function drawEveryShape(row: LabelRow): void {
  const { width, height } = IMAGE;
  const add = (name: string, coordinates: Coordinates) => {
    const instance = row.ontology.getChildByTitle(name, "object").createInstance();
    instance.setForFrames(coordinates);
    row.addObjectInstance(instance);
  };
  // Box: x 20..60, y 20..60 in pixels.
  add("Box", new BoundingBoxCoordinates({ topLeftX: 20 / width, topLeftY: 20 / height, width: 40 / width, height: 40 / height }));
  add("Rotated", new RotatableBoundingBoxCoordinates({ topLeftX: 0.35, topLeftY: 0.1, width: 0.1, height: 0.2, theta: 30 }));
  // A square with a square hole: outline x 70..130, y 40..95; hole x 90..110, y 55..80.
  const px = (x: number, y: number) => ({ x: x / width, y: y / height });
  add(
    "Region",
    new PolygonCoordinates({
      polygons: [
        [
          [px(70, 40), px(130, 40), px(130, 95), px(70, 95)],
          [px(90, 55), px(110, 55), px(110, 80), px(90, 80)],
        ],
      ],
    }),
  );
  add("Line", new PolylineCoordinates({ values: [px(5, 90), px(30, 70), px(60, 90)] }));
  add("Dot", new PointCoordinate(px(180, 80)));
  add(
    "Pose",
    new SkeletonCoordinates({
      values: [
        { ...px(185, 40), name: "head", featureHash: "n-head" },
        { ...px(185, 60), name: "hip", featureHash: "n-hip" },
      ],
    }),
  );
  const mask = new Uint8Array(width * height);
  for (let y = MASK_SQUARE.y; y < MASK_SQUARE.y + MASK_SQUARE.size; y++) {
    mask.fill(1, y * width + MASK_SQUARE.x, y * width + MASK_SQUARE.x + MASK_SQUARE.size);
  }
  add("Mask", BitmaskCoordinates.fromArray(mask, { width, height }));
  add("Crate", new Cuboid2DIsometricCoordinates({ front: [px(140, 60), px(160, 60), px(160, 80), px(140, 80)], offset: { x: 0.03, y: -0.06 } }));
  const weather = row.ontology.getChildByTitle("Weather", "classification");
  const sunny = row.ontology.getChildByTitle("sunny", "option");
  const classification = weather.createInstance();
  classification.setAnswer(sunny);
  classification.setForFrames({ frames: 0 });
  row.addClassificationInstance(classification);
}

/**
 * Makes the shapes project in `backend`, adds one grey image (in `dir`) and saves a label row
 * with every shape on it. Returns the project hash, the data hash and the task's UUID.
 */
export async function makeShapesProject(backend: LocalBackend, dir: string): Promise<{ projectHash: string; dataHash: string; taskUuid: string }> {
  const projectHash = backend.createProject(shapesSpec);
  const imagePath = join(dir, "grey.png");
  await makePng(imagePath, IMAGE);
  await backend.addData(projectHash, { paths: [imagePath], actor: "tester" });
  const project = await backend.getProject(projectHash);
  const review = project.stages.find((s) => s.title === "Review")!;
  const { tasks } = await backend.listStageTasks(projectHash, review.uuid);
  const task = tasks[0]!;
  const [dict] = await backend.getLabelRows(projectHash, [task.dataHash]);
  const [metadata] = await backend.getLabelRowMetadata(projectHash, [task.dataHash]);
  const row = LabelRow.fromEncordDict(dict!, { ontology: project.ontology, metadata: metadata! });
  drawEveryShape(row);
  await backend.commit(projectHash, { labelSaves: [{ dataHash: task.dataHash, labelRow: row.toEncordDict() }] });
  return { projectHash, dataHash: task.dataHash, taskUuid: task.uuid };
}
