import { ConfigurationError } from "../../domain/errors.js";

/** A frame number from a URL (`?frame=`, a path segment): a whole number from 0; 0 when absent. */
export function parseFrame(value: string | undefined): number {
  if (value === undefined || value === "") return 0;
  if (!/^\d{1,9}$/.test(value)) {
    throw new ConfigurationError("TA_INVALID_ARGUMENT", `Frame ${JSON.stringify(value)} is not accepted; frames are whole numbers from 0 (the first frame).`);
  }
  return Number(value);
}
