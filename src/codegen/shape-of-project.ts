/**
 * The data of a generated module, read from a project (local store or Encord) or a spec file:
 * stages in workflow order, ontology nodes in ontology order, each keyed by its title.
 */
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import type { ProjectSpec } from "../backends/local/project-spec.js";
import type { Project } from "../domain/workflow.js";
import type { Attribute } from "../labels/ontology/attribute.js";
import { Ontology } from "../labels/ontology/ontology.js";
import type { AttributeShape, ClassificationShape, OntologyObjectShape, OntologyShape, OptionShape } from "../labels/ontology/typed-ontology.js";
import type { PathwayShape, ProjectShape, StageShape } from "./project-shape.js";

/**
 * Keys for titles: the title itself, unless two entries share it; then each of them gets its
 * feature node hash appended, so neither silently takes the other's name.
 */
export function keysFor(entries: readonly { readonly title: string; readonly featureNodeHash: string }[]): string[] {
  const counts = new Map<string, number>();
  for (const entry of entries) counts.set(entry.title, (counts.get(entry.title) ?? 0) + 1);
  return entries.map((entry) => (counts.get(entry.title)! > 1 ? `${entry.title} (${entry.featureNodeHash})` : entry.title));
}

function keyed<T extends { readonly title: string; readonly featureNodeHash: string }>(entries: readonly T[]): { [key: string]: T } {
  const keys = keysFor(entries);
  return Object.fromEntries(entries.map((entry, i) => [keys[i]!, entry]));
}

function attributeShapes(attributes: readonly Attribute[]): { [key: string]: AttributeShape } {
  return keyed(
    attributes.map((attribute): AttributeShape => {
      const options = attribute.options.map((option): OptionShape => {
        const nested = attributeShapes(option.attributes);
        return { title: option.label, featureNodeHash: option.featureNodeHash, ...(Object.keys(nested).length > 0 ? { attributes: nested } : {}) };
      });
      const base = { title: attribute.name, featureNodeHash: attribute.featureNodeHash, type: attribute.type };
      return attribute.type === "radio" || attribute.type === "checklist" ? { ...base, options: keyed(options) } : base;
    }),
  );
}

/** The ontology part of a module, from an ontology structure (checked as the runners read it). */
export function ontologyShape(structure: unknown): OntologyShape {
  const ontology = Ontology.fromDict(structure);
  const objects = ontology.objects.map((object): OntologyObjectShape => ({
    title: object.name,
    featureNodeHash: object.featureNodeHash,
    shape: object.shape,
    attributes: attributeShapes(object.attributes),
  }));
  const classifications = ontology.classifications.map((classification): ClassificationShape => {
    const attributes = attributeShapes(classification.attributes);
    return { title: classification.name, featureNodeHash: classification.featureNodeHash, firstAttribute: Object.keys(attributes)[0]!, attributes };
  });
  return { objects: keyed(objects), classifications: keyed(classifications) };
}

/** The module's data for a project of a backend (every stage and pathway has its UUID). */
export function shapeOfProject(project: Project, codegen: string): ProjectShape {
  const titleOf = new Map(project.stages.map((s) => [s.uuid, s.title]));
  const stages = project.stages.map((stage): StageShape => {
    const base = { title: stage.title, uuid: stage.uuid, type: stage.type };
    if (stage.type !== "AGENT") return base;
    return {
      ...base,
      pathways: stage.pathways.map((p): PathwayShape => ({ name: p.name, uuid: p.uuid, to: titleOf.get(p.destinationUuid) ?? p.destinationUuid })),
    };
  });
  return { title: project.title, projectHash: project.uuid, codegen, stages, ontology: ontologyShape(project.ontology) };
}

interface RawSpecStage {
  readonly uuid?: unknown;
  readonly pathways?: readonly { readonly uuid?: unknown }[];
}

/**
 * The UUIDs a spec file gives itself. The validated spec fills the others in with random ones,
 * which a module must not record: they differ for every project made from the spec.
 */
function givenUuids(path: string): { stages: (string | undefined)[]; pathways: (string | undefined)[][] } {
  // The file was validated by loadProjectSpec already; YAML reads JSON too.
  const raw = parseYaml(readFileSync(path, "utf8").replace(/^\uFEFF/, "")) as { workflow: { stages: RawSpecStage[] } };
  const text = (value: unknown) => (typeof value === "string" ? value.toLowerCase() : undefined);
  return {
    stages: raw.workflow.stages.map((s) => text(s.uuid)),
    pathways: raw.workflow.stages.map((s) => (s.pathways ?? []).map((p) => text(p.uuid))),
  };
}

/** The module's data for a spec file: UUIDs only where the spec gives them. */
export function shapeOfSpec(spec: ProjectSpec, path: string, codegen: string): ProjectShape {
  const given = givenUuids(path);
  const stages = spec.stages.map((stage, i): StageShape => {
    const uuid = given.stages[i];
    const base = { title: stage.title, ...(uuid === undefined ? {} : { uuid }), type: stage.type };
    if (stage.type !== "AGENT") return base;
    return {
      ...base,
      pathways: stage.pathways.map((p, j): PathwayShape => {
        const pathwayUuid = given.pathways[i]?.[j];
        return { name: p.name, ...(pathwayUuid === undefined ? {} : { uuid: pathwayUuid }), to: p.to };
      }),
    };
  });
  return { title: spec.title, codegen, stages, ontology: ontologyShape(spec.ontology) };
}
