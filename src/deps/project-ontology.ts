import type { OntologyStructureJson } from "../domain/workflow.js";
import { Ontology } from "../labels/ontology/ontology.js";

const ontologies = new WeakMap<object, Ontology>();

/**
 * A project's ontology, read once per project object: it is immutable, so every label row the
 * dependencies make for a run shares one (as the SDK's label rows share their project's), and its
 * nodes compare equal across rows.
 */
export function projectOntology(structure: OntologyStructureJson): Ontology {
  let ontology = ontologies.get(structure);
  if (ontology === undefined) {
    ontology = Ontology.fromDict(structure);
    ontologies.set(structure, ontology);
  }
  return ontology;
}
