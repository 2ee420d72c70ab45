/**
 * Tables stay aligned whatever the titles hold: double-width (CJK) characters are measured as a
 * terminal shows them, control characters (NUL, newline) are escaped so a row stays one line,
 * and a 100,000-character title is cut to 60 columns with "…" instead of padding every line.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import stringWidth from "string-width";
import { describe, expect, test } from "vitest";
import { cliOk } from "../support/run-cli.js";
import { freshStore } from "./cli-helpers.js";

const longTitle = "x".repeat(100_000);
const cjk = "猫の検出プロジェクト";
const controls = "nul\u0000and\nnewline\ttab";

function spec(title: string, agentTitle = "Pre-label"): object {
  return {
    title,
    workflow: {
      stages: [
        { title: "Start", type: "START", to: agentTitle },
        { title: agentTitle, type: "AGENT", pathways: [{ name: "done", to: "Done" }] },
        { title: "Done", type: "DONE" },
      ],
    },
  };
}

async function createProject(store: string, dir: string, name: string, body: object): Promise<string> {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify(body));
  return (await cliOk(store, ["project", "create", path])).trim();
}

describe("tables with hard titles", () => {
  test("project list: one line per project, CJK measured by display width, control characters escaped, a huge title cut", async () => {
    using fresh = freshStore();
    for (const [name, title] of [
      ["cjk", cjk],
      ["controls", controls],
      ["long", longTitle],
      ["plain", "Plain"],
    ] as const)
      await createProject(fresh.store, fresh.dir, name, spec(title));

    const lines = (await cliOk(fresh.store, ["project", "list"])).trimEnd().split("\n");
    expect(lines).toHaveLength(5);
    const rows = lines.slice(1);
    // The last column (CREATED) has the same width on every row, so aligned rows are equally wide.
    expect(new Set(rows.map((line) => stringWidth(line))).size).toBe(1);
    expect(stringWidth(rows[0]!)).toBeLessThan(200);
    const cut = rows.find((line) => line.includes("xxx"))!;
    expect(cut).toContain(`${"x".repeat(59)}…`);
    expect(cut).not.toContain("x".repeat(60));
    expect(rows.find((line) => line.includes("nul"))).toContain("nul\\u0000and\\nnewline\\ttab");
    // The header's last column starts where the rows' dates (19 characters) do.
    const createdColumn = lines[0]!.indexOf("CREATED");
    for (const row of rows) expect(stringWidth(row.slice(0, -19))).toBe(createdColumn);
  });

  test("project show: a double-width stage title keeps the columns after it aligned", async () => {
    using fresh = freshStore();
    const hash = await createProject(fresh.store, fresh.dir, "cjk-stage", spec("CJK stages", cjk));

    const show = (await cliOk(fresh.store, ["project", "show", hash])).split("\n");
    const stageLines = show.filter((line) => /^[▶◆●■○] /.test(line));
    expect(stageLines).toHaveLength(3);
    // Each stage line ends with its 36-character UUID: aligned lines are equally wide.
    expect(new Set(stageLines.map((line) => stringWidth(line))).size).toBe(1);
    const typeColumns = stageLines.map((line) => stringWidth(line.slice(0, line.search(/(START|AGENT|DONE)/))));
    expect(new Set(typeColumns).size).toBe(1);
  });
});
