import type { TaskMoveRecord } from "../../backends/local/task-queries.js";
import { ConfigurationError, isTaskAgentsError } from "../../domain/errors.js";
import type { Project, Stage } from "../../domain/workflow.js";
import { LabelRow } from "../../labels/label-row.js";
import type { UiContext } from "../context.js";
import { listLabels, type ListedLabel } from "../label-overlay/label-list.js";
import { bitmaskImages } from "../label-overlay/label-overlay.js";
import { overlayShapes, type MediaSize, type OverlayShape } from "../label-overlay/overlay-shapes.js";
import { frameCacheOf } from "../media/frame-cache.js";
import { findMediaItem, hasFrames, type MediaItem } from "../media/media-item.js";
import { taskFailures, type RunFailureRow } from "../queries/run-queries.js";
import { requireTask, stageNeighbours, type TaskRecord } from "./task-queries.js";

/** The frame's picture, or why there is none (the labels are then drawn on a blank frame). */
export type FramePicture = { readonly ok: true; readonly size: MediaSize } | { readonly ok: false; readonly size: MediaSize; readonly reason: string };

/** Everything the task page shows. */
export interface TaskView {
  readonly project: Project;
  readonly task: TaskRecord;
  readonly stage: Stage;
  readonly item: MediaItem | undefined;
  readonly dataType: string;
  readonly frame: number;
  /** Frames of the media when known (videos), else null. */
  readonly frameCount: number | null;
  /** Undefined for items without pictures (audio, text): their labels are listed only. */
  readonly picture: FramePicture | undefined;
  readonly shapes: readonly OverlayShape[];
  readonly bitmasks: ReadonlyMap<string, string>;
  readonly labels: readonly ListedLabel[];
  readonly history: readonly TaskMoveRecord[];
  readonly failures: readonly RunFailureRow[];
  readonly previous: string | undefined;
  readonly next: string | undefined;
}

/** A size to draw on when the picture cannot be had: the stored size, else a 4:3 placeholder. */
function fallbackSize(item: MediaItem | undefined): MediaSize {
  const width = item?.storageItem.width;
  const height = item?.storageItem.height;
  return width && height ? { width, height } : { width: 640, height: 480 };
}

async function pictureOf(context: UiContext, item: MediaItem, frame: number): Promise<FramePicture> {
  try {
    const image = await frameCacheOf(context).get(item, frame);
    return { ok: true, size: { width: image.width, height: image.height } };
  } catch (error) {
    // A missing file or a broken video is shown on the page: the labels are still worth seeing.
    if (!isTaskAgentsError(error)) context.logger.warn({ err: error, dataHash: item.dataHash }, "a frame could not be decoded");
    return { ok: false, size: fallbackSize(item), reason: error instanceof Error ? error.message : String(error) };
  }
}

/** Reads everything the task page of `taskUuid` in project `projectHash` shows, at `frame`. */
export async function loadTaskView(context: UiContext, projectHash: string, taskUuid: string, frame: number): Promise<TaskView> {
  const { backend, db } = context;
  const project = await backend.getProject(projectHash);
  const task = requireTask(db, project.uuid, project.title, taskUuid);
  const stage = project.stages.find((s) => s.uuid === task.stageUuid)!;
  const [dict] = await backend.getLabelRows(project.uuid, [task.dataHash]);
  const [metadata] = await backend.getLabelRowMetadata(project.uuid, [task.dataHash]);
  const labelRow = LabelRow.fromEncordDict(dict!, { ontology: project.ontology, ...(metadata ? { metadata } : {}) });
  const item = await findMediaItem(backend, project.uuid, task.dataHash);
  const frameCount = labelRow.dataType === "video" ? (item?.storageItem.frameCount ?? labelRow.numberOfFrames) : labelRow.dataType === "image" ? 1 : null;
  if (frameCount !== null && frame >= frameCount) {
    throw new ConfigurationError(
      "TA_INVALID_ARGUMENT",
      `Frame ${frame} is past the end of ${JSON.stringify(task.dataTitle)}, which has ${frameCount} frame${frameCount === 1 ? "" : "s"} (0–${frameCount - 1}).`,
    );
  }
  const picture = item !== undefined && hasFrames(item) ? await pictureOf(context, item, frame) : undefined;
  const shapes = picture === undefined ? [] : overlayShapes(labelRow, frame, picture.size);
  const history = [...backend.history(project.uuid, task.uuid)].flat();
  const { previous, next } = stageNeighbours(db, task.stageUuid, task.id);
  return {
    project,
    task,
    stage,
    item,
    dataType: labelRow.dataType,
    frame,
    frameCount,
    picture,
    shapes,
    bitmasks: await bitmaskImages(shapes),
    labels: listLabels(labelRow, frame),
    history,
    failures: taskFailures(db, task.uuid),
    previous,
    next,
  };
}
