import { describe, expect, test } from "vitest";
import { Runner } from "../../src/index.js";
import { backends } from "../support/backend-fixtures.js";
import { OutputCollector as Collector } from "../support/output-collector.js";

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

    test("a handler's logger carries its stage and task, also after the arguments are spread, and can be replaced like any property", async () => {
      await using store = await create({ items: 2 });
      const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
      const streams = { stdout: new Collector(), stderr: new Collector() };
      runner.streams = streams;
      const replaced: string[] = [];
      runner.stage("Pre-label", (args) => {
        const copy = { ...args };
        copy.logger.info("from the copy");
        args.logger.info("from the arguments");
        (args as { logger: unknown }).logger = { info: (message: string) => replaced.push(message) };
        args.logger.info(`replaced for ${args.task.dataTitle}`);
        return null;
      });
      await runner.execute({ output: "json", logLevel: "info" });
      const logs = streams.stderr.text
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as { msg: string; stage?: string; task?: string })
        .filter((line) => line.msg.startsWith("from the"));
      const tasks = await store.tasksIn("Pre-label");
      expect(logs).toHaveLength(4);
      for (const line of logs) expect(line.stage).toBe("Pre-label");
      expect(new Set(logs.map((line) => line.task))).toEqual(new Set(tasks.map((task) => task.uuid)));
      expect(replaced.sort()).toEqual(tasks.map((task) => `replaced for ${task.dataTitle}`).sort());
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
