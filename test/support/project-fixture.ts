import { join } from "node:path";
import { localBackend, type LocalBackend, type Project, type Stage } from "../../src/index.js";
import { paths } from "./paths.js";
import { tempDir } from "./temp-dir.js";

/** A store in a fresh folder holding the demo project with the demo data added. */
export interface DemoStore {
  readonly storePath: string;
  readonly backend: LocalBackend;
  readonly project: Project;
  stage(title: string): Stage;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Creates the demo project from examples/ and adds examples/data (4 items). */
export async function demoStore(): Promise<DemoStore> {
  const dir = tempDir();
  const storePath = join(dir.path, "store.db");
  const backend = localBackend({ storePath });
  const hash = backend.createProject(paths.demoSpec);
  await backend.addData(hash, { paths: [paths.demoData], actor: "tester" });
  const project = await backend.getProject(hash);
  return {
    storePath,
    backend,
    project,
    stage: (title) => {
      const found = project.stages.find((s) => s.title === title);
      if (!found) throw new Error(`no stage ${title}`);
      return found;
    },
    async [Symbol.asyncDispose]() {
      await backend.close();
      dir[Symbol.dispose]();
    },
  };
}
