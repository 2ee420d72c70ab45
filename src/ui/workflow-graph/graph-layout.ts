import type { Stage } from "../../domain/workflow.js";

/** A stage's box in the drawing. */
export interface StageBox {
  readonly stage: Stage;
  readonly x: number;
  readonly y: number;
}

/** A pathway's arrow: an SVG path and where its label goes. */
export interface PathwayArrow {
  readonly name: string;
  readonly from: string;
  readonly to: string;
  readonly path: string;
  readonly labelX: number;
  readonly labelY: number;
}

export interface GraphLayout {
  readonly width: number;
  readonly height: number;
  readonly boxes: readonly StageBox[];
  readonly arrows: readonly PathwayArrow[];
}

export const boxWidth = 170;
export const boxHeight = 66;
const columnGap = 90;
const rowGap = 46;
const margin = 24;
/** Room below the boxes for arrows that go back to an earlier column (reject, loops). */
const loopRoom = 40;

/**
 * Places stages in columns by their distance from START along pathways (breadth first, so the
 * main line reads left to right), stages of one column stacked in workflow order. Stages START
 * does not reach go in a last column. Forward arrows run straight between boxes; arrows back to
 * an earlier or the same column bend below the drawing.
 */
export function layoutWorkflow(stages: readonly Stage[]): GraphLayout {
  const byUuid = new Map(stages.map((s) => [s.uuid, s]));
  const column = new Map<string, number>();
  const start = stages.find((s) => s.type === "START") ?? stages[0];
  if (start !== undefined) {
    column.set(start.uuid, 0);
    const queue = [start.uuid];
    while (queue.length > 0) {
      const uuid = queue.shift()!;
      for (const p of byUuid.get(uuid)?.pathways ?? []) {
        if (!column.has(p.destinationUuid) && byUuid.has(p.destinationUuid)) {
          column.set(p.destinationUuid, column.get(uuid)! + 1);
          queue.push(p.destinationUuid);
        }
      }
    }
  }
  const last = Math.max(-1, ...column.values()) + 1;
  for (const s of stages) if (!column.has(s.uuid)) column.set(s.uuid, last);

  const rows = new Map<number, number>();
  const boxes: StageBox[] = stages.map((stage) => {
    const col = column.get(stage.uuid)!;
    const row = rows.get(col) ?? 0;
    rows.set(col, row + 1);
    return { stage, x: margin + col * (boxWidth + columnGap), y: margin + row * (boxHeight + rowGap) };
  });
  const boxOf = new Map(boxes.map((b) => [b.stage.uuid, b]));
  const columns = Math.max(1, ...[...column.values()].map((c) => c + 1));
  const maxRows = Math.max(1, ...rows.values());
  const bottom = margin + maxRows * (boxHeight + rowGap) - rowGap;

  const arrows: PathwayArrow[] = [];
  let loops = 0;
  for (const box of boxes) {
    for (const pathway of box.stage.pathways) {
      const target = boxOf.get(pathway.destinationUuid);
      if (target === undefined) continue;
      if (target.x > box.x) {
        const x1 = box.x + boxWidth;
        const y1 = box.y + boxHeight / 2;
        const x2 = target.x;
        const y2 = target.y + boxHeight / 2;
        const mid = (x1 + x2) / 2;
        arrows.push({
          name: pathway.name,
          from: box.stage.uuid,
          to: target.stage.uuid,
          path: `M ${x1} ${y1} C ${mid} ${y1}, ${mid} ${y2}, ${x2 - 2} ${y2}`,
          labelX: mid,
          labelY: (y1 + y2) / 2 - 6,
        });
      } else {
        // Back (or sideways) to an earlier column: down from the box, along the bottom, up into the target.
        loops++;
        const depth = bottom + 16 + loops * 14;
        const x1 = box.x + boxWidth / 2 + 10;
        const x2 = target.x + boxWidth / 2 - 10;
        arrows.push({
          name: pathway.name,
          from: box.stage.uuid,
          to: target.stage.uuid,
          path: `M ${x1} ${box.y + boxHeight} C ${x1} ${depth}, ${x2} ${depth}, ${x2} ${target.y + boxHeight + 2}`,
          labelX: (x1 + x2) / 2,
          labelY: depth - 4,
        });
      }
    }
  }
  return {
    width: margin * 2 + columns * boxWidth + (columns - 1) * columnGap,
    height: bottom + margin + (loops > 0 ? loopRoom + loops * 14 : 0),
    boxes,
    arrows,
  };
}
