/**
 * Writes a project shape as a TypeScript module: a header, `defineProject({ … } as const)`,
 * formatted the same way every time (2-space indent, trailing commas, a collection on one line
 * when it fits in 100 columns and holds no comments). The data part is also valid YAML flow
 * syntax once its comment lines are dropped, which is how `--check` reads a module back.
 */
import type { AttributeShape, ClassificationShape, OntologyObjectShape, OptionShape } from "../labels/ontology/typed-ontology.js";
import type { ProjectShape, StageShape } from "./project-shape.js";

const printWidth = 100;
/** The line that opens the data; `--check` looks for it. */
export const dataStart = "export default defineProject(";
/** The line that closes the data. */
export const dataEnd = "} as const);";

type Node =
  | { readonly kind: "string"; readonly value: string }
  | { readonly kind: "array"; readonly items: readonly Node[] }
  | { readonly kind: "object"; readonly entries: readonly Entry[] };
interface Entry {
  readonly key: string;
  readonly value: Node;
  readonly comment?: string;
}

const str = (value: string): Node => ({ kind: "string", value });
const obj = (entries: readonly (Entry | undefined)[]): Node => ({ kind: "object", entries: entries.filter((e): e is Entry => e !== undefined) });
const entry = (key: string, value: Node | undefined, comment?: string): Entry | undefined =>
  value === undefined ? undefined : { key, value, ...(comment === undefined ? {} : { comment }) };
const optionalString = (value: string | undefined): Node | undefined => (value === undefined ? undefined : str(value));

/** A property key: bare when it is an identifier, quoted otherwise. */
export function propertyKey(key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? key : JSON.stringify(key);
}

/** A comment must not end itself early. */
const commentText = (text: string) => text.replaceAll("*/", "*\\/");

function hasComments(node: Node): boolean {
  if (node.kind === "string") return false;
  if (node.kind === "array") return node.items.some(hasComments);
  return node.entries.some((e) => e.comment !== undefined || hasComments(e.value));
}

function inline(node: Node): string {
  switch (node.kind) {
    case "string":
      return JSON.stringify(node.value);
    case "array":
      return node.items.length === 0 ? "[]" : `[${node.items.map(inline).join(", ")}]`;
    case "object":
      return node.entries.length === 0 ? "{}" : `{ ${node.entries.map((e) => `${propertyKey(e.key)}: ${inline(e.value)}`).join(", ")} }`;
  }
}

/** `node` printed after `prefix` at `indent`, without the trailing comma. */
function print(node: Node, indent: string, prefix: string): string {
  const flat = inline(node);
  if (node.kind === "string" || (!hasComments(node) && indent.length + prefix.length + flat.length + 1 <= printWidth)) return `${indent}${prefix}${flat}`;
  const inner = `${indent}  `;
  if (node.kind === "array") return [`${indent}${prefix}[`, ...node.items.map((item) => `${print(item, inner, "")},`), `${indent}]`].join("\n");
  const lines = [`${indent}${prefix}{`];
  for (const e of node.entries) {
    if (e.comment !== undefined) lines.push(`${inner}/** ${commentText(e.comment)} */`);
    lines.push(`${print(e.value, inner, `${propertyKey(e.key)}: `)},`);
  }
  lines.push(`${indent}}`);
  return lines.join("\n");
}

const hashNote = (hash: string) => `feature node hash ${hash}`;

function attributesNode(attributes: { readonly [key: string]: AttributeShape } | undefined): Node {
  return obj(
    Object.entries(attributes ?? {}).map(([key, a]) =>
      entry(key, attributeNode(a), `${a.type[0]!.toUpperCase()}${a.type.slice(1)} attribute ${JSON.stringify(a.title)}, ${hashNote(a.featureNodeHash)}.`),
    ),
  );
}

function optionNode(option: OptionShape): Node {
  return obj([
    entry("title", str(option.title)),
    entry("featureNodeHash", str(option.featureNodeHash)),
    option.attributes === undefined ? undefined : entry("attributes", attributesNode(option.attributes)),
  ]);
}

function attributeNode(attribute: AttributeShape): Node {
  const options =
    attribute.options === undefined
      ? undefined
      : obj(
          Object.entries(attribute.options).map(([key, o]) => entry(key, optionNode(o), `Option ${JSON.stringify(o.title)}, ${hashNote(o.featureNodeHash)}.`)),
        );
  return obj([
    entry("title", str(attribute.title)),
    entry("featureNodeHash", str(attribute.featureNodeHash)),
    entry("type", str(attribute.type)),
    entry("options", options),
  ]);
}

function objectNode(object: OntologyObjectShape): Node {
  return obj([
    entry("title", str(object.title)),
    entry("featureNodeHash", str(object.featureNodeHash)),
    entry("shape", str(object.shape)),
    entry("attributes", attributesNode(object.attributes)),
  ]);
}

function classificationNode(classification: ClassificationShape): Node {
  return obj([
    entry("title", str(classification.title)),
    entry("featureNodeHash", str(classification.featureNodeHash)),
    entry("firstAttribute", str(classification.firstAttribute)),
    entry("attributes", attributesNode(classification.attributes)),
  ]);
}

function stageNode(stage: StageShape): Node {
  const pathways = stage.pathways?.map((p) => obj([entry("name", str(p.name)), entry("uuid", optionalString(p.uuid)), entry("to", str(p.to))]));
  return obj([
    entry("title", str(stage.title)),
    entry("uuid", optionalString(stage.uuid)),
    entry("type", str(stage.type)),
    entry("pathways", pathways === undefined ? undefined : { kind: "array", items: pathways }),
  ]);
}

/** The data node of a shape, in the order the module lists it. */
function shapeNode(shape: ProjectShape): Node {
  const { objects, classifications } = shape.ontology;
  return obj([
    entry("title", str(shape.title)),
    entry("projectHash", optionalString(shape.projectHash)),
    entry("codegen", str(shape.codegen)),
    entry("stages", { kind: "array", items: shape.stages.map(stageNode) }),
    entry(
      "ontology",
      obj([
        entry(
          "objects",
          obj(
            Object.entries(objects).map(([key, o]) =>
              entry(key, objectNode(o), `Object ${JSON.stringify(o.title)} (${o.shape}), ${hashNote(o.featureNodeHash)}.`),
            ),
          ),
        ),
        entry(
          "classifications",
          obj(
            Object.entries(classifications).map(([key, c]) =>
              entry(key, classificationNode(c), `Classification ${JSON.stringify(c.title)}, ${hashNote(c.featureNodeHash)}.`),
            ),
          ),
        ),
      ]),
    ),
  ]);
}

/** Where the module says its project came from. */
export function describeSource(shape: ProjectShape): string {
  return `project ${JSON.stringify(shape.title)}${shape.projectHash === undefined ? " (a spec file)" : ` (${shape.projectHash})`}`;
}

/** The whole module text. `importFrom` is where `defineProject` comes from ("task-agents"). */
export function renderModule(shape: ProjectShape, importFrom = "task-agents"): string {
  const data = print(shapeNode(shape), "", "");
  // The object opens on the call's line and closes with `as const`.
  const body = data.startsWith("{\n") && data.endsWith("\n}") ? `${dataStart}{\n${data.slice(2, -2)}\n${dataEnd}` : `${dataStart}${data} as const);`;
  return [
    `// Generated by task-agents codegen from ${describeSource(shape)}. Do not edit; to update it, run:`,
    `//   ${shape.codegen}`,
    `import { defineProject } from ${JSON.stringify(importFrom)};`,
    "",
    body,
    "",
  ].join("\n");
}
