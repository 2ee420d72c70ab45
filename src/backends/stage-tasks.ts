import type { Backend, ListTasksOptions } from "./backend.js";
import type { WorkflowTask } from "../domain/task.js";

/**
 * Every task of a stage (or of the given data items in it), page after page, as one stream: the
 * paging loop callers would otherwise each write.
 */
export async function* stageTasks(
  backend: Pick<Backend, "listStageTasks">,
  projectHash: string,
  stageUuid: string,
  options: Omit<ListTasksOptions, "pageToken"> = {},
): AsyncGenerator<WorkflowTask> {
  let pageToken: string | null | undefined;
  do {
    const page = await backend.listStageTasks(projectHash, stageUuid, pageToken ? { ...options, pageToken } : options);
    yield* page.tasks;
    pageToken = page.nextPageToken;
  } while (pageToken);
}
