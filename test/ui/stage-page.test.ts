import { describe, expect, test } from "vitest";
import { demoProjectWithData, freshStore, showProject } from "../cli/cli-helpers.js";
import { startUiProcess } from "./support/ui-process.js";

const rowsOf = (html: string) => [...html.matchAll(/<tr data-task="[^"]+"><td><a [^>]*>([^<]+)<\/a>/g)].map((m) => m[1]);

describe("stage page over HTTP", () => {
  test("filters by title (any case, % taken literally) and status, sorts, and refuses bad parameters with a 400 page", async () => {
    using s = freshStore();
    const hash = await demoProjectWithData(s.store);
    const preLabel = (await showProject(s.store, hash)).stages.find((st) => st.title === "Pre-label")!;
    const ui = await startUiProcess(["--store", s.store, "--read-only"]);
    const page = async (query: string) => {
      const response = await fetch(`${ui.url}projects/${hash}/stages/${preLabel.uuid}${query}`);
      return { status: response.status, html: await response.text() };
    };
    expect(rowsOf((await page("")).html)).toEqual(["blue-tall.png", "caption.txt", "green-wide.png", "red-square.png"]);
    expect(rowsOf((await page("?title=CAPTION")).html)).toEqual(["caption.txt"]);
    expect(rowsOf((await page("?title=%25")).html)).toEqual([]);
    expect(rowsOf((await page("?title=.png&sort=priority")).html)).toEqual(["blue-tall.png", "green-wide.png", "red-square.png"]);
    expect(rowsOf((await page("?status=COMPLETED")).html)).toEqual([]);
    expect(rowsOf((await page("?status=new")).html)).toHaveLength(4);
    const badStatus = await page("?status=DONE");
    expect(badStatus.status).toBe(400);
    expect(badStatus.html).toContain("&quot;status&quot; must be one of NEW, ASSIGNED, RELEASED, SKIPPED, REOPENED, COMPLETED; got &quot;DONE&quot;");
    const badCursor = await page("?after=x1");
    expect(badCursor.status).toBe(400);
    expect(badCursor.html).toMatch(/page cursor .*x1.* is not one this page made/);
  });
});
