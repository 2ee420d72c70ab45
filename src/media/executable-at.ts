import { accessSync, constants, statSync } from "node:fs";

/** `path` when it is an executable regular file, else undefined. */
export function executableAt(path: string): string | undefined {
  try {
    if (!statSync(path).isFile()) return undefined;
    accessSync(path, constants.X_OK);
    return path;
  } catch {
    return undefined;
  }
}
