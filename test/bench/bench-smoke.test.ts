/**
 * CI's run of the bench (`npm run bench`): the fastest case, labels-parse, at smoke sizes through
 * bench/run.mjs, checking the JSON lines it prints. Needs dist/ (`npm test` builds it first).
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
const runScript = fileURLToPath(new URL("../../bench/run.mjs", import.meta.url));
const distIndex = fileURLToPath(new URL("../../dist/index.js", import.meta.url));

function runBench(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--expose-gc", runScript, ...args], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

test("npm run bench -- --smoke --json labels-parse prints one well-formed JSON object per case", async () => {
  if (!existsSync(distIndex)) throw new Error(`${distIndex} does not exist: run \`npm run build\` before this test.`);
  const { code, stdout, stderr } = await runBench(["--smoke", "--json", "labels-parse"]);
  expect(code, stderr).toBe(0);
  const lines = stdout.trim().split("\n");
  expect(lines).toHaveLength(1);
  for (const line of lines) {
    const row = JSON.parse(line) as Record<string, unknown>;
    expect(row.case).toBe("labels-parse");
    expect(row.unit).toBe("ms/row");
    expect(typeof row.baseline).toBe("string");
    expect(typeof row.target).toBe("string");
    expect(typeof row.met).toBe("boolean");
    for (const key of ["value", "baselineValue", "ratio"]) {
      expect(typeof row[key], key).toBe("number");
      expect(Number.isFinite(row[key]) && (row[key] as number) > 0, key).toBe(true);
    }
    expect(row.ratio as number).toBeCloseTo((row.value as number) / (row.baselineValue as number), 6);
    const fields = ["case", "value", "unit", "baseline", "baselineValue", "ratio", "target", "met"];
    expect(Object.keys(row).filter((k) => k !== "details")).toEqual(fields);
  }
}, 30_000);

test("npm run bench -- names an unknown case: exit 2 and the list of cases", async () => {
  const { code, stdout, stderr } = await runBench(["--json", "no-such-case"]);
  expect(code).toBe(2);
  expect(stdout).toBe("");
  expect(stderr).toMatch(/unknown case no-such-case; the cases are: .*labels-parse/);
}, 30_000);

test("encord-vs-python without the Python peer says it was skipped and is not met, in the table and in JSON", async () => {
  const env = { ...process.env, TASK_AGENTS_PEER_PYTHONPATH: "" };
  const json = await runBench(["--json", "encord-vs-python"], env);
  expect(json.code, json.stderr).toBe(0);
  const row = JSON.parse(json.stdout.trim()) as Record<string, unknown>;
  expect(row).toMatchObject({ case: "encord-vs-python", met: false });
  expect(row.skipped).toMatch(/^peer not prepared: /);
  expect(row.value).toBeUndefined();
  const table = await runBench(["encord-vs-python"], env);
  expect(table.code, table.stderr).toBe(0);
  expect(table.stdout).toMatch(/encord-vs-python\s+skipped\s+.*\bno$/m);
  expect(table.stdout).toMatch(/encord-vs-python: skipped: peer not prepared: /);
}, 30_000);
