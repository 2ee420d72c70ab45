import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { parseDocument } from "yaml";
import { z } from "zod";
import { DataInputError, SpecValidationError, isTaskAgentsError } from "../../domain/errors.js";
import type { OntologyStructureJson } from "../../domain/workflow.js";
import { Ontology } from "../../labels/ontology/ontology.js";
import { describeDuplicateJsonKey, findDuplicateJsonKey } from "../../shared/json-duplicate-keys.js";
import { article, didYouMean, quoteList } from "../../shared/suggest.js";
import { isUuid } from "../../shared/uuid.js";
import { checkStageNotify, notifyKeys, notifySchema, type StageNotifySpec } from "./stage-notify-spec.js";

/** Stage types a local project spec accepts. */
export const specStageTypes = ["START", "AGENT", "ANNOTATION", "REVIEW", "DONE"] as const;
export type SpecStageType = (typeof specStageTypes)[number];

/** A validated stage, with every outgoing edge as a pathway (see {@link humanPathwayNames}). */
export interface StageSpec {
  readonly uuid: string;
  readonly title: string;
  readonly type: SpecStageType;
  readonly pathways: readonly { readonly uuid: string; readonly name: string; readonly to: string }[];
  /** AGENT stages only: where and when `task-agents notify` tells a receiver about waiting work. */
  readonly notify?: StageNotifySpec;
}

/** A validated project spec, with UUIDs filled in. */
export interface ProjectSpec {
  readonly title: string;
  readonly description: string;
  readonly ontology: OntologyStructureJson;
  readonly stages: readonly StageSpec[];
}

/**
 * Names of the pathways the local store gives non-agent stages: START's successor is `next`,
 * ANNOTATION's `to` is `submit`, REVIEW's edges are `approve` and `reject`.
 */
export const humanPathwayNames = {
  START: { to: "next" },
  ANNOTATION: { to: "submit" },
  REVIEW: { approve: "approve", reject: "reject" },
} as const;

const edgeFieldsByType: Record<SpecStageType, readonly string[]> = {
  START: ["to"],
  AGENT: ["pathways"],
  ANNOTATION: ["to"],
  REVIEW: ["approve", "reject"],
  DONE: [],
};

const nonEmpty = z.string().trim().min(1);
const pathwaySchema = z.strictObject({ name: nonEmpty, to: nonEmpty, uuid: z.string().optional() });
const stageSchema = z.strictObject({
  title: nonEmpty,
  type: z.enum(specStageTypes),
  uuid: z.string().optional(),
  to: nonEmpty.optional(),
  approve: nonEmpty.optional(),
  reject: nonEmpty.optional(),
  pathways: z.array(pathwaySchema).optional(),
  notify: notifySchema.optional(),
});
const ontologySchema = z.looseObject({
  objects: z.array(z.looseObject({})).default([]),
  classifications: z.array(z.looseObject({})).default([]),
});
const specSchema = z.strictObject({
  title: nonEmpty,
  description: z.string().default(""),
  ontology: ontologySchema.default({ objects: [], classifications: [] }),
  workflow: z.strictObject({ stages: z.array(stageSchema).min(1) }),
});
type RawSpec = z.infer<typeof specSchema>;

/** Reads a spec file (`.json`, `.yaml` or `.yml`) and validates it; see {@link validateProjectSpec}. */
export function loadProjectSpec(path: string): ProjectSpec {
  const extension = extname(path).toLowerCase();
  if (![".json", ".yaml", ".yml"].includes(extension)) {
    throw new DataInputError(
      "TA_INVALID_SPEC",
      `Project spec ${JSON.stringify(path)} has extension ${JSON.stringify(extension || "(none)")}; accepted: .json, .yaml, .yml.`,
      path,
    );
  }
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new DataInputError(
      code === "ENOENT" ? "TA_FILE_NOT_FOUND" : "TA_INVALID_SPEC",
      code === "ENOENT"
        ? `Project spec ${JSON.stringify(path)} does not exist.`
        : `Cannot read project spec ${JSON.stringify(path)}: ${code ?? String(error)}.`,
      path,
      { cause: error },
    );
  }
  return validateProjectSpec(extension === ".json" ? parseJson(text, path) : parseYaml(text, path), path);
}

function parseJson(text: string, source: string): unknown {
  // A byte-order mark is accepted, as the YAML reader accepts it.
  const json = text.startsWith("\uFEFF") ? text.slice(1) : text;
  let value: unknown;
  try {
    value = JSON.parse(json) as unknown;
  } catch (error) {
    throw new SpecValidationError(source, [`not valid JSON: ${(error as Error).message}`]);
  }
  // JSON.parse keeps the last of two equal keys; the YAML reader refuses them, and so does this.
  const duplicate = findDuplicateJsonKey(json);
  if (duplicate) throw new SpecValidationError(source, [`not a usable JSON spec: ${describeDuplicateJsonKey(duplicate)}; give each key once`]);
  return value;
}

function parseYaml(text: string, source: string): unknown {
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new SpecValidationError(
      source,
      document.errors.map((e) => `not valid YAML: ${e.message.split("\n")[0]!.replace(/:$/, "")}`),
    );
  }
  try {
    return document.toJS() as unknown;
  } catch (error) {
    // The yaml package refuses aliases that expand past its limit (a "billion laughs" document).
    if (error instanceof ReferenceError && /alias/i.test(error.message)) {
      throw new SpecValidationError(source, [
        "not valid YAML: its aliases (*name) expand to too much data; a project spec needs few or no aliases, so write the values out",
      ]);
    }
    throw error;
  }
}

/**
 * Checks a parsed spec against every rule of the project spec format and returns it with
 * generated UUIDs filled in. Throws {@link SpecValidationError} listing every problem found, each
 * naming its path in the spec and what is accepted.
 */
export function validateProjectSpec(input: unknown, source = "(inline)"): ProjectSpec {
  const parsed = specSchema.safeParse(input);
  if (!parsed.success) {
    throw new SpecValidationError(
      source,
      parsed.error.issues.flatMap((issue) => describeIssue(issue, input)),
    );
  }
  const problems = [...checkOntology(parsed.data.ontology), ...checkGraph(parsed.data)];
  if (problems.length > 0) throw new SpecValidationError(source, problems);
  return normalise(parsed.data);
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out === "" ? "(top level)" : out;
}

const acceptedKeys: Record<string, readonly string[]> = {
  root: ["title", "description", "ontology", "workflow"],
  workflow: ["stages"],
  stage: ["title", "type", "uuid", "to", "approve", "reject", "pathways", "notify"],
  pathway: ["name", "to", "uuid"],
  notify: notifyKeys,
};

function keysAcceptedAt(path: readonly PropertyKey[]): readonly string[] {
  if (path.length === 0) return acceptedKeys.root!;
  if (path.length === 1) return acceptedKeys.workflow!;
  if (path.length === 3) return acceptedKeys.stage!;
  if (path[3] === "notify") return acceptedKeys.notify!;
  return acceptedKeys.pathway!;
}

/** One problem line per issue, except an object with several unknown keys: one line per key. */
function describeIssue(issue: z.core.$ZodIssue, input: unknown): string | string[] {
  const at = formatPath(issue.path);
  const actual = valueAt(input, issue.path);
  switch (issue.code) {
    case "unrecognized_keys": {
      const accepted = keysAcceptedAt(issue.path);
      return issue.keys.map((key) => `${at}: unknown key ${JSON.stringify(key)}; accepted keys: ${quoteList(accepted)}.${didYouMean(key, accepted)}`);
    }
    case "invalid_value":
      return `${at}: ${actual === undefined ? "missing" : `${JSON.stringify(actual)} is not accepted`}; accepted: ${quoteList(issue.values.map(String))}.${
        typeof actual === "string" ? didYouMean(actual, issue.values.map(String)) : ""
      }`;
    case "invalid_type":
      return actual === undefined
        ? `${at}: missing; expected ${describeExpected(issue.expected)}.`
        : `${at}: expected ${describeExpected(issue.expected)}, got ${describeValue(actual)}.`;
    case "too_small":
      return Array.isArray(actual)
        ? `${at}: must list at least ${String(issue.minimum)} entr${issue.minimum === 1 ? "y" : "ies"}.`
        : `${at}: must not be empty.`;
    default:
      return `${at}: ${issue.message}.`;
  }
}

function describeExpected(expected: string): string {
  switch (expected) {
    case "object":
      return "a mapping";
    case "array":
      return "a list";
    default:
      return `a ${expected}`;
  }
}

function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return `${typeof value} ${JSON.stringify(value)}`;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = input;
  for (const part of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[part];
  }
  return current;
}

/**
 * The ontology must be one the label model can read (as Encord would), and its objects and
 * classifications need distinct feature node hashes: labels point at them by hash.
 */
function checkOntology(ontology: RawSpec["ontology"]): string[] {
  try {
    Ontology.fromDict(ontology);
  } catch (error) {
    if (isTaskAgentsError(error) && error.code === "TA_INVALID_ONTOLOGY") return [error.message.replace(/^Ontology /, "ontology.")];
    throw error;
  }
  const problems: string[] = [];
  const owners = new Map<string, string>();
  const items = [
    ...ontology.objects.map((item, i) => ({ item, path: `ontology.objects[${i}]` })),
    ...ontology.classifications.map((item, i) => ({ item, path: `ontology.classifications[${i}]` })),
  ];
  for (const { item, path } of items) {
    const hash = String(item["featureNodeHash"]);
    const owner = owners.get(hash);
    if (owner === undefined) owners.set(hash, path);
    else problems.push(`${path}.featureNodeHash: ${JSON.stringify(hash)} is already used by ${owner}; objects and classifications need distinct hashes.`);
  }
  return problems;
}

/** The rules that need more than one field at a time: types, edges and identifiers. */
function checkGraph(spec: RawSpec): string[] {
  const problems: string[] = [];
  const stages = spec.workflow.stages;
  const titles = stages.map((s) => s.title);
  const at = (i: number) => `workflow.stages[${i}] (${JSON.stringify(stages[i]!.title)})`;

  const firstIndexByTitle = new Map<string, number>();
  stages.forEach((stage, i) => {
    const first = firstIndexByTitle.get(stage.title);
    if (first === undefined) firstIndexByTitle.set(stage.title, i);
    else
      problems.push(
        `workflow.stages[${i}].title: duplicate title ${JSON.stringify(stage.title)} (also workflow.stages[${first}]); stage titles must be unique.`,
      );
  });

  const starts = stages.flatMap((s, i) => (s.type === "START" ? [i] : []));
  if (starts.length === 0) problems.push(`workflow.stages: no START stage; exactly one stage must have type "START".`);
  if (starts.length > 1)
    problems.push(`workflow.stages: ${starts.length} START stages (${starts.map((i) => `workflow.stages[${i}]`).join(", ")}); exactly one is accepted.`);
  if (!stages.some((s) => s.type === "DONE")) problems.push(`workflow.stages: no DONE stage; at least one stage must have type "DONE" so tasks can finish.`);

  const checkTarget = (path: string, target: string, fromIndex: number) => {
    const index = firstIndexByTitle.get(target);
    if (index === undefined) {
      problems.push(`${path}: ${JSON.stringify(target)} names no stage; stages: ${quoteList(titles)}.${didYouMean(target, titles)}`);
    } else if (stages[index]!.type === "START") {
      problems.push(`${path}: ${JSON.stringify(target)} is the START stage; nothing may point back to START.`);
    } else if (index === fromIndex) {
      problems.push(`${path}: ${JSON.stringify(target)} is the stage itself; a stage may not point to itself.`);
    }
  };

  stages.forEach((stage, i) => {
    const allowed = edgeFieldsByType[stage.type];
    // Runners take a stage as a title or a UUID: a title that parses as a UUID would be read as one.
    if (isUuid(stage.title))
      problems.push(
        `${at(i)}.title: ${JSON.stringify(stage.title)} is a UUID; a stage title must ` +
          `not be one, since agents name a stage by either (put it in "uuid" instead).`,
      );
    for (const field of ["to", "approve", "reject", "pathways"] as const) {
      const present = stage[field] !== undefined;
      if (present && !allowed.includes(field)) {
        problems.push(
          `${at(i)}.${field}: not accepted on ${article(stage.type)} ${stage.type} stage; ` +
            `${stage.type} accepts ${allowed.length ? quoteList(allowed, "and") : "no outgoing edges"}.`,
        );
      }
      if (!present && allowed.includes(field)) {
        problems.push(`${at(i)}.${field}: missing; ${article(stage.type)} ${stage.type} stage needs ${quoteList(allowed, "and")}.`);
      }
    }
    for (const field of ["to", "approve", "reject"] as const) {
      const target = stage[field];
      if (target !== undefined && allowed.includes(field)) checkTarget(`${at(i)}.${field}`, target, i);
    }
    if (stage.type === "AGENT" && stage.pathways) {
      if (stage.pathways.length === 0) problems.push(`${at(i)}.pathways: an AGENT stage needs at least one pathway ({ name, to }).`);
      const names = new Set<string>();
      stage.pathways.forEach((pathway, j) => {
        const path = `${at(i)}.pathways[${j}]`;
        if (names.has(pathway.name))
          problems.push(`${path}.name: duplicate pathway name ${JSON.stringify(pathway.name)}; names must be unique within a stage.`);
        names.add(pathway.name);
        if (isUuid(pathway.name))
          problems.push(`${path}.name: ${JSON.stringify(pathway.name)} is a UUID; a pathway name must not be one, since agents return either.`);
        checkTarget(`${path}.to`, pathway.to, i);
      });
    }
    if (stage.notify !== undefined) {
      if (stage.type === "AGENT") problems.push(...checkStageNotify(stage.notify, `${at(i)}.notify`));
      else problems.push(`${at(i)}.notify: not accepted on ${article(stage.type)} ${stage.type} stage; only AGENT stages send notifications.`);
    }
  });

  const uuidOwners = new Map<string, string>();
  const checkUuid = (path: string, uuid: string | undefined) => {
    if (uuid === undefined) return;
    if (!isUuid(uuid)) {
      problems.push(`${path}: ${JSON.stringify(uuid)} is not a UUID; accepted: 8-4-4-4-12 hexadecimal digits, e.g. "0b2c7e3a-5d1f-4c8e-9a6b-2f4d8e1c3a5b".`);
      return;
    }
    const key = uuid.toLowerCase();
    const owner = uuidOwners.get(key);
    if (owner) problems.push(`${path}: UUID ${JSON.stringify(uuid)} is already used by ${owner}; UUIDs must be unique.`);
    else uuidOwners.set(key, path);
  };
  stages.forEach((stage, i) => {
    checkUuid(`${at(i)}.uuid`, stage.uuid);
    stage.pathways?.forEach((pathway, j) => checkUuid(`${at(i)}.pathways[${j}].uuid`, pathway.uuid));
  });
  return problems;
}

function normalise(spec: RawSpec): ProjectSpec {
  const newUuid = () => randomUUID();
  return {
    title: spec.title,
    description: spec.description,
    ontology: spec.ontology,
    stages: spec.workflow.stages.map((stage): StageSpec => {
      const edge = (name: string, to: string) => ({ uuid: newUuid(), name, to });
      let pathways: StageSpec["pathways"];
      switch (stage.type) {
        case "START":
          pathways = [edge(humanPathwayNames.START.to, stage.to!)];
          break;
        case "ANNOTATION":
          pathways = [edge(humanPathwayNames.ANNOTATION.to, stage.to!)];
          break;
        case "REVIEW":
          pathways = [edge(humanPathwayNames.REVIEW.approve, stage.approve!), edge(humanPathwayNames.REVIEW.reject, stage.reject!)];
          break;
        case "AGENT":
          pathways = stage.pathways!.map((p) => ({ uuid: p.uuid?.toLowerCase() ?? newUuid(), name: p.name, to: p.to }));
          break;
        case "DONE":
          pathways = [];
          break;
        default: {
          const unreachable: never = stage.type;
          throw new Error(`unhandled stage type ${String(unreachable)}`);
        }
      }
      const notify = stage.type === "AGENT" && stage.notify !== undefined ? { notify: stage.notify } : {};
      return { uuid: stage.uuid?.toLowerCase() ?? newUuid(), title: stage.title, type: stage.type, pathways, ...notify };
    }),
  };
}
