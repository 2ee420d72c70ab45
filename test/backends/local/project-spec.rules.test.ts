import { describe, expect, test } from "vitest";
import { ConfigurationError, SpecValidationError, isTaskAgentsError, validateProjectSpec } from "../../../src/index.js";
import type { ProjectSpec } from "../../../src/index.js";

/* The rules of the project spec format (DESIGN.md §3), checked on parsed input: every bad case
 * is a small mutation of a valid base spec, and names its path in the spec and what is accepted. */

interface RawPathway {
  name?: unknown;
  to?: unknown;
  uuid?: unknown;
  [key: string]: unknown;
}
interface RawStage {
  title?: unknown;
  type?: unknown;
  uuid?: unknown;
  to?: unknown;
  approve?: unknown;
  reject?: unknown;
  pathways?: RawPathway[];
  [key: string]: unknown;
}
interface RawSpec {
  title?: unknown;
  description?: unknown;
  ontology?: unknown;
  workflow: { stages: RawStage[]; [key: string]: unknown };
  [key: string]: unknown;
}

/** The demo workflow of DESIGN.md §3, fresh for every use. */
function baseSpec(): RawSpec {
  return {
    title: "Demo",
    workflow: {
      stages: [
        { title: "Start", type: "START", to: "Pre-label" },
        {
          title: "Pre-label",
          type: "AGENT",
          pathways: [
            { name: "annotate", to: "Annotate" },
            { name: "skip", to: "Complete" },
          ],
        },
        { title: "Annotate", type: "ANNOTATION", to: "Review" },
        { title: "Review", type: "REVIEW", approve: "Complete", reject: "Annotate" },
        { title: "Complete", type: "DONE" },
      ],
    },
  };
}

function stage(spec: RawSpec, i: number): RawStage {
  const found = spec.workflow.stages[i];
  if (!found) throw new Error(`base spec has no stage ${i}`);
  return found;
}

function pathway(spec: RawSpec, i: number, j: number): RawPathway {
  const found = stage(spec, i).pathways?.[j];
  if (!found) throw new Error(`base spec has no pathway ${i}/${j}`);
  return found;
}

function mutated(mutate: (spec: RawSpec) => void): RawSpec {
  const spec = baseSpec();
  mutate(spec);
  return spec;
}

/** A regex matching exactly `text` (one whole problem line). */
function exactly(text: string): RegExp {
  return new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`);
}

/** The SpecValidationError `validateProjectSpec` throws, with the checks every such error passes. */
function specError(input: unknown, source?: string): SpecValidationError {
  let thrown: unknown;
  try {
    validateProjectSpec(input, source);
  } catch (error) {
    thrown = error;
  }
  expect(thrown, "validateProjectSpec should have thrown").toBeInstanceOf(SpecValidationError);
  const error = thrown as SpecValidationError;
  expect(error.code).toBe("TA_INVALID_SPEC");
  expect(error.problems.length).toBeGreaterThan(0);
  for (const problem of error.problems) {
    expect(problem, "one problem per line").not.toContain("\n");
    expect(error.message).toContain(`\n  - ${problem}`);
  }
  return error;
}

/** Asserts that `input` breaks exactly one rule, described by a line matching `pattern`. */
function expectOneProblem(input: unknown, pattern: RegExp): void {
  const error = specError(input);
  expect(error.problems).toHaveLength(1);
  expect(error.problems[0]).toMatch(pattern);
  expect(error.message).toMatch(/^Project spec \(inline\) is invalid \(1 problem\):\n {2}- /);
}

const uuidShape = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const stageList = `stages: "Start", "Pre-label", "Annotate", "Review" or "Complete".`;
const typeList = `accepted: "START", "AGENT", "ANNOTATION", "REVIEW" or "DONE".`;
const topLevelKeys = `accepted keys: "title", "description", "ontology" or "workflow".`;
const stageKeys = `accepted keys: "title", "type", "uuid", "to", "approve", "reject", "pathways" or "notify".`;
const pathwayKeys = `accepted keys: "name", "to" or "uuid".`;
const uuidRule = `accepted: 8-4-4-4-12 hexadecimal digits, e.g. "0b2c7e3a-5d1f-4c8e-9a6b-2f4d8e1c3a5b".`;
const someUuid = "0b2c7e3a-5d1f-4c8e-9a6b-2f4d8e1c3a5b";

interface BadCase {
  readonly name: string;
  readonly mutate: (spec: RawSpec) => void;
  readonly problem: RegExp;
}

function badCases(cases: readonly BadCase[]): readonly BadCase[] {
  return cases;
}

test("the base spec of these tests is valid", () => {
  expect(validateProjectSpec(baseSpec()).stages.map((s) => s.title)).toEqual(["Start", "Pre-label", "Annotate", "Review", "Complete"]);
});

describe("rule 1: a mapping with known keys only", () => {
  test.each([
    { name: "a number", input: 5, problem: exactly("(top level): expected a mapping, got number 5.") },
    { name: "null", input: null, problem: exactly("(top level): expected a mapping, got null.") },
    { name: "a list", input: [baseSpec()], problem: exactly("(top level): expected a mapping, got a list.") },
    { name: "a string", input: "title: Demo", problem: exactly(`(top level): expected a mapping, got string "title: Demo".`) },
    { name: "undefined", input: undefined, problem: /^\(top level\): (missing; )?expected a mapping/ },
  ])("a spec that is $name is refused", ({ input, problem }) => {
    expectOneProblem(input, problem);
  });

  test.each(
    badCases([
      {
        name: "unknown top-level key, near miss",
        mutate: (s) => (s.titel = "Other"),
        problem: exactly(`(top level): unknown key "titel"; ${topLevelKeys} Did you mean "title"?`),
      },
      {
        name: "unknown top-level key, no near miss",
        mutate: (s) => (s.owner = "me"),
        problem: exactly(`(top level): unknown key "owner"; ${topLevelKeys}`),
      },
      {
        name: "unknown workflow key",
        mutate: (s) => (s.workflow.stage = []),
        problem: exactly(`workflow: unknown key "stage"; accepted keys: "stages". Did you mean "stages"?`),
      },
      {
        name: `"pathway" for "pathways" on a stage`,
        mutate: (s) => {
          const agent = stage(s, 1);
          agent.pathway = agent.pathways;
          delete agent.pathways;
        },
        problem: exactly(`workflow.stages[1]: unknown key "pathway"; ${stageKeys} Did you mean "pathways"?`),
      },
      {
        name: "unknown stage key, no near miss",
        mutate: (s) => (stage(s, 2).colour = "red"),
        problem: exactly(`workflow.stages[2]: unknown key "colour"; ${stageKeys}`),
      },
      {
        name: `"too" for "to" on a pathway`,
        mutate: (s) => (pathway(s, 1, 0).too = "Review"),
        problem: exactly(`workflow.stages[1].pathways[0]: unknown key "too"; ${pathwayKeys} Did you mean "to"?`),
      },
      {
        name: `"nmae" (swapped letters) on a pathway`,
        mutate: (s) => (pathway(s, 1, 1).nmae = "x"),
        problem: exactly(`workflow.stages[1].pathways[1]: unknown key "nmae"; ${pathwayKeys} Did you mean "name"?`),
      },
      {
        name: "workflow that is a list",
        mutate: (s) => (s.workflow = [] as unknown as RawSpec["workflow"]),
        problem: exactly("workflow: expected a mapping, got a list."),
      },
      {
        name: "workflow missing",
        mutate: (s) => delete (s as { workflow?: unknown }).workflow,
        problem: exactly("workflow: missing; expected a mapping."),
      },
      {
        name: "stage that is not a mapping",
        mutate: (s) => (s.workflow.stages[4] = "Complete" as unknown as RawStage),
        problem: exactly(`workflow.stages[4]: expected a mapping, got string "Complete".`),
      },
      {
        name: "pathway that is not a mapping",
        mutate: (s) => (stage(s, 1).pathways![1] = "skip" as unknown as RawPathway),
        problem: exactly(`workflow.stages[1].pathways[1]: expected a mapping, got string "skip".`),
      },
      {
        name: "description that is not a string",
        mutate: (s) => (s.description = 5),
        problem: exactly("description: expected a string, got number 5."),
      },
    ]),
  )("$name", ({ mutate, problem }) => {
    expectOneProblem(mutated(mutate), problem);
  });

  test("several unknown keys in one mapping are one problem each", () => {
    const error = specError(
      mutated((s) => {
        s.titel = "x";
        s.descr = "y";
      }),
    );
    expect(error.problems).toEqual([
      `(top level): unknown key "titel"; ${topLevelKeys} Did you mean "title"?`,
      `(top level): unknown key "descr"; ${topLevelKeys}`,
    ]);
    expect(error.message).toMatch(/\(2 problems\)/);
  });

  test("description is optional, defaults to the empty string and is kept when given", () => {
    expect(validateProjectSpec(baseSpec()).description).toBe("");
    expect(validateProjectSpec(mutated((s) => (s.description = "Cats, boxed."))).description).toBe("Cats, boxed.");
  });
});

describe("rule 2: title", () => {
  test.each(
    badCases([
      { name: "missing", mutate: (s) => delete s.title, problem: exactly("title: missing; expected a string.") },
      { name: "empty", mutate: (s) => (s.title = ""), problem: exactly("title: must not be empty.") },
      { name: "blank", mutate: (s) => (s.title = "   "), problem: exactly("title: must not be empty.") },
      { name: "a number", mutate: (s) => (s.title = 3), problem: exactly("title: expected a string, got number 3.") },
      { name: "a list", mutate: (s) => (s.title = ["Demo"]), problem: exactly("title: expected a string, got a list.") },
    ]),
  )("a title that is $name is refused", ({ mutate, problem }) => {
    expectOneProblem(mutated(mutate), problem);
  });

  test("the title is kept", () => {
    expect(validateProjectSpec(mutated((s) => (s.title = "Cats in boxes"))).title).toBe("Cats in boxes");
  });
});

describe("rule 3: ontology", () => {
  test.each(
    badCases([
      { name: "a list", mutate: (s) => (s.ontology = []), problem: exactly("ontology: expected a mapping, got a list.") },
      { name: "null", mutate: (s) => (s.ontology = null), problem: exactly("ontology: expected a mapping, got null.") },
      {
        name: "objects that are a mapping",
        mutate: (s) => (s.ontology = { objects: {} }),
        problem: exactly("ontology.objects: expected a list, got a mapping."),
      },
      {
        name: "classifications that are a string",
        mutate: (s) => (s.ontology = { classifications: "none" }),
        problem: exactly(`ontology.classifications: expected a list, got string "none".`),
      },
      {
        name: "an object that is not a mapping",
        mutate: (s) => (s.ontology = { objects: [{ name: "Cat" }, 1] }),
        problem: exactly("ontology.objects[1]: expected a mapping, got number 1."),
      },
      {
        name: "a classification that is not a mapping",
        mutate: (s) => (s.ontology = { classifications: ["Colour"] }),
        problem: exactly(`ontology.classifications[0]: expected a mapping, got string "Colour".`),
      },
    ]),
  )("an ontology with $name is refused", ({ mutate, problem }) => {
    expectOneProblem(mutated(mutate), problem);
  });

  test("without an ontology, objects and classifications are empty", () => {
    expect(validateProjectSpec(baseSpec()).ontology).toEqual({ objects: [], classifications: [] });
    expect(validateProjectSpec(mutated((s) => (s.ontology = {}))).ontology).toEqual({ objects: [], classifications: [] });
  });

  test("objects, classifications and other keys pass through unchanged", () => {
    const objects = [{ id: "1", name: "Cat", color: "#D33115", shape: "bounding_box", featureNodeHash: "Y2F0Ym94", attributes: [] }];
    const classifications = [
      { id: "2", featureNodeHash: "Y29sb3Vy", attributes: [{ id: "2.1", name: "Colour", type: "radio", featureNodeHash: "Y29sb3VyMQ==" }] },
    ];
    const ontology = validateProjectSpec(mutated((s) => (s.ontology = { objects, classifications, version: 3 }))).ontology;
    expect(ontology).toEqual({ objects, classifications, version: 3 });
  });

  test("a missing list defaults to empty while the other is kept", () => {
    const objects = [{ id: "1", name: "Cat", color: "#D33115", shape: "bounding_box", featureNodeHash: "Y2F0Ym94" }];
    const ontology = validateProjectSpec(mutated((s) => (s.ontology = { objects }))).ontology;
    expect(ontology).toEqual({ objects, classifications: [] });
  });

  test.each([
    [
      "an object without a shape",
      { objects: [{ id: "1", name: "Cat", color: "#D33115", featureNodeHash: "Y2F0Ym94" }] },
      /ontology\.objects\[0\]\.shape is nothing; accepted shapes: bounding_box/,
    ],
    ["an unknown shape", { objects: [{ id: "1", name: "Cat", color: "#D33115", shape: "circle", featureNodeHash: "Y2F0Ym94" }] }, /"circle"; accepted shapes/],
    [
      "an attribute of an unknown type",
      {
        classifications: [
          { id: "2", featureNodeHash: "Y29sb3Vy", attributes: [{ id: "2.1", name: "Colour", type: "slider", featureNodeHash: "Y29sb3VyMQ==" }] },
        ],
      },
      /ontology\.classifications\[0\]\.attributes\[0\]\.type is string "slider"; accepted attribute types: radio, checklist, text, numeric/,
    ],
    [
      "a classification without attributes",
      { classifications: [{ id: "2", featureNodeHash: "Y29sb3Vy", attributes: [] }] },
      /classifications\[0\] has no attributes/,
    ],
    [
      "two items with one feature node hash",
      {
        objects: [{ id: "1", name: "Cat", color: "#D33115", shape: "bounding_box", featureNodeHash: "c2FtZQ==" }],
        classifications: [{ id: "2", featureNodeHash: "c2FtZQ==", attributes: [{ id: "2.1", name: "Colour", type: "text", featureNodeHash: "Y29sb3VyMQ==" }] }],
      },
      /ontology\.classifications\[0\]\.featureNodeHash: "c2FtZQ==" is already used by ontology\.objects\[0\]/,
    ],
  ])("%s is refused, naming where", (_name, ontology, message) => {
    expect(() => validateProjectSpec(mutated((s) => (s.ontology = ontology)))).toThrow(message);
  });
});

describe("rule 4: workflow.stages is a non-empty list", () => {
  test.each(
    badCases([
      { name: "empty", mutate: (s) => (s.workflow.stages = []), problem: exactly("workflow.stages: must list at least 1 entry.") },
      {
        name: "missing",
        mutate: (s) => delete (s.workflow as { stages?: unknown }).stages,
        problem: exactly("workflow.stages: missing; expected a list."),
      },
      {
        name: "a mapping",
        mutate: (s) => (s.workflow.stages = { Start: { type: "START" } } as unknown as RawStage[]),
        problem: exactly("workflow.stages: expected a list, got a mapping."),
      },
    ]),
  )("stages that are $name are refused", ({ mutate, problem }) => {
    expectOneProblem(mutated(mutate), problem);
  });
});

describe("rule 5: stage titles are non-empty and unique", () => {
  test.each(
    badCases([
      { name: "missing", mutate: (s) => delete stage(s, 4).title, problem: exactly("workflow.stages[4].title: missing; expected a string.") },
      { name: "empty", mutate: (s) => (stage(s, 4).title = ""), problem: exactly("workflow.stages[4].title: must not be empty.") },
      { name: "blank", mutate: (s) => (stage(s, 4).title = " \t"), problem: exactly("workflow.stages[4].title: must not be empty.") },
      {
        name: "a number",
        mutate: (s) => (stage(s, 4).title = 7),
        problem: exactly("workflow.stages[4].title: expected a string, got number 7."),
      },
      {
        name: "a duplicate",
        mutate: (s) => s.workflow.stages.push({ title: "Annotate", type: "DONE" }),
        problem: exactly(`workflow.stages[5].title: duplicate title "Annotate" (also workflow.stages[2]); stage titles must be unique.`),
      },
    ]),
  )("a stage title that is $name is refused", ({ mutate, problem }) => {
    expectOneProblem(mutated(mutate), problem);
  });

  test("titles differing only in case are distinct stages", () => {
    const spec = validateProjectSpec(mutated((s) => s.workflow.stages.push({ title: "complete", type: "DONE" })));
    expect(spec.stages.map((s) => s.title)).toEqual(["Start", "Pre-label", "Annotate", "Review", "Complete", "complete"]);
  });
});

describe("rule 6: stage types", () => {
  test.each(
    badCases([
      {
        name: `"AGNET" (swapped letters)`,
        mutate: (s) => (stage(s, 1).type = "AGNET"),
        problem: exactly(`workflow.stages[1].type: "AGNET" is not accepted; ${typeList} Did you mean "AGENT"?`),
      },
      {
        name: `"agent" (lower case)`,
        mutate: (s) => (stage(s, 1).type = "agent"),
        problem: exactly(`workflow.stages[1].type: "agent" is not accepted; ${typeList} Did you mean "AGENT"?`),
      },
      {
        name: `"REVEIW"`,
        mutate: (s) => (stage(s, 3).type = "REVEIW"),
        problem: exactly(`workflow.stages[3].type: "REVEIW" is not accepted; ${typeList} Did you mean "REVIEW"?`),
      },
      {
        name: `"FINISH" (no near miss)`,
        mutate: (s) => (stage(s, 4).type = "FINISH"),
        problem: exactly(`workflow.stages[4].type: "FINISH" is not accepted; ${typeList}`),
      },
      {
        name: "a number",
        mutate: (s) => (stage(s, 4).type = 4),
        problem: exactly(`workflow.stages[4].type: 4 is not accepted; ${typeList}`),
      },
      {
        name: "missing",
        mutate: (s) => delete stage(s, 4).type,
        problem: exactly(`workflow.stages[4].type: missing; ${typeList}`),
      },
    ]),
  )("a stage type $name is refused", ({ mutate, problem }) => {
    expectOneProblem(mutated(mutate), problem);
  });

  test("every type is kept in the result", () => {
    expect(validateProjectSpec(baseSpec()).stages.map((s) => s.type)).toEqual(["START", "AGENT", "ANNOTATION", "REVIEW", "DONE"]);
  });
});

describe("rule 7: exactly one START, at least one DONE", () => {
  test.each(
    badCases([
      {
        name: "no START",
        mutate: (s) => s.workflow.stages.shift(),
        problem: exactly(`workflow.stages: no START stage; exactly one stage must have type "START".`),
      },
      {
        name: "two STARTs",
        mutate: (s) => s.workflow.stages.push({ title: "Start again", type: "START", to: "Annotate" }),
        problem: exactly("workflow.stages: 2 START stages (workflow.stages[0], workflow.stages[5]); exactly one is accepted."),
      },
      {
        name: "no DONE",
        mutate: (s) => {
          stage(s, 4).type = "ANNOTATION";
          stage(s, 4).to = "Review";
        },
        problem: exactly(`workflow.stages: no DONE stage; at least one stage must have type "DONE" so tasks can finish.`),
      },
    ]),
  )("$name is refused", ({ mutate, problem }) => {
    expectOneProblem(mutated(mutate), problem);
  });

  test("several DONE stages are accepted", () => {
    const spec = validateProjectSpec(
      mutated((s) => {
        pathway(s, 1, 1).to = "Skipped";
        s.workflow.stages.push({ title: "Skipped", type: "DONE" });
      }),
    );
    expect(spec.stages.filter((s) => s.type === "DONE").map((s) => s.title)).toEqual(["Complete", "Skipped"]);
  });

  test("the smallest workflow, START then DONE, is accepted", () => {
    const spec = validateProjectSpec({
      title: "Tiny",
      workflow: {
        stages: [
          { title: "Start", type: "START", to: "Done" },
          { title: "Done", type: "DONE" },
        ],
      },
    });
    expect(spec.stages.map((s) => [s.type, s.pathways.map((p) => [p.name, p.to])])).toEqual([
      ["START", [["next", "Done"]]],
      ["DONE", []],
    ]);
  });
});

describe("rule 8: each stage type takes its own edge fields", () => {
  test.each(
    badCases([
      {
        name: "START without to",
        mutate: (s) => delete stage(s, 0).to,
        problem: exactly(`workflow.stages[0] ("Start").to: missing; a START stage needs "to".`),
      },
      {
        name: "AGENT without pathways",
        mutate: (s) => delete stage(s, 1).pathways,
        problem: /^workflow\.stages\[1\] \("Pre-label"\)\.pathways: missing; an? AGENT stage needs "pathways"\.$/,
      },
      {
        name: "AGENT with an empty list of pathways",
        mutate: (s) => (stage(s, 1).pathways = []),
        problem: /^workflow\.stages\[1\] \("Pre-label"\)\.pathways: an AGENT stage needs at least one pathway/,
      },
      {
        name: "AGENT with pathways that are not a list",
        mutate: (s) => (stage(s, 1).pathways = { annotate: "Annotate" } as unknown as RawPathway[]),
        problem: exactly("workflow.stages[1].pathways: expected a list, got a mapping."),
      },
      {
        name: "a pathway without a name",
        mutate: (s) => delete pathway(s, 1, 0).name,
        problem: exactly("workflow.stages[1].pathways[0].name: missing; expected a string."),
      },
      {
        name: "a pathway with an empty name",
        mutate: (s) => (pathway(s, 1, 0).name = ""),
        problem: exactly("workflow.stages[1].pathways[0].name: must not be empty."),
      },
      {
        name: "a pathway without to",
        mutate: (s) => delete pathway(s, 1, 1).to,
        problem: exactly("workflow.stages[1].pathways[1].to: missing; expected a string."),
      },
      {
        name: "ANNOTATION without to",
        mutate: (s) => delete stage(s, 2).to,
        problem: /^workflow\.stages\[2\] \("Annotate"\)\.to: missing; an? ANNOTATION stage needs "to"\.$/,
      },
      {
        name: "REVIEW without approve",
        mutate: (s) => delete stage(s, 3).approve,
        problem: exactly(`workflow.stages[3] ("Review").approve: missing; a REVIEW stage needs "approve" and "reject".`),
      },
      {
        name: "REVIEW without reject",
        mutate: (s) => delete stage(s, 3).reject,
        problem: exactly(`workflow.stages[3] ("Review").reject: missing; a REVIEW stage needs "approve" and "reject".`),
      },
      {
        name: "START with approve",
        mutate: (s) => (stage(s, 0).approve = "Annotate"),
        problem: exactly(`workflow.stages[0] ("Start").approve: not accepted on a START stage; START accepts "to".`),
      },
      {
        name: "START with pathways",
        mutate: (s) => (stage(s, 0).pathways = [{ name: "go", to: "Annotate" }]),
        problem: exactly(`workflow.stages[0] ("Start").pathways: not accepted on a START stage; START accepts "to".`),
      },
      {
        name: "AGENT with to",
        mutate: (s) => (stage(s, 1).to = "Annotate"),
        problem: /^workflow\.stages\[1\] \("Pre-label"\)\.to: not accepted on an? AGENT stage; AGENT accepts "pathways"\.$/,
      },
      {
        name: "ANNOTATION with reject",
        mutate: (s) => (stage(s, 2).reject = "Pre-label"),
        problem: /^workflow\.stages\[2\] \("Annotate"\)\.reject: not accepted on an? ANNOTATION stage; ANNOTATION accepts "to"\.$/,
      },
      {
        name: "ANNOTATION with pathways",
        mutate: (s) => (stage(s, 2).pathways = [{ name: "submit", to: "Review" }]),
        problem: /^workflow\.stages\[2\] \("Annotate"\)\.pathways: not accepted on an? ANNOTATION stage; ANNOTATION accepts "to"\.$/,
      },
      {
        name: "REVIEW with to",
        mutate: (s) => (stage(s, 3).to = "Complete"),
        problem: exactly(`workflow.stages[3] ("Review").to: not accepted on a REVIEW stage; REVIEW accepts "approve" and "reject".`),
      },
      {
        name: "DONE with to",
        mutate: (s) => (stage(s, 4).to = "Annotate"),
        problem: exactly(`workflow.stages[4] ("Complete").to: not accepted on a DONE stage; DONE accepts no outgoing edges.`),
      },
      {
        name: "DONE with pathways",
        mutate: (s) => (stage(s, 4).pathways = [{ name: "again", to: "Annotate" }]),
        problem: exactly(`workflow.stages[4] ("Complete").pathways: not accepted on a DONE stage; DONE accepts no outgoing edges.`),
      },
      {
        name: "an empty to",
        mutate: (s) => (stage(s, 0).to = ""),
        problem: exactly("workflow.stages[0].to: must not be empty."),
      },
      {
        name: "an approve that is not a string",
        mutate: (s) => (stage(s, 3).approve = true),
        problem: exactly("workflow.stages[3].approve: expected a string, got boolean true."),
      },
    ]),
  )("$name is refused", ({ mutate, problem }) => {
    expectOneProblem(mutated(mutate), problem);
  });

  test("a REVIEW with neither edge gets one problem per missing edge", () => {
    const error = specError(
      mutated((s) => {
        delete stage(s, 3).approve;
        delete stage(s, 3).reject;
      }),
    );
    expect(error.problems).toEqual([
      `workflow.stages[3] ("Review").approve: missing; a REVIEW stage needs "approve" and "reject".`,
      `workflow.stages[3] ("Review").reject: missing; a REVIEW stage needs "approve" and "reject".`,
    ]);
  });

  test("an edge field on the wrong type is refused even when it names a real stage, without further checks", () => {
    // "Start" would be refused as a target; a field that does not belong is reported once.
    const error = specError(mutated((s) => (stage(s, 4).approve = "Start")));
    expect(error.problems).toEqual([`workflow.stages[4] ("Complete").approve: not accepted on a DONE stage; DONE accepts no outgoing edges.`]);
  });
});

describe("rule 9: every edge names an existing stage other than START and itself", () => {
  test.each(
    badCases([
      {
        name: "START's to names no stage (near miss)",
        mutate: (s) => (stage(s, 0).to = "Prelabel"),
        problem: exactly(`workflow.stages[0] ("Start").to: "Prelabel" names no stage; ${stageList} Did you mean "Pre-label"?`),
      },
      {
        name: "a pathway's to names no stage (near miss)",
        mutate: (s) => (pathway(s, 1, 0).to = "Anotate"),
        problem: exactly(`workflow.stages[1] ("Pre-label").pathways[0].to: "Anotate" names no stage; ${stageList} Did you mean "Annotate"?`),
      },
      {
        name: "a to in the wrong case",
        mutate: (s) => (stage(s, 2).to = "review"),
        problem: exactly(`workflow.stages[2] ("Annotate").to: "review" names no stage; ${stageList} Did you mean "Review"?`),
      },
      {
        name: "approve names no stage (no near miss)",
        mutate: (s) => (stage(s, 3).approve = "Nowhere"),
        problem: exactly(`workflow.stages[3] ("Review").approve: "Nowhere" names no stage; ${stageList}`),
      },
      {
        name: "reject names no stage",
        mutate: (s) => (stage(s, 3).reject = "Annotation"),
        problem: exactly(`workflow.stages[3] ("Review").reject: "Annotation" names no stage; ${stageList} Did you mean "Annotate"?`),
      },
      {
        name: "reject points back to START",
        mutate: (s) => (stage(s, 3).reject = "Start"),
        problem: exactly(`workflow.stages[3] ("Review").reject: "Start" is the START stage; nothing may point back to START.`),
      },
      {
        name: "a pathway points back to START",
        mutate: (s) => (pathway(s, 1, 1).to = "Start"),
        problem: exactly(`workflow.stages[1] ("Pre-label").pathways[1].to: "Start" is the START stage; nothing may point back to START.`),
      },
      {
        name: "ANNOTATION's to points back to START",
        mutate: (s) => (stage(s, 2).to = "Start"),
        problem: exactly(`workflow.stages[2] ("Annotate").to: "Start" is the START stage; nothing may point back to START.`),
      },
      {
        name: "START points to itself",
        mutate: (s) => (stage(s, 0).to = "Start"),
        problem: new RegExp(
          '^workflow\\.stages\\[0\\] \\("Start"\\)\\.to: "Start" is (the START stage; ' +
            "nothing may point back to START|the stage itself; a stage may not " +
            "point to itself)\\.$",
        ),
      },
      {
        name: "ANNOTATION points to itself",
        mutate: (s) => (stage(s, 2).to = "Annotate"),
        problem: exactly(`workflow.stages[2] ("Annotate").to: "Annotate" is the stage itself; a stage may not point to itself.`),
      },
      {
        name: "REVIEW approves to itself",
        mutate: (s) => (stage(s, 3).approve = "Review"),
        problem: exactly(`workflow.stages[3] ("Review").approve: "Review" is the stage itself; a stage may not point to itself.`),
      },
      {
        name: "an AGENT pathway points to its own stage",
        mutate: (s) => (pathway(s, 1, 1).to = "Pre-label"),
        problem: exactly(`workflow.stages[1] ("Pre-label").pathways[1].to: "Pre-label" is the stage itself; a stage may not point to itself.`),
      },
    ]),
  )("$name", ({ mutate, problem }) => {
    expectOneProblem(mutated(mutate), problem);
  });

  test("edges may point backwards (except to START) and to later stages", () => {
    const spec = validateProjectSpec(
      mutated((s) => {
        pathway(s, 1, 1).to = "Review";
        stage(s, 3).reject = "Pre-label";
      }),
    );
    expect(spec.stages[1]!.pathways.map((p) => p.to)).toEqual(["Annotate", "Review"]);
    expect(spec.stages[3]!.pathways.map((p) => p.to)).toEqual(["Complete", "Pre-label"]);
  });

  test("stages may be listed in any order", () => {
    const spec = validateProjectSpec(mutated((s) => s.workflow.stages.reverse()));
    expect(spec.stages.map((s) => s.title)).toEqual(["Complete", "Review", "Annotate", "Pre-label", "Start"]);
  });
});

describe("rule 10: pathway names", () => {
  test.each(
    badCases([
      {
        name: "two pathways of a stage share a name",
        mutate: (s) => (pathway(s, 1, 1).name = "annotate"),
        problem: exactly(`workflow.stages[1] ("Pre-label").pathways[1].name: duplicate pathway name "annotate"; names must be unique within a stage.`),
      },
      {
        name: "a pathway name is a UUID",
        mutate: (s) => (pathway(s, 1, 1).name = someUuid),
        problem: exactly(
          `workflow.stages[1] ("Pre-label").pathways[1].name: "${someUuid}" is a UUID; a pathway name must not be one, since agents return either.`,
        ),
      },
      {
        name: "a pathway name is an upper-case UUID",
        mutate: (s) => (pathway(s, 1, 0).name = someUuid.toUpperCase()),
        problem:
          /^workflow\.stages\[1\] \("Pre-label"\)\.pathways\[0\]\.name: "0B2C7E3A-5D1F-4C8E-9A6B-2F4D8E1C3A5B" is a UUID; a pathway name must not be one/,
      },
    ]),
  )("$name is refused", ({ mutate, problem }) => {
    expectOneProblem(mutated(mutate), problem);
  });

  test("different stages may use the same pathway name, and names need only look unlike a UUID", () => {
    const spec = validateProjectSpec(
      mutated((s) => {
        pathway(s, 1, 1).name = "0b2c7e3a";
        stage(s, 2).type = "AGENT";
        delete stage(s, 2).to;
        stage(s, 2).pathways = [{ name: "annotate", to: "Review" }];
      }),
    );
    expect(spec.stages[1]!.pathways.map((p) => p.name)).toEqual(["annotate", "0b2c7e3a"]);
    expect(spec.stages[2]!.pathways.map((p) => p.name)).toEqual(["annotate"]);
  });

  test("pathway names differing only in case are distinct", () => {
    const spec = validateProjectSpec(mutated((s) => (pathway(s, 1, 1).name = "Annotate")));
    expect(spec.stages[1]!.pathways.map((p) => p.name)).toEqual(["annotate", "Annotate"]);
  });
});

describe("rule 11: UUIDs", () => {
  test.each(
    badCases([
      {
        name: "a stage UUID that is a word",
        mutate: (s) => (stage(s, 1).uuid = "nope"),
        problem: exactly(`workflow.stages[1] ("Pre-label").uuid: "nope" is not a UUID; ${uuidRule}`),
      },
      {
        name: "a stage UUID one digit short",
        mutate: (s) => (stage(s, 4).uuid = someUuid.slice(0, -1)),
        problem: exactly(`workflow.stages[4] ("Complete").uuid: "${someUuid.slice(0, -1)}" is not a UUID; ${uuidRule}`),
      },
      {
        name: "a stage UUID with a non-hex digit",
        mutate: (s) => (stage(s, 0).uuid = someUuid.replace("0b", "0g")),
        problem: exactly(`workflow.stages[0] ("Start").uuid: "${someUuid.replace("0b", "0g")}" is not a UUID; ${uuidRule}`),
      },
      {
        name: "a stage UUID without dashes",
        mutate: (s) => (stage(s, 0).uuid = someUuid.replaceAll("-", "")),
        problem: /^workflow\.stages\[0\] \("Start"\)\.uuid: "0b2c7e3a5d1f4c8e9a6b2f4d8e1c3a5b" is not a UUID; accepted: 8-4-4-4-12 hexadecimal digits/,
      },
      {
        name: "a stage UUID in braces",
        mutate: (s) => (stage(s, 0).uuid = `{${someUuid}}`),
        problem: /^workflow\.stages\[0\] \("Start"\)\.uuid: "\{0b2c7e3a-5d1f-4c8e-9a6b-2f4d8e1c3a5b\}" is not a UUID; accepted: 8-4-4-4-12/,
      },
      {
        name: "an empty stage UUID",
        mutate: (s) => (stage(s, 3).uuid = ""),
        problem: exactly(`workflow.stages[3] ("Review").uuid: "" is not a UUID; ${uuidRule}`),
      },
      {
        name: "a stage UUID that is a number",
        mutate: (s) => (stage(s, 3).uuid = 42),
        problem: exactly("workflow.stages[3].uuid: expected a string, got number 42."),
      },
      {
        name: "a pathway UUID that is malformed",
        mutate: (s) => (pathway(s, 1, 1).uuid = "1234"),
        problem: exactly(`workflow.stages[1] ("Pre-label").pathways[1].uuid: "1234" is not a UUID; ${uuidRule}`),
      },
      {
        name: "two stages sharing a UUID",
        mutate: (s) => {
          stage(s, 0).uuid = someUuid;
          stage(s, 3).uuid = someUuid;
        },
        problem: exactly(`workflow.stages[3] ("Review").uuid: UUID "${someUuid}" is already used by workflow.stages[0] ("Start").uuid; UUIDs must be unique.`),
      },
      {
        name: "a stage and a pathway sharing a UUID, in different case",
        mutate: (s) => {
          stage(s, 1).uuid = someUuid;
          pathway(s, 1, 0).uuid = someUuid.toUpperCase();
        },
        problem: exactly(
          `workflow.stages[1] ("Pre-label").pathways[0].uuid: UUID "${someUuid.toUpperCase()}` +
            `" is already used by workflow.stages[1] ("Pre-label").uuid; UUIDs must be unique.`,
        ),
      },
      {
        name: "two pathways sharing a UUID",
        mutate: (s) => {
          pathway(s, 1, 0).uuid = someUuid;
          pathway(s, 1, 1).uuid = someUuid;
        },
        problem: exactly(
          `workflow.stages[1] ("Pre-label").pathways[1].uuid: UUID "${someUuid}" is already ` +
            `used by workflow.stages[1] ("Pre-label").pathways[0].uuid; UUIDs must be unique.`,
        ),
      },
      {
        name: "a later stage reusing an earlier pathway's UUID",
        mutate: (s) => {
          pathway(s, 1, 1).uuid = someUuid;
          stage(s, 4).uuid = someUuid;
        },
        problem: exactly(
          `workflow.stages[4] ("Complete").uuid: UUID "${someUuid}" is already used ` +
            `by workflow.stages[1] ("Pre-label").pathways[1].uuid; UUIDs must be unique.`,
        ),
      },
    ]),
  )("$name is refused", ({ mutate, problem }) => {
    expectOneProblem(mutated(mutate), problem);
  });

  test.each([
    ["nil", "00000000-0000-0000-0000-000000000000"],
    ["max", "ffffffff-ffff-ffff-ffff-ffffffffffff"],
    ["version 4", "0b2c7e3a-5d1f-4c8e-9a6b-2f4d8e1c3a5b"],
    ["version 7", "01890a5d-ac96-774b-bcce-b302099a8057"],
    ["no RFC version or variant", "12345678-9abc-def0-1234-56789abcdef0"],
  ])("a %s UUID is accepted on a stage and on a pathway", (_kind, uuid) => {
    const other = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
    const spec = validateProjectSpec(
      mutated((s) => {
        stage(s, 2).uuid = uuid;
        pathway(s, 1, 0).uuid = other;
      }),
    );
    expect(spec.stages[2]!.uuid).toBe(uuid);
    expect(spec.stages[1]!.pathways[0]!.uuid).toBe(other);
  });

  test("given UUIDs are kept, lower-cased", () => {
    const stageUuid = "ABCDEF01-2345-6789-ABCD-EF0123456789";
    const pathwayUuid = "FEDCBA98-7654-3210-FEDC-BA9876543210";
    const spec = validateProjectSpec(
      mutated((s) => {
        stage(s, 1).uuid = stageUuid;
        pathway(s, 1, 1).uuid = pathwayUuid;
      }),
    );
    expect(spec.stages[1]!.uuid).toBe(stageUuid.toLowerCase());
    expect(spec.stages[1]!.pathways[1]!.uuid).toBe(pathwayUuid.toLowerCase());
  });

  test("missing UUIDs are generated: well-formed, all different, and new for every validation", () => {
    const first = validateProjectSpec(baseSpec());
    const second = validateProjectSpec(baseSpec());
    const uuids = (spec: ProjectSpec) => spec.stages.flatMap((s) => [s.uuid, ...s.pathways.map((p) => p.uuid)]);
    // 5 stages, 1 + 2 + 1 + 2 + 0 pathways.
    expect(uuids(first)).toHaveLength(11);
    for (const uuid of [...uuids(first), ...uuids(second)]) expect(uuid).toMatch(uuidShape);
    expect(new Set([...uuids(first), ...uuids(second)]).size).toBe(22);
  });

  test("a given UUID is not generated again for another stage or pathway", () => {
    const spec = validateProjectSpec(mutated((s) => (stage(s, 0).uuid = someUuid)));
    const all = spec.stages.flatMap((s) => [s.uuid, ...s.pathways.map((p) => p.uuid)]);
    expect(all.filter((u) => u === someUuid)).toHaveLength(1);
  });
});

describe("rule 12: all problems are reported together", () => {
  test("problems of shape (types, keys, missing fields) come in one error", () => {
    const error = specError(
      mutated((s) => {
        s.titel = "x";
        stage(s, 1).type = "AGNET";
        stage(s, 2).to = 3;
        stage(s, 4).title = "";
      }),
    );
    expect(error.problems).toHaveLength(4);
    expect(error.message).toMatch(/^Project spec \(inline\) is invalid \(4 problems\):\n/);
    expect(error.message.split("\n")).toHaveLength(5);
    for (const pattern of [
      /^\(top level\): unknown key "titel"/,
      /^workflow\.stages\[1\]\.type: "AGNET" is not accepted/,
      /^workflow\.stages\[2\]\.to: expected a string, got number 3\.$/,
      /^workflow\.stages\[4\]\.title: must not be empty\.$/,
    ]) {
      expect(
        error.problems.some((p) => pattern.test(p)),
        String(pattern),
      ).toBe(true);
    }
  });

  test("problems of the workflow graph (edges, counts, names, UUIDs) come in one error, in a stable order", () => {
    const input = mutated((s) => {
      stage(s, 2).to = "Annotate";
      stage(s, 3).reject = "Start";
      pathway(s, 1, 1).name = "annotate";
      pathway(s, 1, 0).to = "Nowhere";
      stage(s, 1).uuid = "x";
      stage(s, 4).type = "REVIEW";
      stage(s, 4).approve = "Review";
      stage(s, 4).reject = "Annotate";
      s.workflow.stages.push({ title: "Review", type: "ANNOTATION", to: "Pre-label" });
    });
    const error = specError(input);
    expect(error.problems).toEqual([
      `workflow.stages[5].title: duplicate title "Review" (also workflow.stages[3]); stage titles must be unique.`,
      `workflow.stages: no DONE stage; at least one stage must have type "DONE" so tasks can finish.`,
      `workflow.stages[1] ("Pre-label").pathways[0].to: "Nowhere" names no stage; stages: "Start", "Pre-label", "Annotate", "Review", "Complete" or "Review".`,
      `workflow.stages[1] ("Pre-label").pathways[1].name: duplicate pathway name "annotate"; names must be unique within a stage.`,
      `workflow.stages[2] ("Annotate").to: "Annotate" is the stage itself; a stage may not point to itself.`,
      `workflow.stages[3] ("Review").reject: "Start" is the START stage; nothing may point back to START.`,
      `workflow.stages[1] ("Pre-label").uuid: "x" is not a UUID; ${uuidRule}`,
    ]);
    expect(error.message).toMatch(/is invalid \(7 problems\):\n/);
    // Validation is repeatable: the same input gives the same report.
    expect(specError(input).problems).toEqual(error.problems);
  });

  test("the error names its source, is a ConfigurationError and is recognised as a task-agents error", () => {
    const error = specError(
      mutated((s) => (stage(s, 1).type = "AGNET")),
      "specs/demo.yaml",
    );
    expect(error.source).toBe("specs/demo.yaml");
    expect(error.message).toMatch(/^Project spec specs\/demo\.yaml is invalid \(1 problem\):\n {2}- workflow\.stages\[1\]\.type: "AGNET"/);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.name).toBe("SpecValidationError");
    expect(isTaskAgentsError(error)).toBe(true);
  });

  test("without a source, the error says the spec was given inline", () => {
    expect(specError(5).source).toBe("(inline)");
  });
});

describe("rule 14: the normalised result", () => {
  test("every stage, in order, has its edges as pathways named after the stage type", () => {
    const aUuid: unknown = expect.stringMatching(uuidShape);
    const spec = validateProjectSpec(mutated((s) => (s.description = "A demo.")));
    expect(spec).toEqual({
      title: "Demo",
      description: "A demo.",
      ontology: { objects: [], classifications: [] },
      stages: [
        { uuid: aUuid, title: "Start", type: "START", pathways: [{ uuid: aUuid, name: "next", to: "Pre-label" }] },
        {
          uuid: aUuid,
          title: "Pre-label",
          type: "AGENT",
          pathways: [
            { uuid: aUuid, name: "annotate", to: "Annotate" },
            { uuid: aUuid, name: "skip", to: "Complete" },
          ],
        },
        { uuid: aUuid, title: "Annotate", type: "ANNOTATION", pathways: [{ uuid: aUuid, name: "submit", to: "Review" }] },
        {
          uuid: aUuid,
          title: "Review",
          type: "REVIEW",
          pathways: [
            { uuid: aUuid, name: "approve", to: "Complete" },
            { uuid: aUuid, name: "reject", to: "Annotate" },
          ],
        },
        { uuid: aUuid, title: "Complete", type: "DONE", pathways: [] },
      ],
    });
  });

  test("each pathway has exactly uuid, name and to; each stage exactly uuid, title, type and pathways", () => {
    const spec = validateProjectSpec(mutated((s) => (pathway(s, 1, 0).uuid = someUuid)));
    for (const s of spec.stages) {
      expect(Object.keys(s).sort()).toEqual(["pathways", "title", "type", "uuid"]);
      for (const p of s.pathways) expect(Object.keys(p).sort()).toEqual(["name", "to", "uuid"]);
    }
    expect(Object.keys(spec).sort()).toEqual(["description", "ontology", "stages", "title"]);
  });

  test("an AGENT's pathways keep their order and given UUIDs", () => {
    const spec = validateProjectSpec(
      mutated((s) => {
        stage(s, 1).pathways = [
          { name: "skip", to: "Complete" },
          { name: "review", to: "Review", uuid: someUuid },
          { name: "annotate", to: "Annotate" },
        ];
      }),
    );
    expect(spec.stages[1]!.pathways.map((p) => [p.name, p.to])).toEqual([
      ["skip", "Complete"],
      ["review", "Review"],
      ["annotate", "Annotate"],
    ]);
    expect(spec.stages[1]!.pathways[1]!.uuid).toBe(someUuid);
  });

  test("validation does not change its input", () => {
    const input = mutated((s) => {
      s.ontology = { objects: [{ id: "1", name: "Cat", color: "#D33115", shape: "bounding_box", featureNodeHash: "Y2F0Ym94" }] };
      stage(s, 0).uuid = someUuid.toUpperCase();
    });
    const before = structuredClone(input);
    validateProjectSpec(input);
    expect(input).toEqual(before);
  });
});
