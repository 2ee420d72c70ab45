/**
 * Video frames on the task page: decoded on demand, once per frame (the page and the image
 * request share one decode), frame navigation within the video's frames.
 */
import { pino } from "pino";
import sharp from "sharp";
import { afterEach, describe, expect, it } from "vitest";
import { localBackend } from "../../src/index.js";
import { FrameCache } from "../../src/ui/media/frame-cache.js";
import { renderFrameImage } from "../../src/ui/media/frame-image.js";
import { findMediaItem } from "../../src/ui/media/media-item.js";
import { startUi } from "../../src/ui/start-ui.js";
import { paths } from "../support/paths.js";
import { tempDir } from "../support/temp-dir.js";

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close();
});

/** The media example project with only its 48-frame clip (160 × 120). */
async function videoProject() {
  const dir = tempDir();
  open.push({ close: async () => dir[Symbol.dispose]() });
  const storePath = `${dir.path}/store.db`;
  const backend = localBackend({ storePath });
  open.push(backend);
  const projectHash = backend.createProject(paths.mediaSpec);
  await backend.addData(projectHash, { paths: [`${paths.mediaData}/moving-square.mp4`], actor: "tester" });
  const project = await backend.getProject(projectHash);
  const detect = project.stages.find((s) => s.title === "Detect")!;
  const task = (await backend.listStageTasks(projectHash, detect.uuid)).tasks[0]!;
  return { backend, storePath, projectHash, task };
}

describe("video frames", () => {
  it("decodes a frame once: concurrent and later requests for it share the decode", async () => {
    const { backend, projectHash, task } = await videoProject();
    const item = (await findMediaItem(backend, projectHash, task.dataHash))!;
    const decoded: number[] = [];
    const cache = new FrameCache(async (it, frame, signal) => {
      decoded.push(frame);
      return renderFrameImage(it, frame, signal);
    });
    const [a, b] = await Promise.all([cache.get(item, 7), cache.get(item, 7)]);
    const c = await cache.get(item, 7);
    expect(decoded).toEqual([7]);
    expect(a).toBe(b);
    expect(c).toBe(a);
    expect([a.width, a.height, a.contentType]).toEqual([160, 120, "image/jpeg"]);
    await cache.get(item, 8);
    expect(decoded).toEqual([7, 8]);
    // A failed decode is not kept: asking again tries again (and fails again, past the end).
    await expect(cache.get(item, 48)).rejects.toThrow(/past the end/);
    await expect(cache.get(item, 48)).rejects.toThrow(/past the end/);
    expect(decoded).toEqual([7, 8, 48, 48]);
  });

  it("shows a video task frame by frame and serves each frame as a JPEG", async () => {
    const { storePath, projectHash, task } = await videoProject();
    const ui = await startUi({ storePath, host: "127.0.0.1", port: 0, logger: pino({ level: "silent" }) });
    open.push(ui);
    const page = await (await fetch(new URL(`/projects/${projectHash}/tasks/${task.uuid}?frame=5`, ui.url))).text();
    expect(page).toContain(`/projects/${projectHash}/data/${task.dataHash}/frames/5`);
    expect(page).toContain('data-key="p"');
    expect(page).toContain('data-key="n"');
    expect(page).toMatch(/of 0–47/);
    const frame = await fetch(new URL(`/projects/${projectHash}/data/${task.dataHash}/frames/5`, ui.url));
    expect(frame.headers.get("content-type")).toBe("image/jpeg");
    const meta = await sharp(Buffer.from(await frame.arrayBuffer())).metadata();
    expect([meta.width, meta.height]).toEqual([160, 120]);
    const past = await fetch(new URL(`/projects/${projectHash}/tasks/${task.uuid}?frame=48`, ui.url));
    expect(past.status).toBe(400);
    expect(await past.text()).toContain("which has 48 frames (0–47)");
  });
});
