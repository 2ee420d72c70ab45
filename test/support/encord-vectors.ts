/**
 * Loading and comparing the SDK-produced label vectors of ../shared/fixtures/encord, following
 * the comparison rules of their README: parsed JSON values, equal key sets, answer lists in any
 * order, excluded paths skipped and nondeterministic paths compared by type only.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { paths } from "./paths.js";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function encordFixtureDir(...parts: string[]): string {
  return path.join(paths.encordFixtures, ...parts);
}

export function loadVectors<T>(folder: string): { file: string; vector: T }[] {
  const dir = encordFixtureDir(...folder.split("/"));
  return readdirSync(dir)
    .filter((name) => name.endsWith(".json"))
    .sort()
    .map((file) => ({ file, vector: JSON.parse(readFileSync(path.join(dir, file), "utf8")) as T }));
}

export interface CompareRules {
  /** Compare every list in order (the SDK test's `python_equality`). */
  readonly allListsOrdered?: boolean;
  readonly excludePaths?: readonly string[];
  readonly nondeterministicPaths?: readonly string[];
}

const key = (part: string): string => `[${JSON.stringify(part).replaceAll('"', "'")}]`;

// Answer lists, whose order the SDK itself does not keep (README "How to compare").
function isUnorderedList(pathText: string): boolean {
  return (
    /^root\['object_answers'\]\['[^']*'\]\['classifications'\]$/.test(pathText) ||
    /^root\['classification_answers'\]\['[^']*'\]\['classifications'\]$/.test(pathText) ||
    /^root\['object_actions'\]\['[^']*'\]\['actions'\]$/.test(pathText) ||
    /\['answers'\]$/.test(pathText)
  );
}

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

/** Differences between `actual` and `expected` under the rules, as readable lines (empty when equal). */
export function compareJson(actual: unknown, expected: unknown, rules: CompareRules = {}): string[] {
  const excluded = (rules.excludePaths ?? []).map((pattern) => new RegExp(pattern));
  const nondeterministic = new Set(rules.nondeterministicPaths ?? []);
  const diffs: string[] = [];

  const walk = (a: unknown, e: unknown, at: string, out: string[]): void => {
    if (excluded.some((regex) => regex.test(at))) return;
    if (nondeterministic.has(at)) {
      if (typeOf(a) !== typeOf(e)) out.push(`${at}: type ${typeOf(a)} ≠ expected ${typeOf(e)}`);
      return;
    }
    if (typeOf(a) !== typeOf(e)) {
      out.push(`${at}: ${JSON.stringify(a)?.slice(0, 200)} ≠ expected ${JSON.stringify(e)?.slice(0, 200)}`);
      return;
    }
    if (Array.isArray(e)) {
      const actualList = a as unknown[];
      if (actualList.length !== e.length) {
        out.push(`${at}: ${actualList.length} items ≠ expected ${e.length}: ${JSON.stringify(a)?.slice(0, 300)} vs ${JSON.stringify(e)?.slice(0, 300)}`);
        return;
      }
      if (!rules.allListsOrdered && isUnorderedList(at)) {
        const unused = [...actualList.keys()];
        e.forEach((expectedItem, i) => {
          const match = unused.findIndex((j) => {
            const trial: string[] = [];
            walk(actualList[j], expectedItem, `${at}[${i}]`, trial);
            return trial.length === 0;
          });
          if (match === -1) out.push(`${at}[${i}]: no matching item for ${JSON.stringify(expectedItem).slice(0, 300)}`);
          else unused.splice(match, 1);
        });
        return;
      }
      e.forEach((item, i) => walk(actualList[i], item, `${at}[${i}]`, out));
      return;
    }
    if (typeof e === "object" && e !== null) {
      const actualObject = a as Record<string, unknown>;
      const expectedObject = e as Record<string, unknown>;
      for (const k of new Set([...Object.keys(actualObject), ...Object.keys(expectedObject)])) {
        const childPath = `${at}${key(k)}`;
        if (excluded.some((regex) => regex.test(childPath))) continue;
        if (!(k in expectedObject)) out.push(`${childPath}: unexpected key (value ${JSON.stringify(actualObject[k])?.slice(0, 200)})`);
        else if (!(k in actualObject)) out.push(`${childPath}: missing (expected ${JSON.stringify(expectedObject[k])?.slice(0, 200)})`);
        else walk(actualObject[k], expectedObject[k], childPath, out);
      }
      return;
    }
    if (a !== e) out.push(`${at}: ${JSON.stringify(a)} ≠ expected ${JSON.stringify(e)}`);
  };

  walk(actual, expected, "root", diffs);
  return diffs;
}
