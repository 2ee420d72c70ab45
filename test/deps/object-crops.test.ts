import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { decodeVideoFrame } from "../../src/media/video-frames.js";
import { BoundingBoxCoordinates, decodeImage, LabelRow, labelRow, objectCrops, Runner, type ObjectCrop } from "../../src/index.js";
import { backends } from "../support/backend-fixtures.js";
import { paths } from "../support/paths.js";

const blobs = join(paths.mediaData, "three-blobs.png");
const clip = join(paths.mediaData, "moving-square.mp4");

describe.each(backends)("on $name", ({ create }) => {
  describe("objectCrops", () => {
    test("crops every box on the frame, with the instance of the handler's own label row", async () => {
      await using store = await create({ spec: paths.mediaSpec, items: [blobs, clip] });
      // Detect: a box over the red square (120,10 30x30 px in the 160x120 image) on frame 0 of the image
      // and on frame 10 of the clip (where the square sits at x = 34..53, y = 44..63).
      const detect = new Runner({ projectHash: store.projectHash, backend: store.backend });
      detect.stage("Detect", { deps: { labelRow } }, ({ labelRow, task }) => {
        const blob = labelRow.ontology.getChildByTitle("Blob", "object").createInstance();
        const isClip = task.dataTitle.endsWith(".mp4");
        const box = isClip
          ? new BoundingBoxCoordinates({ topLeftX: 34 / 160, topLeftY: 44 / 120, width: 20 / 160, height: 20 / 120 })
          : new BoundingBoxCoordinates({ topLeftX: 120 / 160, topLeftY: 10 / 120, width: 30 / 160, height: 30 / 120 });
        blob.setForFrames(box, { frames: isClip ? 10 : 0 });
        labelRow.addObjectInstance(blob);
        return { pathway: "describe", labelRow };
      });
      await detect.execute({ output: "silent" });

      // The image's crops are on frame 0 (the bare dependency), the clip's on frame 10.
      const seen = new Map<string, { crops: ObjectCrop[]; sameRow: boolean }>();
      const handler = ({ labelRow, crops, task }: { labelRow: LabelRow; crops: ObjectCrop[]; task: { dataTitle: string } }) => {
        const found = crops;
        seen.set(task.dataTitle, { crops: found, sameRow: found.every((c) => labelRow.getObjectInstances().includes(c.instance)) });
        const colour = labelRow.ontology.getChildByTitle("Colour", "attribute");
        for (const crop of found) crop.instance.setAnswer(labelRow.ontology.getChildByTitle("red", "option"), { attribute: colour });
        return { pathway: "review", labelRow };
      };
      const [imageTask] = (await store.tasksIn("Describe")).filter((t) => t.dataTitle === "three-blobs.png");
      const onImage = new Runner({ projectHash: store.projectHash, backend: store.backend });
      onImage.stage("Describe", { deps: { labelRow, crops: objectCrops } }, (ctx) => (ctx.task.uuid === imageTask!.uuid ? handler(ctx) : null));
      const onClip = new Runner({ projectHash: store.projectHash, backend: store.backend });
      onClip.stage("Describe", { deps: { labelRow, crops: objectCrops(10) } }, (ctx) => (ctx.task.uuid === imageTask!.uuid ? null : handler(ctx)));
      // In this order: once the image has gone to Review, only the clip is left for frame 10.
      for (const runner of [onImage, onClip]) {
        const report = await runner.execute({ output: "silent" });
        expect(report.stages[0]!.failures).toEqual([]);
      }

      const image = seen.get("three-blobs.png")!;
      expect(image.sameRow).toBe(true);
      expect(image.crops).toHaveLength(1);
      const [crop] = image.crops;
      expect(crop!.box).toEqual({ x: 120, y: 10, width: 30, height: 30 });
      expect(crop!.frame).toBe(0);
      expect(Buffer.from(crop!.image.data).equals(Buffer.from((await decodeImage(blobs)).crop(crop!.box).data))).toBe(true);
      expect(crop!.mask.every((v) => v === 1)).toBe(true);

      const video = seen.get("moving-square.mp4")!;
      expect(video.crops).toHaveLength(1);
      expect(video.crops[0]!.box).toEqual({ x: 34, y: 44, width: 20, height: 20 });
      expect(Buffer.from(video.crops[0]!.image.data).equals(Buffer.from((await decodeVideoFrame(clip, 10)).crop(video.crops[0]!.box).data))).toBe(true);
      // The clip's frame 0 has no box: the bare dependency (frame 0) found nothing there.

      // The answers set on the crops' instances were saved with the batch.
      const reviewed = await store.tasksIn("Review");
      expect(reviewed).toHaveLength(2);
      for (const task of reviewed) {
        const row = LabelRow.fromEncordDict(await store.labelRow(task.dataHash), { ontology: store.project.ontology });
        const [instance] = row.getObjectInstances();
        expect(instance!.getAnswer(row.ontology.getChildByTitle("Colour", "attribute"))).toMatchObject({ label: "red" });
      }
    });

    test("rejects a bad frame number when it is declared", () => {
      expect(() => objectCrops(-2)).toThrow(/objectCrops\(\): frame must be a whole number ≥ 0/);
      expect(objectCrops(3)).toBe(objectCrops({ frame: 3 }));
      expect(objectCrops(0)).toBe(objectCrops);
    });
  });
});
