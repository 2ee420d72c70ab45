import type { SkeletonPoint } from "../../labels/coordinates/index.js";
import type { Ontology } from "../../labels/ontology/ontology.js";
import type { OntologyObject } from "../../labels/ontology/ontology-object.js";

type JsonRecord = Record<string, unknown>;

function isRecord(value: unknown): value is JsonRecord {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The edges of a skeleton as pairs of indexes into `nodes`. The label carries only the nodes;
 * the edges are in the ontology's skeleton template (`skeletonEdges: {"0": {"1": {…}}}`, keyed by
 * the template's node positions), matched to the object by feature hash, else by name. A template
 * node is found among the label's nodes by feature hash, then name, then the same position. No
 * template: no edges, only the nodes are drawn.
 */
export function skeletonEdges(ontology: Ontology, object: OntologyObject, nodes: readonly SkeletonPoint[]): [number, number][] {
  const templates = ontology.skeletonTemplates.map((t) => t.toDict()["template"]).filter(isRecord);
  const template = templates.find((t) => t["feature_node_hash"] === object.featureNodeHash) ?? templates.find((t) => t["name"] === object.name);
  if (template === undefined || !isRecord(template["skeletonEdges"])) return [];
  const templateNodes = isRecord(template["skeleton"]) ? template["skeleton"] : {};
  const nodeIndex = (key: string): number | undefined => {
    const node = templateNodes[key];
    if (isRecord(node)) {
      const byHash = typeof node["featureHash"] === "string" ? nodes.findIndex((n) => n.featureHash === node["featureHash"]) : -1;
      if (byHash >= 0) return byHash;
      const byName = typeof node["name"] === "string" ? nodes.findIndex((n) => n.name === node["name"]) : -1;
      if (byName >= 0) return byName;
    }
    const position = Number(key);
    return Number.isInteger(position) && position >= 0 && position < nodes.length ? position : undefined;
  };
  const edges: [number, number][] = [];
  for (const [from, targets] of Object.entries(template["skeletonEdges"])) {
    if (!isRecord(targets)) continue;
    for (const to of Object.keys(targets)) {
      const a = nodeIndex(from);
      const b = nodeIndex(to);
      if (a !== undefined && b !== undefined && a !== b) edges.push([a, b]);
    }
  }
  return edges;
}
