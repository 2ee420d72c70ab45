import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { DataInputError, SpecValidationError, isTaskAgentsError, loadProjectSpec } from "../../../src/index.js";
import type { ProjectSpec } from "../../../src/index.js";
import { paths } from "../../support/paths.js";
import { tempDir } from "../../support/temp-dir.js";

/* Rule 13: project spec files. `.json`, `.yaml` and `.yml` are read and parsed by extension, then
 * checked by the same rules as inline specs. */

const demoYaml = `# A demo project.
title: Demo
description: Cats, boxed.
ontology:
  objects:
    - { id: "1", name: Cat, color: "#D33115", shape: bounding_box, featureNodeHash: Y2F0Ym94 }
  classifications: []
workflow:
  stages:
    - { title: Start, type: START, to: Pre-label, uuid: 11111111-1111-1111-1111-111111111111 }
    - title: Pre-label
      type: AGENT
      pathways:
        - { name: annotate, to: Annotate, uuid: 22222222-2222-2222-2222-222222222222 }
        - { name: skip, to: Complete }
    - { title: Annotate, type: ANNOTATION, to: Review }
    - { title: Review, type: REVIEW, approve: Complete, reject: Annotate }
    - { title: Complete, type: DONE }
`;

const demoObject = {
  title: "Demo",
  description: "Cats, boxed.",
  ontology: {
    objects: [{ id: "1", name: "Cat", color: "#D33115", shape: "bounding_box", featureNodeHash: "Y2F0Ym94" }],
    classifications: [],
  },
  workflow: {
    stages: [
      { title: "Start", type: "START", to: "Pre-label", uuid: "11111111-1111-1111-1111-111111111111" },
      {
        title: "Pre-label",
        type: "AGENT",
        pathways: [
          { name: "annotate", to: "Annotate", uuid: "22222222-2222-2222-2222-222222222222" },
          { name: "skip", to: "Complete" },
        ],
      },
      { title: "Annotate", type: "ANNOTATION", to: "Review" },
      { title: "Review", type: "REVIEW", approve: "Complete", reject: "Annotate" },
      { title: "Complete", type: "DONE" },
    ],
  },
};

/** The spec with every generated UUID blanked; given UUIDs are kept so they can be compared. */
function comparable(spec: ProjectSpec): unknown {
  const given = new Set(["11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222"]);
  const keep = (uuid: string) => (given.has(uuid) ? uuid : "(generated)");
  return {
    ...spec,
    stages: spec.stages.map((s) => ({ ...s, uuid: keep(s.uuid), pathways: s.pathways.map((p) => ({ ...p, uuid: keep(p.uuid) })) })),
  };
}

const expectedDemo = {
  title: "Demo",
  description: "Cats, boxed.",
  ontology: demoObject.ontology,
  stages: [
    { uuid: "11111111-1111-1111-1111-111111111111", title: "Start", type: "START", pathways: [{ uuid: "(generated)", name: "next", to: "Pre-label" }] },
    {
      uuid: "(generated)",
      title: "Pre-label",
      type: "AGENT",
      pathways: [
        { uuid: "22222222-2222-2222-2222-222222222222", name: "annotate", to: "Annotate" },
        { uuid: "(generated)", name: "skip", to: "Complete" },
      ],
    },
    { uuid: "(generated)", title: "Annotate", type: "ANNOTATION", pathways: [{ uuid: "(generated)", name: "submit", to: "Review" }] },
    {
      uuid: "(generated)",
      title: "Review",
      type: "REVIEW",
      pathways: [
        { uuid: "(generated)", name: "approve", to: "Complete" },
        { uuid: "(generated)", name: "reject", to: "Annotate" },
      ],
    },
    { uuid: "(generated)", title: "Complete", type: "DONE", pathways: [] },
  ],
};

function write(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return expect.fail("expected an error");
}

/** The SpecValidationError loading `path` throws; it names the file as its source. */
function specErrorFor(path: string): SpecValidationError {
  const error = thrownBy(() => loadProjectSpec(path));
  expect(error).toBeInstanceOf(SpecValidationError);
  const specError = error as SpecValidationError;
  expect(specError.code).toBe("TA_INVALID_SPEC");
  expect(specError.source).toBe(path);
  expect(specError.message.startsWith(`Project spec ${path} is invalid (`)).toBe(true);
  return specError;
}

function dataInputErrorFor(path: string): DataInputError {
  const error = thrownBy(() => loadProjectSpec(path));
  expect(error).toBeInstanceOf(DataInputError);
  expect(isTaskAgentsError(error)).toBe(true);
  const dataError = error as DataInputError;
  expect(dataError.path).toBe(path);
  return dataError;
}

describe("accepted files", () => {
  test("the example project loads", () => {
    const spec = loadProjectSpec(paths.demoSpec);
    expect(spec.title).toBe("Demo");
    expect(spec.stages.map((s) => [s.title, s.type, s.pathways.map((p) => `${p.name}→${p.to}`)])).toEqual([
      ["Start", "START", ["next→Pre-label"]],
      ["Pre-label", "AGENT", ["annotate→Annotate", "skip→Complete"]],
      ["Annotate", "ANNOTATION", ["submit→Review"]],
      ["Review", "REVIEW", ["approve→Complete", "reject→Annotate"]],
      ["Complete", "DONE", []],
    ]);
    expect(spec.ontology.objects).toEqual([{ id: "1", name: "Cat", color: "#D33115", shape: "bounding_box", featureNodeHash: "Y2F0Ym94" }]);
  });

  test.each([
    ["YAML", "demo.yaml", demoYaml],
    ["YAML, .yml", "demo.yml", demoYaml],
    ["YAML, upper-case extension", "DEMO.YAML", demoYaml],
    ["JSON", "demo.json", JSON.stringify(demoObject, null, 2)],
    ["JSON, upper-case extension", "demo.JSON", JSON.stringify(demoObject)],
    ["JSON written in a .yaml file (JSON is YAML)", "demo-json.yaml", JSON.stringify(demoObject)],
  ])("%s (%s) gives the normalised spec", (_kind, name, text) => {
    using dir = tempDir();
    const spec = loadProjectSpec(write(dir.path, name, text));
    expect(comparable(spec)).toEqual(expectedDemo);
  });

  test("a path with dots in folder names is judged by the file's own extension", () => {
    using dir = tempDir();
    const folder = join(dir.path, "specs.d");
    mkdirSync(folder);
    expect(loadProjectSpec(write(folder, "demo.v2.yaml", demoYaml)).title).toBe("Demo");
  });
});

describe("refused files", () => {
  test.each([
    ["demo.txt", /has extension "\.txt"; accepted: \.json, \.yaml, \.yml\.$/],
    ["demo.yaml.bak", /has extension "\.bak"; accepted: \.json, \.yaml, \.yml\.$/],
    ["demo.jsonl", /has extension "\.jsonl"; accepted: \.json, \.yaml, \.yml\.$/],
    ["demo", /has extension "\(none\)"; accepted: \.json, \.yaml, \.yml\.$/],
  ])("a file named %s is refused by extension, before being read", (name, message) => {
    using dir = tempDir();
    const path = write(dir.path, name, demoYaml);
    const error = dataInputErrorFor(path);
    expect(error.code).toBe("TA_INVALID_SPEC");
    expect(error.message).toContain(JSON.stringify(path));
    expect(error.message).toMatch(message);
    // The extension is checked first: a missing file with a wrong extension is refused the same way.
    expect(dataInputErrorFor(join(dir.path, `missing-${name}`)).code).toBe("TA_INVALID_SPEC");
  });

  test.each(["spec.json", "spec.yaml", "spec.yml"])("a missing %s is TA_FILE_NOT_FOUND", (name) => {
    using dir = tempDir();
    const path = join(dir.path, name);
    const error = dataInputErrorFor(path);
    expect(error.code).toBe("TA_FILE_NOT_FOUND");
    expect(error.message).toBe(`Project spec ${JSON.stringify(path)} does not exist.`);
  });

  test("a folder named like a spec cannot be read", () => {
    using dir = tempDir();
    const path = join(dir.path, "folder.yaml");
    mkdirSync(path);
    const error = dataInputErrorFor(path);
    expect(error.code).toBe("TA_INVALID_SPEC");
    expect(error.message).toMatch(/^Cannot read project spec ".*folder\.yaml": EISDIR\.$/);
  });

  test.each([
    ["unquoted keys", "{ title: 1 }", /^not valid JSON: /],
    ["a trailing comma", JSON.stringify(demoObject).replace(/}$/, ",}"), /^not valid JSON: /],
    ["YAML in a .json file", demoYaml, /^not valid JSON: /],
    ["an empty file", "", /^not valid JSON: .*(end|input)/i],
  ])("invalid JSON (%s) is a SpecValidationError", (_kind, text, problem) => {
    using dir = tempDir();
    const error = specErrorFor(write(dir.path, "bad.json", text));
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(problem);
  });

  test.each([
    ["a duplicate top-level key", "title: A\ntitle: B\nworkflow:\n  stages: []\n", /^not valid YAML: Map keys must be unique at line 2, column 1/],
    [
      "a duplicate key in a stage",
      "title: A\nworkflow:\n  stages:\n    - { title: Start, type: START, to: Done }\n    - { title: Done, type: DONE, title: End }\n",
      /^not valid YAML: Map keys must be unique at line 5/,
    ],
    ["an unclosed flow sequence", "title: [Demo\nworkflow: {}\n", /^not valid YAML: .*\] at line 2/],
    ["tab indentation", "title: Demo\nworkflow:\n\tstages: []\n", /^not valid YAML: Tabs are not allowed as indentation at line 3/],
    ["several documents", "title: A\n---\ntitle: B\n", /^not valid YAML: .*multiple documents/],
  ])("invalid YAML (%s) is a SpecValidationError", (_kind, text, problem) => {
    using dir = tempDir();
    const error = specErrorFor(write(dir.path, "bad.yaml", text));
    expect(error.problems.length).toBeGreaterThanOrEqual(1);
    expect(error.problems[0]).toMatch(problem);
    for (const line of error.problems) expect(line).toMatch(/^not valid YAML: /);
  });

  test("an empty YAML file is not a mapping", () => {
    using dir = tempDir();
    expect(specErrorFor(write(dir.path, "empty.yml", "")).problems).toEqual(["(top level): expected a mapping, got null."]);
  });

  test("a JSON file holding a list is not a mapping", () => {
    using dir = tempDir();
    expect(specErrorFor(write(dir.path, "list.json", JSON.stringify([demoObject]))).problems).toEqual(["(top level): expected a mapping, got a list."]);
  });

  test("a well-formed YAML file that breaks the rules reports every problem, naming paths, with the file as source", () => {
    using dir = tempDir();
    const text = demoYaml
      .replace("type: AGENT", "type: AGNET")
      .replace("reject: Annotate", "reject: Start")
      .replace("description: Cats, boxed.", "descriptoin: Cats, boxed.");
    const error = specErrorFor(write(dir.path, "broken.yaml", text));
    // Shape problems are reported together; the edge to START would be reported once they are fixed.
    expect([...error.problems].sort()).toEqual(
      [
        `(top level): unknown key "descriptoin"; accepted keys: "title", "description", "ontology" or "workflow". Did you mean "description"?`,
        `workflow.stages[1].type: "AGNET" is not accepted; accepted: "START", "AGENT", "ANNOTATION", "REVIEW" or "DONE". Did you mean "AGENT"?`,
      ].sort(),
    );
    const fixed = specErrorFor(write(dir.path, "half-fixed.yaml", text.replace("AGNET", "AGENT").replace("descriptoin", "description")));
    expect(fixed.problems).toEqual([`workflow.stages[3] ("Review").reject: "Start" is the START stage; nothing may point back to START.`]);
  });

  test("a YAML scalar where a stage title belongs is reported with its type", () => {
    using dir = tempDir();
    const text = demoYaml.replace("title: Complete, type: DONE", "title: 2024, type: DONE");
    expect(specErrorFor(write(dir.path, "number.yaml", text)).problems).toEqual(["workflow.stages[4].title: expected a string, got number 2024."]);
  });
});
