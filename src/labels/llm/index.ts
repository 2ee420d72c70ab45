/** Structured LLM output from an ontology: a schema to ask with, and parsing of the answer into instances. */
export { OntologyDataModel } from "./ontology-data-model.js";
export type {
  OntologyDataModelAddOptions,
  OntologyDataModelItems,
  OntologyDataModelParseOptions,
  OntologyDataModelResult,
  OntologyJsonSchema,
} from "./ontology-data-model.js";
