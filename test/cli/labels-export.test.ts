import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, test } from "vitest";
import {
  cli,
  cliOk,
  createDemoProject,
  demoProjectWithData,
  expectJsonError,
  expectUserError,
  freshStore,
  jsonLines,
  listTasks,
  paths,
} from "./cli-helpers.js";

const absentProject = "8a3b3d1e-3c1a-4f1e-8a2b-1c2d3e4f5a6b";

type LabelRow = Record<string, unknown> & { data_units: Record<string, Record<string, unknown>> };

describe("labels export", () => {
  test("prints every label row as a JSON array in Encord's format", async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    const result = await cli(["--store", s.store, "labels", "export", hash]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe("");
    const rows = JSON.parse(result.stdout) as LabelRow[];
    expect(Array.isArray(rows)).toBe(true);
    expect(rows).toHaveLength(4);

    const tasks = await listTasks(s.store, hash);
    expect(rows.map((r) => r.data_hash).sort()).toEqual(tasks.map((t) => t.dataHash).sort());
    for (const row of rows) {
      expect(row).toMatchObject({
        branch_name: "main",
        dataset_title: "Demo",
        label_status: "NOT_LABELLED",
        object_answers: {},
        classification_answers: {},
        object_actions: {},
      });
      expect(row.label_hash).toMatch(/^[0-9a-f-]{36}$/);
      expect(row.created_at).toMatch(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} UTC$/);
      expect(Object.keys(row.data_units)).toEqual([row.data_hash]);
      const unit = row.data_units[row.data_hash as string]!;
      expect(unit).toMatchObject({ data_hash: row.data_hash, data_title: row.data_title, data_sequence: 0 });
      expect(unit.data_link).toBe(pathToFileURL(join(paths.demoData, row.data_title as string)).href);
    }
    const byTitle = new Map(rows.map((r) => [r.data_title as string, r]));
    const image = byTitle.get("red-square.png")!;
    expect(image.data_type).toBe("image");
    expect(image.data_units[image.data_hash as string]).toMatchObject({
      data_type: "image/png",
      width: 64,
      height: 64,
      labels: { objects: [], classifications: [] },
    });
    const text = byTitle.get("caption.txt")!;
    expect(text.data_type).toBe("plain_text");
    expect(text.data_units[text.data_hash as string]).toMatchObject({ data_type: "text/plain", labels: {} });
  });

  test("a project without data exports an empty array", async () => {
    using s = freshStore();
    const hash = await createDemoProject(s.store);
    const out = await cliOk(s.store, ["labels", "export", hash]);
    expect(JSON.parse(out)).toEqual([]);
  });

  test("--out writes the file and reports it on stdout", async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    const out = join(s.dir, "labels.json");
    const result = await cli(["--store", s.store, "labels", "export", hash, "--out", out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(`Exported 4 label rows to ${out}.\n`);
    const written = readFileSync(out, "utf8");
    expect(JSON.parse(written)).toEqual(JSON.parse(await cliOk(s.store, ["labels", "export", hash])));
    // No temporary file is left beside it.
    expect(readdirSync(s.dir).filter((f) => f.includes("partial"))).toEqual([]);
  });

  test("--out - writes to standard output, not to a file named -", async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    const dashed = await cli(["--store", s.store, "labels", "export", hash, "--out", "-"]);
    expect(dashed.code, dashed.stderr).toBe(0);
    expect(JSON.parse(dashed.stdout)).toEqual(JSON.parse(await cliOk(s.store, ["labels", "export", hash])));
    expect(existsSync("-")).toBe(false);
  });

  test("--out with --json prints the count and the file", async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    const out = join(s.dir, "labels.json");
    const result = await cli(["--store", s.store, "--json", "labels", "export", hash, "--out", out]);
    expect(result.code, result.stderr).toBe(0);
    expect(jsonLines(result.stdout)).toEqual([{ exported: 4, file: out }]);
    expect(JSON.parse(readFileSync(out, "utf8"))).toHaveLength(4);
  });

  test("--out replaces an existing file", async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    const out = join(s.dir, "labels.json");
    writeFileSync(out, "old content");
    await cliOk(s.store, ["labels", "export", hash, "--out", out]);
    expect(JSON.parse(readFileSync(out, "utf8"))).toHaveLength(4);
  });

  test("--out in a folder that does not exist is a user error", async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    const out = join(s.dir, "missing", "labels.json");
    expectUserError(await cli(["--store", s.store, "labels", "export", hash, "--out", out]), out, /folder exists/);
    expectJsonError(await cli(["--store", s.store, "--json", "labels", "export", hash, "--out", out]), "TA_FILE_NOT_FOUND");
    expect(existsSync(join(s.dir, "missing"))).toBe(false);
  });

  test("--out naming a folder is a user error and leaves the folder alone", async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    const folder = join(s.dir, "exports");
    mkdirSync(folder);
    expectUserError(await cli(["--store", s.store, "labels", "export", hash, "--out", folder]), /is a folder/, /labels\.json/);
    expectJsonError(await cli(["--store", s.store, "--json", "labels", "export", hash, "--out", folder]), "TA_INVALID_ARGUMENT");
    expect(readdirSync(folder)).toEqual([]);
    expect(readdirSync(s.dir).filter((f) => f.includes("partial"))).toEqual([]);
  });

  test("an unknown project is a user error and writes no file", async () => {
    using s = freshStore();
    await createDemoProject(s.store);
    const out = join(s.dir, "labels.json");
    expectUserError(await cli(["--store", s.store, "labels", "export", absentProject, "--out", out]), /No project/);
    expectJsonError(await cli(["--store", s.store, "--json", "labels", "export", absentProject]), "TA_UNKNOWN_PROJECT");
    expect(existsSync(out)).toBe(false);
  });
});
