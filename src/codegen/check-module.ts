import { projectDrift } from "./drift.js";
import type { ProjectShape } from "./project-shape.js";
import { readModuleShape } from "./read-module.js";
import { renderModule } from "./render-module.js";

/** What `codegen --check` found: up to date, or each difference as a sentence. */
export interface ModuleCheck {
  readonly upToDate: boolean;
  readonly differences: readonly string[];
}

/**
 * Compares a module file's text with what codegen writes for `fresh` now. The file's own
 * regenerate command is kept, so checking from another folder (other relative paths in the
 * command) does not make a file stale.
 */
export function checkModule(text: string, fresh: ProjectShape): ModuleCheck {
  const old = readModuleShape(text);
  const expected = renderModule(old === undefined ? fresh : { ...fresh, codegen: old.codegen });
  if (text === expected) return { upToDate: true, differences: [] };
  if (old === undefined)
    return { upToDate: false, differences: ["it is not a module task-agents codegen wrote (its defineProject({ … } as const) data cannot be read)"] };
  const differences: string[] = [];
  if (old.projectHash !== fresh.projectHash)
    differences.push(
      `it was generated from ` +
        `${old.projectHash === undefined ? "a spec file" : `project ${old.projectHash}`}, not ` +
        `${fresh.projectHash === undefined ? "a spec file" : `project ${fresh.projectHash}`}`,
    );
  if (old.title !== fresh.title) differences.push(`the project was renamed ${JSON.stringify(fresh.title)} (the module says ${JSON.stringify(old.title)})`);
  differences.push(...projectDrift(old, fresh).map((d) => d.message));
  if (differences.length === 0) {
    const oldLines = text.split("\n");
    const newLines = expected.split("\n");
    const line = oldLines.findIndex((l, i) => l !== newLines[i]);
    differences.push(`its text differs from what codegen writes (edited or reformatted?), first at line ${line + 1}`);
  }
  return { upToDate: false, differences };
}
