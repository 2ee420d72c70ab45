import type { Project } from "../../domain/workflow.js";
import { urls } from "../urls.js";
import { boxHeight, boxWidth, layoutWorkflow } from "./graph-layout.js";

/** Cuts a title to fit a box, with an ellipsis. */
function fit(title: string, max = 22): string {
  return title.length <= max ? title : `${title.slice(0, max - 1)}…`;
}

/**
 * The workflow as an SVG drawing: a box per stage (title, type, task count; AGENT stages marked)
 * linking to its stage page, and an arrow per pathway labelled with its name. Counts sit in
 * elements with `data-stage-count`, which the live-counts script updates.
 */
export function WorkflowSvg({ project, counts }: { project: Project; counts: ReadonlyMap<string, number> }) {
  const layout = layoutWorkflow(project.stages);
  return (
    <svg
      class="workflow"
      id="workflow"
      xmlns="http://www.w3.org/2000/svg"
      viewBox={`0 0 ${layout.width} ${layout.height}`}
      width={layout.width}
      height={layout.height}
      role="img"
      aria-label={`Workflow of ${project.title}`}
    >
      <defs>
        <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse">
          <path d="M 0 0 L 10 5 L 0 10 z" />
        </marker>
      </defs>
      {layout.arrows.map((arrow) => (
        <g class="edge" data-pathway={arrow.name} data-from={arrow.from} data-to={arrow.to}>
          <path d={arrow.path} marker-end="url(#arrow)" />
          <text x={arrow.labelX} y={arrow.labelY} text-anchor="middle">
            {arrow.name}
          </text>
        </g>
      ))}
      {layout.boxes.map(({ stage, x, y }) => (
        <a href={urls.stage(project.uuid, stage.uuid)}>
          <g class={`stage ${stage.type}`} data-stage={stage.uuid}>
            <title>{`${stage.title} (${stage.type})`}</title>
            <rect x={x} y={y} width={boxWidth} height={boxHeight} rx="8" />
            <text x={x + 10} y={y + 20}>
              {fit(stage.title)}
            </text>
            <text class="kind" x={x + 10} y={y + 36}>
              {stage.type === "AGENT" ? "AGENT ◆" : stage.type}
            </text>
            <text class="count" x={x + boxWidth - 10} y={y + boxHeight - 12} text-anchor="end" data-stage-count={stage.uuid}>
              {String(counts.get(stage.uuid) ?? 0)}
            </text>
          </g>
        </a>
      ))}
    </svg>
  );
}
