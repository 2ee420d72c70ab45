import type { Db } from "../../backends/local/database.js";
import { statement } from "../../backends/local/statements.js";
import { published } from "../../backends/local/intake-visibility.js";
import { ConfigurationError } from "../../domain/errors.js";
import type { TaskStatus } from "../../domain/task.js";

export const taskStatuses: readonly TaskStatus[] = ["NEW", "ASSIGNED", "RELEASED", "SKIPPED", "REOPENED", "COMPLETED"];
export const stageSorts = ["age", "priority"] as const;
export type StageSort = (typeof stageSorts)[number];

/** Tasks per page of the stage page. */
export const stagePageSize = 100;

/** What the stage page lists: filters, order and the page (a cursor from the previous one). */
export interface StageTaskQuery {
  readonly projectUuid: string;
  readonly stageUuid: string;
  readonly status?: TaskStatus;
  /** Part of the data title, any case. */
  readonly title?: string;
  readonly sort: StageSort;
  /** The `next` cursor of the previous page. */
  readonly after?: string;
}

/** A task as the stage page lists it. */
export interface StageTaskRow {
  readonly uuid: string;
  readonly dataTitle: string;
  readonly status: TaskStatus;
  readonly priority: number;
  readonly assignee: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface StageTaskPage {
  readonly tasks: readonly StageTaskRow[];
  /** Cursor of the next page; undefined after the last. */
  readonly next: string | undefined;
}

interface Row {
  id: number;
  uuid: string;
  title: string;
  status: TaskStatus;
  priority: number;
  assignee: string | null;
  created_at: string;
  updated_at: string;
}

/**
 * Reads a stage page cursor: `<id>` for age order, `<priority>:<id>` for priority order. A cursor
 * is the position after the last task shown, so pages stay right while tasks leave the stage.
 */
function parseCursor(after: string | undefined, sort: StageSort): { id: number; priority: number } {
  if (after === undefined) return { id: 0, priority: Number.POSITIVE_INFINITY };
  const match = sort === "age" ? /^(\d{1,15})$/.exec(after) : /^(0|1|0?\.\d{1,20}|\d(?:\.\d+)?e-\d+):(\d{1,15})$/.exec(after);
  if (match === null) {
    throw new ConfigurationError(
      "TA_INVALID_ARGUMENT",
      `The page cursor ${JSON.stringify(after)} is not one this page made for sorting by ` +
        `${sort}; follow the page's "Next" link, or drop "after" from the URL for the first page.`,
    );
  }
  return sort === "age" ? { id: Number(match[1]), priority: Number.POSITIVE_INFINITY } : { id: Number(match[2]), priority: Number(match[1]) };
}

const select = `SELECT t.id, t.uuid, d.title, t.status, t.priority, t.assignee, t.created_at, t.updated_at
  FROM tasks t JOIN data_units d ON d.data_hash = t.data_hash
  WHERE t.stage_uuid = @stage AND (@status IS NULL OR t.status = @status) AND ${published("t")}`;
/** Case-insensitive (ASCII) substring match; `%`, `_` and `\\` in the text match themselves. */
const titleMatch = "d.project_uuid = @project AND d.title LIKE @pattern ESCAPE '\\'";
// Few titles match: take them from the (project, title) index in one pass without visiting rows,
// look each one's task up and sort those. Many match: walk the stage in page order and check
// each task's title; a page fills long before the walk ends.
const matchingHashes = `SELECT d.data_hash FROM data_units d WHERE ${titleMatch} LIMIT @few`;
const fromHashes = `SELECT t.id, t.uuid, d.title, t.status, t.priority, t.assignee, t.created_at, t.updated_at
  FROM json_each(@hashes) h CROSS JOIN tasks t ON t.data_hash = h.value JOIN data_units d ON d.data_hash = t.data_hash
  WHERE t.stage_uuid = @stage AND (@status IS NULL OR t.status = @status) AND ${published("t")}`;
/** Up to this many matching titles in the project, a filtered page starts from the titles. */
const fewTitles = 20_000;

/**
 * One page of a stage's tasks (keyset: no OFFSET, so page 1,000 costs what page 1 does): oldest
 * first by age, or highest priority first (then oldest).
 */
export function stageTaskPage(db: Db, query: StageTaskQuery): StageTaskPage {
  const cursor = parseCursor(query.after, query.sort);
  const params = {
    project: query.projectUuid,
    stage: query.stageUuid,
    status: query.status ?? null,
    title: query.title === undefined || query.title === "" ? null : query.title,
    id: cursor.id,
    priority: cursor.priority,
    limit: stagePageSize + 1,
  };
  let where = select;
  let bound: Record<string, unknown> = params;
  if (params.title !== null) {
    const pattern = `%${params.title.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const hashes = statement(db, matchingHashes, { pluck: true }).all({ project: params.project, pattern, few: fewTitles + 1 }) as string[];
    if (hashes.length <= fewTitles) {
      where = fromHashes;
      bound = { ...params, hashes: JSON.stringify(hashes) };
    } else {
      where = `${select} AND ${titleMatch}`;
      bound = { ...params, pattern };
    }
  }
  const rows = (
    query.sort === "age"
      ? statement(db, `${where} AND t.id > @id ORDER BY t.id LIMIT @limit`).all(bound)
      : statement(db, `${where} AND (t.priority < @priority OR (t.priority = @priority AND t.id > @id)) ORDER BY t.priority DESC, t.id LIMIT @limit`).all(bound)
  ) as Row[];
  const shown = rows.slice(0, stagePageSize);
  const last = shown.at(-1);
  return {
    tasks: shown.map((r) => ({
      uuid: r.uuid,
      dataTitle: r.title,
      status: r.status,
      priority: r.priority,
      assignee: r.assignee,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    })),
    next: rows.length > stagePageSize && last !== undefined ? (query.sort === "age" ? String(last.id) : `${last.priority}:${last.id}`) : undefined,
  };
}
