/**
 * The media helpers on an Encord image group (the fake server): each image of the group is a
 * child storage item of its own, listed by `getChildItems` and downloaded from its signed URL
 * only when a helper reads it; downloads go to task-agents-asset-* folders and are removed after
 * the task.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { asset, Runner, singleFrame, videoFrames, type RgbImage } from "../../src/index.js";
import { createEncordProjectFromItems, type EncordProject } from "../support/backend-fixtures.js";
import type { FakeItemSpec } from "../support/fake-encord/index.js";

type Rgb = readonly [number, number, number];

const red: Rgb = [220, 30, 30];
const green: Rgb = [30, 200, 60];
const blue: Rgb = [40, 60, 230];
const yellow: Rgb = [240, 220, 20];

/** An 8×6 PNG of one colour. */
function solidPng([r, g, b]: Rgb): Promise<Buffer> {
  return sharp({ create: { width: 8, height: 6, channels: 3, background: { r, g, b } } })
    .png()
    .toBuffer();
}

/** The colour of an image, checked to be the same on every pixel. */
function colourOf(image: RgbImage): Rgb {
  const first = image.pixel(0, 0);
  for (let y = 0; y < image.height; y++) for (let x = 0; x < image.width; x++) expect(image.pixel(x, y)).toEqual(first);
  return first;
}

const GROUP = "colours";
const IMAGE = "plain.png";

let yellowPng: Buffer;
let items: FakeItemSpec[];
let project: EncordProject;
let savedTmpdir: string | undefined;
let privateTmp: string;

/** The download folders now in the temp folder. */
function assetFolders(): string[] {
  return readdirSync(tmpdir()).filter((name) => name.startsWith("task-agents-asset-"));
}

/** The signed-URL downloads the fake served since `from`, by storage item uuid. */
function downloadsSince(from: number): string[] {
  return project.fake.requests.slice(from).flatMap((r) => (r.api === "file" && r.method === "GET" ? [decodeURIComponent(r.path.slice("/files/".length))] : []));
}

/** The uuids of the group's images, in frame order. */
function groupImages(): readonly string[] {
  const task = project.fake.state.tasks.find((t) => t.dataTitle === GROUP)!;
  const row = project.fake.state.labelRows.of(project.projectHash, task.dataHash)!;
  return project.fake.state.storageItems.get(row.itemUuid)!.childUuids;
}

beforeAll(async () => {
  // A temp folder of this file's own (forked workers do not share env), so other suites' downloads cannot be counted.
  savedTmpdir = process.env["TMPDIR"];
  privateTmp = mkdtempSync(join(tmpdir(), "image-groups-test-"));
  process.env["TMPDIR"] = privateTmp;
  yellowPng = await solidPng(yellow);
  const frames = await Promise.all([red, green, blue].map(solidPng));
  items = [
    { title: GROUP, dataType: "img_group", mimeType: "image/png", width: 8, height: 6, frames },
    { title: IMAGE, dataType: "image", mimeType: "image/png", width: 8, height: 6, fileBytes: yellowPng },
  ];
});

afterAll(() => {
  if (savedTmpdir === undefined) delete process.env["TMPDIR"];
  else process.env["TMPDIR"] = savedTmpdir;
  rmSync(privateTmp, { recursive: true, force: true });
});

let foldersBefore: string[];

beforeEach(async () => {
  project = await createEncordProjectFromItems(items);
  foldersBefore = assetFolders();
});

afterEach(async () => {
  await project.close();
});

/** A runner on the project's agent stage. */
function runner(): Runner {
  return new Runner({ projectHash: project.projectHash, backend: project.backend });
}

describe("an Encord image group", () => {
  test("singleFrame is image 0 of the group and singleFrame({ frame: 2 }) image 2, each downloaded alone and removed after the task", async () => {
    const first = runner();
    const colours = new Map<string, Rgb>();
    let foldersWhileRunning = 0;
    first.stage("Pre-label", { deps: { image: singleFrame } }, ({ image, task }) => {
      colours.set(task.dataTitle, colourOf(image));
      foldersWhileRunning = Math.max(foldersWhileRunning, assetFolders().length);
      return null;
    });
    let mark = project.fake.requests.length;
    expect((await first.execute({ output: "silent" })).stages[0]).toMatchObject({ seen: 2, failed: 0 });
    expect(colours.get(GROUP)).toEqual(red);
    expect(colours.get(IMAGE)).toEqual(yellow);
    const images = groupImages();
    expect(downloadsSince(mark)).toContain(images[0]);
    expect(downloadsSince(mark)).not.toContain(images[1]);
    expect(foldersWhileRunning).toBeGreaterThan(0);

    const third = runner();
    third.stage("Pre-label", { deps: { image: singleFrame({ frame: 2 }) } }, ({ image, task }) => {
      colours.set(task.dataTitle, colourOf(image));
      return null;
    });
    mark = project.fake.requests.length;
    const report = await third.execute({ output: "silent" });
    expect(colours.get(GROUP)).toEqual(blue);
    expect(downloadsSince(mark).filter((uuid) => images.includes(uuid))).toEqual([images[2]]);
    // The plain image has one frame: frame 2 fails it.
    expect(report.stages[0]!.failures).toEqual([expect.objectContaining({ dataTitle: IMAGE, attempts: 1 })]);

    expect(assetFolders()).toEqual(foldersBefore);
  });

  test("singleFrame({ frame: 3 }) fails the task once with a MediaError saying the group has 3 images", async () => {
    const run = runner();
    let calls = 0;
    run.stage("Pre-label", { deps: { image: singleFrame({ frame: 3 }) } }, () => {
      calls++;
      return "annotate";
    });
    const report = await run.execute({ output: "silent", numRetries: 3 });
    expect(calls).toBe(0);
    const failure = report.stages[0]!.failures.find((f) => f.dataTitle === GROUP);
    expect(failure).toMatchObject({ attempts: 1, error: { name: "MediaError" } });
    expect(failure!.error.message).toMatch(/has no frame 3: it has 3 images \(frames 0–2\)/);
    expect(failure!.error.message).toContain(`"${GROUP}", an image group`);
    expect((await project.tasksIn("Pre-label")).map((t) => t.dataTitle).sort()).toEqual([GROUP, IMAGE]);
    expect(assetFolders()).toEqual(foldersBefore);
  });

  test("videoFrames yields images 0, 1 and 2 of the group in order, and the one frame of an image", async () => {
    const run = runner();
    const seen = new Map<string, { frame: number; colour: Rgb }[]>();
    run.stage("Pre-label", { deps: { videoFrames } }, async ({ videoFrames, task }) => {
      const frames: { frame: number; colour: Rgb }[] = [];
      for await (const { frame, image } of videoFrames) frames.push({ frame, colour: colourOf(image) });
      seen.set(task.dataTitle, frames);
      return "annotate";
    });
    expect((await run.execute({ output: "silent" })).stages[0]).toMatchObject({ succeeded: 2, failed: 0 });
    expect(seen.get(GROUP)).toEqual([
      { frame: 0, colour: red },
      { frame: 1, colour: green },
      { frame: 2, colour: blue },
    ]);
    expect(seen.get(IMAGE)).toEqual([{ frame: 0, colour: yellow }]);
    expect(await project.tasksIn("Annotate")).toHaveLength(2);
    expect(assetFolders()).toEqual(foldersBefore);
  });

  test("asset fails on the group, telling to use singleFrame; the image's asset is its file", async () => {
    const run = runner();
    let imageBytes: Buffer | undefined;
    run.stage("Pre-label", { deps: { asset } }, ({ asset, task }) => {
      if (task.dataTitle === IMAGE) imageBytes = readFileSync(asset);
      return "annotate";
    });
    const report = await run.execute({ output: "silent", numRetries: 3 });
    expect(imageBytes?.equals(yellowPng)).toBe(true);
    expect(report.stages[0]!.failures).toEqual([
      expect.objectContaining({ dataTitle: GROUP, attempts: 1, error: expect.objectContaining({ name: "MediaError" }) as unknown }),
    ]);
    const { message } = report.stages[0]!.failures[0]!.error;
    expect(message).toMatch(/has no single file/);
    expect(message).toContain("Use singleFrame({ frame: N }) for image N");
    expect((await project.tasksIn("Pre-label")).map((t) => t.dataTitle)).toEqual([GROUP]);
    expect(assetFolders()).toEqual(foldersBefore);
  });
});
