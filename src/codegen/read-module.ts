import { parse as parseYaml } from "yaml";
import type { ProjectShape } from "./project-shape.js";
import { dataEnd, dataStart } from "./render-module.js";

/**
 * The data of a module `renderModule` wrote, or undefined when the text is not one. The data
 * is YAML flow syntax once the comment lines are gone (keys bare or JSON-quoted, values
 * JSON strings, trailing commas), so no TypeScript parser is needed to read it back.
 */
export function readModuleShape(text: string): ProjectShape | undefined {
  const lines = text.split(/\r?\n/);
  const start = lines.findIndex((line) => line.startsWith(dataStart));
  const end = lines.findIndex((line, i) => i > start && line === dataEnd);
  if (start === -1 || end === -1) return undefined;
  const body = [lines[start]!.slice(dataStart.length), ...lines.slice(start + 1, end).filter((line) => !line.trimStart().startsWith("/**")), "}"].join("\n");
  try {
    const data = parseYaml(body) as unknown;
    return isShape(data) ? data : undefined;
  } catch {
    return undefined;
  }
}

function isShape(value: unknown): value is ProjectShape {
  if (typeof value !== "object" || value === null) return false;
  const shape = value as Partial<Record<keyof ProjectShape, unknown>>;
  const ontology = shape.ontology as { objects?: unknown; classifications?: unknown } | undefined;
  return (
    typeof shape.title === "string" &&
    typeof shape.codegen === "string" &&
    Array.isArray(shape.stages) &&
    typeof ontology === "object" &&
    ontology !== null &&
    typeof ontology.objects === "object" &&
    ontology.objects !== null &&
    typeof ontology.classifications === "object" &&
    ontology.classifications !== null
  );
}
