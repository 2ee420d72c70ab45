import { configDefaults, defineConfig } from "vitest/config";

/** Suites that need Redis; they run in the `services` project, whose global setup provides one. */
const redisSuites = ["test/queue/**/*.test.ts", "test/reliability/worker-crash.test.ts"];

export default defineConfig({
  test: {
    // CI reads the JSON report to print its "N passed, N failed" line.
    reporters: ["default", "json"],
    outputFile: { json: ".vitest/report.json" },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // `include` is set per project only: with `extends: true` a root list would be added to each.
    projects: [
      // Everything but Redis: the SQLite store, the runner, the CLI.
      { extends: true, test: { name: "unit", include: ["test/**/*.test.ts"], exclude: [...configDefaults.exclude, ...redisSuites] } },
      // Redis (BullMQ): uses REDIS_URL, else starts a private redis-server, else fails (never skips).
      { extends: true, test: { name: "services", include: redisSuites, globalSetup: ["test/support/redis-global-setup.ts"] } },
    ],
  },
});
