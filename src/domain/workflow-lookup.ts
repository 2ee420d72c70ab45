import { didYouMean, quoteList, quoteValue } from "../shared/suggest.js";
import { isUuid } from "../shared/uuid.js";
import { NotFoundError } from "./errors.js";
import type { Pathway, Project, Stage } from "./workflow.js";

/** Finds a stage by UUID (any string that parses as one) or else by title. */
export function findStage(project: Project, ref: string): Stage | undefined {
  if (isUuid(ref)) return project.stages.find((s) => s.uuid === ref.toLowerCase());
  return project.stages.find((s) => s.title === ref);
}

/** Like {@link findStage}, but a miss is an error listing the project's stages. */
export function requireStage(project: Project, ref: string): Stage {
  const stage = findStage(project, ref);
  if (stage) return stage;
  const titles = project.stages.map((s) => s.title);
  throw new NotFoundError(
    "TA_UNKNOWN_STAGE",
    `Project ${JSON.stringify(project.title)} has no stage ${quoteValue(ref)}. Stages (title or UUID): ${project.stages
      .map((s) => `${JSON.stringify(s.title)} (${s.type}, ${s.uuid})`)
      .join(", ")}.${isUuid(ref) ? "" : didYouMean(ref, titles)}`,
  );
}

/** Finds a pathway of a stage by UUID (any string that parses as one) or else by name. */
export function findPathway(stage: Stage, ref: string): Pathway | undefined {
  if (isUuid(ref)) return stage.pathways.find((p) => p.uuid === ref.toLowerCase());
  return stage.pathways.find((p) => p.name === ref);
}

/** Like {@link findPathway}, but a miss is an error naming the accepted names and UUIDs. */
export function requirePathway(stage: Stage, ref: string): Pathway {
  const pathway = findPathway(stage, ref);
  if (pathway) return pathway;
  if (stage.pathways.length === 0) {
    throw new NotFoundError(
      "TA_UNKNOWN_PATHWAY",
      `Stage ${JSON.stringify(stage.title)} is a ${stage.type} stage and has no pathways; tasks ${stage.type === "START" ? "pass straight through it" : "stay there"}.`,
    );
  }
  const names = stage.pathways.map((p) => p.name);
  throw new NotFoundError(
    "TA_UNKNOWN_PATHWAY",
    `Stage ${JSON.stringify(stage.title)} has no pathway ${quoteValue(ref)}. Accepted: ${quoteList(names)} or their UUIDs (${stage.pathways
      .map((p) => `${p.name}: ${p.uuid}`)
      .join(", ")}).${isUuid(ref) ? "" : didYouMean(ref, names)}`,
  );
}
