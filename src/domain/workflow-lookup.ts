import { didYouMean, quoteList, quoteValue } from "../shared/suggest.js";
import { isUuid } from "../shared/uuid.js";
import { NotFoundError } from "./errors.js";
import type { Pathway, Project, Stage } from "./workflow.js";

/**
 * Finds a stage by title, else by UUID (any string that parses as one). Titles come first because
 * an Encord stage may be titled with a UUID, even another stage's: the exact title is the
 * stronger match, and {@link stageMatchNote} says so when the two could be confused.
 */
export function findStage(project: Project, ref: string): Stage | undefined {
  return project.stages.find((s) => s.title === ref) ?? (isUuid(ref) ? project.stages.find((s) => s.uuid === ref.toLowerCase()) : undefined);
}

/**
 * A sentence for the log when `ref` is a title that parses as a UUID, saying which stage it
 * found (by title) and, when the string is also another stage's UUID, which one it did not;
 * undefined for every ordinary reference.
 */
export function stageMatchNote(project: Project, ref: string): { readonly ambiguous: boolean; readonly message: string } | undefined {
  if (!isUuid(ref)) return undefined;
  const byTitle = project.stages.find((s) => s.title === ref);
  if (!byTitle) return undefined;
  const byUuid = project.stages.find((s) => s.uuid === ref.toLowerCase() && s !== byTitle);
  const named = `${JSON.stringify(ref)} names the stage with that title (UUID ${byTitle.uuid})`;
  if (!byUuid) return { ambiguous: false, message: `${named}; it has the form of a UUID, but no stage has it as its UUID.` };
  return {
    ambiguous: true,
    message:
      `${named}, not stage ${JSON.stringify(byUuid.title)}, whose UUID it also is: a ` +
      `title match comes first. To name ${JSON.stringify(byUuid.title)}, use its title.`,
  };
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
      `Stage ${JSON.stringify(stage.title)} is a ${stage.type} stage and has no pathways; ` +
        `tasks ${stage.type === "START" ? "pass straight through it" : "stay there"}.`,
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
