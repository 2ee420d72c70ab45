import { timingSafeEqual, createHash } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";

/** Answers a refused request, saying why. */
export type Refuse = (c: Context, reason: string) => Promise<Response> | Response;
import { getCookie, setCookie } from "hono/cookie";

/** The cookie a `?token=` link sets, so later requests (links, scripts, events) carry the token. */
export const tokenCookie = "task_agents_ui_token";

/** Compares in constant time (as digests, so the lengths match whatever was sent). */
function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string) => createHash("sha256").update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * Lets a request through only with the access token: from a `?token=` link (which sets the
 * cookie and redirects to the same URL without the token, so it stays out of history and
 * Referer headers), the cookie, or an `Authorization: Bearer` header. Anything else gets 401
 * from `refuse`.
 */
export function requireAccessToken(token: string, refuse: Refuse): MiddlewareHandler {
  return async (c, next) => {
    const url = new URL(c.req.url);
    const fromLink = url.searchParams.get("token");
    if (fromLink !== null) {
      if (!sameSecret(fromLink, token))
        return refuse(c, "The token in this link is not this dashboard's token (the --token or TASK_AGENTS_UI_TOKEN value it was started with).");
      setCookie(c, tokenCookie, token, { httpOnly: true, sameSite: "Strict", path: "/" });
      url.searchParams.delete("token");
      return c.redirect(`${url.pathname}${url.search}`, 303);
    }
    const bearer = /^Bearer (.+)$/i.exec(c.req.header("authorization") ?? "")?.[1];
    const given = bearer ?? getCookie(c, tokenCookie);
    if (given === undefined)
      return refuse(
        c,
        "This dashboard needs its access token: open it once with ?token=<the --token or " +
          "TASK_AGENTS_UI_TOKEN value> at the end of the URL; a cookie keeps it from then on.",
      );
    if (!sameSecret(given, token))
      return refuse(
        c,
        "The access token this browser sent is not this dashboard's token; open the dashboard again with ?token=<the --token or TASK_AGENTS_UI_TOKEN value>.",
      );
    await next();
  };
}
