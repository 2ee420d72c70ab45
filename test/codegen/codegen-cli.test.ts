/**
 * `task-agents codegen`: a module from a spec file, from a local project, from an Encord project
 * (the fake server), `--check` on a fresh and a stale file, and the user errors.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { loadProjectSpec } from "../../src/backends/local/project-spec.js";
import { readModuleShape } from "../../src/codegen/read-module.js";
import { renderModule } from "../../src/codegen/render-module.js";
import { shapeOfSpec } from "../../src/codegen/shape-of-project.js";
import { cli } from "../support/run-cli.js";
import { paths } from "../support/paths.js";
import { startFakeEncord, type FakeEncord } from "../support/fake-encord/index.js";
import { tempDir } from "../support/temp-dir.js";
import { createDemoProject, expectUserError, freshStore } from "../cli/cli-helpers.js";

const repo = join(paths.demoSpec, "..", "..");
const exampleModule = join(repo, "examples", "agents", "demo-project.ts");
const fixtureSpec = join(repo, "test", "fixtures", "codegen", "typed-project.yaml");

describe("codegen from a spec file", () => {
  test("the committed example module is what codegen writes for examples/demo-project.yaml, and --check says so", async () => {
    using dir = tempDir();
    const out = join(dir.path, "demo-project.ts");
    const written = await cli(["codegen", paths.demoSpec, "--out", out]);
    expect(written.code, written.stderr).toBe(0);
    expect(written.stderr).toMatch(/Wrote .*demo-project\.ts: project "Demo", 5 stages \(1 AGENT\), 1 objects, 1 classifications/);
    const text = readFileSync(out, "utf8");
    // The same bytes but for the command line the header and data quote.
    const committed = readFileSync(exampleModule, "utf8");
    expect(text.replaceAll(`${paths.demoSpec} --out ${out}`, "examples/demo-project.yaml --out examples/agents/demo-project.ts")).toBe(committed);
    // A spec without UUIDs: the module names stages and pathways by title and name only.
    expect(text).not.toMatch(/uuid:/);
    expect(text).toContain(`/** Option "thumbnail", feature node hash dGh1bWI=. */`);

    const check = await cli(
      ["codegen", "examples/demo-project.yaml", "--out", "examples/agents/demo-project.ts", "--check"].map((a) =>
        a.startsWith("examples/") ? join(repo, a) : a,
      ),
    );
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout).toMatch(/demo-project\.ts is up to date with project "Demo"\./);
  });

  test.each(["media-project", "twin-project", "scans-project"])("the committed module of examples/%s.yaml is up to date (--check)", async (name) => {
    const check = await cli(["codegen", join(repo, "examples", `${name}.yaml`), "--out", join(repo, "examples", "agents", `${name}.ts`), "--check"]);
    expect(check.code, check.stderr + check.stdout).toBe(0);
    expect(check.stdout).toContain(`${name}.ts is up to date with project`);
  });

  test("output is deterministic: two runs give the same bytes, and stdout without --out", async () => {
    const first = await cli(["codegen", fixtureSpec]);
    const second = await cli(["codegen", fixtureSpec]);
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(second.stdout);
    expect(first.stdout).not.toMatch(/\d{4}-\d\d-\d\dT/);
    // Titles that are no identifiers are quoted; clashing ones carry their hash.
    expect(first.stdout).toContain(`"dark grey": { title: "dark grey", featureNodeHash: "catGrey" },`);
    expect(first.stdout).toContain(`"Box (boxOne)": {`);
    expect(first.stdout).toContain(`"Box (boxTwo)": {`);
    // UUIDs the spec gives are kept, the ones it leaves out are not made up.
    expect(first.stdout).toContain(`{ name: "annotate", uuid: "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b", to: "Triage" },`);
    expect(first.stdout).toContain(`{ name: "skip", to: "Complete" },`);
    // The data reads back as what was rendered.
    const shape = readModuleShape(first.stdout)!;
    expect(renderModule(shape)).toBe(first.stdout);
  });

  test("the type-level fixture module is what codegen writes for its spec", () => {
    const committed = readFileSync(join(repo, "test", "types", "typed-project.ts"), "utf8");
    const shape = shapeOfSpec(
      loadProjectSpec(fixtureSpec),
      fixtureSpec,
      "task-agents codegen test/fixtures/codegen/typed-project.yaml --out test/types/typed-project.ts",
    );
    expect(renderModule(shape, "../../src/index.js")).toBe(committed);
  });
});

describe("--check", () => {
  test("a stale module: exit 1, each difference named, the command to update it, the file left as it was", async () => {
    using dir = tempDir();
    const spec = join(dir.path, "project.yaml");
    const out = join(dir.path, "project.ts");
    writeFileSync(spec, readFileSync(paths.demoSpec, "utf8"));
    expect((await cli(["codegen", spec, "--out", out])).code).toBe(0);
    // The workflow changes: a stage renamed, a pathway removed; the ontology loses an option.
    writeFileSync(
      spec,
      readFileSync(spec, "utf8")
        .replace("        - { name: skip, to: Complete }\n", "")
        .replaceAll("Annotate", "Label")
        .replace(`            - { id: "2.1.2", label: regular, value: regular, featureNodeHash: "cmVndWxhcg==" }\n`, ""),
    );
    const before = readFileSync(out, "utf8");
    const check = await cli(["codegen", spec, "--out", out, "--check"]);
    expect(check.code).toBe(1);
    expect(check.stdout).toBe("");
    expect(check.stderr).toContain(`error: ${out} is out of date with project "Demo":`);
    expect(check.stderr).toContain(`- stage "Pre-label": pathway "annotate" now leads to "Label", not "Annotate"`);
    expect(check.stderr).toContain(`- stage "Pre-label": pathway "skip" is gone`);
    expect(check.stderr).toContain(`- stage "Annotate" is gone`);
    expect(check.stderr).toContain(`- new ANNOTATION stage "Label"`);
    expect(check.stderr).toContain(`- option "regular" (feature node hash cmVndWxhcg==) of attribute "Size" is missing`);
    expect(check.stderr).toContain(`Update it with: task-agents codegen ${spec} --out ${out}`);
    expect(check.stderr).not.toMatch(/^\s+at /m);
    expect(readFileSync(out, "utf8")).toBe(before);

    const json = await cli(["--json", "codegen", spec, "--out", out, "--check"]);
    expect(json.code).toBe(1);
    const result = JSON.parse(json.stdout) as { upToDate: boolean; differences: string[] };
    expect(result.upToDate).toBe(false);
    expect(result.differences).toContain(`stage "Pre-label": pathway "skip" is gone`);
  });

  test("a missing file, a hand-edited file and --check without --out", async () => {
    using dir = tempDir();
    const out = join(dir.path, "project.ts");
    const missing = await cli(["codegen", paths.demoSpec, "--out", out, "--check"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("- the file does not exist");
    expect(existsSync(out)).toBe(false);

    writeFileSync(out, "export default {};\n");
    const foreign = await cli(["codegen", paths.demoSpec, "--out", out, "--check"]);
    expect(foreign.code).toBe(1);
    expect(foreign.stderr).toContain("it is not a module task-agents codegen wrote");

    expect((await cli(["codegen", paths.demoSpec, "--out", out])).code).toBe(0);
    writeFileSync(out, readFileSync(out, "utf8").replace("  title:", "    title:"));
    const edited = await cli(["codegen", paths.demoSpec, "--out", out, "--check"]);
    expect(edited.code).toBe(1);
    expect(edited.stderr).toMatch(/its text differs from what codegen writes \(edited or reformatted\?\), first at line 6/);

    expectUserError(await cli(["codegen", paths.demoSpec, "--check"]), "--check compares a module file with the project: give the file with --out <file>.");
  });
});

describe("codegen from a project", () => {
  test("a local store project: every stage and pathway with its UUID; a typo'd source and an unknown hash are user errors", async () => {
    using store = freshStore();
    const hash = await createDemoProject(store.store);
    const result = await cli(["--store", store.store, "codegen", hash]);
    expect(result.code, result.stderr).toBe(0);
    const shape = readModuleShape(result.stdout)!;
    expect(shape.projectHash).toBe(hash);
    expect(shape.codegen).toBe(`task-agents codegen ${hash} --store ${store.store}`);
    expect(shape.stages.map((s) => s.title)).toEqual(["Start", "Pre-label", "Annotate", "Review", "Complete"]);
    expect(shape.stages.every((s) => /^[0-9a-f-]{36}$/.test(s.uuid ?? ""))).toBe(true);
    expect(shape.stages[1]!.pathways!.map((p) => [p.name, p.to, typeof p.uuid])).toEqual([
      ["annotate", "Annotate", "string"],
      ["skip", "Complete", "string"],
    ]);

    expectUserError(await cli(["--store", store.store, "codegen", "demo-project"]), `"demo-project" is neither a project hash`, ".json, .yaml, .yml");
    expectUserError(await cli(["--store", store.store, "codegen", "0b2c7e3a-5d1f-4c8e-9a6b-2f4d8e1c3a5b"]), "0b2c7e3a-5d1f-4c8e-9a6b-2f4d8e1c3a5b");
    expectUserError(await cli(["codegen", join(store.dir, "nope.yaml")]), "does not exist");
    expectUserError(await cli(["codegen", paths.demoSpec, "--out", join(store.dir, "no", "such", "dir", "p.ts")]), "does not exist; create it first");
  });

  describe("on Encord (the fake server)", () => {
    let fake: FakeEncord;
    beforeAll(async () => {
      fake = await startFakeEncord({ bearerTokens: ["codegen-token"], seed: 17 });
    });
    afterAll(() => fake.close());

    test("writes the Encord project's workflow (no START on the wire) and ontology; --check passes, then fails once the ontology changes", async () => {
      const added = fake.addProject(loadProjectSpec(fixtureSpec), [{ title: "a.png", dataType: "image", mimeType: "image/png", width: 10, height: 10 }]);
      using dir = tempDir();
      const out = join(dir.path, "encord-project.ts");
      const env = { ENCORD_DOMAIN: fake.url, ENCORD_BEARER_TOKEN: "codegen-token" };
      const result = await cli(["codegen", added.projectHash, "--out", out], env);
      expect(result.code, result.stderr).toBe(0);
      const text = readFileSync(out, "utf8");
      expect(text).not.toContain("codegen-token");
      const shape = readModuleShape(text)!;
      expect(shape.projectHash).toBe(added.projectHash);
      const triage = shape.stages.find((s) => s.title === "Triage")!;
      expect(triage.uuid).toBe(added.stages.find((s) => s.title === "Triage")!.uuid);
      expect(triage.pathways!.map((p) => p.name)).toEqual(["to review", "discard"]);
      expect(Object.keys(shape.ontology.objects)).toEqual(["Cat", "Dog", "Box (boxOne)", "Box (boxTwo)"]);
      expect(Object.keys(shape.ontology.objects["Cat"]!.attributes["Colour"]!.options!)).toEqual(["red", "dark grey"]);

      expect((await cli(["codegen", added.projectHash, "--out", out, "--check"], env)).code).toBe(0);
      const project = fake.state.projects.get(added.projectHash)!;
      (project.ontology.objects as { name: string }[]).splice(1, 1);
      const stale = await cli(["codegen", added.projectHash, "--out", out, "--check"], env);
      expect(stale.code).toBe(1);
      expect(stale.stderr).toContain(`- object "Dog" (feature node hash dogHash1) is missing`);
    });
  });
});
