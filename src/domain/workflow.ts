/** Stage types of a workflow graph. The local store uses the first five; Encord may send others. */
export type StageType =
  "START" | "AGENT" | "ANNOTATION" | "REVIEW" | "DONE" | "USER_ROUTER" | "PERCENTAGE_ROUTER" | "CONSENSUS_ANNOTATION" | "CONSENSUS_REVIEW";

/** A named edge out of a stage. For human stages the names are `submit`, `approve` and `reject`. */
export interface Pathway {
  readonly uuid: string;
  readonly name: string;
  readonly destinationUuid: string;
}

/** One node of a workflow graph. */
export interface Stage {
  readonly uuid: string;
  readonly title: string;
  readonly type: StageType;
  readonly pathways: readonly Pathway[];
}

/** An AGENT stage: where agent code acts. */
export interface AgentStage extends Stage {
  readonly type: "AGENT";
}

/** Encord's label editor ontology: `{ objects, classifications }` plus anything else it carries. */
export interface OntologyStructureJson {
  objects: unknown[];
  classifications: unknown[];
  [key: string]: unknown;
}

/** A workflow project. */
export interface Project {
  readonly uuid: string;
  readonly title: string;
  readonly description: string;
  readonly projectType: "workflow" | "manual_qa";
  readonly ontology: OntologyStructureJson;
  readonly stages: readonly Stage[];
  readonly createdAt: Date;
}

/** Narrows a stage to an AGENT stage. */
export function isAgentStage(stage: Stage): stage is AgentStage {
  return stage.type === "AGENT";
}
