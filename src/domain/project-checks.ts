import { isUuid } from "../shared/uuid.js";
import { ConfigurationError } from "./errors.js";
import type { Project } from "./workflow.js";

/**
 * Refuses a project hash that is not a UUID, before it goes into a URL or a query. Every
 * backend and the runners check through here, so the rule and its message live once.
 */
export function assertProjectHash(projectHash: string): void {
  if (!isUuid(projectHash)) {
    throw new ConfigurationError(
      "TA_INVALID_PROJECT_HASH",
      `Project hash ${JSON.stringify(projectHash)} is not a UUID; a project hash looks like "0b2c7e3a-5d1f-4c8e-9a6b-2f4d8e1c3a5b".`,
    );
  }
}

/** Refuses a project without a workflow: agents work on the AGENT stages of workflows. */
export function assertWorkflowProject(project: Project): void {
  if (project.projectType !== "workflow") {
    throw new ConfigurationError(
      "TA_NOT_WORKFLOW_PROJECT",
      `Project ${project.uuid} (${JSON.stringify(project.title)}) is a ${project.projectType} ` +
        `project, not a workflow project; task agents run on the AGENT stages of workflow projects.`,
    );
  }
}
