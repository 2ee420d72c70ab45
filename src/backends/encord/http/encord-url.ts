/**
 * URL building (§2.1). Each URL is built once as an origin plus a request target; the target is
 * both signed and sent verbatim, so the `@request-target` of the signature always matches the wire.
 */

/** A domain split into what the connection needs and the path prefix of every request. */
export interface EncordBase {
  /** `https://api.encord.com` (scheme, host, port). */
  readonly origin: string;
  /** Path of the domain without trailing slashes: usually `""`. */
  readonly basePath: string;
  /** The normalised domain, for messages: origin + base path. */
  readonly domain: string;
}

/** Splits a domain like `https://api.encord.com/` into origin and base path (trailing slashes dropped). */
export function encordBase(domain: string): EncordBase {
  const url = new URL(domain);
  const basePath = url.pathname.replace(/\/+$/, "");
  return { origin: url.origin, basePath, domain: url.origin + basePath };
}

// Everything but the characters Python `requests` leaves alone in a path (its `requote_uri`).
const UNSAFE_PATH_CHARS = /[^A-Za-z0-9\-._~!$&'()*+,;=:@/%]/gu;

/** Percent-encodes characters that may not appear raw in a path (spaces, non-ASCII, quotes…). */
function requotePath(path: string): string {
  return path.replace(UNSAFE_PATH_CHARS, (char) => encodeURIComponent(char));
}

/**
 * The request target of a v2 call: `/v2/public/<path>` with the path's leading slashes dropped and
 * one trailing slash of the result stripped, then `?query` when the query is not empty.
 */
export function v2RequestTarget(base: EncordBase, path: string, query: string): string {
  let target = `${base.basePath}/v2/public/${requotePath(path.replace(/^\/+/, ""))}`;
  if (target.endsWith("/")) target = target.slice(0, -1);
  return query === "" ? target : `${target}?${query}`;
}

/** The request target of a v1 call: `/public` (resource scoped) or `/public/user`. */
export function v1RequestTarget(base: EncordBase, userScoped: boolean): string {
  return `${base.basePath}/public${userScoped ? "/user" : ""}`;
}

/** The path of a request target, without its query (for messages and stats). */
export function pathOf(target: string): string {
  const q = target.indexOf("?");
  return q === -1 ? target : target.slice(0, q);
}

const ID_SEGMENT = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{24,}|\d+)$/i;

/** The path with ids replaced by `{id}`, so stats group calls by kind: `/v2/public/projects/{id}`. */
export function templateOf(path: string): string {
  return path
    .split("/")
    .map((segment) => (ID_SEGMENT.test(segment) ? "{id}" : segment))
    .join("/");
}

const SINGULAR: Readonly<Record<string, string>> = {
  projects: "project",
  ontologies: "ontology",
  datasets: "dataset",
  stages: "workflow stage",
  tasks: "task",
  items: "storage item",
  folders: "storage folder",
  "label-rows": "label row",
  users: "user",
};

/** What a v2 path points at, for messages: `project "9a7e…"`, `task "…" of workflow stage "…"`. */
export function subjectOfPath(path: string): string {
  const segments = path.split("/").filter((s) => s !== "");
  const named: string[] = [];
  for (let i = 1; i < segments.length; i++) {
    const segment = segments[i] as string;
    const collection = segments[i - 1] as string;
    if (ID_SEGMENT.test(segment)) named.unshift(`${SINGULAR[collection] ?? collection} ${JSON.stringify(segment)}`);
  }
  if (named.length === 0) return `resource at ${path}`;
  return named.slice(0, 2).join(" of ");
}
