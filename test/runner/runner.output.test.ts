import { describe, expect, test } from "vitest";
import { Runner } from "../../src/index.js";
import { backends } from "../support/backend-fixtures.js";

class Collector {
  text = "";
  readonly isTTY = false;
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

describe.each(backends)("on $name", ({ create }) => {
  describe("run output", () => {
    test("silent writes nothing, also when a handler logs", async () => {
      await using store = await create({ items: 2 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      const streams = { stdout: new Collector(), stderr: new Collector() };
      runner.streams = streams;
      runner.stage("Pre-label", ({ logger }) => {
        logger.info("handling");
        return null;
      });
      await runner.execute({ output: "silent" });
      expect(streams.stdout.text).toBe("");
      expect(streams.stderr.text).toBe("");
    });

    test("json writes one event per line on stdout, from run-started to run-finished with the report", async () => {
      await using store = await create({ items: 2 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      const streams = { stdout: new Collector(), stderr: new Collector() };
      runner.streams = streams;
      runner.stage("Pre-label", ({ task }) => {
        if (task.dataTitle === "i-2.png") throw new Error("no luck");
        return "annotate";
      });
      const report = await runner.execute({ output: "json", numRetries: 0 });
      const events = streams.stdout.text
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as { event: string; report?: unknown; taskUuid?: string });
      expect(events[0]!.event).toBe("run-started");
      expect(events.at(-1)!.event).toBe("run-finished");
      expect(events.at(-1)!.report).toMatchObject({ projectHash: store.projectHash, end: "completed", stages: [{ seen: 2, failed: 1 }] });
      expect(events.filter((e) => e.event === "task-failed")).toEqual([expect.objectContaining({ taskUuid: report.stages[0]!.failures[0]!.taskUuid })]);
    });
  });
});
