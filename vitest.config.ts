import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // CI reads the JSON report to print its "N passed, N failed" line.
    reporters: ["default", "json"],
    outputFile: { json: ".vitest/report.json" },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
