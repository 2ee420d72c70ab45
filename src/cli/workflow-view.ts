import type { Project, StageType } from "../domain/workflow.js";
import type { StageCounts } from "../backends/local/projects.js";
import { cellWidth, padCell, tableCell } from "./table-cell.js";

const markers: Partial<Record<StageType, string>> = { START: "▶", AGENT: "◆", ANNOTATION: "●", REVIEW: "●", DONE: "■" };

/**
 * Draws a workflow as text: one line per stage (marker, title, type, task count, UUID) and one
 * line per pathway under it, pointing to the destination stage.
 */
export function renderWorkflow(project: Project, counts: StageCounts): string {
  const titleById = new Map(project.stages.map((s) => [s.uuid, s.title]));
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const titleWidth = Math.max(...project.stages.map((s) => cellWidth(s.title)));
  const typeWidth = Math.max(...project.stages.map((s) => s.type.length));
  const countWidth = Math.max(...project.stages.map((s) => String(counts.get(s.uuid) ?? 0).length));
  const lines = [`${tableCell(project.title)}  ${project.uuid}  (${total} task${total === 1 ? "" : "s"})`, ""];
  for (const stage of project.stages) {
    const count = stage.type === "START" ? "" : `${String(counts.get(stage.uuid) ?? 0).padStart(countWidth)} task${counts.get(stage.uuid) === 1 ? " " : "s"}`;
    lines.push(
      `${markers[stage.type] ?? "○"} ${padCell(tableCell(stage.title), titleWidth)}  ` +
        `${stage.type.padEnd(typeWidth)}  ${count.padEnd(countWidth + 6)}  ${stage.uuid}`,
    );
    stage.pathways.forEach((pathway, i) => {
      const branch = i === stage.pathways.length - 1 ? "└─" : "├─";
      const uuid = stage.type === "AGENT" ? `  (${pathway.uuid})` : "";
      lines.push(`  ${branch} ${tableCell(pathway.name)} ──▶ ${tableCell(titleById.get(pathway.destinationUuid) ?? pathway.destinationUuid)}${uuid}`);
    });
  }
  return lines.join("\n") + "\n";
}

/** The same as a JSON value, for `--json`. */
export function workflowJson(project: Project, counts: StageCounts): unknown {
  const titleById = new Map(project.stages.map((s) => [s.uuid, s.title]));
  return {
    uuid: project.uuid,
    title: project.title,
    description: project.description,
    taskCount: [...counts.values()].reduce((a, b) => a + b, 0),
    stages: project.stages.map((stage) => ({
      uuid: stage.uuid,
      title: stage.title,
      type: stage.type,
      taskCount: counts.get(stage.uuid) ?? 0,
      pathways: stage.pathways.map((p) => ({
        uuid: p.uuid,
        name: p.name,
        destinationUuid: p.destinationUuid,
        destinationTitle: titleById.get(p.destinationUuid),
      })),
    })),
  };
}
