import type { Backend } from "../backends/backend.js";
import { ConfigurationError } from "../domain/errors.js";
import { isAgentStage, type Project } from "../domain/workflow.js";
import { assertProjectHash, assertWorkflowProject } from "../domain/project-checks.js";
import { assertProjectMatches } from "../codegen/check-drift.js";
import type { TypedProject } from "../codegen/define-project.js";

/**
 * Loads the project and checks a runner can work on it: a UUID hash, a workflow, agent stages,
 * and, given the runner's generated project module, that the module still matches it.
 */
export async function loadRunnableProject(backend: Backend, projectHash: string | undefined, typed?: TypedProject): Promise<Project> {
  if (projectHash === undefined || projectHash === "") {
    throw new ConfigurationError(
      "TA_INVALID_PROJECT_HASH",
      "No project hash: pass projectHash to new Runner() or execute(), or --project-hash on the command line.",
    );
  }
  assertProjectHash(projectHash);
  const project = await backend.getProject(projectHash);
  assertWorkflowProject(project);
  if (!project.stages.some(isAgentStage)) {
    throw new ConfigurationError(
      "TA_NO_AGENT_STAGES",
      `Project ${JSON.stringify(project.title)} has no AGENT stage, so there is nothing for agents to ` +
        `do. Its stages: ${project.stages.map((s) => `${JSON.stringify(s.title)} (${s.type})`).join(", ")}.`,
    );
  }
  if (typed !== undefined) assertProjectMatches(typed, project);
  return project;
}
