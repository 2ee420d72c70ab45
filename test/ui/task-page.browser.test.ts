/**
 * The task page in a real Chromium: the labels are checked where they land on screen (pixels of
 * a screenshot of the drawing), not only in the markup, and the `a` key approves a REVIEW task.
 */
import { pino } from "pino";
import type { Page } from "playwright-core";
import sharp from "sharp";
import { afterEach, describe, expect, it } from "vitest";
import { localBackend } from "../../src/index.js";
import { startUi } from "../../src/ui/start-ui.js";
import { launchBrowser } from "../support/browser.js";
import { tempDir } from "../support/temp-dir.js";
import { IMAGE, MASK_SQUARE, makeShapesProject } from "./support/shapes-project.js";

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close();
});

async function shapesDashboard() {
  const dir = tempDir();
  open.push({ close: async () => dir[Symbol.dispose]() });
  const storePath = `${dir.path}/store.db`;
  const backend = localBackend({ storePath });
  const ids = await makeShapesProject(backend, dir.path);
  await backend.close();
  const ui = await startUi({ storePath, host: "127.0.0.1", port: 0, logger: pino({ level: "silent" }) });
  open.push(ui);
  const browser = await launchBrowser();
  open.push({ close: () => browser[Symbol.asyncDispose]() });
  const page = await browser.newPage();
  await page.setViewportSize({ width: 1200, height: 900 });
  const taskUrl = new URL(`/projects/${ids.projectHash}/tasks/${ids.taskUuid}`, ui.url).href;
  return { ...ids, page, taskUrl, storePath };
}

type Rgb = [number, number, number];

/**
 * The drawing as the browser shows it, read at image pixel (x, y). The page lays the drawing out at a fractional y; Chromium paints it snapped to
 * whole pixels, so the clip starts at the rounded position.
 */
async function drawnPixels(page: Page): Promise<(x: number, y: number) => Rgb> {
  await page.waitForFunction(() => {
    const image = document.querySelector("svg.label-overlay image.frame");
    return image !== null && (image as SVGImageElement).getBBox().width > 0;
  });
  const box = (await page.locator("svg.label-overlay").boundingBox())!;
  // A small frame is shown enlarged by a whole factor (3 for this 200-pixel image).
  const scale = box.width / IMAGE.width;
  expect(scale).toBe(3);
  expect(box.height).toBe(IMAGE.height * scale);
  const png = await page.screenshot({ clip: { x: Math.round(box.x), y: Math.round(box.y), width: box.width, height: box.height } });
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return (x, y) => {
    const at = (Math.round(y * scale) * info.width + Math.round(x * scale)) * info.channels;
    return [data[at]!, data[at + 1]!, data[at + 2]!];
  };
}

const GREY: Rgb = [128, 128, 128];
const near = (got: Rgb, want: Rgb, tolerance = 6) => got.every((v, i) => Math.abs(v - want[i]!) <= tolerance);
/**
 * A stroke (2 screen pixels wide) may land a screen pixel either side of its coordinate after
 * snapping: some pixel within a third of an image pixel (one screen pixel at scale 3) has its colour.
 */
const strokeAt = (pixel: (x: number, y: number) => Rgb, x: number, y: number, want: Rgb) =>
  [-1 / 3, 0, 1 / 3].some((dx) => [-1 / 3, 0, 1 / 3].some((dy) => near(pixel(x + dx, y + dy), want, 40)));

describe("task page in Chromium", () => {
  it("draws a box at its pixels over the image, and the class toggle hides it", async () => {
    const { page, taskUrl } = await shapesDashboard();
    await page.goto(taskUrl);
    let pixel = await drawnPixels(page);
    // The box spans x 20..60, y 20..60: its left and top edges are red, its inside is the grey image.
    expect(strokeAt(pixel, 20, 40, [255, 0, 0])).toBe(true);
    expect(strokeAt(pixel, 40, 20, [255, 0, 0])).toBe(true);
    expect(near(pixel(40, 40), GREY)).toBe(true);
    expect(near(pixel(12, 40), GREY)).toBe(true);
    await page.locator('input[data-toggle-feature="f-1"]').uncheck();
    pixel = await drawnPixels(page);
    expect(strokeAt(pixel, 20, 40, [255, 0, 0])).toBe(false);
  });

  it("fills a polygon around its hole and draws a bitmask translucently over the image", async () => {
    const { page, taskUrl } = await shapesDashboard();
    await page.goto(taskUrl);
    const pixel = await drawnPixels(page);
    const filled = pixel(78, 48);
    expect(filled[2]).toBeGreaterThan(filled[0] + 30); // blue tint of the polygon's fill
    expect(near(pixel(100, 67), GREY)).toBe(true); // the hole shows the image
    const masked = pixel(MASK_SQUARE.x + 10, MASK_SQUARE.y + 10);
    // Yellow at under half opacity over grey: red and green rise, blue falls, the grey still counts.
    expect(masked[0]).toBeGreaterThan(160);
    expect(masked[1]).toBeGreaterThan(160);
    expect(masked[2]).toBeLessThan(100);
    expect(masked[2]).toBeGreaterThan(30);
    expect(near(pixel(MASK_SQUARE.x + MASK_SQUARE.size + 2, MASK_SQUARE.y + 10), GREY)).toBe(true);
  });

  it("approves a REVIEW task with the a key and shows it moved", async () => {
    const { page, taskUrl, projectHash, taskUuid, storePath } = await shapesDashboard();
    await page.goto(taskUrl);
    await expect(page.locator("#task-stage").textContent()).resolves.toBe("Review");
    await Promise.all([page.waitForURL(/moved=/), page.keyboard.press("a")]);
    await expect(page.locator("#moved").textContent()).resolves.toMatch(/from Review along "approve" to Complete/);
    await expect(page.locator("#task-stage").textContent()).resolves.toBe("Complete");
    await using reader = localBackend({ storePath });
    const moves = [...reader.history(projectHash, taskUuid)].flat();
    expect(moves.map((m) => [m.toStage, m.pathway, m.actor])).toEqual([
      ["Review", "next", "tester"],
      ["Complete", "approve", "dashboard"],
    ]);
  });
});
