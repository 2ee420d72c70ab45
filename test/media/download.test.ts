/**
 * downloadToTemp against a local node:http server: what lands on disk, how each failure is
 * reported (and whether retrying can help), that nothing is left behind, and that no message or
 * cause quotes the signed URL.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { inspect } from "node:util";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { isConfigurationError, isMediaError, type MediaError } from "../../src/domain/errors.js";
import { downloadToTemp, type DownloadOptions } from "../../src/media/download.js";

const SECRET = "sig=S3CR3T-SIGNATURE&expires=4102444800";
const PAYLOAD = randomBytes(300_000);

let server: Server;
let base: string;
/** Responses left hanging by a test, ended in afterEach so the server can close. */
const hanging = new Set<ServerResponse>();

function route(req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? "/").split("?")[0]!;
  const status = /^\/status\/(\d+)$/.exec(path);
  if (status) {
    res.writeHead(Number(status[1]), { "content-type": "application/xml" });
    res.end(`<Error>${req.url}</Error>`);
    return;
  }
  switch (path) {
    case "/file": {
      // Several chunks, no Content-Length: the body is streamed in pieces.
      res.writeHead(200, { "content-type": "application/octet-stream" });
      for (let offset = 0; offset < PAYLOAD.length; offset += 64_000) res.write(PAYLOAD.subarray(offset, offset + 64_000));
      res.end();
      return;
    }
    case "/sized":
      res.writeHead(200, { "content-length": String(PAYLOAD.length) });
      res.end(PAYLOAD);
      return;
    case "/empty":
      res.writeHead(200, { "content-length": "0" });
      res.end();
      return;
    case "/hang":
      hanging.add(res);
      return;
    case "/slow-body":
      res.writeHead(200, { "content-type": "video/mp4" });
      res.write(PAYLOAD.subarray(0, 1000));
      hanging.add(res);
      return;
    case "/cut":
      res.writeHead(200, { "content-length": String(PAYLOAD.length) });
      res.write(PAYLOAD.subarray(0, 1000), () => res.destroy());
      return;
    default:
      res.writeHead(404);
      res.end();
  }
}

beforeAll(async () => {
  server = createServer(route);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
});

// Each test gets its own temp root, so "nothing left behind" is checked exactly.
let tempRoot: string;
let savedTmpdir: string | undefined;
beforeEach(() => {
  savedTmpdir = process.env["TMPDIR"];
  tempRoot = mkdtempSync(join(tmpdir(), "download-test-"));
  process.env["TMPDIR"] = tempRoot;
});
afterEach(() => {
  for (const res of hanging) res.destroy();
  hanging.clear();
  if (savedTmpdir === undefined) delete process.env["TMPDIR"];
  else process.env["TMPDIR"] = savedTmpdir;
  rmSync(tempRoot, { recursive: true, force: true });
});

const image: DownloadOptions = { name: "cat-001.png", mimeType: "image/png", itemType: "image" };

function url(path: string): string {
  return `${base}${path}?${SECRET}`;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the download to fail");
}

async function mediaFailure(promise: Promise<unknown>): Promise<MediaError> {
  const error = await rejection(promise);
  if (!isMediaError(error)) throw error;
  return error;
}

/** Neither the message nor anything in the cause chain (messages, stacks, fields) quotes the URL. */
function expectNoUrl(error: unknown, path: string): void {
  const everything = inspect(error, { depth: 20 });
  expect(everything).not.toContain("S3CR3T");
  expect(everything).not.toContain(`${path}?`);
  expect(everything).not.toContain(url(path));
}

describe("downloading", () => {
  test("streams the body to asset<suffix> in a private temp folder, byte for byte", async () => {
    const file = await downloadToTemp(url("/file"), image);
    expect(basename(file.path)).toBe("asset.png");
    expect(dirname(dirname(file.path))).toBe(tempRoot);
    expect(basename(dirname(file.path))).toMatch(/^task-agents-asset-/);
    expect(statSync(dirname(file.path)).mode & 0o777).toBe(0o700);
    expect(file.bytes).toBe(PAYLOAD.length);
    expect(file.mimeType).toBe("image/png");
    expect(readFileSync(file.path).equals(PAYLOAD)).toBe(true);
    await file.remove();
    expect(readdirSync(tempRoot)).toEqual([]);
    await file.remove();
  });

  test("a body with Content-Length, and an empty body", async () => {
    await using sized = await downloadToTemp(url("/sized"), image);
    expect(readFileSync(sized.path).equals(PAYLOAD)).toBe(true);
    await using empty = await downloadToTemp(url("/empty"), image);
    expect(empty.bytes).toBe(0);
    expect(readFileSync(empty.path).length).toBe(0);
  });

  test("await using removes the folder", async () => {
    {
      await using file = await downloadToTemp(url("/file"), image);
      expect(readdirSync(tempRoot)).toHaveLength(1);
      expect(file.bytes).toBe(PAYLOAD.length);
    }
    expect(readdirSync(tempRoot)).toEqual([]);
  });
});

describe("the file's suffix", () => {
  const cases: readonly [Partial<DownloadOptions>, string, string][] = [
    [{ mimeType: "image/png" }, ".png", "image/png"],
    [{ mimeType: "image/jpeg" }, ".jpg", "image/jpeg"],
    [{ mimeType: "IMAGE/JPEG; charset=binary" }, ".jpg", "image/jpeg"],
    [{ mimeType: "video/mp4", itemType: "video" }, ".mp4", "video/mp4"],
    [{ mimeType: "video/quicktime", itemType: "video" }, ".mov", "video/quicktime"],
    [{ mimeType: "audio/mpeg", itemType: "audio" }, ".mp3", "audio/mpeg"],
    [{ mimeType: "application/pdf", itemType: "pdf" }, ".pdf", "application/pdf"],
    [{ mimeType: "text/plain", itemType: "plainText" }, ".txt", "text/plain"],
    // No MIME type: the name's extension, else the item type.
    [{ mimeType: null, name: "clip.MOV", itemType: "video" }, ".mov", "video/quicktime"],
    [{ mimeType: null, name: "clip", itemType: "video" }, ".mp4", "video/mp4"],
    [{ mimeType: null, name: "frame", itemType: "image" }, ".png", "image/png"],
    [{ mimeType: null, name: "frames", itemType: "imageGroup" }, ".png", "image/png"],
    [{ mimeType: null, name: "song", itemType: "audio" }, ".mp3", "audio/mpeg"],
    [{ mimeType: null, name: "doc", itemType: "pdf" }, ".pdf", "application/pdf"],
    [{ mimeType: null, name: "notes", itemType: "plainText" }, ".txt", "text/plain"],
    [{ mimeType: null, name: "brain", itemType: "nifti" }, ".nii", "application/octet-stream"],
    [{ mimeType: null, name: "series", itemType: "dicomSeries" }, ".bin", "application/octet-stream"],
    // A MIME type it has no suffix for keeps its type; the suffix comes from the fallbacks.
    [{ mimeType: "image/x-custom", name: "odd", itemType: "image" }, ".png", "image/x-custom"],
  ];
  test.each(cases)("%j → %s", async (options, suffix, mimeType) => {
    await using file = await downloadToTemp(url("/sized"), { ...image, ...options });
    expect(file.path.endsWith(`asset${suffix}`)).toBe(true);
    expect(file.mimeType).toBe(mimeType);
  });
});

describe("size limit", () => {
  test("a Content-Length over maxBytes fails before downloading, permanently", async () => {
    const error = await mediaFailure(downloadToTemp(url("/sized"), { ...image, maxBytes: 1000 }));
    expect(error.code).toBe("TA_DOWNLOAD_TOO_LARGE");
    expect(error.permanent).toBe(true);
    expect(error.message).toContain('"cat-001.png" is 293 KiB (300000 bytes), more than maxBytes, 1000 bytes');
    expect(error.message).toContain("raise maxBytes");
    expect(readdirSync(tempRoot)).toEqual([]);
    expectNoUrl(error, "/sized");
  });

  test("a chunked body that grows past maxBytes is cut off and removed", async () => {
    const error = await mediaFailure(downloadToTemp(url("/file"), { ...image, maxBytes: 100_000 }));
    expect(error.code).toBe("TA_DOWNLOAD_TOO_LARGE");
    expect(error.permanent).toBe(true);
    expect(error.message).toContain("grew past maxBytes, 97.7 KiB (100000 bytes), and was cut off");
    expect(readdirSync(tempRoot)).toEqual([]);
  });

  test("exactly maxBytes is accepted", async () => {
    await using file = await downloadToTemp(url("/file"), { ...image, maxBytes: PAYLOAD.length });
    expect(file.bytes).toBe(PAYLOAD.length);
  });
});

describe("HTTP failures", () => {
  const cases: readonly [number, boolean, RegExp][] = [
    [403, true, /refused the signed URL \(HTTP 403\); it may have expired/],
    [404, true, /no file at the item's URL \(HTTP 404\)/],
    [401, true, /asked for credentials \(HTTP 401\)/],
    [400, true, /answered HTTP 400\.$/],
    [500, false, /answered HTTP 500; a later attempt may succeed/],
    [503, false, /answered HTTP 503/],
    [429, false, /answered HTTP 429/],
  ];
  test.each(cases)("HTTP %i: TA_DOWNLOAD_FAILED, permanent %s", async (status, permanent, message) => {
    const error = await mediaFailure(downloadToTemp(url(`/status/${status}`), image));
    expect(error.code).toBe("TA_DOWNLOAD_FAILED");
    expect(error.permanent).toBe(permanent);
    expect(error.message).toMatch(/^Downloading "cat-001\.png" failed: /);
    expect(error.message).toMatch(message);
    expectNoUrl(error, `/status/${status}`);
    expect(readdirSync(tempRoot)).toEqual([]);
  });
});

describe("network failures, timeouts and aborts", () => {
  test("a refused connection: not permanent, the cause keeps the code but not the URL", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const target = `http://127.0.0.1:${port.port}/gone?${SECRET}`;
    const error = await mediaFailure(downloadToTemp(target, image));
    expect(error.code).toBe("TA_DOWNLOAD_FAILED");
    expect(error.permanent).toBe(false);
    expect(error.message).toContain("ECONNREFUSED");
    expect((error.cause as { code?: string }).code).toBe("ECONNREFUSED");
    const everything = inspect(error, { depth: 20 });
    expect(everything).not.toContain("S3CR3T");
    expect(everything).not.toContain("/gone");
  });

  test("a connection lost mid-body: not permanent, partial file removed, no URL", async () => {
    const error = await mediaFailure(downloadToTemp(url("/cut"), image));
    expect(error.code).toBe("TA_DOWNLOAD_FAILED");
    expect(error.permanent).toBe(false);
    expect(error.message).toContain("the connection to the storage failed");
    expect(readdirSync(tempRoot)).toEqual([]);
    expectNoUrl(error, "/cut");
  });

  test("no answer within timeoutMs: not permanent", async () => {
    const error = await mediaFailure(downloadToTemp(url("/hang"), { ...image, timeoutMs: 200 }));
    expect(error.code).toBe("TA_DOWNLOAD_FAILED");
    expect(error.permanent).toBe(false);
    expect(error.message).toContain("took longer than timeoutMs (200 ms)");
    expectNoUrl(error, "/hang");
  });

  test("a body still arriving at timeoutMs: stopped and removed", async () => {
    const error = await mediaFailure(downloadToTemp(url("/slow-body"), { ...image, timeoutMs: 300 }));
    expect(error.message).toContain("took longer than timeoutMs");
    expect(readdirSync(tempRoot)).toEqual([]);
  });

  test("aborting rejects with the signal's reason and removes the partial file", async () => {
    const controller = new AbortController();
    const reason = new Error("the run is stopping");
    const pending = downloadToTemp(url("/slow-body"), { ...image, signal: controller.signal });
    // Abort once the folder exists (the first chunk has arrived).
    while (readdirSync(tempRoot).length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    controller.abort(reason);
    expect(await rejection(pending)).toBe(reason);
    expect(readdirSync(tempRoot)).toEqual([]);
  });

  test("an already aborted signal: nothing is requested", async () => {
    const reason = new Error("already stopped");
    expect(await rejection(downloadToTemp(url("/file"), { ...image, signal: AbortSignal.abort(reason) }))).toBe(reason);
    expect(readdirSync(tempRoot)).toEqual([]);
  });
});

describe("refused arguments", () => {
  test("only http: and https: URLs, without quoting the URL", async () => {
    for (const target of [`file:///tmp/x.png?${SECRET}`, `ftp://host/x.png?${SECRET}`]) {
      const error = await rejection(downloadToTemp(target, image));
      expect(isConfigurationError(error)).toBe(true);
      expect((error as { code: string }).code).toBe("TA_INVALID_ARGUMENT");
      expect((error as Error).message).toMatch(/accepts http: and https: URLs only/);
      expect((error as Error).message).not.toContain("S3CR3T");
    }
    const error = await rejection(downloadToTemp(`not a url ${SECRET}`, image));
    expect((error as Error).message).toBe('Cannot download "cat-001.png": its URL does not parse; give an absolute http: or https: URL.');
  });

  test("maxBytes and timeoutMs must be positive", async () => {
    const error = await rejection(downloadToTemp(url("/file"), { ...image, maxBytes: 0 }));
    expect(isConfigurationError(error)).toBe(true);
    expect((error as Error).message).toContain("maxBytes 0 is not accepted; give a positive number of bytes");
    const timeout = await rejection(downloadToTemp(url("/file"), { ...image, timeoutMs: Number.NaN }));
    expect((timeout as Error).message).toContain("timeoutMs NaN is not accepted");
  });
});
