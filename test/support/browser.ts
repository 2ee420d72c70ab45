import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";

/** Debian's chromium (`.ci/run` installs it): Playwright's own browser download cannot work here. */
export const chromiumPath = "/usr/bin/chromium";

/** A headless Chromium with its own profile folder, removed on close. */
export interface TestBrowser {
  readonly context: BrowserContext;
  newPage(): Promise<Page>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Starts Debian's Chromium headless, as a test that must not touch the network or a profile of
 * its own: no sandbox (containers lack the namespaces), no GPU, no QUIC, no first-run, background
 * networking, component updates or sync, and a fresh user-data dir (Playwright takes that as
 * the persistent context's folder; it refuses --user-data-dir among the arguments).
 */
export async function launchBrowser(): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), "task-agents-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return {
    context,
    newPage: () => context.newPage(),
    async [Symbol.asyncDispose]() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
