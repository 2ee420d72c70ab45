import type { Backend } from "../backends/backend.js";
import { ConfigurationError } from "../domain/errors.js";
import { isAgentStage, type Project } from "../domain/workflow.js";
import { isUuid } from "../shared/uuid.js";

/** Loads the project and checks a runner can work on it: a UUID hash, a workflow, agent stages. */
export async function loadRunnableProject(backend: Backend, projectHash: string | undefined): Promise<Project> {
  if (projectHash === undefined || projectHash === "") {
    throw new ConfigurationError("TA_INVALID_PROJECT_HASH", "No project hash: pass projectHash to new Runner() or execute(), or --project-hash on the command line.");
  }
  if (!isUuid(projectHash)) {
    throw new ConfigurationError("TA_INVALID_PROJECT_HASH", `Project hash ${JSON.stringify(projectHash)} is not a UUID; a project hash looks like "0b2c7e3a-5d1f-4c8e-9a6b-2f4d8e1c3a5b".`);
  }
  const project = await backend.getProject(projectHash);
  if (project.projectType !== "workflow") {
    throw new ConfigurationError("TA_NOT_WORKFLOW_PROJECT", `Project ${JSON.stringify(project.title)} is a ${project.projectType} project; agents run only on workflow projects.`);
  }
  if (!project.stages.some(isAgentStage)) {
    throw new ConfigurationError(
      "TA_NO_AGENT_STAGES",
      `Project ${JSON.stringify(project.title)} has no AGENT stage, so there is nothing for agents to do. Its stages: ${project.stages.map((s) => `${JSON.stringify(s.title)} (${s.type})`).join(", ")}.`,
    );
  }
  return project;
}
