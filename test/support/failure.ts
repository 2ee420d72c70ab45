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

/** What a promise rejects with, whatever it is; a promise that resolves fails the test. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error & { code?: string; permanent?: boolean }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string; permanent?: boolean };
  }
  throw new Error("expected the promise to reject, but it resolved");
}
