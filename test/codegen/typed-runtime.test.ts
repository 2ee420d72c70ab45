/**
 * Typed projects at run time: a typed Runner and QueueRunner run as untyped ones do, a module
 * that no longer matches its project stops the run before any task moves (naming each difference
 * and the codegen command), and ontology references resolve to the label row's own nodes.
 */
import { describe, expect, test } from "vitest";
import { ontologyShape, shapeOfProject } from "../../src/codegen/shape-of-project.js";
import {
  defineProject,
  isConfigurationError,
  LabelError,
  Ontology,
  QueueRunner,
  Runner,
  labelRow,
  toTaskSpec,
  type AgentTask,
  type ProjectShape,
} from "../../src/index.js";
import { demoStore } from "../support/project-fixture.js";
import { silentLogger } from "../support/queue-fixture.js";
import demo from "../../examples/agents/demo-project.js";

const codegen = "task-agents codegen examples/demo-project.yaml --out examples/agents/demo-project.ts";

/** The demo module's shape with a change, as a stale module would hold it. */
function changed(edit: (shape: { -readonly [K in keyof ProjectShape]: ProjectShape[K] }) => void): ProjectShape {
  const shape = structuredClone(demo.shape) as unknown as { -readonly [K in keyof ProjectShape]: ProjectShape[K] };
  edit(shape);
  return shape;
}

describe("a typed Runner", () => {
  test("runs the spec-file module on a project made from the spec: same moves as untyped", async () => {
    await using store = await demoStore();
    const runner = new Runner({ project: demo, backend: store.backend });
    runner.stage("Pre-label", { deps: { labelRow } }, ({ labelRow }) => (labelRow.width !== null && labelRow.width < 32 ? "skip" : { pathway: "annotate" }));
    const report = await runner.execute({ projectHash: store.project.uuid, output: "silent" });
    expect(report.stages[0]!.failed).toBe(0);
    expect(report.stages[0]!.moved).toEqual({ annotate: 4 });
  });

  test("a module generated from the project carries its hash: no projectHash needed", async () => {
    await using store = await demoStore();
    const project = defineProject(shapeOfProject(store.project, codegen));
    const runner = new Runner({ project, backend: store.backend });
    runner.stage(store.stage("Pre-label").uuid, () => null);
    const report = await runner.execute({ output: "silent" });
    expect(report.projectHash).toBe(store.project.uuid);
  });

  test("drift stops the run before any task is touched, naming each difference and the command", async () => {
    await using store = await demoStore();
    const stale = defineProject(
      changed((shape) => {
        const stages = shape.stages as unknown as { title: string }[];
        stages[1]!.title = "Prelabel";
        stages[2]!.title = "Annotation";
        (shape.ontology.objects as Record<string, { featureNodeHash: string }>)["Cat"]!.featureNodeHash = "gone-hash";
      }),
    );
    const before = store.backend.countTasksByStage(store.project.uuid);
    const runner = new Runner({ project: stale, backend: store.backend });
    let handled = 0;
    runner.stage("Prelabel" as never, () => {
      handled++;
      return null;
    });
    const failure = await runner.execute({ projectHash: store.project.uuid, output: "silent" }).catch((error: unknown) => error);
    expect(isConfigurationError(failure) && failure.code).toBe("TA_PROJECT_DRIFT");
    const message = (failure as Error).message;
    expect(message).toContain(`no longer matches project "Demo" (${store.project.uuid}); no task was touched. 3 differences:`);
    expect(message).toContain(`- stage "Prelabel" is gone`);
    expect(message).toContain(`- stage "Annotation" is gone`);
    expect(message).toContain(`- object "Cat" (feature node hash gone-hash) is missing`);
    expect(message).toContain(`Regenerate the module with \`${codegen}\``);
    // Additions (the project's "Pre-label" and "Annotate", unknown to this module) do not stop a run.
    expect(message).not.toContain("new ");
    expect(handled).toBe(0);
    expect(store.backend.countTasksByStage(store.project.uuid)).toEqual(before);
  });

  test("runStage checks too, and additions alone do not stop a run", async () => {
    await using store = await demoStore();
    const fewer = defineProject(changed((shape) => (shape.ontology = { objects: {}, classifications: {} })));
    const runner = new Runner({ project: fewer, backend: store.backend });
    runner.stage("Pre-label", () => null);
    await expect(runner.runStage("Pre-label", { projectHash: store.project.uuid })).resolves.toMatchObject({ end: "completed" });

    const renamed = defineProject(changed((shape) => ((shape.stages[4] as { title: string }).title = "Done")));
    const second = new Runner({ project: renamed, backend: store.backend });
    second.stage("Pre-label", () => null);
    await expect(second.runStage("Pre-label", { projectHash: store.project.uuid })).rejects.toThrow(/stage "Done" is gone/);
  });
});

describe("a typed QueueRunner", () => {
  test("handles specs as an untyped one does, and refuses a drifted project at its first call", async () => {
    await using store = await demoStore();
    const queue = new QueueRunner({ project: demo, projectHash: store.project.uuid, backend: store.backend, logger: silentLogger });
    const handle = queue.stage("Pre-label", () => "annotate");
    let task: AgentTask | undefined;
    for await (const first of (await queue.getAgentStages())[0]!.getTasks()) {
      task = first;
      break;
    }
    if (task === undefined) throw new Error("the demo project has no task in Pre-label");
    const result = JSON.parse(await handle(JSON.stringify(toTaskSpec(task)))) as { success: boolean; pathway: string };
    expect(result.success).toBe(true);
    expect(result.pathway).toBe(store.stage("Pre-label").pathways.find((p) => p.name === "annotate")!.uuid);

    const stale = defineProject(changed((shape) => ((shape.stages[1] as unknown as { pathways: { name: string }[] }).pathways[1]!.name = "skipped")));
    const other = new QueueRunner({ project: stale, projectHash: store.project.uuid, backend: store.backend, logger: silentLogger });
    other.stage("Pre-label", () => null);
    await expect(other.getAgentStages()).rejects.toThrow(/pathway "skipped" is gone/);
  });

  test("a spec file's module without projectHash is a configuration error saying why", () => {
    expect(() => new QueueRunner({ project: demo })).toThrow(/needs \{ projectHash \}.*generated from a spec file/);
  });
});

describe("typed ontology access", () => {
  test("references resolve to the row's own nodes, the ones getChildByTitle gives, and answers round-trip", () => {
    const ontology = Ontology.fromDict({
      objects: [{ id: "1", name: "Cat", color: "#000", shape: "bounding_box", featureNodeHash: "Y2F0Ym94" }],
      classifications: [
        {
          id: "2",
          featureNodeHash: "c2l6ZQ==",
          attributes: [
            {
              id: "2.1",
              name: "Size",
              type: "radio",
              featureNodeHash: "c2l6ZTE=",
              options: [
                { id: "2.1.1", label: "thumbnail", value: "thumbnail", featureNodeHash: "dGh1bWI=" },
                { id: "2.1.2", label: "regular", value: "regular", featureNodeHash: "cmVndWxhcg==" },
              ],
            },
          ],
        },
      ],
    });
    const { objects, classifications } = demo.ontology;
    expect(ontology.getChild(objects.Cat)).toBe(ontology.getChildByTitle("Cat", "object"));
    expect(ontology.getChild(classifications.Size)).toBe(ontology.getChildByTitle("Size", "classification"));
    expect(ontology.getChild(classifications.Size.attributes.Size)).toBe(ontology.getChildByTitle("Size", "attribute"));
    const thumbnail = ontology.getChild(classifications.Size.options.thumbnail);
    expect(thumbnail).toBe(ontology.getChildByTitle("thumbnail", "option"));

    const size = ontology.getChild(classifications.Size).createInstance();
    size.setAnswer(thumbnail);
    expect(size.getAnswer()).toBe(thumbnail);
    expect(classifications.Size.options.thumbnail).toMatchObject({ kind: "option", title: "thumbnail", featureNodeHash: "dGh1bWI=" });
  });

  test("a reference the ontology lacks is a LabelError naming it and the fix", () => {
    const ontology = Ontology.fromDict({ objects: [], classifications: [] });
    expect(() => ontology.getChild(demo.ontology.objects.Cat)).toThrow(LabelError);
    expect(() => ontology.getChild(demo.ontology.objects.Cat)).toThrow(/no object "Cat" \(feature node hash "Y2F0Ym94"\).*rerun `task-agents codegen`/);
  });

  test("the shape of an ontology keys nested attributes and keeps ontology order", () => {
    const shape = ontologyShape({
      objects: [
        {
          id: "1",
          name: "Car",
          color: "#000",
          shape: "polygon",
          featureNodeHash: "car",
          attributes: [
            {
              id: "1.1",
              name: "Kind",
              type: "radio",
              featureNodeHash: "kind",
              options: [
                {
                  id: "a",
                  label: "truck",
                  value: "truck",
                  featureNodeHash: "truck",
                  options: [{ id: "b", name: "Axles", type: "numeric", featureNodeHash: "axles" }],
                },
              ],
            },
          ],
        },
      ],
      classifications: [],
    });
    expect(shape.objects["Car"]!.attributes["Kind"]!.options!["truck"]!.attributes!["Axles"]).toEqual({
      title: "Axles",
      featureNodeHash: "axles",
      type: "numeric",
    });
  });
});
