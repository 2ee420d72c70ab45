/**
 * Every media example of the README, run the way users run them: `task-agents run <file>` on a
 * local store holding the example project and files.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { LabelRow, localBackend, type LocalBackend } from "../../src/index.js";
import { cli } from "../support/run-cli.js";
import { paths } from "../support/paths.js";
import { tempDir } from "../support/temp-dir.js";

const example = (name: string) => fileURLToPath(new URL(`../../examples/agents/${name}`, import.meta.url));

describe("media examples", () => {
  let dir: ReturnType<typeof tempDir>;
  let storePath: string;
  let store: LocalBackend;

  beforeEach(() => {
    dir = tempDir();
    storePath = join(dir.path, "store.db");
    store = localBackend({ storePath });
  });

  afterEach(async () => {
    await store.close();
    dir[Symbol.dispose]();
  });

  async function run(file: string, projectHash: string): Promise<string> {
    const result = await cli(["run", example(file), "--project-hash", projectHash, "--store", storePath]);
    expect(result.stderr).not.toMatch(/Error/);
    expect(result.code).toBe(0);
    return result.stdout;
  }

  async function titlesIn(projectHash: string, stageTitle: string): Promise<string[]> {
    const project = await store.getProject(projectHash);
    const stage = project.stages.find((s) => s.title === stageTitle)!;
    return (await store.listStageTasks(projectHash, stage.uuid)).tasks.map((t) => t.dataTitle).sort();
  }

  async function rowOf(projectHash: string, title: string): Promise<LabelRow> {
    const task = (await store.listProjectTasks(projectHash)).tasks.find((t) => t.dataTitle === title)!;
    const [row] = await store.getLabelRows(projectHash, [task.dataHash]);
    return LabelRow.fromEncordDict(row!, { ontology: (await store.getProject(projectHash)).ontology });
  }

  test("find-blobs (videoFrames) boxes each colour on every frame; describe-crops (objectCrops) names the colours", async () => {
    const hash = store.createProject(paths.mediaSpec);
    await store.addData(hash, { paths: [paths.mediaData], actor: "tester" });
    await run("media/find-blobs.ts", hash);
    expect(await titlesIn(hash, "Describe")).toEqual(["moving-square.mp4", "one-red.png", "red-and-blue.png", "three-blobs.png"]);
    expect(await titlesIn(hash, "Complete")).toEqual(["empty.png"]);

    const three = await rowOf(hash, "three-blobs.png");
    expect(three.getObjectInstances()).toHaveLength(3);
    // The red rectangle of three-blobs.png: x 120..149, y 10..39 of 160x120.
    const boxes = three.getObjectInstances().map((i) => i.getAnnotation(0).coordinates);
    expect(boxes).toContainEqual(expect.objectContaining({ topLeftX: 120 / 160, topLeftY: 10 / 120, width: 30 / 160, height: 30 / 120 }));
    // The clip: the red square moves through all 48 frames, the green disc sits still.
    const clip = await rowOf(hash, "moving-square.mp4");
    expect(
      clip
        .getObjectInstances()
        .map((i) => i.getAnnotationFrames().length)
        .sort((a, b) => a - b),
    ).toEqual([48, 48]);

    await run("media/describe-crops.ts", hash);
    expect(await titlesIn(hash, "Review")).toEqual(["moving-square.mp4", "one-red.png", "red-and-blue.png", "three-blobs.png"]);
    const described = await rowOf(hash, "red-and-blue.png");
    const colour = described.ontology.getChildByTitle("Colour", "attribute");
    const answers = described
      .getObjectInstances()
      .map((i) => (i.getAnswer(colour) as { label: string } | undefined)?.label)
      .sort();
    expect(answers).toEqual(["blue", "red"]);
  });

  test("sample-lighting (videoSampler) answers Lighting for images and the clip", async () => {
    const hash = store.createProject(paths.mediaSpec);
    await store.addData(hash, { paths: [join(paths.mediaData, "one-red.png"), join(paths.mediaData, "moving-square.mp4")], actor: "tester" });
    const output = await run("media/sample-lighting.ts", hash);
    expect(output).toMatch(/Detect\s+2\s+2\s+0\s/);
    const clip = await rowOf(hash, "moving-square.mp4");
    expect(clip.getClassificationInstances()[0]!.getAnswer()).toMatchObject({ label: "dark" });
  });

  test("route-by-brightness (singleFrame) and file-facts (asset) run on the demo project", async () => {
    const hash = store.createProject(paths.demoSpec);
    await store.addData(hash, { manifest: paths.demoManifest, actor: "tester" });
    await run("route-by-brightness.ts", hash);
    const annotate = await titlesIn(hash, "Annotate");
    const skipped = await titlesIn(hash, "Complete");
    expect(annotate.length + skipped.length).toBe(36);
    expect(annotate.length).toBeGreaterThan(0);
    expect(skipped.length).toBeGreaterThan(0);

    const second = store.createProject(paths.demoSpec);
    await store.addData(second, { manifest: paths.demoManifest, actor: "tester" });
    await run("file-facts.ts", second);
    expect(await titlesIn(second, "Annotate")).toHaveLength(36);
    const [metadata] = await store.getLabelRowMetadata(second, [(await store.listProjectTasks(second)).tasks[0]!.dataHash]);
    expect(metadata!.priority).toBeGreaterThan(0);
  });

  test("copy-from-twin (twinLabelRow) copies the demo agent's answers into the twin project", async () => {
    const demo = store.createProject(paths.demoSpec);
    await store.addData(demo, { manifest: paths.demoManifest, actor: "tester" });
    const twin = store.createProject(paths.twinSpec);
    await store.addData(twin, { manifest: paths.demoManifest, actor: "tester" });

    // Before the demo's agent ran there is nothing to copy.
    process.env.SOURCE_PROJECT_HASH = demo;
    try {
      await run("prelabel.ts", demo);
      await run("copy-from-twin.ts", twin);
    } finally {
      delete process.env.SOURCE_PROJECT_HASH;
    }
    expect(await titlesIn(twin, "Review")).toHaveLength(36);
    for (const title of ["harbour-01.png", "meadow-02.png"]) {
      const source = (await rowOf(demo, title)).getClassificationInstances()[0]!.getAnswer() as { label: string };
      const copied = (await rowOf(twin, title)).getClassificationInstances()[0]!.getAnswer() as { label: string };
      expect(copied.label).toBe(source.label);
    }
  });
});
