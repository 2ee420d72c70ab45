import { appCss } from "./client/app-css.js";
import { liveCountsScript } from "./client/live-counts.js";
import { taskPageScript } from "./task-page/task-page-script.js";

/** A stylesheet or client script the dashboard serves from memory. */
export interface Asset {
  readonly body: string;
  readonly contentType: string;
}

const css = "text/css; charset=utf-8";
const script = "text/javascript; charset=utf-8";

/**
 * Everything served under /assets/, by name. Client code lives in modules as text so that
 * `npm run build` is the only build step and no request path ever reaches the file system; a
 * route module with client code of its own adds its entry here.
 */
export const assets: ReadonlyMap<string, Asset> = new Map<string, Asset>([
  ["app.css", { body: appCss, contentType: css }],
  ["live-counts.js", { body: liveCountsScript, contentType: script }],
  ["task-page.js", { body: taskPageScript, contentType: script }],
]);
