import { ConfigurationError } from "../domain/errors.js";
import type { Project } from "../domain/workflow.js";
import type { TypedProject } from "./define-project.js";
import { projectDrift } from "./drift.js";
import { describeSource } from "./render-module.js";
import { shapeOfProject } from "./shape-of-project.js";

/**
 * Stops a run whose generated project module no longer matches the live project, before any
 * task is touched: typed code may name a stage, pathway or ontology node that is not there.
 */
export function assertProjectMatches(typed: TypedProject, project: Project): void {
  const breaking = projectDrift(typed.shape, shapeOfProject(project, typed.shape.codegen)).filter((d) => d.breaking);
  if (breaking.length === 0) return;
  throw new ConfigurationError(
    "TA_PROJECT_DRIFT",
    `The generated project module of ${describeSource(typed.shape)} no longer matches ` +
      `project ${JSON.stringify(project.title)} (${project.uuid}); no task was touched. ` +
      `${breaking.length === 1 ? "Difference" : `${breaking.length} differences`}:\n${breaking
        .map((d) => `  - ${d.message}`)
        .join("\n")}\nRegenerate the module with \`${typed.shape.codegen}\`, then fix what the compiler reports.`,
  );
}
