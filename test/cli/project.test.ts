import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import {
  cli,
  cliOk,
  createDemoProject,
  demoProjectWithData,
  expectJsonError,
  expectUserError,
  freshStore,
  jsonLines,
  paths,
  showProject,
} from "./cli-helpers.js";

const uuidLine = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\n$/;
const absentProject = "8a3b3d1e-3c1a-4f1e-8a2b-1c2d3e4f5a6b";

describe("project create", () => {
  test("prints only the new project's hash", async () => {
    using s = freshStore();
    const result = await cli(["--store", s.store, "project", "create", paths.demoSpec]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(uuidLine);
    expect(result.stderr).toBe("");
  });

  test("with --json prints one object holding the hash", async () => {
    using s = freshStore();
    const result = await cli(["--store", s.store, "--json", "project", "create", paths.demoSpec]);
    expect(result.code).toBe(0);
    const [line, ...rest] = jsonLines<{ uuid: string }>(result.stdout);
    expect(rest).toEqual([]);
    expect(`${line!.uuid}\n`).toMatch(uuidLine);
    const listed = jsonLines<{ uuid: string }>(await cliOk(s.store, ["--json", "project", "list"]));
    expect(listed.map((p) => p.uuid)).toEqual([line!.uuid]);
  });

  test("accepts a JSON spec, and each create makes a new project", async () => {
    using s = freshStore();
    const spec = join(s.dir, "spec.json");
    writeFileSync(
      spec,
      JSON.stringify({
        title: "Json project",
        workflow: {
          stages: [
            { title: "Start", type: "START", to: "Label" },
            { title: "Label", type: "ANNOTATION", to: "Done" },
            { title: "Done", type: "DONE" },
          ],
        },
      }),
    );
    const first = (await cliOk(s.store, ["project", "create", spec])).trim();
    const second = (await cliOk(s.store, ["project", "create", spec])).trim();
    expect(first).not.toBe(second);
    const shown = await showProject(s.store, first);
    expect(shown.title).toBe("Json project");
    expect(shown.stages.map((st) => `${st.title}:${st.type}`)).toEqual(["Start:START", "Label:ANNOTATION", "Done:DONE"]);
  });

  test("a missing spec file is a user error and creates no project", async () => {
    using s = freshStore();
    const missing = join(s.dir, "nope.yaml");
    expectUserError(await cli(["--store", s.store, "project", "create", missing]), "nope.yaml", /does not exist|ENOENT/);
    const json = await cli(["--store", s.store, "--json", "project", "create", missing]);
    expect(expectJsonError(json, "TA_FILE_NOT_FOUND")).toContain("nope.yaml");
    expect(await cliOk(s.store, ["--json", "project", "list"])).toBe("");
  });

  test("a JSON spec that starts with a byte-order mark is read, as a YAML one is", async () => {
    using s = freshStore();
    const spec = join(s.dir, "bom.json");
    writeFileSync(
      spec,
      "\uFEFF" +
        JSON.stringify({
          title: "Bom",
          workflow: {
            stages: [
              { title: "Start", type: "START", to: "Done" },
              { title: "Done", type: "DONE" },
            ],
          },
        }),
    );
    const hash = (await cliOk(s.store, ["project", "create", spec])).trim();
    expect((await showProject(s.store, hash)).title).toBe("Bom");
  });

  test("a stage UUID another project of the store already has is a spec error naming both; nothing is added", async () => {
    using s = freshStore();
    const spec = join(s.dir, "fixed.yaml");
    writeFileSync(
      spec,
      "title: Fixed\nworkflow:\n  stages:\n    - { title: Start, type: START, to: Done, " +
        "uuid: 0b2c7e3a-5d1f-4c8e-9a6b-2f4d8e1c3a5b }\n    - { title: Done, type: DONE }\n",
    );
    const first = (await cliOk(s.store, ["project", "create", spec])).trim();
    const again = await cli(["--store", s.store, "project", "create", spec]);
    expectUserError(
      again,
      /fixed\.yaml is invalid/,
      `workflow.stages[0] ("Start").uuid: 0b2c7e3a-5d1f-4c8e-9a6b-2f4d8e1c3a5b is already the UUID of stage "Start" of project "Fixed" (${first})`,
      /leave "uuid" out/,
    );
    expect(expectJsonError(await cli(["--store", s.store, "--json", "project", "create", spec]), "TA_INVALID_SPEC")).toContain("already the UUID");
    expect(jsonLines<{ uuid: string }>(await cliOk(s.store, ["--json", "project", "list"])).map((p) => p.uuid)).toEqual([first]);
  });

  test("a spec with an unsupported extension names the accepted ones", async () => {
    using s = freshStore();
    const spec = join(s.dir, "spec.txt");
    writeFileSync(spec, "title: x\n");
    expectUserError(await cli(["--store", s.store, "project", "create", spec]), /\.json, \.yaml, \.yml/);
  });

  test("an invalid spec names the offending path and the accepted values", async () => {
    using s = freshStore();
    const spec = join(s.dir, "bad.yaml");
    writeFileSync(
      spec,
      ["title: Bad", "workflow:", "  stages:", "    - { title: Start, type: START, to: Done }", "    - { title: Done, type: FINISHED }", ""].join("\n"),
    );
    const result = await cli(["--store", s.store, "project", "create", spec]);
    expectUserError(result, /invalid/, /workflow\.stages\[1\]\.type/, /"FINISHED"/, /"DONE"/);
    const json = await cli(["--store", s.store, "--json", "project", "create", spec]);
    expect(expectJsonError(json, "TA_INVALID_SPEC")).toMatch(/workflow\.stages\[1\]\.type/);
    expect(await cliOk(s.store, ["--json", "project", "list"])).toBe("");
  });

  test("a spec whose stage points to no stage is rejected", async () => {
    using s = freshStore();
    const spec = join(s.dir, "dangling.yaml");
    writeFileSync(
      spec,
      ["title: Dangling", "workflow:", "  stages:", "    - { title: Start, type: START, to: Nowhere }", "    - { title: Done, type: DONE }", ""].join("\n"),
    );
    expectUserError(await cli(["--store", s.store, "project", "create", spec]), /"Nowhere"/);
  });
});

describe("project list", () => {
  test("with no store yet it prints nothing on stdout, a hint naming the store on stderr, and creates nothing", async () => {
    using s = freshStore();
    const result = await cli(["--store", s.store, "project", "list"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/project create/);
    expect(result.stderr).toContain(s.store);
    expect(existsSync(s.store)).toBe(false);
    const json = await cli(["--store", s.store, "--json", "project", "list"]);
    expect(json.code).toBe(0);
    expect(json.stdout).toBe("");
  });

  test("shows every project with its stage and task counts", async () => {
    using s = freshStore();
    const filled = await demoProjectWithData(s.store);
    const empty = await createDemoProject(s.store);
    const text = await cliOk(s.store, ["project", "list"]);
    const [header, ...rows] = text.trimEnd().split("\n");
    expect(header).toMatch(/^PROJECT HASH\s+TITLE\s+STAGES\s+TASKS\s+CREATED$/);
    expect(rows).toHaveLength(2);
    expect(rows.find((r) => r.startsWith(filled))).toMatch(/\bDemo\s+5\s+4\s/);
    expect(rows.find((r) => r.startsWith(empty))).toMatch(/\bDemo\s+5\s+0\s/);

    const json = jsonLines<{ uuid: string; title: string; stageCount: number; taskCount: number; createdAt: string }>(
      await cliOk(s.store, ["--json", "project", "list"]),
    );
    expect(json.map((p) => [p.uuid, p.title, p.stageCount, p.taskCount])).toEqual(
      expect.arrayContaining([
        [filled, "Demo", 5, 4],
        [empty, "Demo", 5, 0],
      ]),
    );
    expect(json).toHaveLength(2);
    for (const p of json) expect(new Date(p.createdAt).toISOString()).toBe(p.createdAt);
  });
});

describe("project show", () => {
  test("draws the workflow with the task count of each stage", async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    const text = await cliOk(s.store, ["project", "show", hash]);
    const lines = text.trimEnd().split("\n");
    expect(lines[0]).toBe(`Demo  ${hash}  (4 tasks)`);
    const stageLine = (title: string) => lines.find((l) => new RegExp(`^\\S+ ${title}\\s`).test(l));
    expect(stageLine("Pre-label")).toMatch(/AGENT\s+4 tasks/);
    expect(stageLine("Annotate")).toMatch(/ANNOTATION\s+0 tasks/);
    expect(stageLine("Review")).toMatch(/REVIEW\s+0 tasks/);
    expect(stageLine("Complete")).toMatch(/DONE\s+0 tasks/);
    expect(text).toMatch(/annotate ──▶ Annotate/);
    expect(text).toMatch(/skip ──▶ Complete/);
    expect(text).toMatch(/submit ──▶ Review/);
    expect(text).toMatch(/approve ──▶ Complete/);
    expect(text).toMatch(/reject ──▶ Annotate/);
  });

  test("counts follow the tasks as they move", async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    await cliOk(s.store, ["tasks", "proceed", hash, "--stage", "Pre-label", "--pathway", "annotate", "--all"]);
    const text = await cliOk(s.store, ["project", "show", hash]);
    expect(text).toMatch(/Pre-label\s+AGENT\s+0 tasks/);
    expect(text).toMatch(/Annotate\s+ANNOTATION\s+4 tasks/);
  });

  test("--json gives stages with task counts and pathways", async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    const result = await cli(["--store", s.store, "--json", "project", "show", hash]);
    expect(result.code).toBe(0);
    expect(jsonLines(result.stdout)).toHaveLength(1);
    const shown = await showProject(s.store, hash);
    expect(shown.uuid).toBe(hash);
    expect(shown.title).toBe("Demo");
    expect(shown.taskCount).toBe(4);
    expect(shown.stages.map((st) => [st.title, st.type, st.taskCount])).toEqual([
      ["Start", "START", 0],
      ["Pre-label", "AGENT", 4],
      ["Annotate", "ANNOTATION", 0],
      ["Review", "REVIEW", 0],
      ["Complete", "DONE", 0],
    ]);
    const byTitle = new Map(shown.stages.map((st) => [st.title, st]));
    const pathways = (title: string) => byTitle.get(title)!.pathways.map((p) => [p.name, p.destinationTitle]);
    expect(pathways("Pre-label")).toEqual([
      ["annotate", "Annotate"],
      ["skip", "Complete"],
    ]);
    expect(pathways("Annotate")).toEqual([["submit", "Review"]]);
    expect(pathways("Review")).toEqual([
      ["approve", "Complete"],
      ["reject", "Annotate"],
    ]);
    expect(pathways("Complete")).toEqual([]);
    for (const stage of shown.stages) {
      for (const p of stage.pathways) expect(p.destinationUuid).toBe(byTitle.get(p.destinationTitle)!.uuid);
    }
  });

  test("an unknown project hash is a user error pointing to project list", async () => {
    using s = freshStore();
    await createDemoProject(s.store);
    expectUserError(await cli(["--store", s.store, "project", "show", absentProject]), `"${absentProject}"`, /task-agents project list/);
    const json = await cli(["--store", s.store, "--json", "project", "show", absentProject]);
    expect(expectJsonError(json, "TA_UNKNOWN_PROJECT")).toContain(absentProject);
  });

  test("a hash that is not a UUID is a user error saying a hash is a UUID", async () => {
    using s = freshStore();
    await createDemoProject(s.store);
    expectUserError(await cli(["--store", s.store, "project", "show", "demo"]), /Not a project hash/, /UUID/, /"demo"/);
    expectJsonError(await cli(["--store", s.store, "--json", "project", "show", "demo"]), "TA_UNKNOWN_PROJECT");
  });

  test("the hash is matched case-insensitively", async () => {
    using s = freshStore();
    const hash = await createDemoProject(s.store);
    const shown = JSON.parse(await cliOk(s.store, ["--json", "project", "show", hash.toUpperCase()])) as { uuid: string };
    expect(shown.uuid).toBe(hash);
  });
});
