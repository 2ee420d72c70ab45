/**
 * Stage titles that parse as UUIDs. The local spec refuses them, but on Encord a stage may be
 * titled with any string, even another stage's UUID: a string given to `stage()` is looked up as
 * a title first, and the log says which stage it bound to.
 */
import { randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import { pino, type Logger } from "pino";
import { describe, expect, test } from "vitest";
import { QueueRunner, Runner, toTaskSpec, validateProjectSpec, type TaskCompletionResult } from "../../src/index.js";
import { createEncordProject } from "../support/backend-fixtures.js";
import { twoAgentSpec } from "../support/runner-fixture.js";

/** twoAgentSpec with UUIDs filled in, as Encord could hold it: "First" titled `title(Second's UUID)`. */
function specWithFirstTitled(title: (secondUuid: string) => string) {
  const spec = validateProjectSpec(twoAgentSpec);
  const secondUuid = spec.stages.find((s) => s.title === "Second")!.uuid;
  const newTitle = title(secondUuid);
  const rename = (t: string) => (t === "First" ? newTitle : t);
  // Built past the spec check on purpose: it refuses UUID titles, which Encord allows.
  return {
    secondUuid,
    spec: { ...spec, stages: spec.stages.map((s) => ({ ...s, title: rename(s.title), pathways: s.pathways.map((p) => ({ ...p, to: rename(p.to) })) })) },
  };
}

/** A pino logger whose lines are kept, parsed. */
function recordingLogger(): { logger: Logger; lines: { level: number; msg: string }[] } {
  const lines: { level: number; msg: string }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString("utf8").split("\n")) if (line.trim() !== "") lines.push(JSON.parse(line) as { level: number; msg: string });
      done();
    },
  });
  return { logger: pino({ level: "info" }, stream), lines };
}

const warn = 40;
const info = 30;

describe("on Encord: a stage title that parses as a UUID", () => {
  test("runner.stage(<UUID of Second>) binds to the stage titled so (First) and the log says it is not Second", async () => {
    const { secondUuid, spec } = specWithFirstTitled((uuid) => uuid);
    await using store = await createEncordProject({ spec, items: 2 });
    const first = store.stage(secondUuid);
    expect(first.uuid).not.toBe(secondUuid);
    expect(store.stage("Second").uuid).toBe(secondUuid);

    const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
    const seen: string[] = [];
    runner.stage(secondUuid, ({ stage }) => {
      seen.push(stage.uuid);
      return "next";
    });
    // Second by its title is another stage, so this is no duplicate registration.
    runner.stage("Second", ({ stage }) => {
      seen.push(stage.uuid);
      return null;
    });
    const { logger, lines } = recordingLogger();
    const report = await runner.execute({ output: "silent", logger });

    expect(report.stages.map((s) => s.uuid)).toEqual([first.uuid, secondUuid]);
    expect(seen).toEqual([first.uuid, first.uuid, secondUuid, secondUuid]);
    expect((await store.tasksIn("Second")).length).toBe(2);
    const notes = lines.filter((l) => l.msg.includes("a title match comes first"));
    expect(notes).toEqual([
      expect.objectContaining({
        level: warn,
        msg:
          `runner.stage("${secondUuid}", …): "${secondUuid}" names the stage with ` +
          `that title (UUID ${first.uuid}), not stage "Second", whose UUID it ` +
          `also is: a title match comes first. To name "Second", use its title.`,
      }),
    ]);
  });

  test("a UUID title no stage has as its UUID binds by title (it was 'no stage' before) and the log says so", async () => {
    const title = randomUUID();
    await using store = await createEncordProject({ spec: specWithFirstTitled(() => title).spec, items: 1 });
    const runner = new Runner({ projectHash: store.projectHash, backend: store.backend });
    await runner.loadProject();
    runner.stage(title, () => null);
    const { logger, lines } = recordingLogger();
    const report = await runner.execute({ output: "silent", logger });

    expect(report.stages).toMatchObject([{ uuid: store.stage(title).uuid, title, seen: 1 }]);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: info,
        msg:
          `runner.stage("${title}", …): "${title}" names the stage with that title (UUID ` +
          `${store.stage(title).uuid}); it has the form of a UUID, but no stage has it as its UUID.`,
      }),
    );
  });

  test("QueueRunner: the wrapped handler of stage(<UUID of Second>) handles First's tasks; a job naming Second's UUID reaches Second's handler", async () => {
    const { secondUuid, spec } = specWithFirstTitled((uuid) => uuid);
    await using store = await createEncordProject({ spec, items: 1 });
    const first = store.stage(secondUuid);
    const { logger, lines } = recordingLogger();
    const queueRunner = new QueueRunner({ projectHash: store.projectHash, backend: store.backend, logger });
    const handleFirst = queueRunner.stage(secondUuid, () => "next");
    queueRunner.stage("Second", () => "finish");

    const [task] = await store.tasksIn(secondUuid);
    const result = JSON.parse(await handleFirst(JSON.stringify(toTaskSpec(task!)))) as TaskCompletionResult;
    expect(result).toMatchObject({ success: true, stage_uuid: first.uuid, pathway: store.pathway(secondUuid, "next").uuid });
    expect(lines.filter((l) => l.level === warn && l.msg.includes(`not stage "Second", whose UUID it also is`))).toHaveLength(1);

    // Jobs carry the stage's UUID (enqueueTasks writes stage.uuid): the UUID is meant there.
    const [moved] = await store.tasksIn("Second");
    const batch = await queueRunner.handleForWorker(secondUuid, [JSON.stringify(toTaskSpec(moved!))]);
    expect(batch.results[0]).toMatchObject({ success: true, stage_uuid: secondUuid, pathway: store.pathway("Second", "finish").uuid });
    await queueRunner.close();
  });
});
