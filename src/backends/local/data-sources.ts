import { createReadStream } from "node:fs";
import { readdir, realpath, stat } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";
import { DataInputError } from "../../domain/errors.js";
import { describeDuplicateJsonKey, findDuplicateJsonKey } from "../../shared/json-duplicate-keys.js";
import type { NewDataItem } from "./data-items.js";
import { groupSeries, isSeriesSlice, type SeriesSlice } from "./dicom-series.js";
import { decodeUrlPath, probeFile, probeUrl } from "./media-probe.js";

/**
 * Items from files and folders given on the command line. Folders are walked recursively in name
 * order; hidden entries (names starting with ".") inside folders are skipped; symbolic links are
 * followed, each folder walked once. The DICOM files of one series in one folder make one
 * `dicomSeries` item (see dicom-series.ts); a `.dcm` given by itself stays a DICOM file.
 */
export async function* itemsFromPaths(paths: readonly string[]): AsyncGenerator<NewDataItem> {
  for (const path of paths) {
    const absolute = resolve(path);
    let info;
    try {
      info = await stat(absolute);
    } catch {
      throw new DataInputError("TA_FILE_NOT_FOUND", `${JSON.stringify(path)} does not exist; give files or folders that do.`, path);
    }
    if (info.isDirectory()) yield* itemsFromFolder(absolute);
    else yield await itemFromFile(absolute, basename(absolute), {});
  }
}

async function* itemsFromFolder(folder: string, walked = new Set<string>()): AsyncGenerator<NewDataItem> {
  // Folders are remembered by real path, so a link back to a folder being walked cannot loop.
  const real = await realpath(folder);
  if (walked.has(real)) return;
  walked.add(real);
  const entries = (await readdir(folder, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  // A folder's DICOM slices are held back until the folder is read: the files of a series become
  // one item, added after the folder's other entries.
  const slices: SeriesSlice[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith(".")) continue;
    const path = join(folder, entry.name);
    const kind = entry.isSymbolicLink() ? await linkTargetKind(path) : entry.isDirectory() ? "folder" : entry.isFile() ? "file" : "other";
    if (kind === "folder") yield* itemsFromFolder(path, walked);
    else if (kind === "file") {
      const item = await itemFromFile(path, entry.name, {});
      if (isSeriesSlice(item)) slices.push(item);
      else yield item;
    }
  }
  yield* groupSeries(folder, slices);
}

// Symbolic links are followed: datasets are often assembled from links to files elsewhere.
async function linkTargetKind(path: string): Promise<"file" | "folder" | "other"> {
  let target;
  try {
    target = await stat(path);
  } catch {
    throw new DataInputError("TA_FILE_NOT_FOUND", `${JSON.stringify(path)} is a symbolic link to something that does not exist; fix or remove the link.`, path);
  }
  return target.isDirectory() ? "folder" : target.isFile() ? "file" : "other";
}

async function itemFromFile(path: string, title: string, clientMetadata: Record<string, unknown>): Promise<NewDataItem> {
  return { title, url: pathToFileURL(path).href, media: await probeFile(path), clientMetadata };
}

const manifestKeys = ["title", "path", "url", "clientMetadata"];
const manifestExample = `{"title": "cat.png", "path": "images/cat.png", "clientMetadata": {"split": "train"}}`;
const remoteSchemes = new Set(["http:", "https:", "s3:", "gs:", "az:"]);

/**
 * Items from a JSON Lines manifest, read line by line. `path` is relative to the manifest's
 * folder; `url` items are recorded as given (http, https, s3, gs, az or file URLs). Blank lines
 * are skipped. Any bad line stops the whole command with an error naming the line.
 */
export async function* itemsFromManifest(manifestPath: string): AsyncGenerator<NewDataItem> {
  const folder = dirname(resolve(manifestPath));
  // A folder opens fine but fails on the first read; say so before reading.
  const info = await stat(manifestPath).catch(() => undefined);
  if (info !== undefined && !info.isFile()) {
    throw new DataInputError(
      "TA_INVALID_MANIFEST",
      `Manifest ${JSON.stringify(manifestPath)} is not a file; give a JSON Lines file (.jsonl) with one item per line.`,
      manifestPath,
    );
  }
  const stream = createReadStream(manifestPath, { encoding: "utf8" });
  const opened = new Promise<void>((ok, fail) => {
    stream.once("open", () => ok());
    stream.once("error", fail);
  });
  try {
    await opened;
  } catch {
    throw new DataInputError("TA_FILE_NOT_FOUND", `Manifest ${JSON.stringify(manifestPath)} does not exist or cannot be read.`, manifestPath);
  }
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let lineNumber = 0;
  try {
    for await (const line of lines) {
      lineNumber++;
      // Editors on Windows often start UTF-8 files with a byte-order mark.
      const text = lineNumber === 1 ? line.replace(/^\uFEFF/, "") : line;
      if (text.trim() === "") continue;
      yield await itemFromManifestLine(text, `${manifestPath}:${lineNumber}`, folder);
    }
  } finally {
    lines.close();
    stream.destroy();
  }
}

async function itemFromManifestLine(line: string, where: string, folder: string): Promise<NewDataItem> {
  const fail = (problem: string) =>
    new DataInputError("TA_INVALID_MANIFEST", `${where}: ${problem}. Each line must be a JSON object like ${manifestExample}, with "path" or "url".`, where);
  let entry: unknown;
  try {
    entry = JSON.parse(line);
  } catch (error) {
    throw fail(`not valid JSON (${(error as Error).message})`);
  }
  if (entry === null || typeof entry !== "object" || Array.isArray(entry)) throw fail("not a JSON object");
  // JSON.parse keeps the last of two equal keys (a second "path" would win without a word).
  const duplicate = findDuplicateJsonKey(line);
  if (duplicate) throw fail(`${describeDuplicateJsonKey(duplicate, true)}; give each key once`);
  const record = entry as Record<string, unknown>;
  const unknown = Object.keys(record).filter((k) => !manifestKeys.includes(k));
  if (unknown.length > 0)
    throw fail(
      `unknown key${unknown.length === 1 ? "" : "s"} ${unknown.map((k) => JSON.stringify(k)).join(", ")}` +
        `; accepted keys: ${manifestKeys.map((k) => JSON.stringify(k)).join(", ")}`,
    );
  const { title, path, url, clientMetadata = {} } = record;
  if (title !== undefined && (typeof title !== "string" || title.trim() === "")) throw fail(`"title" must be a non-empty string`);
  if (clientMetadata === null || typeof clientMetadata !== "object" || Array.isArray(clientMetadata)) throw fail(`"clientMetadata" must be a JSON object`);
  const metadata = clientMetadata as Record<string, unknown>;
  if ((path === undefined) === (url === undefined)) throw fail(path === undefined ? `no "path" or "url"` : `both "path" and "url"; give one`);

  // Errors about the file itself get the manifest line in front, so the user knows where to look.
  const probed = async (make: () => Promise<NewDataItem> | NewDataItem): Promise<NewDataItem> => {
    try {
      return await make();
    } catch (error) {
      if (error instanceof DataInputError) throw fail(error.message.replace(/\.$/, ""));
      throw error;
    }
  };
  if (path !== undefined) {
    if (typeof path !== "string" || path === "") throw fail(`"path" must be a non-empty string`);
    const absolute = resolve(folder, path);
    return probed(() => itemFromFile(absolute, title ?? basename(absolute), metadata));
  }
  if (typeof url !== "string" || url === "") throw fail(`"url" must be a non-empty string`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw fail(`"url" is not an absolute URL`);
  }
  if (parsed.protocol === "file:") {
    let filePath: string;
    try {
      filePath = fileURLToPath(parsed);
    } catch {
      throw fail(`"url" is not a local file URL; use file:///absolute/path (no host)`);
    }
    return probed(() => itemFromFile(filePath, title ?? basename(filePath), metadata));
  }
  if (!remoteSchemes.has(parsed.protocol))
    throw fail(`"url" scheme ${JSON.stringify(parsed.protocol)} is not accepted; accepted: http, https, s3, gs, az, file`);
  return probed(() => ({ title: title ?? basename(decodeUrlPath(parsed.pathname)), url, media: probeUrl(url), clientMetadata: metadata }));
}
