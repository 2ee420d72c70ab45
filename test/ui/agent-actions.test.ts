/**
 * `task-agents ui --agent FILE`: running the demo agent on one AGENT-stage task from its page,
 * for real (committed, moved) and as a dry run (shown, nothing stored). The agent file imports
 * the built package, as `task-agents run` does: run `npm run build` first.
 */
import { fileURLToPath } from "node:url";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { localBackend } from "../../src/index.js";
import { startUi } from "../../src/ui/start-ui.js";
import { paths } from "../support/paths.js";
import { tempDir } from "../support/temp-dir.js";

const agentFile = fileURLToPath(new URL("../../examples/agents/prelabel.ts", import.meta.url));

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close();
});

async function demoDashboard(options: { agent: boolean }) {
  const dir = tempDir();
  open.push({ close: async () => dir[Symbol.dispose]() });
  const storePath = `${dir.path}/store.db`;
  const backend = localBackend({ storePath });
  const projectHash = backend.createProject(paths.demoSpec);
  await backend.addData(projectHash, { paths: [paths.demoData], actor: "tester" });
  const project = await backend.getProject(projectHash);
  const prelabel = project.stages.find((s) => s.title === "Pre-label")!;
  const task = (await backend.listStageTasks(projectHash, prelabel.uuid)).tasks[0]!;
  await backend.close();
  const ui = await startUi({ storePath, host: "127.0.0.1", port: 0, logger: pino({ level: "silent" }), ...(options.agent ? { agentFile } : {}) });
  open.push(ui);
  const origin = new URL(ui.url).origin;
  const act = (mode: string, stage = prelabel.uuid) =>
    fetch(new URL(`/projects/${projectHash}/tasks/${task.uuid}/agent`, ui.url), {
      method: "POST",
      body: new URLSearchParams({ stage, mode }),
      headers: { origin },
      redirect: "manual",
    });
  const state = async () => {
    await using reader = localBackend({ storePath });
    const moves = [...reader.history(projectHash, task.uuid)].flat();
    const [row] = await reader.getLabelRows(projectHash, [task.dataHash]);
    return { stage: moves.at(-1)!.toStage, moves: moves.length, labels: JSON.stringify(row) };
  };
  const page = async () => (await fetch(new URL(`/projects/${projectHash}/tasks/${task.uuid}`, ui.url))).text();
  return { act, state, page, task };
}

describe("agent actions on the task page", () => {
  it("dry-runs the handler on one task: shows its pathway and labels, stores nothing", async () => {
    const { act, state, page } = await demoDashboard({ agent: true });
    expect(await page()).toContain("Dry run (commit nothing)");
    const before = await state();
    const response = await act("dry-run");
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain("nothing was saved or moved");
    expect(html).toMatch(/It would move the task along &quot;(annotate|skip)&quot; to (Annotate|Complete)\./);
    expect(html).toMatch(/Size: <strong>(thumbnail|regular)<\/strong>/);
    expect(await state()).toEqual(before);
  });

  it("runs the handler on one task with the normal commit: labels saved, the task moved once", async () => {
    const { act, state, page } = await demoDashboard({ agent: true });
    const before = await state();
    const response = await act("run");
    expect(response.status).toBe(303);
    const after = await state();
    expect(after.moves).toBe(2);
    expect(["Annotate", "Complete"]).toContain(after.stage);
    expect(after.labels).not.toBe(before.labels);
    expect(await page()).toMatch(/Moved|along/);
    // The same form again: the task has left the stage, so nothing runs and nothing moves.
    const again = await act("run");
    expect(again.status).toBe(400);
    expect(await again.text()).toContain("nothing was run");
    expect((await state()).moves).toBe(2);
  });

  it("offers no agent actions without --agent, and refuses an unknown mode", async () => {
    const without = await demoDashboard({ agent: false });
    expect(await without.page()).not.toContain("Run the agent on this task");
    expect((await without.act("run")).status).toBe(404);
    const withAgent = await demoDashboard({ agent: true });
    const bad = await withAgent.act("launch");
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("accepted: &quot;run&quot; (commit) and &quot;dry-run&quot;");
  });
});
