/**
 * How a generated module and a project differ. A difference is "breaking" when the module
 * states something the project contradicts (a stage renamed, a pathway gone, a feature hash
 * missing, an attribute of another type): typed code may then name what is not there, so a run
 * stops. What the project has and the module does not know (a new stage, pathway or object)
 * breaks nothing; `codegen --check` reports it all the same.
 */
import type { AttributeShape, OntologyShape, OptionShape } from "../labels/ontology/typed-ontology.js";
import type { ProjectShape, StageShape } from "./project-shape.js";

/** One difference, as a sentence about the project. */
export interface Drift {
  readonly message: string;
  /** The module names something the project no longer has as the module says. */
  readonly breaking: boolean;
}

const q = JSON.stringify;

function stageLabel(stage: StageShape): string {
  return `stage ${q(stage.title)}${stage.uuid === undefined ? "" : ` (${stage.uuid})`}`;
}

function compareStages(module: readonly StageShape[], live: readonly StageShape[], out: Drift[]): void {
  const matched = new Set<StageShape>();
  for (const stage of module) {
    const found = stage.uuid !== undefined ? live.find((s) => s.uuid === stage.uuid) : live.find((s) => s.title === stage.title);
    if (found === undefined) {
      const sameTitle = stage.uuid === undefined ? undefined : live.find((s) => s.title === stage.title);
      out.push({
        breaking: true,
        message: sameTitle ? `${stageLabel(stage)}: the project's stage of that title has UUID ${sameTitle.uuid}` : `${stageLabel(stage)} is gone`,
      });
      if (sameTitle) matched.add(sameTitle);
      continue;
    }
    matched.add(found);
    if (found.title !== stage.title) out.push({ breaking: true, message: `${stageLabel(stage)} was renamed ${q(found.title)}` });
    if (found.type !== stage.type) out.push({ breaking: true, message: `${stageLabel(stage)} is now ${found.type}, not ${stage.type}` });
    if (stage.type === "AGENT" && found.type === "AGENT") comparePathways(stage, found, out);
  }
  for (const stage of live) if (!matched.has(stage)) out.push({ breaking: false, message: `new ${stage.type} ${stageLabel(stage)}` });
}

function comparePathways(module: StageShape, live: StageShape, out: Drift[]): void {
  const livePathways = live.pathways ?? [];
  const matched = new Set<object>();
  const at = `stage ${q(live.title)}`;
  for (const pathway of module.pathways ?? []) {
    const found = pathway.uuid !== undefined ? livePathways.find((p) => p.uuid === pathway.uuid) : livePathways.find((p) => p.name === pathway.name);
    const label = `pathway ${q(pathway.name)}${pathway.uuid === undefined ? "" : ` (${pathway.uuid})`}`;
    if (found === undefined) {
      out.push({ breaking: true, message: `${at}: ${label} is gone` });
      continue;
    }
    matched.add(found);
    if (found.name !== pathway.name) out.push({ breaking: true, message: `${at}: ${label} was renamed ${q(found.name)}` });
    if (found.to !== pathway.to) out.push({ breaking: true, message: `${at}: ${label} now leads to ${q(found.to)}, not ${q(pathway.to)}` });
  }
  for (const pathway of livePathways)
    if (!matched.has(pathway))
      out.push({ breaking: false, message: `${at}: new pathway ${q(pathway.name)}${pathway.uuid === undefined ? "" : ` (${pathway.uuid})`}` });
}

interface Node {
  readonly title: string;
  readonly featureNodeHash: string;
}

/** Matches nodes by feature node hash, reporting missing, renamed and new ones; calls `deeper` on pairs. */
function compareNodes<T extends Node>(
  what: string,
  where: string,
  module: readonly T[],
  live: readonly T[],
  out: Drift[],
  deeper: (module: T, live: T, label: string) => void,
): void {
  const label = (node: Node) => `${what} ${q(node.title)} (feature node hash ${node.featureNodeHash})${where}`;
  for (const node of module) {
    const found = live.find((n) => n.featureNodeHash === node.featureNodeHash);
    if (found === undefined) {
      out.push({ breaking: true, message: `${label(node)} is missing` });
      continue;
    }
    if (found.title !== node.title) out.push({ breaking: true, message: `${label(node)} was renamed ${q(found.title)}` });
    deeper(node, found, `${what} ${q(found.title)}`);
  }
  for (const node of live) if (!module.some((n) => n.featureNodeHash === node.featureNodeHash)) out.push({ breaking: false, message: `new ${label(node)}` });
}

function compareAttributes(module: AttributeShape[], live: AttributeShape[], owner: string, out: Drift[]): void {
  compareNodes("attribute", ` of ${owner}`, module, live, out, (m, l, label) => {
    if (m.type !== l.type) out.push({ breaking: true, message: `${label} of ${owner} is now ${l.type}, not ${m.type}` });
    compareNodes(
      "option",
      ` of ${label}`,
      Object.values(m.options ?? {}),
      Object.values(l.options ?? {}),
      out,
      (mo: OptionShape, lo: OptionShape, optionLabel) =>
        compareAttributes(Object.values(mo.attributes ?? {}), Object.values(lo.attributes ?? {}), optionLabel, out),
    );
  });
}

function compareOntology(module: OntologyShape, live: OntologyShape, out: Drift[]): void {
  compareNodes("object", "", Object.values(module.objects), Object.values(live.objects), out, (m, l, label) => {
    if (m.shape !== l.shape) out.push({ breaking: true, message: `${label} is now a ${l.shape}, not a ${m.shape}` });
    compareAttributes(Object.values(m.attributes), Object.values(l.attributes), label, out);
  });
  compareNodes("classification", "", Object.values(module.classifications), Object.values(live.classifications), out, (m, l, label) =>
    compareAttributes(Object.values(m.attributes), Object.values(l.attributes), label, out),
  );
}

/** Every difference between a module's shape and a project's, workflow first, in module order. */
export function projectDrift(module: ProjectShape, live: ProjectShape): Drift[] {
  const out: Drift[] = [];
  compareStages(module.stages, live.stages, out);
  compareOntology(module.ontology, live.ontology, out);
  return out;
}
