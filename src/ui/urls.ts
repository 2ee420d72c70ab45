/**
 * Every URL of the dashboard, in one place, so pages link to each other without spelling paths
 * by hand and a bookmarked link keeps working. Path segments are percent-encoded; hashes and
 * UUIDs are matched case-insensitively by the store.
 */
const segment = (value: string): string => encodeURIComponent(value);

function withQuery(path: string, query: Readonly<Record<string, string | number | undefined>> | undefined): string {
  if (query === undefined) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== "") params.set(key, String(value));
  const text = params.toString();
  return text === "" ? path : `${path}?${text}`;
}

export const urls = {
  home: (): string => "/",
  projects: (): string => "/projects",
  project: (projectHash: string): string => `/projects/${segment(projectHash)}`,
  /** Server-sent events: the project's task counts per stage, sent again whenever they change. */
  projectCounts: (projectHash: string): string => `/projects/${segment(projectHash)}/counts`,
  stage: (projectHash: string, stageUuid: string, query?: Readonly<Record<string, string | number | undefined>>): string =>
    withQuery(`/projects/${segment(projectHash)}/stages/${segment(stageUuid)}`, query),
  task: (projectHash: string, taskUuid: string, query?: Readonly<Record<string, string | number | undefined>>): string =>
    withQuery(`/projects/${segment(projectHash)}/tasks/${segment(taskUuid)}`, query),
  /** An image or video frame of a data item, decoded on demand (never a file path). */
  frame: (projectHash: string, dataHash: string, frame: number): string => `/projects/${segment(projectHash)}/data/${segment(dataHash)}/frames/${frame}`,
  /** POST: moves the task along a person's pathway (submit, approve, reject), as `tasks proceed`. */
  taskProceed: (projectHash: string, taskUuid: string): string => `/projects/${segment(projectHash)}/tasks/${segment(taskUuid)}/proceed`,
  /** POST: runs the dashboard's `--agent` on the task (`mode`: `run` commits, `dry-run` does not). */
  taskAgent: (projectHash: string, taskUuid: string): string => `/projects/${segment(projectHash)}/tasks/${segment(taskUuid)}/agent`,
  runs: (query?: Readonly<Record<string, string | number | undefined>>): string => withQuery("/runs", query),
  run: (runId: number | string): string => `/runs/${segment(String(runId))}`,
  /** A stylesheet or client script registered in assets.ts (never a file path). */
  asset: (name: string): string => `/assets/${segment(name)}`,
} as const;
