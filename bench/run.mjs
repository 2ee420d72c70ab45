// npm run bench [-- [--json] [--smoke] [case …]]
//
// Runs the bench cases (one file per case under bench/cases/, all of them or those named) one
// after the other, each in a fresh Node process, and prints a table, or with --json one JSON
// object per case and line: { case, value, unit, baseline, baselineValue, ratio, target, met,
// details }. A process per case, because what one case leaves on the heap slows the next: after
// the store cases, video decoding ran at half its speed (its frames' memory triggers full GCs,
// which cost more on a big heap), a state no agent process is in.
// --smoke runs every case with tiny sizes and one repeat (CI runs one case that way).
// Progress goes to stderr. Exits 1 when a case throws; a missed target is only reported.
//
// A case module exports:
//   name     its file name without .mjs
//   unit     the unit of value and baselineValue ("s", "tasks/s", "MB", …)
//   target   { kind: "max" | "min", value, of: "value" | "ratio", text }, an array of them (all
//            must hold), or null when no target was stated
//   run({ smoke }) → { value, baseline, baselineValue, ratio, details? }: value and
//            baselineValue are medians measured in this run; baseline names what baselineValue
//            measured; ratio is the case's comparison of the two (its file says which way);
//            details is a flat object of extra numbers or strings to print; checks, a list of
//            { text, met } of further conditions the case states, all of which must hold too.
//            run() may instead return { skipped: reason } when what it compares against is not
//            available here: the row says so and is not counted as met.
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { cleanup } from "./lib/common.mjs";

const casesDir = new URL("./cases/", import.meta.url);

function parseArgs(argv) {
  const options = { json: false, smoke: false, names: [] };
  for (const arg of argv) {
    if (arg === "--json") options.json = true;
    else if (arg === "--smoke") options.smoke = true;
    else if (arg === "--help" || arg === "-h") options.help = true;
    else if (arg.startsWith("-")) throw new Error(`unknown option ${arg} (known: --json, --smoke)`);
    else options.names.push(arg);
  }
  return options;
}

const targetsOf = (mod) => (mod.target == null ? [] : Array.isArray(mod.target) ? mod.target : [mod.target]);

function holds(t, result) {
  const x = t.of === "ratio" ? result.ratio : result.value;
  return t.kind === "max" ? x <= t.value : x >= t.value;
}

function checkCase(mod, file) {
  const problems = [];
  if (mod.name !== file.replace(/\.mjs$/, "")) problems.push(`name ${JSON.stringify(mod.name)} is not the file's name`);
  if (typeof mod.unit !== "string") problems.push("no unit");
  if (typeof mod.run !== "function") problems.push("no run()");
  for (const t of targetsOf(mod)) {
    if (!["max", "min"].includes(t.kind) || !["value", "ratio"].includes(t.of) || typeof t.value !== "number" || typeof t.text !== "string")
      problems.push(`bad target ${JSON.stringify(t)}`);
  }
  if (problems.length > 0) throw new Error(`bench/cases/${file}: ${problems.join("; ")}`);
}

function checkResult(result) {
  for (const k of ["value", "baselineValue", "ratio"]) {
    if (typeof result?.[k] !== "number" || !Number.isFinite(result[k])) throw new Error(`run() returned a non-finite ${k}: ${result?.[k]}`);
  }
  if (typeof result.baseline !== "string") throw new Error("run() returned no baseline name");
}

/** 3 significant digits, thousands separated: 12,345 · 123 · 12.3 · 1.23 · 0.123 */
function num(n) {
  const a = Math.abs(n);
  if (Number.isInteger(n) || a >= 1000) return Math.round(n).toLocaleString("en");
  if (a >= 100) return n.toFixed(0);
  if (a >= 10) return n.toFixed(1);
  if (a >= 1) return n.toFixed(2);
  return n.toPrecision(3);
}

const ratioText = (x) => `${Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 0.1 ? x.toFixed(2) : x.toPrecision(2)}×`;

function table(rows) {
  const header = ["case", "value", "baseline", "ratio", "target", "met"];
  const cells = rows.map((r) =>
    r.error
      ? [r.case, "FAILED", "", "", r.target ?? "", ""]
      : r.skipped
        ? [r.case, "skipped", "", "", r.target ?? "", "no"]
        : [
            r.case,
            `${num(r.value)} ${r.unit}`,
            `${num(r.baselineValue)} ${r.unit}`,
            ratioText(r.ratio),
            r.target ?? "—",
            r.met === null ? "—" : r.met ? "yes" : "NO",
          ],
  );
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const right = [false, true, true, true, false, false];
  const line = (c) =>
    c
      .map((x, i) => (right[i] ? x.padStart(widths[i]) : x.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)].join("\n");
}

function detailLines(rows) {
  const lines = [];
  for (const r of rows) {
    lines.push("", `${r.case}: ${r.error ? `FAILED: ${r.error}` : r.skipped ? `skipped: ${r.skipped}` : `baseline = ${r.baseline}`}`);
    for (const [k, v] of Object.entries(r.details ?? {})) lines.push(`  ${k}: ${typeof v === "number" ? num(v) : v}`);
    for (const check of r.checks ?? []) lines.push(`  ${check.met ? "met" : "NOT MET"}: ${check.text}`);
  }
  return lines;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const files = readdirSync(casesDir)
    .filter((f) => f.endsWith(".mjs"))
    .sort();
  const available = files.map((f) => f.replace(/\.mjs$/, ""));
  if (options.help) {
    process.stdout.write(`usage: node bench/run.mjs [--json] [--smoke] [case …]\ncases: ${available.join(", ")}\n`);
    return 0;
  }
  const unknown = options.names.filter((n) => !available.includes(n));
  if (unknown.length > 0) throw new Error(`unknown case ${unknown.join(", ")}; the cases are: ${available.join(", ")}`);
  const chosen = options.names.length > 0 ? files.filter((f) => options.names.includes(f.replace(/\.mjs$/, ""))) : files;

  const started = performance.now();
  const rows = [];
  for (const file of chosen) {
    if (process.env[inChild] !== "1") {
      const row = await runInChild(file.replace(/\.mjs$/, ""), options.smoke);
      if (options.json && !row.error) process.stdout.write(JSON.stringify(row) + "\n");
      rows.push(row);
      continue;
    }
    const mod = await import(new URL(file, casesDir).href);
    checkCase(mod, file);
    const targets = targetsOf(mod);
    const targetText = targets.length > 0 ? targets.map((t) => t.text).join(" and ") : null;
    let row = { case: mod.name, target: targetText };
    process.stderr.write(`bench: ${mod.name} …`);
    const caseStarted = performance.now();
    try {
      const result = await mod.run({ smoke: options.smoke });
      if (typeof result?.skipped === "string") {
        row = { case: mod.name, skipped: result.skipped, target: targetText, met: false };
        process.stderr.write(` skipped: ${result.skipped}\n`);
        if (options.json) process.stdout.write(JSON.stringify(row) + "\n");
        rows.push(row);
        continue;
      }
      checkResult(result);
      const checks = result.checks ?? [];
      row = {
        case: mod.name,
        value: result.value,
        unit: mod.unit,
        baseline: result.baseline,
        baselineValue: result.baselineValue,
        ratio: result.ratio,
        target: targetText,
        met: targets.length > 0 || checks.length > 0 ? targets.every((t) => holds(t, result)) && checks.every((c) => c.met === true) : null,
        ...(result.details ? { details: result.details } : {}),
        ...(checks.length > 0 ? { checks } : {}),
      };
      process.stderr.write(` ${((performance.now() - caseStarted) / 1000).toFixed(1)} s\n`);
      if (options.json) process.stdout.write(JSON.stringify(row) + "\n");
    } catch (error) {
      row.error = error?.message ?? String(error);
      // A case's own process reports its failure to the parent, which prints the table.
      if (process.env[inChild] === "1") process.stdout.write(JSON.stringify(row) + "\n");
      process.stderr.write(` FAILED after ${((performance.now() - caseStarted) / 1000).toFixed(1)} s\n${error?.stack ?? error}\n`);
    }
    rows.push(row);
  }
  const seconds = (performance.now() - started) / 1000;
  if (!options.json) {
    const head =
      `task-agents bench${options.smoke ? " (smoke sizes)" : ""}, Node ` + `${process.versions.node}; values and baselines are medians measured in this run`;
    process.stdout.write([head, "", table(rows), ...detailLines(rows)].join("\n") + "\n");
  }
  process.stderr.write(`bench: ${rows.length} cases in ${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s\n`);
  return rows.some((r) => r.error) ? 1 : 0;
}

/** Set in a case's own process, which runs that one case here and prints its row as JSON. */
const inChild = "TASK_AGENTS_BENCH_CASE_PROCESS";

/** Runs one case in a fresh `node` with this process's flags (--expose-gc); its progress goes to our stderr. */
function runInChild(name, smoke) {
  const args = [...process.execArgv, fileURLToPath(import.meta.url), "--json", ...(smoke ? ["--smoke"] : []), name];
  const child = spawn(process.execPath, args, { env: { ...process.env, [inChild]: "1" }, stdio: ["ignore", "pipe", "inherit"] });
  let stdout = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (text) => (stdout += text));
  return new Promise((resolve) => {
    child.once("error", (error) => resolve({ case: name, error: error.message }));
    child.once("close", (code, signal) => {
      const line = stdout.split("\n").find((l) => l.startsWith("{"));
      if (line) return resolve(JSON.parse(line));
      resolve({ case: name, error: `its process ended (${signal ?? `exit code ${code}`}) without a result` });
    });
  });
}

let code = 1;
process.once("SIGINT", () => {
  void cleanup().finally(() => process.exit(130));
});
try {
  code = await main();
} catch (error) {
  process.stderr.write(`bench: ${error?.message ?? error}\n`);
  code = 2;
} finally {
  await cleanup();
}
process.exitCode = code;
