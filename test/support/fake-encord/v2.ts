/** The v2 REST endpoints of the fake Encord server (§2, §4, §6). */
import { randomBytes } from "node:crypto";
import { canAccess, json, v2Error, actorEmail, type HandlerContext, type Reply } from "./context.js";
import {
  TASK_STATUSES,
  storageItemDto,
  taskDto,
  workflowStageDto,
  type FakeStage,
  type ProjectState,
  type StorageItemState,
  type TaskState,
  type TaskStatus,
} from "./state.js";
import { UUID_PATTERN, isRecord, isoPython } from "./util.js";

/** Per-request ceilings (§5). */
export const LIMITS = { actions: 1000, moveTasks: 500, priorities: 1000, storageItems: 1000 } as const;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const notFound = (what: string) => new HttpError(404, `${what} not found.`);

function query(raw: string, allowed: readonly string[]): URLSearchParams {
  const params = new URLSearchParams(raw);
  for (const key of new Set(params.keys())) {
    if (!allowed.includes(key)) {
      throw new HttpError(
        400,
        `Unknown query parameter ${JSON.stringify(key)}${allowed.length ? `; accepted: ${allowed.join(", ")}` : "; this endpoint takes none"}.`,
      );
    }
  }
  return params;
}

/** Python-spelled booleans (`True`/`False`), as the SDK sends them (§2.2). */
function pythonBool(params: URLSearchParams, key: string): boolean {
  const values = params.getAll(key);
  if (values.length === 0) return false;
  if (values.length > 1) throw new HttpError(400, `Query parameter ${key} given more than once.`);
  if (values[0] === "True") return true;
  if (values[0] === "False") return false;
  throw new HttpError(400, `Query parameter ${key} must be True or False, got ${JSON.stringify(values[0])}.`);
}

function requireJsonBody(body: Buffer, parsed: unknown, contentType: string | undefined): unknown {
  if (body.length === 0) throw new HttpError(400, "A JSON request body is required.");
  if (!contentType?.toLowerCase().startsWith("application/json")) throw new HttpError(415, "Content-Type must be application/json.");
  if (parsed === undefined) throw new HttpError(400, "The request body is not valid JSON.");
  return parsed;
}

function project(ctx: HandlerContext, projectHash: string): ProjectState {
  const found = ctx.state.projects.get(projectHash);
  if (!found) throw notFound(`Project ${projectHash}`);
  if (!canAccess(ctx.state, found, ctx.identity)) throw new HttpError(403, `You do not have access to project ${projectHash}.`);
  return found;
}

function stage(found: ProjectState, stageUuid: string): FakeStage {
  const result = found.stages.find((s) => s.uuid === stageUuid);
  if (!result) throw notFound(`Workflow stage ${stageUuid} of project ${found.projectHash}`);
  return result;
}

/** A storage item the caller may read: one of a project it may use (any, for data attached to several). */
function item(ctx: HandlerContext, itemUuid: string, missingStatus: 403 | 404): StorageItemState {
  const found = ctx.state.storageItems.get(itemUuid);
  const allowed = found && [...found.projectHashes].some((hash) => canAccess(ctx.state, ctx.state.projects.get(hash)!, ctx.identity));
  if (!found || !allowed) {
    throw new HttpError(
      missingStatus,
      missingStatus === 404 ? `Storage item ${itemUuid} not found.` : `You do not have access to storage item ${itemUuid} (or it does not exist).`,
    );
  }
  return found;
}

function projectDto(found: ProjectState): Record<string, unknown> {
  return {
    projectHash: found.projectHash,
    projectType: found.projectType,
    status: "inProgress",
    title: found.title,
    description: found.description,
    createdAt: isoPython(found.createdAt),
    lastEditedAt: isoPython(found.createdAt),
    ontologyHash: found.ontologyHash,
    editorOntology: found.ontology,
    userRole: 0,
    sourceProjects: null,
    workflowManagerUuid: found.projectType === "workflow" ? found.workflowManagerUuid : null,
    workflow: found.projectType === "workflow" ? { stages: found.stages.map(workflowStageDto) } : null,
  };
}

// ---- page tokens -------------------------------------------------------------------------------

interface PageCursor {
  readonly stage: string;
  readonly after: number;
  readonly filters: string;
}

/**
 * Opaque, but deliberately standard base64 behind a prefix with `+` and `/`, so a client that
 * does not percent-encode it (or signs it differently from what it sends) fails.
 */
function encodeToken(cursor: PageCursor): string {
  let text = JSON.stringify({ s: cursor.stage, a: cursor.after, f: cursor.filters });
  while (text.length % 3 !== 1) text += " "; // always "==" padding
  return `pt+/${Buffer.from(text, "utf8").toString("base64")}`;
}

function decodeToken(token: string): PageCursor {
  const fail = () => new HttpError(400, "Invalid page token.");
  if (!token.startsWith("pt+/")) throw fail();
  try {
    const value = JSON.parse(Buffer.from(token.slice(4), "base64").toString("utf8")) as unknown;
    if (!isRecord(value) || typeof value["s"] !== "string" || typeof value["a"] !== "number" || typeof value["f"] !== "string") throw fail();
    return { stage: value["s"], after: value["a"], filters: value["f"] };
  } catch {
    throw fail();
  }
}

function listTasks(ctx: HandlerContext, found: ProjectState, where: FakeStage, rawQuery: string): Reply {
  const human = where.type !== "DONE";
  const params = query(rawQuery, ["pageToken", "dataHashes", "datasetHashes", "dataTitleContains", ...(human ? ["statuses", "userEmails"] : [])]);
  const dataHashes = params.getAll("dataHashes");
  const datasetHashes = params.getAll("datasetHashes");
  for (const hash of [...dataHashes, ...datasetHashes]) {
    if (!UUID_PATTERN.test(hash)) throw new HttpError(400, `${JSON.stringify(hash)} is not a UUID.`);
  }
  const statuses = params.getAll("statuses");
  for (const status of statuses) {
    if (!TASK_STATUSES.includes(status as TaskStatus))
      throw new HttpError(400, `Unknown task status ${JSON.stringify(status)}; accepted: ${TASK_STATUSES.join(", ")}.`);
  }
  const titleParts = params.getAll("dataTitleContains");
  if (titleParts.length > 1) throw new HttpError(400, "dataTitleContains given more than once.");
  const titleContains = titleParts[0]?.toLowerCase();
  const userEmails = params.getAll("userEmails");
  const filters = JSON.stringify([dataHashes, datasetHashes, statuses, titleContains ?? null, userEmails]);

  const tokens = params.getAll("pageToken");
  if (tokens.length > 1) throw new HttpError(400, "pageToken given more than once.");
  let after = -1;
  if (tokens.length === 1) {
    const cursor = decodeToken(tokens[0]!);
    if (cursor.stage !== where.uuid || cursor.filters !== filters)
      throw new HttpError(400, "Invalid page token: it belongs to another stage or other filters.");
    after = cursor.after;
  }

  const wantedHashes = new Set(dataHashes.map((h) => h.toLowerCase()));
  const wantedDatasets = new Set(datasetHashes.map((h) => h.toLowerCase()));
  // Attached data keeps the dataset it was added with, so the dataset is the item's, not the project's.
  const datasetOf = (task: TaskState): string => ctx.state.storageItems.get(ctx.state.labelRows.of(found.projectHash, task.dataHash)!.itemUuid)!.datasetHash;
  const matches = (task: TaskState): boolean =>
    task.projectHash === found.projectHash &&
    task.stageUuid === where.uuid &&
    task.seq > after &&
    (wantedHashes.size === 0 || wantedHashes.has(task.dataHash)) &&
    (wantedDatasets.size === 0 || wantedDatasets.has(datasetOf(task))) &&
    (statuses.length === 0 || statuses.includes(task.status)) &&
    (titleContains === undefined || task.dataTitle.toLowerCase().includes(titleContains)) &&
    (userEmails.length === 0 || (task.assignee !== null && userEmails.includes(task.assignee)));

  const results: TaskState[] = [];
  let more = false;
  for (const task of ctx.state.tasks) {
    if (!matches(task)) continue;
    if (results.length === found.pageSize) {
      more = true;
      break;
    }
    results.push(task);
  }
  const last = results.at(-1);
  return json(200, {
    results: results.map((task) => taskDto(task, where)),
    nextPageToken: more && last ? encodeToken({ stage: where.uuid, after: last.seq, filters }) : null,
  });
}

// ---- moving tasks ------------------------------------------------------------------------------

function moveTask(ctx: HandlerContext, task: TaskState, to: FakeStage, pathwayUuid: string | null, via: "action" | "move-tasks"): void {
  const now = ctx.nowMs();
  const from = task.stageUuid;
  task.stageUuid = to.uuid;
  task.status = to.type === "DONE" ? "COMPLETED" : "NEW";
  task.assignee = null;
  task.lastActionedBy = actorEmail(ctx.identity);
  task.updatedAt = now;
  ctx.state.history.push({ taskUuid: task.uuid, projectHash: task.projectHash, from, to: to.uuid, pathwayUuid, at: now, via });
}

function tasksInStage(ctx: HandlerContext, found: ProjectState, where: FakeStage, uuids: readonly string[]): TaskState[] {
  const seen = new Set<string>();
  return uuids.map((uuid) => {
    if (seen.has(uuid)) throw new HttpError(400, `Task ${uuid} appears more than once in the request.`);
    seen.add(uuid);
    const task = ctx.state.tasksByUuid.get(uuid);
    if (!task || task.projectHash !== found.projectHash || task.stageUuid !== where.uuid)
      throw new HttpError(400, `Task ${uuid} is not in stage ${where.uuid}.`);
    return task;
  });
}

function stageActions(ctx: HandlerContext, found: ProjectState, where: FakeStage, body: unknown): Reply {
  if (!Array.isArray(body)) throw new HttpError(400, "The body must be a JSON array of actions.");
  if (body.length > LIMITS.actions) throw new HttpError(413, `At most ${LIMITS.actions} actions per request, got ${body.length}.`);
  if (where.type !== "AGENT") throw new HttpError(400, `Stage ${where.uuid} is a ${where.type} stage; PATHWAY_ACTION is only accepted on AGENT stages.`);
  const planned = body.map((element: unknown, index) => {
    if (!isRecord(element)) throw new HttpError(400, `Action ${index} is not an object.`);
    const { taskUuid, action, pathwayUuid, pathwayName } = element;
    if (typeof taskUuid !== "string") throw new HttpError(400, `Action ${index}: taskUuid is required.`);
    if (action !== "PATHWAY_ACTION")
      throw new HttpError(400, `Action ${index}: unsupported action ${JSON.stringify(action)}; the fake accepts PATHWAY_ACTION.`);
    if (pathwayUuid !== undefined && typeof pathwayUuid !== "string") throw new HttpError(400, `Action ${index}: pathwayUuid must be a string.`);
    if (pathwayName !== undefined && typeof pathwayName !== "string") throw new HttpError(400, `Action ${index}: pathwayName must be a string.`);
    if (pathwayUuid === undefined && pathwayName === undefined) throw new HttpError(400, `Action ${index}: pathwayUuid or pathwayName is required.`);
    const byUuid = pathwayUuid === undefined ? undefined : where.pathways.find((p) => p.uuid === pathwayUuid.toLowerCase());
    const byName = pathwayName === undefined ? undefined : where.pathways.find((p) => p.title === pathwayName);
    if (pathwayUuid !== undefined && !byUuid) throw new HttpError(400, `Unknown pathway ${pathwayUuid} for stage ${where.uuid}.`);
    if (pathwayName !== undefined && !byName) throw new HttpError(400, `Unknown pathway ${JSON.stringify(pathwayName)} for stage ${where.uuid}.`);
    if (byUuid && byName && byUuid !== byName) throw new HttpError(400, `Action ${index}: pathwayUuid and pathwayName name different pathways.`);
    return { taskUuid, pathway: (byUuid ?? byName)! };
  });
  const tasks = tasksInStage(
    ctx,
    found,
    where,
    planned.map((p) => p.taskUuid),
  );
  tasks.forEach((task, i) => {
    const pathway = planned[i]!.pathway;
    moveTask(ctx, task, stage(found, pathway.destinationUuid), pathway.uuid, "action");
  });
  return ctx.emptyStatus === 204 ? { status: 204 } : json(200, null);
}

function moveTasks(ctx: HandlerContext, found: ProjectState, where: FakeStage, body: unknown): Reply {
  if (!isRecord(body) || !Array.isArray(body["taskUuids"]) || typeof body["destinationStageUuid"] !== "string") {
    throw new HttpError(400, "The body must be {taskUuids: [...], destinationStageUuid}.");
  }
  const uuids = body["taskUuids"] as unknown[];
  if (uuids.length > LIMITS.moveTasks) throw new HttpError(413, `At most ${LIMITS.moveTasks} task uuids per request, got ${uuids.length}.`);
  if (!uuids.every((u): u is string => typeof u === "string")) throw new HttpError(400, "taskUuids must be strings.");
  const destination = found.stages.find((s) => s.uuid === body["destinationStageUuid"]);
  if (!destination) throw new HttpError(400, `Unknown destination stage ${String(body["destinationStageUuid"])}.`);
  for (const task of tasksInStage(ctx, found, where, uuids)) moveTask(ctx, task, destination, null, "move-tasks");
  return ctx.emptyStatus === 204 ? { status: 204 } : json(200, null);
}

function priorities(ctx: HandlerContext, found: ProjectState, body: unknown): Reply {
  if (!isRecord(body) || !Array.isArray(body["priorities"])) throw new HttpError(400, 'The body must be {"priorities": [[dataHash, priority], ...]}.');
  const list = body["priorities"] as unknown[];
  if (list.length > LIMITS.priorities) throw new HttpError(413, `At most ${LIMITS.priorities} priorities per request, got ${list.length}.`);
  const byDataHash = new Map(ctx.state.tasks.filter((t) => t.projectHash === found.projectHash).map((t) => [t.dataHash, t]));
  const updates = list.map((entry, index) => {
    if (!Array.isArray(entry) || entry.length !== 2 || typeof entry[0] !== "string" || typeof entry[1] !== "number") {
      throw new HttpError(400, `priorities[${index}] must be [dataHash, number].`);
    }
    const [dataHash, priority] = entry as [string, number];
    if (!(priority >= 0 && priority <= 1)) throw new HttpError(400, `priorities[${index}]: priority ${priority} is outside 0.0–1.0.`);
    const task = byDataHash.get(dataHash);
    if (!task) throw new HttpError(400, `priorities[${index}]: data hash ${dataHash} has no task in project ${found.projectHash}.`);
    return { task, priority };
  });
  const now = ctx.nowMs();
  for (const { task, priority } of updates) {
    task.priority = priority;
    task.updatedAt = now;
  }
  return ctx.emptyStatus === 204 ? { status: 204 } : json(200, null);
}

// ---- storage -----------------------------------------------------------------------------------

function getBulk(ctx: HandlerContext, body: unknown): Reply {
  if (!isRecord(body) || !Array.isArray(body["itemUuids"])) throw new HttpError(400, "The body must be {itemUuids: [...], signUrls: bool}.");
  const uuids = body["itemUuids"] as unknown[];
  const sign = body["signUrls"] ?? false;
  if (typeof sign !== "boolean") throw new HttpError(400, "signUrls must be a boolean.");
  if (uuids.length > LIMITS.storageItems) throw new HttpError(413, `At most ${LIMITS.storageItems} items per request, got ${uuids.length}.`);
  const items = uuids.map((uuid) => item(ctx, String(uuid), 403));
  return json(200, { results: items.map((found) => storageItemDto(found, sign, ctx.signer)), nextPageToken: null });
}

/**
 * `GET …/folders/{f}/items/{uuid}/child-items`: the children in frame order, paged by the
 * project's page size; an item without children (an image, a video) lists none.
 */
function childItems(ctx: HandlerContext, folder: string, uuid: string, rawQuery: string): Reply {
  const params = query(rawQuery, ["signUrls", "pageToken"]);
  const sign = pythonBool(params, "signUrls");
  const found = item(ctx, uuid, 404);
  if (found.parent !== folder) throw notFound(`Storage item ${uuid} in folder ${folder}`);
  const cursorStage = `child-items:${found.uuid}`;
  const filters = String(sign);
  const tokens = params.getAll("pageToken");
  if (tokens.length > 1) throw new HttpError(400, "pageToken given more than once.");
  let start = 0;
  if (tokens.length === 1) {
    const cursor = decodeToken(tokens[0]!);
    if (cursor.stage !== cursorStage || cursor.filters !== filters)
      throw new HttpError(400, "Invalid page token: it belongs to another item or other parameters.");
    start = cursor.after + 1;
  }
  const pageSize = ctx.state.projects.get(found.projectHash)!.pageSize;
  const page = found.childUuids.slice(start, start + pageSize).map((child) => ctx.state.storageItems.get(child)!);
  const last = start + page.length - 1;
  return json(200, {
    results: page.map((child) => storageItemDto(child, sign, ctx.signer)),
    nextPageToken: last < found.childUuids.length - 1 ? encodeToken({ stage: cursorStage, after: last, filters }) : null,
  });
}

interface ItemPatch {
  name?: string;
  description?: string;
  clientMetadata?: Record<string, unknown>;
}

function readPatch(value: unknown, where: string): ItemPatch {
  if (!isRecord(value)) throw new HttpError(400, `${where} must be an object.`);
  const patch: ItemPatch = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === "name" || key === "description") {
      if (typeof v !== "string") throw new HttpError(400, `${where}.${key} must be a string.`);
      patch[key] = v;
    } else if (key === "clientMetadata") {
      if (!isRecord(v)) throw new HttpError(400, `${where}.clientMetadata must be a JSON object (not a string).`);
      patch.clientMetadata = v;
    }
  }
  return patch;
}

function applyPatch(ctx: HandlerContext, found: StorageItemState, patch: ItemPatch): void {
  if (patch.name !== undefined) found.name = patch.name;
  if (patch.description !== undefined) found.description = patch.description;
  if (patch.clientMetadata !== undefined) found.clientMetadata = structuredClone(patch.clientMetadata);
  found.lastEditedAt = ctx.nowMs();
}

function patchBulk(ctx: HandlerContext, body: unknown): Reply {
  if (!isRecord(body) || !isRecord(body["itemPatches"])) throw new HttpError(400, "The body must be {itemPatches: {<uuid>: {...}}}.");
  const entries = Object.entries(body["itemPatches"]);
  if (entries.length > LIMITS.storageItems) throw new HttpError(413, `At most ${LIMITS.storageItems} items per request, got ${entries.length}.`);
  const planned = entries.map(([uuid, patch]) => ({ found: item(ctx, uuid, 403), patch: readPatch(patch, `itemPatches.${uuid}`) }));
  for (const { found, patch } of planned) applyPatch(ctx, found, patch);
  return json(200, { results: planned.map(({ found }) => storageItemDto(found, false, ctx.signer)), nextPageToken: null });
}

// ---- routing -----------------------------------------------------------------------------------

export interface V2Request {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly body: Buffer;
  /** Parsed JSON body; undefined when empty or not JSON. */
  readonly parsed: unknown;
  readonly contentType: string | undefined;
}

type Route = { pattern: RegExp; methods: Record<string, (ctx: HandlerContext, request: V2Request, match: string[]) => Reply> };

const SEG = "([^/]+)";
const routes: Route[] = [
  {
    pattern: new RegExp(`^/v2/public/projects/${SEG}$`),
    methods: { GET: (ctx, r, [p]) => (query(r.query, []), json(200, projectDto(project(ctx, p!)))) },
  },
  {
    pattern: new RegExp(`^/v2/public/ontologies/${SEG}$`),
    methods: {
      GET: (ctx, r, [o]) => {
        query(r.query, []);
        const owners = [...ctx.state.projects.values()].filter((p) => p.ontologyHash === o);
        if (owners.length === 0) throw notFound(`Ontology ${o}`);
        const accessible = owners.find((p) => canAccess(ctx.state, p, ctx.identity));
        if (!accessible) throw new HttpError(403, `You do not have access to ontology ${o}.`);
        return json(200, {
          ontologyUuid: accessible.ontologyHash,
          title: `${accessible.title} ontology`,
          description: "",
          editor: accessible.ontology,
          createdAt: isoPython(accessible.createdAt),
          lastEditedAt: isoPython(accessible.createdAt),
          userRole: 0,
        });
      },
    },
  },
  {
    pattern: new RegExp(`^/v2/public/projects/${SEG}/workflow/stages/${SEG}/tasks$`),
    methods: {
      GET: (ctx, r, [p, s]) => {
        const found = project(ctx, p!);
        return listTasks(ctx, found, stage(found, s!), r.query);
      },
    },
  },
  {
    pattern: new RegExp(`^/v2/public/projects/${SEG}/workflow/stages/${SEG}/actions$`),
    methods: {
      POST: (ctx, r, [p, s]) => {
        query(r.query, []);
        const found = project(ctx, p!);
        const where = stage(found, s!);
        return stageActions(ctx, found, where, requireJsonBody(r.body, r.parsed, r.contentType));
      },
    },
  },
  {
    pattern: new RegExp(`^/v2/public/projects/${SEG}/workflow/stages/${SEG}/move-tasks$`),
    methods: {
      POST: (ctx, r, [p, s]) => {
        query(r.query, []);
        const found = project(ctx, p!);
        const where = stage(found, s!);
        return moveTasks(ctx, found, where, requireJsonBody(r.body, r.parsed, r.contentType));
      },
    },
  },
  {
    pattern: new RegExp(`^/v2/public/projects/${SEG}/priorities$`),
    methods: {
      POST: (ctx, r, [p]) => {
        query(r.query, []);
        return priorities(ctx, project(ctx, p!), requireJsonBody(r.body, r.parsed, r.contentType));
      },
    },
  },
  {
    pattern: /^\/v2\/public\/storage\/items\/get-bulk$/,
    methods: { POST: (ctx, r) => (query(r.query, []), getBulk(ctx, requireJsonBody(r.body, r.parsed, r.contentType))) },
  },
  {
    pattern: /^\/v2\/public\/storage\/items\/patch-bulk$/,
    methods: { PATCH: (ctx, r) => (query(r.query, []), patchBulk(ctx, requireJsonBody(r.body, r.parsed, r.contentType))) },
  },
  {
    pattern: new RegExp(`^/v2/public/storage/items/${SEG}$`),
    methods: {
      GET: (ctx, r, [uuid]) => {
        const sign = pythonBool(query(r.query, ["signUrl"]), "signUrl");
        return json(200, storageItemDto(item(ctx, uuid!, 404), sign, ctx.signer));
      },
    },
  },
  {
    pattern: new RegExp(`^/v2/public/storage/folders/${SEG}/items/${SEG}$`),
    methods: {
      PATCH: (ctx, r, [folder, uuid]) => {
        query(r.query, []);
        const found = item(ctx, uuid!, 404);
        if (found.parent !== folder) throw notFound(`Storage item ${uuid} in folder ${folder}`);
        applyPatch(ctx, found, readPatch(requireJsonBody(r.body, r.parsed, r.contentType), "body"));
        return json(200, storageItemDto(found, false, ctx.signer));
      },
    },
  },
  {
    pattern: new RegExp(`^/v2/public/storage/folders/${SEG}/items/${SEG}/child-items$`),
    methods: { GET: (ctx, r, [folder, uuid]) => childItems(ctx, folder!, uuid!, r.query) },
  },
  {
    pattern: /^\/v2\/public\/user\/bearer-token$/,
    methods: {
      GET: (ctx, r) => {
        query(r.query, []);
        const token = `fake-token-${randomBytes(18).toString("base64url")}`;
        ctx.addBearerToken(token);
        ctx.state.mintedTokens.set(token, ctx.identity.kind === "key" ? ctx.identity.publicKeyHex : ctx.identity.token);
        return json(200, { token });
      },
    },
  },
];

/** Answers an authenticated v2 request. */
export function handleV2(ctx: HandlerContext, request: V2Request): Reply {
  for (const route of routes) {
    const match = route.pattern.exec(request.path);
    if (!match) continue;
    const handler = route.methods[request.method];
    if (!handler) return v2Error(405, `Method ${request.method} is not allowed on ${request.path}.`);
    try {
      return handler(
        ctx,
        request,
        match.slice(1).map((part) => decodeURIComponent(part)),
      );
    } catch (error) {
      if (error instanceof HttpError) return v2Error(error.status, error.message);
      throw error;
    }
  }
  return v2Error(404, `No route for ${request.method} ${request.path}.`);
}
