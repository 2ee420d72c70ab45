import { isTaskAgentsError, type TaskAgentsError } from "../../src/index.js";

/** The TaskAgentsError a promise rejects with; any other outcome fails the test. */
export async function failure(promise: Promise<unknown>): Promise<TaskAgentsError> {
  try {
    await promise;
  } catch (error) {
    if (isTaskAgentsError(error)) return error;
    throw error;
  }
  throw new Error("expected a failure");
}
