import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import {
  AudioCoordinates,
  BitmaskCoordinates,
  BoundingBoxCoordinates,
  checkCoordinatesFitShape,
  Cuboid2DIsometricCoordinates,
  Cuboid2DPerspectiveCoordinates,
  CuboidCoordinates,
  FRAME_COORDINATE_KEYS,
  frameCoordinatesFromEntry,
  HtmlCoordinates,
  isRangeCoordinates,
  PointCoordinate,
  PolygonCoordinates,
  PolylineCoordinates,
  rangeCoordinatesFromAnswer,
  RotatableBoundingBoxCoordinates,
  SkeletonCoordinates,
  TextCoordinates,
  type Coordinates,
} from "../../src/labels/coordinates/index.js";
import { paths } from "../support/paths.js";
import { expectLabelError } from "../support/label-errors.js";

type Json = Record<string, unknown>;

/** The SDK-made label rows, copied into the repo from the shared fixtures. */
const FIXTURES = join(paths.encordFixtures, "labels");

function isJson(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function jsonFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return jsonFiles(path);
    return name.endsWith(".json") ? [path] : [];
  });
}

function pick(entry: Json, keys: Iterable<string>): Json {
  const out: Json = {};
  for (const key of keys) if (key in entry) out[key] = entry[key];
  return out;
}

/** The objects of every frame of a `labels` block: single-frame ({objects}) or frame-keyed. */
function frameObjects(labels: unknown): Json[] {
  if (!isJson(labels)) return [];
  const frames = Array.isArray(labels.objects) ? [labels] : Object.values(labels);
  return frames.flatMap((frame) => (isJson(frame) && Array.isArray(frame.objects) ? frame.objects.filter(isJson) : []));
}

interface FixtureEntries {
  frame: { where: string; entry: Json }[];
  answers: { where: string; entry: Json }[];
}

function collectFixtureEntries(): FixtureEntries {
  const found: FixtureEntries = { frame: [], answers: [] };
  for (const file of jsonFiles(FIXTURES)) {
    const vector = JSON.parse(readFileSync(file, "utf8")) as Json;
    for (const key of ["input", "start", "expected"]) {
      const row = vector[key];
      if (!isJson(row)) continue;
      const where = `${relative(FIXTURES, file)} ${key}`;
      const units = isJson(row.data_units) ? Object.values(row.data_units) : [];
      const spaces = isJson(row.spaces) ? Object.values(row.spaces) : [];
      for (const holder of [...units, ...spaces]) {
        if (!isJson(holder)) continue;
        for (const entry of frameObjects(holder.labels)) found.frame.push({ where, entry });
      }
      for (const entry of Object.values(isJson(row.object_answers) ? row.object_answers : {})) {
        if (isJson(entry) && (entry.shape === "audio" || entry.shape === "text")) found.answers.push({ where, entry });
      }
    }
  }
  return found;
}

describe("round trips of the Encord label-row fixtures", () => {
  const entries = collectFixtureEntries();

  it("finds frame objects and range answers to check", () => {
    expect(entries.frame.length).toBeGreaterThan(30);
    expect(entries.answers.length).toBeGreaterThan(10);
    const shapes = new Set(entries.frame.map(({ entry }) => entry.shape));
    expect([...shapes].sort()).toEqual(["bounding_box", "point", "polygon", "polyline"]);
  });

  it("writes every frame object's coordinate keys back exactly", () => {
    for (const { where, entry } of entries.frame) {
      const coordinates = frameCoordinatesFromEntry(entry);
      expect(coordinates.shape, where).toBe(entry.shape);
      expect(coordinates.toFrameFields(), `${where} ${String(entry.objectHash)}`).toEqual(pick(entry, FRAME_COORDINATE_KEYS));
    }
  });

  it("writes every audio/text/html answer's range back exactly", () => {
    for (const { where, entry } of entries.answers) {
      const coordinates = rangeCoordinatesFromAnswer(entry);
      expect(coordinates.shape, where).toBe(entry.shape);
      expect(coordinates.toAnswerFields(), `${where} ${String(entry.objectHash)}`).toEqual(pick(entry, ["range", "range_html"]));
    }
  });
});

/** Wire entries of shapes the fixtures lack, written the way the SDK writes them. */
const WIRE_ENTRIES: readonly { name: string; entry: Json; type: abstract new (...args: never[]) => Coordinates }[] = [
  {
    name: "rotatable box",
    entry: { objectHash: "rot00001", shape: "rotatable_bounding_box", rotatableBoundingBox: { h: 0.2, w: 0.3, x: 0.1, y: 0.4, theta: 32.8422 } },
    type: RotatableBoundingBoxCoordinates,
  },
  {
    name: "skeleton (SDK skeleton fixture, with one visibility)",
    entry: {
      objectHash: "o7XU+3uz",
      name: "Triangle",
      shape: "skeleton",
      skeleton: {
        "0": { x: 0.3838, y: 0.6729, name: "point_0", color: "#000000", value: "point_0", featureHash: "1wthOoHe" },
        "1": { x: 0.4649, y: 0.8816, name: "point_1", color: "#000000", value: "point_1", featureHash: "KGp1oToz", visibility: "selfOccluded" },
        "2": { x: 0.2356, y: 0.9396, name: "point_2", color: "#000000", value: "point_2", featureHash: "OqR+F4dN" },
      },
    },
    type: SkeletonCoordinates,
  },
  {
    name: "cuboid",
    entry: { objectHash: "cub00001", shape: "cuboid", cuboid: { position: [1.5, -2, 0.25], orientation: [0, 0.1, 3.14], size: [4, 2, 1.5] } },
    type: CuboidCoordinates,
  },
  {
    // Values from the SDK's cuboid_2d tests, which use pixel-like numbers: wire data is not range-checked.
    name: "perspective cuboid_2d",
    entry: {
      objectHash: "c2d00001",
      shape: "cuboid_2d",
      cuboid_2d: { front: [0, 0, 100, 0, 100, 100, 0, 100], vanishingPoint: { x: 400, y: 300 }, scaleRatio: 0.75 },
    },
    type: Cuboid2DPerspectiveCoordinates,
  },
  {
    name: "isometric cuboid_2d",
    entry: { objectHash: "c2d00002", shape: "cuboid_2d", cuboid_2d: { front: [0.1, 0.1, 0.3, 0.1, 0.3, 0.3, 0.1, 0.3], offset: { x: 0.05, y: -0.05 } } },
    type: Cuboid2DIsometricCoordinates,
  },
  {
    name: "polygon with holes and two polygons",
    entry: {
      objectHash: "pg000001",
      shape: "polygon",
      polygon: { "0": { x: 0.1, y: 0.1 }, "1": { x: 0.9, y: 0.1 }, "2": { x: 0.5, y: 0.9 } },
      polygons: [
        [
          [0.1, 0.1, 0.9, 0.1, 0.5, 0.9],
          [0.4, 0.3, 0.6, 0.3, 0.5, 0.5],
        ],
        [[0.0, 0.0, 0.05, 0.0, 0.0, 0.05]],
      ],
    },
    type: PolygonCoordinates,
  },
  {
    name: "3-D polyline",
    entry: { objectHash: "pl000001", shape: "polyline", polyline: { "0": { x: 1, y: 2, z: 3 }, "1": { x: -4, y: 5, z: 6.5 } } },
    type: PolylineCoordinates,
  },
  {
    name: "3-D point",
    entry: { objectHash: "pt000001", shape: "point", point: { "0": { x: 12.5, y: -3, z: 0.5 } } },
    type: PointCoordinate,
  },
];

describe("frameCoordinatesFromEntry", () => {
  for (const { name, entry, type } of WIRE_ENTRIES) {
    it(`round-trips a ${name}`, () => {
      const coordinates = frameCoordinatesFromEntry(entry);
      expect(coordinates).toBeInstanceOf(type);
      expect(coordinates.toFrameFields()).toEqual(pick(entry, FRAME_COORDINATE_KEYS));
    });
  }

  it("dispatches skeleton, bitmask and cuboid on their key when shape says nothing", () => {
    const skeleton = frameCoordinatesFromEntry({ objectHash: "s", skeleton: { "0": { x: 0.5, y: 0.5, name: "nose" } } });
    expect(skeleton).toBeInstanceOf(SkeletonCoordinates);
    const cuboid = frameCoordinatesFromEntry({ objectHash: "c", cuboid: { position: [0, 0, 0], orientation: [0, 0, 0], size: [1, 1, 1] } });
    expect(cuboid).toBeInstanceOf(CuboidCoordinates);
    const bitmask = frameCoordinatesFromEntry({ objectHash: "b", bitmask: { top: 0, left: 0, width: 2, height: 1, rleString: "11" } });
    expect(bitmask).toBeInstanceOf(BitmaskCoordinates);
  });

  it("reads a skeleton's name from the entry and legacy boolean visibility keys", () => {
    const skeleton = frameCoordinatesFromEntry({
      objectHash: "sk1",
      name: "Hand",
      shape: "skeleton",
      skeleton: {
        "0": { x: 0.1, y: 0.2, name: "a", color: "#fff", value: "a", featureHash: "f0", invisible: true, visible: false },
        "1": { x: 0.3, y: 0.4, name: "b", color: "#fff", value: "b", featureHash: "f1", occluded: true },
        "2": { x: 0.5, y: 0.6, name: "c", visible: false },
      },
    }) as SkeletonCoordinates;
    expect(skeleton.name).toBe("Hand");
    expect(skeleton.values.map((p) => p.visibility)).toEqual(["invisible", "occluded", undefined]);
    // Like the SDK, only `visibility` is written back; absent optional fields stay absent.
    expect(skeleton.toFrameFields()).toEqual({
      skeleton: {
        "0": { x: 0.1, y: 0.2, name: "a", color: "#fff", value: "a", featureHash: "f0", visibility: "invisible" },
        "1": { x: 0.3, y: 0.4, name: "b", color: "#fff", value: "b", featureHash: "f1", visibility: "occluded" },
        "2": { x: 0.5, y: 0.6, name: "c" },
      },
    });
  });

  it("reads a legacy list-form polygon without polygons, and null polygons", () => {
    const ring = [
      { x: 0.1, y: 0.1 },
      { x: 0.9, y: 0.1 },
      { x: 0.5, y: 0.9 },
    ];
    const expected = {
      polygon: { "0": ring[0], "1": ring[1], "2": ring[2] },
      polygons: [[[0.1, 0.1, 0.9, 0.1, 0.5, 0.9]]],
    };
    expect(frameCoordinatesFromEntry({ objectHash: "p1", shape: "polygon", polygon: ring }).toFrameFields()).toEqual(expected);
    expect(frameCoordinatesFromEntry({ objectHash: "p2", shape: "polygon", polygon: ring, polygons: null }).toFrameFields()).toEqual(expected);
    expect(frameCoordinatesFromEntry({ objectHash: "p3", shape: "polygon", polygon: ring, polygons: [] }).toFrameFields()).toEqual(expected);
  });

  it("takes polygons over a disagreeing polygon, as the SDK does", () => {
    const coordinates = frameCoordinatesFromEntry({
      objectHash: "p4",
      shape: "polygon",
      polygon: { "0": { x: 0.5, y: 0.5 } },
      polygons: [[[0.1, 0.1, 0.2, 0.1, 0.2, 0.2]]],
    }) as PolygonCoordinates;
    expect(coordinates.values.map((p) => [p.x, p.y])).toEqual([
      [0.1, 0.1],
      [0.2, 0.1],
      [0.2, 0.2],
    ]);
  });

  it("sorts dict-form points numerically and accepts list-form polylines", () => {
    const dict = { "10": { x: 0.9, y: 0.9 }, "2": { x: 0.2, y: 0.2 }, "0": { x: 0, y: 0 } };
    const fromDict = frameCoordinatesFromEntry({ objectHash: "l1", shape: "polyline", polyline: dict }) as PolylineCoordinates;
    expect(fromDict.values.map((p) => p.x)).toEqual([0, 0.2, 0.9]);
    const fromList = frameCoordinatesFromEntry({
      objectHash: "l2",
      shape: "polyline",
      polyline: [
        { x: 0, y: 0 },
        { x: 1, y: 1 },
      ],
    });
    expect(fromList.toFrameFields()).toEqual({ polyline: { "0": { x: 0, y: 0 }, "1": { x: 1, y: 1 } } });
  });

  it("keeps tiny overshoots of real data instead of refusing the row", () => {
    const entry = { objectHash: "ov000001", shape: "bounding_box", boundingBox: { h: 0.5, w: 0.2, x: 1.0000001, y: -0.0000002 } };
    expect(frameCoordinatesFromEntry(entry).toFrameFields()).toEqual({ boundingBox: entry.boundingBox });
  });

  it("names the object and what was found when an entry is malformed", () => {
    expectLabelError(() => frameCoordinatesFromEntry({ objectHash: "abc12345", shape: "segmentation" }), 'Frame object "abc12345"', "segmentation", "keys");
    expectLabelError(
      () => frameCoordinatesFromEntry({ objectHash: "abc12345", shape: "bounding_box", boundingBox: { h: "0.2", w: 0.1, x: 0, y: 0 } }),
      'Frame object "abc12345"',
      'height "0.2" is not a finite number',
    );
    expectLabelError(
      () => frameCoordinatesFromEntry({ objectHash: "abc12345", shape: "bounding_box" }),
      'Frame object "abc12345" boundingBox undefined is not an object',
    );
    expectLabelError(() => frameCoordinatesFromEntry({ objectHash: "p", shape: "point", point: { "1": { x: 0, y: 0 } } }), 'point is {"0": {x, y}}');
    expectLabelError(() => frameCoordinatesFromEntry({ objectHash: "p", shape: "polygon", polygon: {} }), "neither polygon nor polygons holds points");
    expectLabelError(() => frameCoordinatesFromEntry({ objectHash: "p", shape: "polygon", polygons: [[[0.1, 0.2, 0.3]]] }), "3 numbers", "pairs");
    expectLabelError(() => frameCoordinatesFromEntry({ objectHash: "p", shape: "polyline", polyline: { a: { x: 0, y: 0 } } }), 'key "a"');
    expectLabelError(
      () =>
        frameCoordinatesFromEntry({
          objectHash: "p",
          shape: "polyline",
          polyline: [
            { x: 0, y: 0 },
            { x: 1, y: 1, z: 1 },
          ],
        }),
      "mixes 2-D points",
    );
    expectLabelError(() => frameCoordinatesFromEntry({ objectHash: "c", shape: "cuboid_2d", cuboid_2d: { front: [0, 0, 1, 1] } }), "neither vanishingPoint");
    expectLabelError(
      () => frameCoordinatesFromEntry({ objectHash: "c", shape: "cuboid_2d", cuboid_2d: { front: [0, 0, 1, 1], vanishingPoint: { x: 4, y: 3 } } }),
      "vanishingPoint but no scaleRatio",
    );
    expectLabelError(
      () => frameCoordinatesFromEntry({ objectHash: "c", cuboid: { position: [0, 0], orientation: [0, 0, 0], size: [1, 1, 1] } }),
      "position has 2 numbers",
    );
    expectLabelError(
      () => frameCoordinatesFromEntry({ objectHash: "b", bitmask: { width: 2, height: 1.5, rleString: "11" } }),
      "Bitmask height 1.5 is not an integer",
    );
    expectLabelError(() => frameCoordinatesFromEntry({ shape: "bounding_box" }), "Frame object without objectHash");
  });
});

describe("rangeCoordinatesFromAnswer", () => {
  it("reads audio, text and html ranges", () => {
    expect(rangeCoordinatesFromAnswer({ objectHash: "a", shape: "audio", range: [[10, 20]] })).toBeInstanceOf(AudioCoordinates);
    expect(
      rangeCoordinatesFromAnswer({
        objectHash: "t",
        shape: "text",
        range: [
          [0, 5],
          [7, 7],
        ],
      }),
    ).toBeInstanceOf(TextCoordinates);
    const html = rangeCoordinatesFromAnswer({
      objectHash: "h",
      shape: "text",
      range_html: [{ start: { xpath: "/p[1]", offset: 3 }, end: { xpath: "/p[2]", offset: 0 } }],
      range: [],
    });
    expect(html).toBeInstanceOf(HtmlCoordinates);
    expect(isRangeCoordinates(html)).toBe(true);
  });

  it("names the answer and what is accepted when it is malformed", () => {
    expectLabelError(() => rangeCoordinatesFromAnswer({ objectHash: "x1", shape: "bounding_box" }), 'Object answer "x1"', "shape audio or text");
    expectLabelError(() => rangeCoordinatesFromAnswer({ objectHash: "x2", shape: "audio", range: [[1, 2, 3]] }), 'Object answer "x2"', "[start, end]");
    expectLabelError(() => rangeCoordinatesFromAnswer({ objectHash: "x3", shape: "text", range: [[0.5, 2]] }), "start 0.5 is not an integer");
  });
});

describe("building coordinates", () => {
  it("writes exactly the SDK's wire keys", () => {
    expect(new BoundingBoxCoordinates({ height: 0.2, width: 0.1, topLeftX: 0.5, topLeftY: 0.4 }).toFrameFields()).toEqual({
      boundingBox: { h: 0.2, w: 0.1, x: 0.5, y: 0.4 },
    });
    expect(new RotatableBoundingBoxCoordinates({ height: 0.2, width: 0.1, topLeftX: 0.5, topLeftY: 0.4, theta: -15 }).toFrameFields()).toEqual({
      rotatableBoundingBox: { h: 0.2, w: 0.1, x: 0.5, y: 0.4, theta: -15 },
    });
    expect(new PointCoordinate({ x: 0, y: 1 }).toFrameFields()).toEqual({ point: { "0": { x: 0, y: 1 } } });
    expect(
      new PolygonCoordinates({
        values: [
          { x: 0.2, y: 0.1 },
          { x: 0.3, y: 0.2 },
          { x: 0.5, y: 0.3 },
        ],
      }).toFrameFields(),
    ).toEqual({
      polygon: { "0": { x: 0.2, y: 0.1 }, "1": { x: 0.3, y: 0.2 }, "2": { x: 0.5, y: 0.3 } },
      polygons: [[[0.2, 0.1, 0.3, 0.2, 0.5, 0.3]]],
    });
    const front = [
      { x: 0.1, y: 0.1 },
      { x: 0.2, y: 0.1 },
      { x: 0.2, y: 0.2 },
      { x: 0.1, y: 0.2 },
    ];
    expect(new Cuboid2DPerspectiveCoordinates({ front, vanishingPoint: { x: 1.5, y: -0.5 }, scaleRatio: 0.6 }).toFrameFields()).toEqual({
      cuboid_2d: { front: [0.1, 0.1, 0.2, 0.1, 0.2, 0.2, 0.1, 0.2], vanishingPoint: { x: 1.5, y: -0.5 }, scaleRatio: 0.6 },
    });
    expect(new Cuboid2DIsometricCoordinates({ front, offset: { x: 0.05, y: -0.05 } }).toFrameFields()).toEqual({
      cuboid_2d: { front: [0.1, 0.1, 0.2, 0.1, 0.2, 0.2, 0.1, 0.2], offset: { x: 0.05, y: -0.05 } },
    });
    expect(new AudioCoordinates({ range: [{ start: 0, end: 1500 }] }).toAnswerFields()).toEqual({ range: [[0, 1500]] });
    expect(new TextCoordinates({ range: [{ start: 3, end: 3 }] }).toAnswerFields()).toEqual({ range: [[3, 3]] });
    expect(new HtmlCoordinates({ range: [{ start: { xpath: "/a", offset: 0 }, end: { xpath: "/b", offset: 4 } }] }).toAnswerFields()).toEqual({
      range_html: [{ start: { xpath: "/a", offset: 0 }, end: { xpath: "/b", offset: 4 } }],
      range: [],
    });
  });

  it("derives values from polygons and keeps holes", () => {
    const polygon = new PolygonCoordinates({
      polygons: [
        [
          [
            { x: 0, y: 0 },
            { x: 1, y: 0 },
            { x: 1, y: 1 },
          ],
          [
            { x: 0.5, y: 0.2 },
            { x: 0.7, y: 0.2 },
            { x: 0.7, y: 0.4 },
          ],
        ],
      ],
    });
    expect(polygon.values).toHaveLength(3);
    expect(polygon.values[0]).toBeInstanceOf(PointCoordinate);
    expect(polygon.toFrameFields().polygons).toEqual([
      [
        [0, 0, 1, 0, 1, 1],
        [0.5, 0.2, 0.7, 0.2, 0.7, 0.4],
      ],
    ]);
  });

  it("is immutable and keeps no reference to the caller's arrays", () => {
    const points = [
      { x: 0.1, y: 0.1 },
      { x: 0.2, y: 0.2 },
    ];
    const line = new PolylineCoordinates({ values: points });
    points[0] = { x: 0.9, y: 0.9 };
    expect(line.values[0]?.x).toBe(0.1);
    expect(Object.isFrozen(line) && Object.isFrozen(line.values) && Object.isFrozen(line.values[0])).toBe(true);
    const box = new BoundingBoxCoordinates({ height: 0.2, width: 0.1, topLeftX: 0.5, topLeftY: 0.4 });
    expect(() => {
      (box as { topLeftX: number }).topLeftX = 0.6;
    }).toThrow(TypeError);
  });

  it("has the ontology shape of each kind", () => {
    const shapes = [
      new BoundingBoxCoordinates({ height: 0, width: 0, topLeftX: 0, topLeftY: 0 }).shape,
      new RotatableBoundingBoxCoordinates({ height: 0, width: 0, topLeftX: 0, topLeftY: 0, theta: 0 }).shape,
      new PointCoordinate({ x: 0, y: 0 }).shape,
      new PolylineCoordinates({
        values: [
          { x: 0, y: 0 },
          { x: 1, y: 1 },
        ],
      }).shape,
      new SkeletonCoordinates({ values: [] }).shape,
      new CuboidCoordinates({ position: [0, 0, 0], orientation: [0, 0, 0], size: [0, 0, 0] }).shape,
      new AudioCoordinates({ range: [{ start: 0, end: 0 }] }).shape,
      new TextCoordinates({ range: [{ start: 0, end: 0 }] }).shape,
      new HtmlCoordinates({ range: [{ start: { xpath: "/", offset: 0 }, end: { xpath: "/", offset: 0 } }] }).shape,
    ];
    expect(shapes).toEqual(["bounding_box", "rotatable_bounding_box", "point", "polyline", "skeleton", "cuboid", "audio", "text", "text"]);
  });
});

describe("validation of user-built coordinates", () => {
  const box = { height: 0.2, width: 0.1, topLeftX: 0.5, topLeftY: 0.4 };
  const tri = [
    { x: 0.1, y: 0.1 },
    { x: 0.9, y: 0.1 },
    { x: 0.5, y: 0.9 },
  ];
  const front = [
    { x: 0.1, y: 0.1 },
    { x: 0.2, y: 0.1 },
    { x: 0.2, y: 0.2 },
    { x: 0.1, y: 0.2 },
  ];

  it("bounding boxes", () => {
    expectLabelError(
      () => new BoundingBoxCoordinates({ ...box, topLeftX: 1.4 }),
      "Bounding box topLeftX 1.4 is outside 0..1; coordinates are normalised to the image size.",
    );
    expectLabelError(() => new BoundingBoxCoordinates({ ...box, topLeftY: -0.1 }), "topLeftY -0.1 is outside 0..1");
    expectLabelError(() => new BoundingBoxCoordinates({ ...box, width: -0.1 }), "Bounding box width -0.1 is negative", "0..1");
    expectLabelError(() => new BoundingBoxCoordinates({ ...box, height: 1.2 }), "Bounding box height 1.2 is outside 0..1");
    expectLabelError(() => new BoundingBoxCoordinates({ ...box, height: Number.NaN }), "Bounding box height NaN is not a finite number");
    expectLabelError(() => new BoundingBoxCoordinates({ ...box, width: Number.POSITIVE_INFINITY }), "width Infinity is not a finite number");
  });

  it("rotatable boxes", () => {
    expectLabelError(() => new RotatableBoundingBoxCoordinates({ ...box, theta: Number.NaN }), "Rotatable bounding box theta NaN is not a finite number");
    expectLabelError(() => new RotatableBoundingBoxCoordinates({ ...box, topLeftX: 2, theta: 0 }), "Rotatable bounding box topLeftX 2 is outside 0..1");
  });

  it("points, polygons and polylines", () => {
    expectLabelError(() => new PointCoordinate({ x: 0.5, y: 1.01 }), "Point y 1.01 is outside 0..1", "normalised to the image size");
    expectLabelError(() => new PolygonCoordinates({ values: tri.slice(0, 2) }), "Polygon has 2 points; at least 3 are needed.");
    expectLabelError(() => new PolygonCoordinates({ values: [...tri.slice(0, 2), { x: 3, y: 0 }] }), "Polygon point 2 x 3 is outside 0..1");
    expectLabelError(() => new PolygonCoordinates({ polygons: [] }), "Polygon polygons has 0 polygons; at least 1 are needed.");
    expectLabelError(() => new PolygonCoordinates({ polygons: [[tri, tri.slice(1)]] }), "Polygon 0 ring 1 has 2 points");
    expectLabelError(() => new PolygonCoordinates({ values: tri, polygons: [[tri]] } as never), "both values and polygons");
    expectLabelError(() => new PolygonCoordinates({ values: [...tri, { x: 0, y: 0, z: 1 }] }), "Polygon point 3 has a z coordinate");
    expectLabelError(() => new PolylineCoordinates({ values: [{ x: 0, y: 0 }] }), "Polyline has 1 point; at least 2 are needed.");
    expectLabelError(
      () =>
        new PolylineCoordinates({
          values: [
            { x: 0, y: 0 },
            { x: -1, y: 0 },
          ],
        }),
      "Polyline point 1 x -1 is outside 0..1",
    );
  });

  it("skeletons", () => {
    expectLabelError(() => new SkeletonCoordinates({ values: [{ x: 1.5, y: 0, name: "nose" }] }), "Skeleton point 0 x 1.5 is outside 0..1");
    expectLabelError(
      () => new SkeletonCoordinates({ values: [{ x: 0.5, y: 0.5, name: "nose", visibility: "hidden" as never }] }),
      'visibility "hidden" is not accepted',
      "visible, invisible, occluded, selfOccluded",
    );
    expectLabelError(() => new SkeletonCoordinates({ values: [{ x: 0.5, y: 0.5 } as never] }), "Skeleton point 0 name undefined is not a string");
  });

  it("cuboids", () => {
    expectLabelError(() => new Cuboid2DPerspectiveCoordinates({ front, vanishingPoint: { x: 0, y: 0 }, scaleRatio: Number.NaN }), "Cuboid 2D scaleRatio NaN");
    expectLabelError(
      () => new Cuboid2DPerspectiveCoordinates({ front: front.slice(0, 3), vanishingPoint: { x: 0, y: 0 }, scaleRatio: 1 }),
      "front has 3 points",
      "4 points",
    );
    expectLabelError(
      () => new Cuboid2DIsometricCoordinates({ front: [{ x: 1.2, y: 0 }, ...front.slice(1)], offset: { x: 0, y: 0 } }),
      "Cuboid 2D front point 0 x 1.2 is outside 0..1",
    );
    expectLabelError(() => new Cuboid2DIsometricCoordinates({ front, offset: { x: Number.NaN, y: 0 } }), "Cuboid 2D offset x NaN");
    expectLabelError(() => new CuboidCoordinates({ position: [0, 0, 0], orientation: [0, 0, 0], size: [1, -1, 1] }), "Cuboid size[1] -1 is negative");
    expectLabelError(() => new CuboidCoordinates({ position: [0, 0, Number.NaN], orientation: [0, 0, 0], size: [1, 1, 1] }), "Cuboid position[2] NaN");
  });

  it("ranges", () => {
    expectLabelError(() => new AudioCoordinates({ range: [{ start: 10, end: 5 }] }), "Audio range 0 starts at 10 after its end 5", "milliseconds");
    expectLabelError(() => new AudioCoordinates({ range: [] }), "Audio range is empty");
    expectLabelError(() => new TextCoordinates({ range: [{ start: -1, end: 5 }] }), "Text range 0 start -1 is below 0", "characters");
    expectLabelError(() => new TextCoordinates({ range: [{ start: 0, end: 2.5 }] }), "Text range 0 end 2.5 is not an integer");
    expectLabelError(
      () => new HtmlCoordinates({ range: [{ start: { xpath: "/p", offset: -2 }, end: { xpath: "/p", offset: 0 } }] }),
      "HTML range 0 start offset -2 is below 0",
    );
    expectLabelError(
      () => new HtmlCoordinates({ range: [{ start: { xpath: 3, offset: 0 }, end: { xpath: "/p", offset: 0 } } as never] }),
      "xpath 3 is not a string",
    );
  });
});

describe("checkCoordinatesFitShape", () => {
  const box = new BoundingBoxCoordinates({ height: 0.2, width: 0.1, topLeftX: 0.5, topLeftY: 0.4 });

  it("accepts coordinates of the object's shape; html and text both fit shape text", () => {
    expect(() => checkCoordinatesFitShape(box, "bounding_box", "Box")).not.toThrow();
    expect(() => checkCoordinatesFitShape(new TextCoordinates({ range: [{ start: 0, end: 1 }] }), "text", "Span")).not.toThrow();
    const html = new HtmlCoordinates({ range: [{ start: { xpath: "/p", offset: 0 }, end: { xpath: "/p", offset: 1 } }] });
    expect(() => checkCoordinatesFitShape(html, "text", "Span")).not.toThrow();
    const iso = new Cuboid2DIsometricCoordinates({
      front: [
        { x: 0, y: 0 },
        { x: 1, y: 0 },
        { x: 1, y: 1 },
        { x: 0, y: 1 },
      ],
      offset: { x: 0.1, y: 0.1 },
    });
    expect(() => checkCoordinatesFitShape(iso, "cuboid_2d", "Car")).not.toThrow();
  });

  it("refuses coordinates of another shape and names the class to use", () => {
    expectLabelError(
      () => checkCoordinatesFitShape(box, "polygon", "Polygon"),
      'Object "Polygon" has shape polygon; BoundingBoxCoordinates do not fit it (use PolygonCoordinates).',
    );
    expectLabelError(
      () => checkCoordinatesFitShape(new AudioCoordinates({ range: [{ start: 0, end: 1 }] }), "text", "Span"),
      "AudioCoordinates do not fit it (use TextCoordinates or HtmlCoordinates)",
    );
    expectLabelError(() => checkCoordinatesFitShape(box, "segmentation", "Seg"), "no coordinates can be set on shape segmentation");
  });
});
