import type { Context } from "hono";
import type { Child } from "hono/jsx";
import type { HtmlEscapedString } from "hono/utils/html";
import { urls } from "./urls.js";

/** One step of the trail above a page's title: a label and, except for the page itself, a link. */
export interface Crumb {
  readonly label: string;
  readonly href?: string;
}

export interface LayoutProps {
  /** The page title (also the document title). */
  readonly title: string;
  readonly crumbs?: readonly Crumb[];
  /**
   * Client scripts registered in assets.ts, by name. They load as files from /assets, never
   * inline: the Content-Security-Policy allows scripts from this server only.
   */
  readonly scripts?: readonly string[];
  readonly children?: Child;
}

/** The page shell every page shares: stylesheet, top navigation, trail, title. */
export function Layout({ title, crumbs = [], scripts = [], children }: LayoutProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · task-agents`}</title>
        <link rel="stylesheet" href={urls.asset("app.css")} />
        {scripts.map((name) => (
          <script src={urls.asset(name)} defer></script>
        ))}
      </head>
      <body>
        <header class="top">
          <a class="brand" href={urls.projects()}>
            task-agents
          </a>
          <nav>
            <a href={urls.projects()}>Projects</a>
            <a href={urls.runs()}>Runs</a>
          </nav>
        </header>
        <main>
          {crumbs.length > 0 && (
            <nav class="crumbs" aria-label="breadcrumb">
              {crumbs.map((crumb) => (crumb.href === undefined ? <span>{crumb.label}</span> : <a href={crumb.href}>{crumb.label}</a>))}
            </nav>
          )}
          <h1>{title}</h1>
          {children}
        </main>
      </body>
    </html>
  );
}

/** Sends a page rendered with {@link Layout} (or any element) as an HTML document. */
export async function sendPage(
  c: Context,
  page: HtmlEscapedString | Promise<HtmlEscapedString>,
  status: 200 | 400 | 401 | 403 | 404 | 500 = 200,
): Promise<Response> {
  // A hono/jsx element is its HTML already escaped (a promise of it for async components).
  const body = await page;
  return c.html(`<!doctype html>${body.toString()}`, status);
}

/** A page that says what went wrong and where to go instead (404, 403, 401, 400, 500). */
export function messagePage(title: string, message: string, links: readonly Crumb[] = [{ label: "All projects", href: urls.projects() }]) {
  return (
    <Layout title={title}>
      <p class="message">{message}</p>
      <p>
        {links.map((link) => (
          <a class="button" href={link.href}>
            {link.label}
          </a>
        ))}
      </p>
    </Layout>
  );
}
