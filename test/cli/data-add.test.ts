import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, test } from "vitest";
import { localBackend, type StorageItem } from "../../src/index.js";
import {
  cli,
  cliOk,
  createDemoProject,
  expectJsonError,
  expectUserError,
  freshStore,
  jsonLines,
  listTasks,
  paths,
  showProject,
  stageCounts,
} from "./cli-helpers.js";

const demoFile = (name: string) => join(paths.demoData, name);
const absentProject = "8a3b3d1e-3c1a-4f1e-8a2b-1c2d3e4f5a6b";

/** Storage items and label-row metadata of every task, through the public API, by data title. */
async function itemsByTitle(store: string, hash: string): Promise<Map<string, { item: StorageItem; clientMetadata: unknown; dataType: string }>> {
  const tasks = await listTasks(store, hash);
  await using backend = localBackend({ storePath: store });
  const metadata = await backend.getLabelRowMetadata(
    hash,
    tasks.map((t) => t.dataHash),
    { includeClientMetadata: true },
  );
  expect(metadata).toHaveLength(tasks.length);
  const items = await backend.getStorageItems(metadata.map((m) => m.backing_item_uuid!));
  return new Map(metadata.map((m, i) => [m.data_title, { item: items[i]!, clientMetadata: m.client_metadata, dataType: m.data_type }]));
}

/** `labels export`, parsed. */
async function exportRows(store: string, hash: string): Promise<Record<string, unknown>[]> {
  return JSON.parse(await cliOk(store, ["labels", "export", hash])) as Record<string, unknown>[];
}

/** The single data unit of a label row. */
function dataUnit(row: Record<string, unknown>): Record<string, unknown> {
  const units = Object.values(row.data_units as Record<string, Record<string, unknown>>);
  expect(units).toHaveLength(1);
  return units[0]!;
}

/** Writes a JSON Lines manifest. */
function writeManifest(path: string, lines: readonly (object | string)[]): string {
  writeFileSync(path, lines.map((l) => (typeof l === "string" ? l : JSON.stringify(l))).join("\n") + "\n");
  return path;
}

describe("data add with files and folders", () => {
  test("adds a folder's files, each with a task in START's successor", async () => {
    using s = freshStore();
    const hash = await createDemoProject(s.store);
    const result = await cli(["--store", s.store, "data", "add", hash, paths.demoData]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('Added 4 items; their tasks are in stage "Pre-label".\n');
    const tasks = await listTasks(s.store, hash);
    expect(tasks.map((t) => t.dataTitle).sort()).toEqual(["blue-tall.png", "caption.txt", "green-wide.png", "red-square.png"]);
    // One item: singular.
    const other = await createDemoProject(s.store);
    const one = await cli(["--store", s.store, "data", "add", other, join(paths.demoData, "red-square.png")]);
    expect(one.stdout).toBe('Added 1 item; its task is in stage "Pre-label".\n');
    expect(new Set(tasks.map((t) => `${t.stage}/${t.status}`))).toEqual(new Set(["Pre-label/NEW"]));
  });

  test("--json prints how many items were added and where their tasks are", async () => {
    using s = freshStore();
    const hash = await createDemoProject(s.store);
    const result = await cli(["--store", s.store, "--json", "data", "add", hash, demoFile("red-square.png")]);
    expect(result.code, result.stderr).toBe(0);
    expect(jsonLines(result.stdout)).toEqual([{ added: 1, stage: "Pre-label" }]);
  });

  test("reads each PNG's size from its content", async () => {
    using s = freshStore();
    const hash = await createDemoProject(s.store);
    await cliOk(s.store, ["data", "add", hash, paths.demoData]);

    const rows = await exportRows(s.store, hash);
    const sizes = Object.fromEntries(rows.map((row) => [row.data_title as string, [dataUnit(row).width, dataUnit(row).height]]));
    expect(sizes).toEqual({
      "red-square.png": [64, 64],
      "green-wide.png": [160, 90],
      "blue-tall.png": [48, 120],
      "caption.txt": [undefined, undefined],
    });

    const items = await itemsByTitle(s.store, hash);
    expect(items.get("red-square.png")!.item).toMatchObject({ itemType: "image", mimeType: "image/png", width: 64, height: 64 });
    expect(items.get("green-wide.png")!.item).toMatchObject({ itemType: "image", mimeType: "image/png", width: 160, height: 90 });
    expect(items.get("blue-tall.png")!.item).toMatchObject({ itemType: "image", mimeType: "image/png", width: 48, height: 120 });
    expect(items.get("caption.txt")!.item).toMatchObject({ itemType: "plainText", mimeType: "text/plain", width: null, height: null });
    expect(items.get("red-square.png")!.item.url).toBe(pathToFileURL(demoFile("red-square.png")).href);
    expect(items.get("red-square.png")!.item.fileSize).toBeGreaterThan(0);
  });

  test("takes the media type from the content, not the name", async () => {
    using s = freshStore();
    const hash = await createDemoProject(s.store);
    const misnamed = join(s.dir, "photo.jpg");
    copyFileSync(demoFile("green-wide.png"), misnamed);
    await cliOk(s.store, ["data", "add", hash, misnamed]);
    const items = await itemsByTitle(s.store, hash);
    expect(items.get("photo.jpg")!.item).toMatchObject({ itemType: "image", mimeType: "image/png", width: 160, height: 90 });
  });

  test("walks folders recursively and skips hidden files and folders", async () => {
    using s = freshStore();
    const hash = await createDemoProject(s.store);
    const root = join(s.dir, "input");
    mkdirSync(join(root, "nested", "deeper"), { recursive: true });
    mkdirSync(join(root, ".cache"), { recursive: true });
    copyFileSync(demoFile("red-square.png"), join(root, "top.png"));
    copyFileSync(demoFile("green-wide.png"), join(root, "nested", "mid.png"));
    copyFileSync(demoFile("caption.txt"), join(root, "nested", "deeper", "note.txt"));
    copyFileSync(demoFile("blue-tall.png"), join(root, ".hidden.png"));
    copyFileSync(demoFile("blue-tall.png"), join(root, ".cache", "cached.png"));
    // Hidden files are skipped before their content is looked at.
    writeFileSync(join(root, "nested", ".DS_Store"), "not media");

    const result = await cli(["--store", s.store, "data", "add", hash, root]);
    expect(result.code, result.stderr).toBe(0);
    expect((await listTasks(s.store, hash)).map((t) => t.dataTitle).sort()).toEqual(["mid.png", "note.txt", "top.png"]);
  });

  test("follows symbolic links to files and folders, walking each folder once", async () => {
    using s = freshStore();
    const hash = await createDemoProject(s.store);
    const root = join(s.dir, "linked");
    mkdirSync(join(root, "real"), { recursive: true });
    copyFileSync(demoFile("green-wide.png"), join(root, "real", "inside.png"));
    symlinkSync(demoFile("red-square.png"), join(root, "link-to-file.png"));
    symlinkSync(paths.demoData, join(root, "link-to-folder"));
    // A link back to the folder being walked must not make the walk endless.
    symlinkSync(root, join(root, "real", "loop"));

    const result = await cli(["--store", s.store, "data", "add", hash, root]);
    expect(result.code, result.stderr).toBe(0);
    expect((await listTasks(s.store, hash)).map((t) => t.dataTitle).sort()).toEqual([
      "blue-tall.png",
      "caption.txt",
      "green-wide.png",
      "inside.png",
      "link-to-file.png",
      "red-square.png",
    ]);
    const items = await itemsByTitle(s.store, hash);
    expect(items.get("link-to-file.png")!.item).toMatchObject({ mimeType: "image/png", width: 64, height: 64 });
  });

  test("an XHTML file is added as HTML although it starts with an XML declaration", async () => {
    using s = freshStore();
    const hash = await createDemoProject(s.store);
    const page = join(s.dir, "page.html");
    writeFileSync(page, '<?xml version="1.0" encoding="UTF-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><body>A cat.</body></html>\n');
    await cliOk(s.store, ["data", "add", hash, page]);
    const items = await itemsByTitle(s.store, hash);
    expect(items.get("page.html")!.item).toMatchObject({ itemType: "plainText", mimeType: "text/html" });
  });

  test("records the actor of the addition in the history", async () => {
    using s = freshStore();
    const hash = await createDemoProject(s.store);
    await cliOk(s.store, ["data", "add", hash, demoFile("red-square.png"), "--actor", "importer-bot"]);
    const moves = jsonLines<{ fromStage: string; toStage: string; pathway: string; actor: string }>(await cliOk(s.store, ["--json", "tasks", "history", hash]));
    expect(moves).toEqual([expect.objectContaining({ fromStage: "Start", toStage: "Pre-label", pathway: "next", actor: "importer-bot" })]);
  });
});

describe("data add with a manifest", () => {
  test("resolves paths against the manifest's folder and keeps titles and client metadata", async () => {
    using s = freshStore();
    const hash = await createDemoProject(s.store);
    mkdirSync(join(s.dir, "images"));
    mkdirSync(join(s.dir, "lists"));
    copyFileSync(demoFile("red-square.png"), join(s.dir, "images", "a.png"));
    copyFileSync(demoFile("blue-tall.png"), join(s.dir, "images", "b.png"));
    const manifest = writeManifest(join(s.dir, "lists", "items.jsonl"), [
      { title: "first", path: "../images/a.png", clientMetadata: { split: "train", tags: ["x"] } },
      "",
      { path: join(s.dir, "images", "b.png") },
    ]);
    const result = await cli(["--store", s.store, "data", "add", hash, "--manifest", manifest]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('Added 2 items; their tasks are in stage "Pre-label".\n');

    const items = await itemsByTitle(s.store, hash);
    expect([...items.keys()].sort()).toEqual(["b.png", "first"]);
    expect(items.get("first")!.item).toMatchObject({ mimeType: "image/png", width: 64, height: 64, clientMetadata: { split: "train", tags: ["x"] } });
    expect(items.get("first")!.clientMetadata).toEqual({ split: "train", tags: ["x"] });
    expect(items.get("b.png")!.item).toMatchObject({ width: 48, height: 120, clientMetadata: {} });
  });

  test("a manifest starting with a byte-order mark is read like any other", async () => {
    using s = freshStore();
    const hash = await createDemoProject(s.store);
    const manifest = join(s.dir, "bom.jsonl");
    writeFileSync(
      manifest,
      "\uFEFF" +
        JSON.stringify({ title: "with bom", path: demoFile("red-square.png") }) +
        "\r\n" +
        JSON.stringify({ path: demoFile("blue-tall.png") }) +
        "\r\n",
    );
    await cliOk(s.store, ["data", "add", hash, "--manifest", manifest]);
    expect((await listTasks(s.store, hash)).map((t) => t.dataTitle).sort()).toEqual(["blue-tall.png", "with bom"]);
  });

  test("the demo manifest adds the example images next to it, with their client metadata", async () => {
    using s = freshStore();
    const hash = await createDemoProject(s.store);
    const result = await cli(["--store", s.store, "--json", "data", "add", hash, "--manifest", paths.demoManifest]);
    expect(result.code, result.stderr).toBe(0);
    expect(jsonLines(result.stdout)).toEqual([{ added: 36, stage: "Pre-label" }]);
    const items = await itemsByTitle(s.store, hash);
    expect(items.get("harbour-01.png")!.item).toMatchObject({
      mimeType: "image/png",
      width: 128,
      height: 64,
      clientMetadata: { camera: "cam-1", urgent: true },
    });
  });

  test("URL items take their type from the URL path and their title from its last segment", async () => {
    using s = freshStore();
    const hash = await createDemoProject(s.store);
    const manifest = writeManifest(join(s.dir, "urls.jsonl"), [
      { url: "https://cdn.example.com/clips/run%201.mp4?sig=secret" },
      { url: "s3://bucket/docs/report.pdf", clientMetadata: { source: "s3" } },
      { url: pathToFileURL(demoFile("caption.txt")).href },
      // A malformed percent-escape is kept as written instead of failing the command.
      { url: "https://example.com/odd%E0%A4%A.png" },
    ]);
    const result = await cli(["--store", s.store, "data", "add", hash, "--manifest", manifest]);
    expect(result.code, result.stderr).toBe(0);
    const items = await itemsByTitle(s.store, hash);
    expect([...items.keys()].sort()).toEqual(["caption.txt", "odd%E0%A4%A.png", "report.pdf", "run 1.mp4"]);
    expect(items.get("run 1.mp4")!.item).toMatchObject({
      itemType: "video",
      mimeType: "video/mp4",
      url: "https://cdn.example.com/clips/run%201.mp4?sig=secret",
    });
    expect(items.get("report.pdf")!.item).toMatchObject({ itemType: "pdf", mimeType: "application/pdf", clientMetadata: { source: "s3" } });
    expect(items.get("caption.txt")!.item).toMatchObject({ itemType: "plainText", mimeType: "text/plain", url: pathToFileURL(demoFile("caption.txt")).href });
    expect(items.get("caption.txt")!.item.fileSize).toBeGreaterThan(0);
    expect(items.get("odd%E0%A4%A.png")!.item).toMatchObject({ itemType: "image", url: "https://example.com/odd%E0%A4%A.png" });
  });
});

describe("data add refuses bad input, all or nothing", () => {
  /**
   * Runs a failing `data add` on a project that already holds one item and checks the user
   * error and that the store is unchanged. Returns the error message.
   */
  async function expectRejected(args: (dir: string, hash: string) => string[], ...patterns: (string | RegExp)[]): Promise<string> {
    using s = freshStore();
    const hash = await createDemoProject(s.store);
    await cliOk(s.store, ["data", "add", hash, demoFile("red-square.png")]);
    const before = await showProject(s.store, hash);
    const historyBefore = await cliOk(s.store, ["--json", "tasks", "history", hash]);
    expect(before.taskCount).toBe(1);

    const argv = args(s.dir, hash);
    const result = await cli(["--store", s.store, "data", "add", ...argv]);
    expectUserError(result, ...patterns);
    const json = await cli(["--store", s.store, "--json", "data", "add", ...argv]);
    expect(json.code).toBe(1);
    expect(jsonLines(json.stderr)).toHaveLength(1);

    expect(await showProject(s.store, hash)).toEqual(before);
    expect(await stageCounts(s.store, hash)).toEqual({ Start: 0, "Pre-label": 1, Annotate: 0, Review: 0, Complete: 0 });
    expect(await cliOk(s.store, ["--json", "tasks", "history", hash])).toBe(historyBefore);
    expect(await exportRows(s.store, hash)).toHaveLength(1);
    return result.stderr;
  }

  test("a missing file, even after good ones", async () => {
    await expectRejected((dir, hash) => [hash, paths.demoData, join(dir, "missing.png")], /missing\.png/, /does not exist/);
  });

  test("a JSON file, which is no media type", async () => {
    await expectRejected(
      (dir, hash) => {
        writeFileSync(join(dir, "data.json"), '{"a": 1}\n');
        return [hash, demoFile("green-wide.png"), join(dir, "data.json")];
      },
      /data\.json/,
      /unknown type/,
      /\.json/,
      /Accepted: images, videos/,
      /\.png/,
    );
  });

  test("a zip archive", async () => {
    await expectRejected(
      (dir, hash) => {
        // A minimal empty zip archive: just the end-of-central-directory record.
        writeFileSync(join(dir, "bundle.zip"), Buffer.from([0x50, 0x4b, 0x05, 0x06, ...new Array<number>(18).fill(0)]));
        return [hash, join(dir, "bundle.zip")];
      },
      /bundle\.zip/,
      /application\/zip/,
      /Accepted:/,
    );
  });

  test("a .png file whose content is not PNG", async () => {
    await expectRejected(
      (dir, hash) => {
        writeFileSync(join(dir, "fake.png"), "just some text, not an image\n");
        return [hash, join(dir, "fake.png")];
      },
      /fake\.png/,
      /content is not/,
      /Accepted:/,
    );
  });

  test("a bad file inside a folder rejects the whole folder", async () => {
    await expectRejected((dir, hash) => {
      const folder = join(dir, "batch");
      mkdirSync(folder);
      copyFileSync(demoFile("red-square.png"), join(folder, "a-good.png"));
      copyFileSync(demoFile("blue-tall.png"), join(folder, "b-good.png"));
      writeFileSync(join(folder, "c-bad.json"), "{}");
      return [hash, folder];
    }, /c-bad\.json/);
  });

  test("a manifest line that is not JSON, named by file and line", async () => {
    const stderr = await expectRejected(
      (dir, hash) => [hash, "--manifest", writeManifest(join(dir, "items.jsonl"), [{ path: demoFile("red-square.png") }, "{not json"])],
      /items\.jsonl:2/,
      /not valid JSON/,
      /"path" or "url"/,
    );
    expect(stderr).not.toMatch(/items\.jsonl:1\b/);
  });

  test("a manifest line that is JSON but not an object", async () => {
    await expectRejected((dir, hash) => [hash, "--manifest", writeManifest(join(dir, "items.jsonl"), ["[1, 2]"])], /items\.jsonl:1/, /not a JSON object/);
  });

  test("a manifest line with neither path nor url", async () => {
    await expectRejected(
      (dir, hash) => [hash, "--manifest", writeManifest(join(dir, "items.jsonl"), [{ title: "x" }])],
      /items\.jsonl:1/,
      /no "path" or "url"/,
    );
  });

  test("a manifest line with both path and url", async () => {
    await expectRejected(
      (dir, hash) => [hash, "--manifest", writeManifest(join(dir, "items.jsonl"), [{ path: demoFile("red-square.png"), url: "https://example.com/a.png" }])],
      /items\.jsonl:1/,
      /both "path" and "url"/,
    );
  });

  test("a manifest line with an unknown key, listing the accepted keys", async () => {
    await expectRejected(
      (dir, hash) => [hash, "--manifest", writeManifest(join(dir, "items.jsonl"), [{ path: demoFile("red-square.png"), metadata: {} }])],
      /items\.jsonl:1/,
      /unknown key "metadata"/,
      /"title", "path", "url", "clientMetadata"/,
    );
  });

  test("a manifest URL with a scheme that is not accepted", async () => {
    await expectRejected(
      (dir, hash) => [hash, "--manifest", writeManifest(join(dir, "items.jsonl"), [{ url: "ftp://example.com/a.png" }])],
      /items\.jsonl:1/,
      /"ftp:"/,
      /accepted: http, https/,
    );
  });

  test("a manifest file URL with a host", async () => {
    await expectRejected(
      (dir, hash) => [hash, "--manifest", writeManifest(join(dir, "items.jsonl"), [{ url: "file://fileserver/share/a.png" }])],
      /items\.jsonl:1/,
      /file:\/\/\//,
    );
  });

  test("a manifest URL whose path has no media type", async () => {
    await expectRejected(
      (dir, hash) => [hash, "--manifest", writeManifest(join(dir, "items.jsonl"), [{ url: "https://example.com/page?token=secret" }])],
      /items\.jsonl:1/,
      /unknown type/,
    );
  });

  test("a manifest path that does not exist, named with its line", async () => {
    await expectRejected(
      (dir, hash) => [hash, "--manifest", writeManifest(join(dir, "items.jsonl"), [{ path: demoFile("red-square.png") }, { path: "gone.png" }])],
      /items\.jsonl:2/,
      /gone\.png/,
      /does not exist/,
    );
  });

  test("a manifest path to a file of an unsupported type", async () => {
    await expectRejected(
      (dir, hash) => {
        writeFileSync(join(dir, "notes.json"), "{}");
        return [hash, "--manifest", writeManifest(join(dir, "items.jsonl"), [{ path: "notes.json" }])];
      },
      /items\.jsonl:1/,
      /notes\.json/,
      /Accepted:/,
    );
  });

  test("a manifest that does not exist", async () => {
    await expectRejected((dir, hash) => [hash, "--manifest", join(dir, "absent.jsonl")], /absent\.jsonl/, /does not exist/);
  });

  test("a manifest that is a folder", async () => {
    await expectRejected((dir, hash) => [hash, "--manifest", dir], /Manifest/, /not a file/, /JSON Lines/);
  });

  test("a symbolic link in a folder whose target is gone", async () => {
    await expectRejected(
      (dir, hash) => {
        const folder = join(dir, "batch");
        mkdirSync(folder);
        copyFileSync(demoFile("red-square.png"), join(folder, "a-good.png"));
        symlinkSync(join(dir, "deleted.png"), join(folder, "b-dangling.png"));
        return [hash, folder];
      },
      /b-dangling\.png/,
      /symbolic link/,
      /does not exist/,
    );
  });

  test.runIf(process.platform !== "win32")("a named pipe, which is refused instead of waited on", async () => {
    using s = freshStore();
    const hash = await createDemoProject(s.store);
    const pipe = join(s.dir, "stream.png");
    expect(spawnSync("mkfifo", [pipe]).status).toBe(0);
    // In a child process killed after a while: a blocking open would hang this test's process.
    const mainTs = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, ["--import", "tsx", mainTs, "--store", s.store, "data", "add", hash, pipe], {
        stdio: ["ignore", "ignore", "pipe"],
        timeout: 30_000,
        killSignal: "SIGKILL",
      });
      let stderr = "";
      child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, stderr }));
    });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/stream\.png.*not a regular file/);
    expect((await showProject(s.store, hash)).taskCount).toBe(0);
  });

  test("files and --manifest together", async () => {
    await expectRejected(
      (dir, hash) => [hash, demoFile("green-wide.png"), "--manifest", writeManifest(join(dir, "items.jsonl"), [{ path: demoFile("blue-tall.png") }])],
      /not both/,
    );
  });

  test("nothing to add", async () => {
    await expectRejected((_dir, hash) => [hash], /Nothing to add/, /files or folders/, /manifest/);
  });

  test("an empty folder", async () => {
    await expectRejected((dir, hash) => {
      mkdirSync(join(dir, "empty"));
      return [hash, join(dir, "empty")];
    }, /Nothing to add/);
  });

  test("an unknown project", async () => {
    using s = freshStore();
    await createDemoProject(s.store);
    const result = await cli(["--store", s.store, "data", "add", absentProject, paths.demoData]);
    expectUserError(result, `"${absentProject}"`, /project list/);
    expectJsonError(await cli(["--store", s.store, "--json", "data", "add", absentProject, paths.demoData]), "TA_UNKNOWN_PROJECT");
  });

  test("--json errors carry the error's code", async () => {
    using s = freshStore();
    const hash = await createDemoProject(s.store);
    writeFileSync(join(s.dir, "fake.png"), "text");
    expectJsonError(await cli(["--store", s.store, "--json", "data", "add", hash, join(s.dir, "missing.png")]), "TA_FILE_NOT_FOUND");
    expectJsonError(await cli(["--store", s.store, "--json", "data", "add", hash, join(s.dir, "fake.png")]), "TA_UNSUPPORTED_MEDIA");
    const manifest = writeManifest(join(s.dir, "items.jsonl"), ["nope"]);
    expect(expectJsonError(await cli(["--store", s.store, "--json", "data", "add", hash, "--manifest", manifest]), "TA_INVALID_MANIFEST")).toMatch(
      /items\.jsonl:1/,
    );
    expectJsonError(await cli(["--store", s.store, "--json", "data", "add", hash]), "TA_INVALID_ARGUMENT");
  });
});
