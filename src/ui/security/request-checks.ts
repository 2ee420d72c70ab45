import type { Context, MiddlewareHandler } from "hono";

/** Answers a refused request, saying why. */
export type Refuse = (c: Context, reason: string) => Promise<Response> | Response;

const loopbackNames = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** Whether `host` (as given to --host) is this machine's loopback interface only. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "");
  return bare === "localhost" || bare === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}

/**
 * Without a token the dashboard trusts the machine it runs on, so it answers only requests
 * addressed to a loopback name: a web page elsewhere whose own host name resolves to 127.0.0.1
 * (DNS rebinding) would otherwise read the pages.
 */
export function requireLoopbackHostHeader(boundHost: string, refuse: Refuse): MiddlewareHandler {
  return async (c, next) => {
    const hostHeader = c.req.header("host") ?? "";
    const name = hostHeader.replace(/:\d+$/, "").toLowerCase();
    if (!loopbackNames.has(name) && name !== boundHost.toLowerCase() && !/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name)) {
      return refuse(
        c,
        `This dashboard answers requests to localhost or 127.0.0.1 only, not to ` +
          `${JSON.stringify(hostHeader)}. To open it under another name, start it with --token.`,
      );
    }
    await next();
  };
}

/**
 * Actions change the store, so they must come from the dashboard's own pages: a POST (or any
 * method but GET/HEAD) needs an Origin header equal to the dashboard's origin, or, from a
 * browser that sends none, `Sec-Fetch-Site: same-origin`. Unlike hono/csrf this covers every
 * content type, JSON included.
 */
export function requireSameOrigin(refuse: Refuse): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.method === "GET" || c.req.method === "HEAD") return next();
    const own = new URL(c.req.url).origin;
    const origin = c.req.header("origin");
    const site = c.req.header("sec-fetch-site");
    if (origin !== undefined ? origin === own : site === "same-origin") return next();
    return refuse(
      c,
      origin !== undefined
        ? `Actions are accepted from this dashboard's own pages only (origin ${own}); this request came from ${origin}.`
        : "Actions are accepted from this dashboard's own pages only; this request carried neither an Origin header nor Sec-Fetch-Site: same-origin.",
    );
  };
}
