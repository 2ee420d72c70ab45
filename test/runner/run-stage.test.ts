import { describe, expect, test } from "vitest";
import { Runner } from "../../src/index.js";
import { rejectionOf, runnerStore, twoAgentSpec } from "../support/runner-fixture.js";

function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

describe("runner.runStage", () => {
  test("runs one pass over one stage only, silently, and reports that stage alone", async () => {
    await using store = await runnerStore({ spec: twoAgentSpec, items: 3 });
    const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
    runner.stage("First", () => "next");
    runner.stage("Second", () => "finish");
    const report = await runner.runStage("First");
    expect(report.passes).toBe(1);
    expect(report.stages).toHaveLength(1);
    expect(report.stages[0]).toMatchObject({ title: "First", seen: 3, moved: { next: 3 } });
    // Second was not run, though its tasks are waiting now.
    expect(await store.tasksIn("Second")).toHaveLength(3);
    const second = await runner.runStage(store.stage("Second").uuid);
    expect(second.stages[0]).toMatchObject({ title: "Second", moved: { finish: 3 } });
  });

  test("calls while a pass runs join one follow-up pass; other stages run side by side", async () => {
    await using store = await runnerStore({ spec: twoAgentSpec, items: 2 });
    const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
    const release = gate();
    const started: string[] = [];
    runner.stage("First", async ({ task }) => {
      started.push(`First ${task.dataTitle}`);
      await release.wait;
      return null;
    });
    runner.stage("Second", () => "finish");
    const first = runner.runStage("First");
    await expect.poll(() => started.length).toBeGreaterThan(0);
    const joiners = [runner.runStage("First"), runner.runStage("First"), runner.runStage(store.stage("First").uuid)];
    expect(runner.stagePasses).toEqual([{ key: `${store.projectHash}/${store.stage("First").uuid}`, pending: true }]);
    // Another stage does not wait for First.
    const second = await runner.runStage("Second");
    expect(second.stages[0]!.title).toBe("Second");
    release.open();
    const [a, b, c, d] = await Promise.all([first, ...joiners]);
    expect(a).not.toBe(b);
    expect(b).toBe(c);
    expect(c).toBe(d);
    // Two passes in all: each task (left in place) seen once by each.
    expect(started).toHaveLength(4);
    expect(runner.stagePasses).toEqual([]);
  });

  test("refuses refreshEvery and a stage without a handler, naming what is accepted", async () => {
    await using store = await runnerStore({ spec: twoAgentSpec, items: 1 });
    const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
    runner.stage("First", () => null);
    expect((await rejectionOf(runner.runStage("First", { refreshEvery: 5 } as never))).message).toMatch(/refreshEvery is an option of execute/);
    const noHandler = await rejectionOf(runner.runStage("Second"));
    expect(noHandler.code).toBe("TA_NO_HANDLERS");
    expect(noHandler.message).toContain('Stages with handlers: "First"');
    expect((await rejectionOf(runner.runStage("Nope"))).code).toBe("TA_UNKNOWN_STAGE");
    expect(await runner.hasHandler("First")).toBe(true);
    expect(await runner.hasHandler("Second")).toBe(false);
    expect(await runner.hasHandler("Nope")).toBe(false);
  });
});
