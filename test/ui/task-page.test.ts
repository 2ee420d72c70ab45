/**
 * The task page over HTTP: the page with its labels, history and actions, the frame images the
 * store knows, and acting as a person (POST, same-origin only, never in --read-only).
 */
import { pino } from "pino";
import sharp from "sharp";
import { afterEach, describe, expect, it } from "vitest";
import { localBackend } from "../../src/index.js";
import { startUi, type RunningUi } from "../../src/ui/start-ui.js";
import { tempDir } from "../support/temp-dir.js";
import { IMAGE, makeShapesProject } from "./support/shapes-project.js";

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close();
});

async function dashboard(options: { readOnly?: boolean; secondImage?: boolean } = {}) {
  const dir = tempDir();
  open.push({ close: async () => dir[Symbol.dispose]() });
  const storePath = `${dir.path}/store.db`;
  const backend = localBackend({ storePath });
  const ids = await makeShapesProject(backend, dir.path);
  await backend.close();
  const ui: RunningUi = await startUi({ storePath, host: "127.0.0.1", port: 0, logger: pino({ level: "silent" }), readOnly: options.readOnly ?? false });
  open.push(ui);
  const get = (path: string) => fetch(new URL(path, ui.url));
  const post = (path: string, fields: Record<string, string>, headers: Record<string, string> = { origin: new URL(ui.url).origin }) =>
    fetch(new URL(path, ui.url), { method: "POST", body: new URLSearchParams(fields), headers, redirect: "manual" });
  const stageOf = async (taskUuid: string) => {
    await using reader = localBackend({ storePath });
    const project = await reader.getProject(ids.projectHash);
    const moves = [...reader.history(ids.projectHash, taskUuid)].flat();
    return { stage: moves.at(-1)!.toStage, moves: moves.length, review: project.stages.find((s) => s.title === "Review")! };
  };
  return { ui, ...ids, get, post, stageOf, storePath, dir: dir.path };
}

describe("task page", () => {
  it("shows the task with every label drawn, its classification, its history and the REVIEW actions", async () => {
    const { get, projectHash, taskUuid } = await dashboard();
    const response = await get(`/projects/${projectHash}/tasks/${taskUuid}`);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('<svg class="label-overlay"');
    for (const title of ["Box", "Rotated", "Region", "Line", "Dot", "Pose", "Mask", "Crate"]) expect(html).toContain(`>${title}</text>`);
    expect(html).toContain('data-toggle-feature="f-1"');
    expect(html).toMatch(/Weather: <strong>sunny<\/strong>/);
    expect(html).toMatch(/<table id="history">.*<td>Start<\/td>.*<td>Review<\/td>/s);
    expect(html).toContain('data-key="a"');
    expect(html).toContain('data-key="r"');
    expect(html).not.toContain('data-key="s"');
    expect(html).toContain("No failures recorded for this task.");
  });

  it("serves the task's frame as an image of the item's size, and nothing for data the store lacks", async () => {
    const { get, projectHash, dataHash } = await dashboard();
    const frame = await get(`/projects/${projectHash}/data/${dataHash}/frames/0`);
    expect(frame.status).toBe(200);
    expect(frame.headers.get("content-type")).toBe("image/png");
    const meta = await sharp(Buffer.from(await frame.arrayBuffer())).metadata();
    expect([meta.width, meta.height]).toEqual([IMAGE.width, IMAGE.height]);
    expect((await get(`/projects/${projectHash}/data/${dataHash}/frames/1`)).status).toBe(404);
    const unknown = await get(`/projects/${projectHash}/data/0000beef-0000-4000-8000-000000000000/frames/0`);
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain("has no data item");
    // A path in place of a hash reaches no file: it is just an unknown data hash.
    expect((await get(`/projects/${projectHash}/data/..%2F..%2Fetc%2Fpasswd/frames/0`)).status).toBe(404);
  });

  it("answers unknown tasks with a 404 page and bad frame numbers with a 400 page, without a stack", async () => {
    const { get, projectHash, taskUuid } = await dashboard();
    const missing = await get(`/projects/${projectHash}/tasks/00000000-0000-4000-8000-000000000000`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain("has no task");
    const badFrame = await get(`/projects/${projectHash}/tasks/${taskUuid}?frame=-1`);
    expect(badFrame.status).toBe(400);
    const text = await badFrame.text();
    expect(text).toContain("frames are whole numbers from 0");
    expect(text).not.toMatch(/at .*\.js:\d+/);
    const pastEnd = await get(`/projects/${projectHash}/tasks/${taskUuid}?frame=3`);
    expect(pastEnd.status).toBe(400);
    expect(await pastEnd.text()).toContain("has 1 frame (0–0)");
  });

  it("approves a REVIEW task once, as tasks proceed does, and names the move on the page it redirects to", async () => {
    const { post, get, projectHash, taskUuid, stageOf } = await dashboard();
    const { review } = await stageOf(taskUuid);
    const response = await post(`/projects/${projectHash}/tasks/${taskUuid}/proceed`, { stage: review.uuid, pathway: "approve" });
    expect(response.status).toBe(303);
    const location = response.headers.get("location")!;
    expect(location).toBe(`/projects/${projectHash}/tasks/${taskUuid}?moved=${taskUuid}`);
    expect(await stageOf(taskUuid)).toMatchObject({ stage: "Complete", moves: 2 });
    const page = await (await get(location)).text();
    expect(page).toMatch(/Moved &quot;grey.png&quot; from Review along &quot;approve&quot; to Complete/);
    expect(page).not.toContain('data-key="a"');
    // The same form sent again (a double click, a reload) moves nothing more.
    const again = await post(`/projects/${projectHash}/tasks/${taskUuid}/proceed`, { stage: review.uuid, pathway: "approve" });
    expect(again.status).toBe(400);
    expect(await again.text()).toContain("nothing was moved");
    expect(await stageOf(taskUuid)).toMatchObject({ stage: "Complete", moves: 2 });
  });

  it("refuses actions from other origins, pathways a person does not take, and every action when read-only", async () => {
    const { post, projectHash, taskUuid, stageOf } = await dashboard();
    const { review } = await stageOf(taskUuid);
    const path = `/projects/${projectHash}/tasks/${taskUuid}/proceed`;
    const foreign = await post(path, { stage: review.uuid, pathway: "approve" }, { origin: "http://evil.example" });
    expect(foreign.status).toBe(403);
    const wrongPathway = await post(path, { stage: review.uuid, pathway: "submit" });
    expect(wrongPathway.status).toBe(400);
    expect(await wrongPathway.text()).toContain("accepted: &quot;approve&quot;, &quot;reject&quot;");
    expect(await stageOf(taskUuid)).toMatchObject({ stage: "Review", moves: 1 });

    const readOnly = await dashboard({ readOnly: true });
    const page = await (await readOnly.get(`/projects/${readOnly.projectHash}/tasks/${readOnly.taskUuid}`)).text();
    expect(page).not.toContain('data-key="a"');
    expect(page).not.toContain('<form method="post"');
    const refused = await readOnly.post(`/projects/${readOnly.projectHash}/tasks/${readOnly.taskUuid}/proceed`, { stage: review.uuid, pathway: "approve" });
    expect(refused.status).toBe(404);
    expect(await readOnly.stageOf(readOnly.taskUuid)).toMatchObject({ stage: "Review", moves: 1 });
  });
});
