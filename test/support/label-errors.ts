import { expect } from "vitest";
import { LabelError } from "../../src/domain/errors.js";

/** Runs `fn`, expects a TA_INVALID_LABEL LabelError whose message holds every fragment, and returns it. */
export function expectLabelError(fn: () => unknown, ...fragments: string[]): LabelError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(LabelError);
  const error = caught as LabelError;
  expect(error.code).toBe("TA_INVALID_LABEL");
  for (const fragment of fragments) expect(error.message).toContain(fragment);
  return error;
}
