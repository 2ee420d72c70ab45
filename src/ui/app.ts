/**
 * The dashboard (`task-agents ui`) as a Hono app.
 *
 * Contract for route modules:
 * - A route module is a function `(app, context) => void` (type {@link RouteModule}) that adds
 *   its routes to `app`; every module is listed once in routes.ts, and `createUiApp` calls them
 *   in that order. URLs come from urls.ts; pages render with `Layout` and `sendPage` from
 *   layout.tsx.
 * - Handlers read through `context.db` and act through `context.backend` (see context.ts). An
 *   action is a POST; the app has already checked that it comes from the dashboard's own origin,
 *   and a module must not register actions when `context.readOnly` is set.
 * - Throw the store's NotFoundError (unknown project, stage, task: TA_UNKNOWN_*) for an unknown
 *   hash: the app answers with a 404 page naming it. A ConfigurationError becomes a 400 page with
 *   its message; anything else a 500 page without a stack trace (the stack goes to the logger).
 * - Client code is a script file registered in assets.ts and loaded with `Layout`'s `scripts`;
 *   the Content-Security-Policy forbids inline scripts and styles and anything from elsewhere.
 * - Security in front of every route: with an access token, every request carries it (cookie
 *   from a `?token=` link, or a Bearer header); without one, only requests addressed to a
 *   loopback name are answered.
 */
import { Hono, type Context } from "hono";
import { secureHeaders } from "hono/secure-headers";
import { isConfigurationError, isTaskAgentsError } from "../domain/errors.js";
import type { UiContext } from "./context.js";
import { messagePage, sendPage } from "./layout.js";
import { routeModules } from "./routes.js";
import { requireAccessToken } from "./security/access-token.js";
import { requireLoopbackHostHeader, requireSameOrigin } from "./security/request-checks.js";

export type { RouteModule } from "./context.js";

/** Options of {@link createUiApp}. */
export interface UiAppOptions {
  readonly context: UiContext;
  /** The address the server listens on: without a token, requests must be addressed to it or a loopback name. */
  readonly host: string;
  /** The access token every request must carry; required to serve anything but loopback. */
  readonly token?: string;
}

/** Refusals before any page logic runs: plain text, as the requester may not be a browser. */
const refuseAsText = (c: Context, reason: string) => c.text(reason, 403);

const notFoundCodes = new Set(["TA_UNKNOWN_PROJECT", "TA_UNKNOWN_STAGE", "TA_UNKNOWN_TASK", "TA_UNKNOWN_PATHWAY", "TA_UNKNOWN_RUN", "TA_NO_STORE"]);

/** Builds the dashboard app: security checks, then every route module of routes.ts. */
export function createUiApp(options: UiAppOptions): Hono {
  const { context } = options;
  const app = new Hono();
  app.use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'none'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", "data:", "blob:"],
        mediaSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
      },
      // Not "no-referrer": under it Chromium sends `Origin: null` with the pages' own form
      // POSTs, which the same-origin check must refuse. "same-origin" still sends nothing elsewhere.
      referrerPolicy: "same-origin",
      // Plain HTTP on this machine: HSTS would only confuse a later HTTPS site on localhost.
      strictTransportSecurity: false,
    }),
  );
  if (options.token !== undefined) {
    app.use(requireAccessToken(options.token, (c, reason) => sendPage(c, messagePage("Access token needed", reason, []), 401)));
  } else {
    app.use(requireLoopbackHostHeader(options.host, refuseAsText));
  }
  app.use(requireSameOrigin(refuseAsText));

  for (const register of routeModules) register(app, context);

  app.notFound((c) =>
    sendPage(
      c,
      messagePage("Not found", `There is no page at ${c.req.path}. The dashboard's pages are the project list, each project, stage and task, and the runs.`),
      404,
    ),
  );
  app.onError((error, c) => {
    if (isTaskAgentsError(error) && notFoundCodes.has(error.code)) return sendPage(c, messagePage("Not found", error.message), 404);
    if (isConfigurationError(error)) return sendPage(c, messagePage("Not accepted", error.message), 400);
    context.logger.error({ err: error, path: c.req.path }, `the page ${c.req.path} failed`);
    return sendPage(c, messagePage("Something went wrong", `The dashboard could not answer ${c.req.path}: ${error.message}`), 500);
  });
  return app;
}
