import { existsSync, lstatSync, mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { ConfigurationError, DataInputError } from "../../domain/errors.js";
import type { ScaffoldFile } from "./scaffold-files.js";

function exists(path: string): boolean {
  try {
    lstatSync(path); // a dangling symlink counts: writing through it would create its target
    return true;
  } catch {
    return false;
  }
}

/**
 * Writes `files` into `dir` (created when missing) without ever replacing a file: when any of
 * them is already there, nothing is written and the error lists them all. A write that fails
 * halfway (a full disk, a file appearing meanwhile) removes what this call had written, so the
 * folder is as it was.
 */
export function writeNewFiles(dir: string, files: readonly ScaffoldFile[]): void {
  if (existsSync(dir) && !statSync(dir).isDirectory()) {
    throw new ConfigurationError("TA_INVALID_ARGUMENT", `${dir} is a file, not a folder; give a new or existing folder to create the project in.`);
  }
  const present = files.map((f) => f.path).filter((path) => exists(join(dir, path)));
  if (present.length > 0) {
    throw new ConfigurationError(
      "TA_INVALID_ARGUMENT",
      `${dir} already has ${present.join(", ")}; task-agents init never replaces a file. Move ` +
        `${present.length === 1 ? "it" : "them"} away, or give another folder (\`task-agents init <dir>\`).`,
    );
  }
  const createdDirs: string[] = [];
  const createdFiles: string[] = [];
  try {
    for (const file of files) {
      const target = join(dir, file.path);
      const firstNewDir = mkdirSync(dirname(target), { recursive: true });
      if (firstNewDir !== undefined) createdDirs.push(firstNewDir);
      writeFileSync(target, file.content, { flag: "wx" });
      createdFiles.push(target);
    }
  } catch (error) {
    for (const path of createdFiles.reverse()) rmSync(path, { force: true });
    for (const path of createdDirs.reverse()) rmSync(path, { recursive: true, force: true });
    const reason = (error as NodeJS.ErrnoException).code === "EEXIST" ? "a file appeared there meanwhile" : (error as Error).message;
    throw new DataInputError("TA_INVALID_ARGUMENT", `Could not write the project into ${dir} (${reason}); nothing was left behind.`, dir, { cause: error });
  }
}
