import { join } from "node:path";
import { expect, test } from "vitest";
import { cli, cliOk } from "./support/run-cli.js";
import { paths } from "./support/paths.js";
import { tempDir } from "./support/temp-dir.js";

test("a project can be created, filled and listed", async () => {
  using dir = tempDir();
  const store = join(dir.path, "store.db");
  const hash = (await cliOk(store, ["project", "create", paths.demoSpec])).trim();
  expect(hash).toMatch(/^[0-9a-f-]{36}$/);
  await cliOk(store, ["data", "add", hash, paths.demoData]);
  const listed = await cli(["--store", store, "--json", "tasks", "list", hash]);
  expect(listed.code).toBe(0);
  expect(listed.stdout.trim().split("\n")).toHaveLength(4);
});
