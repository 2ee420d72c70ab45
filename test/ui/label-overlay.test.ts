/**
 * The task page's drawing of labels, rasterised without a browser: the overlay SVG goes through
 * sharp (librsvg), and the pixels are read back where each shape's edge, fill or hole must be.
 */
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { LabelRow, localBackend, type LabelRowJson } from "../../src/index.js";
import { LabelOverlay, bitmaskImages, displayScale } from "../../src/ui/label-overlay/label-overlay.js";
import { listLabels } from "../../src/ui/label-overlay/label-list.js";
import { overlayShapes } from "../../src/ui/label-overlay/overlay-shapes.js";
import { tempDir } from "../support/temp-dir.js";
import { IMAGE, MASK_SQUARE, makeShapesProject } from "./support/shapes-project.js";

async function shapesRow(): Promise<LabelRow> {
  using dir = tempDir();
  await using backend = localBackend({ storePath: `${dir.path}/store.db` });
  const { projectHash, dataHash } = await makeShapesProject(backend, dir.path);
  const project = await backend.getProject(projectHash);
  const [dict] = await backend.getLabelRows(projectHash, [dataHash]);
  return LabelRow.fromEncordDict(dict as LabelRowJson, { ontology: project.ontology });
}

async function rasterise(row: LabelRow): Promise<{ svg: string; pixel: (x: number, y: number) => [number, number, number] }> {
  const shapes = overlayShapes(row, 0, IMAGE);
  // hono/jsx elements render to their markup as strings.
  const svg = (LabelOverlay({ size: IMAGE, shapes, bitmasks: await bitmaskImages(shapes) }) as { toString(): string }).toString();
  const { data, info } = await sharp(Buffer.from(svg)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  // A small frame is shown enlarged by a whole factor; image pixel (x, y) is then at (x, y) × scale.
  const scale = displayScale(IMAGE);
  expect(scale).toBe(3);
  expect([info.width, info.height]).toEqual([IMAGE.width * scale, IMAGE.height * scale]);
  return {
    svg,
    pixel: (x, y) => {
      const at = (Math.round(y * scale) * info.width + Math.round(x * scale)) * info.channels;
      return [data[at]!, data[at + 1]!, data[at + 2]!];
    },
  };
}

const BLANK: [number, number, number] = [0xe9, 0xec, 0xef];

describe("label overlay", () => {
  it("places every object in pixels of the frame, with the ontology's titles and colours", async () => {
    const shapes = overlayShapes(await shapesRow(), 0, IMAGE);
    expect(shapes.map((s) => [s.title, s.kind, s.color])).toEqual([
      ["Box", "box", "#ff0000"],
      ["Rotated", "box", "#00aa00"],
      ["Region", "polygon", "#0000ff"],
      ["Line", "polyline", "#ff8800"],
      ["Dot", "point", "#aa00aa"],
      ["Pose", "skeleton", "#00aaaa"],
      ["Mask", "bitmask", "#ffff00"],
      ["Crate", "cuboid", "#8844ff"],
    ]);
    const box = shapes[0]!;
    expect(box).toMatchObject({ kind: "box", rotationDegrees: 0 });
    if (box.kind !== "box") throw new Error("not a box");
    for (const [got, want] of [
      [box.x, 20],
      [box.y, 20],
      [box.width, 40],
      [box.height, 40],
    ] as const)
      expect(got).toBeCloseTo(want, 6);
    expect(shapes[1]).toMatchObject({ kind: "box", rotationDegrees: 30 });
    const pose = shapes[5]!;
    if (pose.kind !== "skeleton") throw new Error("not a skeleton");
    // The edge comes from the ontology's skeleton template, head (0) to hip (1).
    expect(pose.edges).toEqual([[0, 1]]);
    const crate = shapes[7]!;
    if (crate.kind !== "cuboid") throw new Error("not a cuboid");
    expect(crate.back[0]!.x).toBeCloseTo(146, 6);
    expect(crate.back[0]!.y).toBeCloseTo(54, 6);
  });

  it("draws a box's edge at its pixels and leaves its inside clear", async () => {
    const { pixel } = await rasterise(await shapesRow());
    // Left and top edges of the box (x 20..60, y 20..60) are red; its middle and the outside are not.
    expect(pixel(20, 40)).toEqual([255, 0, 0]);
    expect(pixel(40, 20)).toEqual([255, 0, 0]);
    expect(pixel(40, 40)).toEqual(BLANK);
    expect(pixel(14, 40)).toEqual(BLANK);
  });

  it("fills a polygon but not its hole, and draws a bitmask as a translucent image", async () => {
    const { pixel, svg } = await rasterise(await shapesRow());
    const filled = pixel(78, 48);
    const hole = pixel(100, 67);
    expect(hole).toEqual(BLANK);
    expect(filled[2]).toBeGreaterThan(filled[0] + 40); // tinted blue
    expect(svg).toContain('fill-rule="evenodd"');
    const masked = pixel(MASK_SQUARE.x + 10, MASK_SQUARE.y + 10);
    const beside = pixel(MASK_SQUARE.x + MASK_SQUARE.size + 3, MASK_SQUARE.y + 10);
    expect(beside).toEqual(BLANK);
    // Yellow over the light grey: red and green stay high, blue drops, but not to 0 (translucent).
    expect(masked[0]).toBeGreaterThan(230);
    expect(masked[2]).toBeLessThan(180);
    expect(masked[2]).toBeGreaterThan(60);
  });

  it("groups each object under its class for the page's toggles, with its title", async () => {
    const { svg } = await rasterise(await shapesRow());
    expect(svg).toMatch(/<g class="label box" data-feature="f-1" data-object="[^"]+"><title>Box \(/);
    expect(svg).toContain(">Region</text>");
    expect(svg).toMatch(/<g class="label skeleton"[^>]*>.*<line /);
  });

  it("writes no markup from ontology text: titles are escaped and colours that are not hex are replaced", async () => {
    const row = await shapesRow();
    const spec = row.ontology.toDict() as { objects: { name: string; color: string }[] };
    spec.objects[0]!.name = '<script>alert("x")</script>';
    spec.objects[0]!.color = 'red" onclick="alert(1)';
    const hostile = LabelRow.fromEncordDict(row.toEncordDict(), { ontology: spec });
    const { svg } = await rasterise(hostile);
    expect(svg).not.toContain("<script>");
    expect(svg).toContain("&lt;script&gt;");
    expect(svg).not.toContain("onclick");
  });

  it("lists classifications and answers beside the drawing", async () => {
    const listed = listLabels(await shapesRow(), 0);
    const weather = listed.find((l) => l.kind === "classification");
    expect(weather).toMatchObject({ title: "Weather", where: "frame 0", onFrame: true, answers: [{ question: "Weather", answer: "sunny" }] });
    expect(listed.filter((l) => l.kind === "object").map((l) => l.where)).toEqual(Array(8).fill("frame 0"));
  });
});
