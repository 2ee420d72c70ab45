/**
 * A polling run on Encord (refreshEvery) and a workflow edited while it runs: each later pass
 * reads the project once, and reads the ontology and rebinds its stages only when the workflow
 * or ontology changed; a pathway added meanwhile can then be taken.
 */
import { describe, expect, test } from "vitest";
import { Runner } from "../../src/index.js";
import { createEncordProject } from "../support/backend-fixtures.js";

const projectGets = (requests: readonly { method: string; path: string }[]) =>
  requests.filter((r) => r.method === "GET" && /\/v2\/public\/projects\/[^/]+$/.test(r.path)).length;
const ontologyGets = (requests: readonly { method: string; path: string }[]) =>
  requests.filter((r) => r.method === "GET" && r.path.includes("/v2/public/ontologies/")).length;

describe("on encord", () => {
  test("an unchanged project costs one read per later pass and no ontology read", async () => {
    await using store = await createEncordProject({ items: 1 });
    const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
    const controller = new AbortController();
    let calls = 0;
    runner.stage("Pre-label", () => {
      if (++calls === 3) controller.abort();
      return null;
    });
    const before = store.fake.requests.length;
    const report = await runner.execute({ refreshEvery: 0.02, signal: controller.signal, output: "silent" });
    const requests = store.fake.requests.slice(before);
    expect(report.passes).toBe(3);
    // The first pass reads project and ontology; the two later ones the project only.
    expect(projectGets(requests)).toBe(3);
    expect(ontologyGets(requests)).toBe(1);
    expect(store.backend.count("projectChanged")).toBe(2);
  });

  test("a pathway renamed between passes is taken by its new name in the next pass", async () => {
    await using store = await createEncordProject({ items: 2 });
    const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
    const controller = new AbortController();
    const projectState = store.fake.state.projects.get(store.projectHash)!;
    const stage = projectState.stages.find((s) => s.title === "Pre-label")!;
    const pathway = stage.pathways.find((p) => p.title === "annotate")! as { title: string };
    const returned: string[] = [];
    runner.stage("Pre-label", ({ task }) => {
      if (returned.length < 2) {
        returned.push("left");
        // Someone edits the workflow while the first pass runs.
        if (returned.length === 2) pathway.title = "needs people";
        return null;
      }
      returned.push(task.uuid);
      if (returned.length === 4) controller.abort();
      return "needs people";
    });
    const before = store.fake.requests.length;
    const report = await runner.execute({ refreshEvery: 0.02, signal: controller.signal, output: "silent" });
    expect(report.end).toBe("stopped");
    expect(report.passes).toBe(2);
    expect(report.stages[0]!.moved).toEqual({ "needs people": 2 });
    expect((await store.tasksIn("Annotate")).length).toBe(2);
    const requests = store.fake.requests.slice(before);
    // Pass 1: project + ontology; pass 2: the check, then project + ontology read again.
    expect(projectGets(requests)).toBe(3);
    expect(ontologyGets(requests)).toBe(2);
  });
});
