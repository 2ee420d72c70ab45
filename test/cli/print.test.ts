import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { cli, cliOk, createDemoProject, expectJsonError, expectUserError, freshStore, jsonLines, showProject } from "./cli-helpers.js";

const packageVersion = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;
const absentProject = "8a3b3d1e-3c1a-4f1e-8a2b-1c2d3e4f5a6b";

describe("print agent-nodes", () => {
  test("prints each AGENT stage with its pathways and a handler to start from", async () => {
    using s = freshStore();
    const hash = await createDemoProject(s.store);
    const shown = await showProject(s.store, hash);
    const preLabel = shown.stages.find((st) => st.title === "Pre-label")!;
    const [annotate, skip] = preLabel.pathways;

    const result = await cli(["--store", s.store, "print", "agent-nodes", hash]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(
      [
        'AgentStage "Pre-label"',
        `  uuid: ${preLabel.uuid}`,
        "  pathways:",
        `    annotate ──▶ Annotate  (${annotate!.uuid})`,
        `    skip ──▶ Complete  (${skip!.uuid})`,
        "  handler:",
        '    runner.stage("Pre-label", async ({ task }) => "annotate");',
        "",
      ].join("\n"),
    );
  });

  test("--json prints one object per AGENT stage", async () => {
    using s = freshStore();
    const hash = await createDemoProject(s.store);
    const shown = await showProject(s.store, hash);
    const preLabel = shown.stages.find((st) => st.title === "Pre-label")!;
    const result = await cli(["--store", s.store, "--json", "print", "agent-nodes", hash]);
    expect(result.code, result.stderr).toBe(0);
    expect(jsonLines(result.stdout)).toEqual([
      {
        uuid: preLabel.uuid,
        title: "Pre-label",
        pathways: preLabel.pathways.map((p) => ({ uuid: p.uuid, name: p.name, destinationUuid: p.destinationUuid, destinationTitle: p.destinationTitle })),
      },
    ]);
  });

  test("lists several agent stages in workflow order", async () => {
    using s = freshStore();
    const spec = join(s.dir, "two-agents.yaml");
    writeFileSync(
      spec,
      [
        "title: Two agents",
        "workflow:",
        "  stages:",
        "    - { title: Start, type: START, to: Triage }",
        "    - { title: Triage, type: AGENT, pathways: [{ name: keep, to: QA }, { name: drop, to: Done }] }",
        "    - { title: QA, type: AGENT, pathways: [{ name: pass, to: Done }] }",
        "    - { title: Done, type: DONE }",
        "",
      ].join("\n"),
    );
    const hash = (await cliOk(s.store, ["project", "create", spec])).trim();
    const nodes = jsonLines<{ title: string; pathways: { name: string; destinationTitle: string }[] }>(
      await cliOk(s.store, ["--json", "print", "agent-nodes", hash]),
    );
    expect(nodes.map((n) => [n.title, n.pathways.map((p) => `${p.name}->${p.destinationTitle}`)])).toEqual([
      ["Triage", ["keep->QA", "drop->Done"]],
      ["QA", ["pass->Done"]],
    ]);
    const text = await cliOk(s.store, ["print", "agent-nodes", hash]);
    expect(text.indexOf('AgentStage "Triage"')).toBeLessThan(text.indexOf('AgentStage "QA"'));
  });

  test("a project without AGENT stages says so", async () => {
    using s = freshStore();
    const spec = join(s.dir, "manual.yaml");
    writeFileSync(
      spec,
      [
        "title: Manual",
        "workflow:",
        "  stages:",
        "    - { title: Start, type: START, to: Label }",
        "    - { title: Label, type: ANNOTATION, to: Done }",
        "    - { title: Done, type: DONE }",
        "",
      ].join("\n"),
    );
    const hash = (await cliOk(s.store, ["project", "create", spec])).trim();
    expect(await cliOk(s.store, ["print", "agent-nodes", hash])).toMatch(/"Manual" has no AGENT stages/);
    expect(await cliOk(s.store, ["--json", "print", "agent-nodes", hash])).toBe("");
  });

  test("an unknown project is a user error", async () => {
    using s = freshStore();
    await createDemoProject(s.store);
    expectUserError(await cli(["--store", s.store, "print", "agent-nodes", absentProject]), /No project/, /project list/);
    expectJsonError(await cli(["--store", s.store, "--json", "print", "agent-nodes", "not-a-hash"]), "TA_UNKNOWN_PROJECT");
  });
});

describe("print system-info", () => {
  interface SystemInfo {
    taskAgents: string;
    node: string;
    platform: string;
    sqlite: string;
    betterSqlite3: string;
    store: string;
    storeExists: boolean;
    storeSchemaVersion: number | null;
    supportedSchemaVersion: number;
  }

  test("--json gives the versions and the store, without creating the store", async () => {
    using s = freshStore();
    const result = await cli(["--store", s.store, "--json", "print", "system-info"]);
    expect(result.code, result.stderr).toBe(0);
    const [info, ...rest] = jsonLines<SystemInfo>(result.stdout);
    expect(rest).toEqual([]);
    expect(info!.taskAgents).toBe(packageVersion);
    expect(info!.node).toBe(process.versions.node);
    expect(info!.sqlite).toMatch(/^3\.\d+\.\d+$/);
    expect(info!.betterSqlite3).toMatch(/^\d+\.\d+\.\d+$/);
    expect(info!).toMatchObject({ store: s.store, storeExists: false, storeSchemaVersion: null });
    expect(info!.supportedSchemaVersion).toBeGreaterThanOrEqual(1);
    expect(existsSync(s.store)).toBe(false);
  });

  test("reports the schema version of an existing store", async () => {
    using s = freshStore();
    await createDemoProject(s.store);
    const [info] = jsonLines<SystemInfo>(await cliOk(s.store, ["--json", "print", "system-info"]));
    expect(info!.storeExists).toBe(true);
    expect(info!.storeSchemaVersion).toBe(info!.supportedSchemaVersion);
  });

  test("text output lists the same facts, one per line", async () => {
    using s = freshStore();
    const [info] = jsonLines<SystemInfo>(await cliOk(s.store, ["--json", "print", "system-info"]));
    const text = await cliOk(s.store, ["print", "system-info"]);
    const facts = Object.fromEntries(
      text
        .trimEnd()
        .split("\n")
        .map((line): [string, string] => {
          const match = /^(\S+)\s{2,}(.*)$/.exec(line);
          if (!match) throw new Error(`not a fact line: ${line}`);
          return [match[1]!, match[2]!];
        }),
    );
    expect(facts).toMatchObject({
      taskAgents: packageVersion,
      node: info!.node,
      sqlite: info!.sqlite,
      store: s.store,
      storeExists: "false",
      storeSchemaVersion: "-",
    });
  });
});
