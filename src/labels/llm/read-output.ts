/** Turning an LLM's answer into a value checked against the schema, with errors the caller can act on. */
import type { z } from "zod";
import { LabelError } from "../../domain/errors.js";

/** How much of the received output an error message quotes. */
const PREVIEW_LENGTH = 200;

/** A whole answer wrapped in a Markdown code fence (```json … ```), as chat models often write it. */
const FENCED = /^```[A-Za-z]*[ \t]*\r?\n?([\s\S]*?)\r?\n?[ \t]*```$/;

function preview(text: string): string {
  const oneLine = text.trim();
  return oneLine.length > PREVIEW_LENGTH ? `${oneLine.slice(0, PREVIEW_LENGTH)}…` : oneLine;
}

function previewOf(output: unknown): string {
  if (typeof output === "string") return preview(output);
  try {
    return preview(JSON.stringify(output) ?? String(output));
  } catch {
    return `a ${typeof output}`;
  }
}

function keyList(keys: readonly string[]): string {
  return keys.map((key) => JSON.stringify(key)).join(", ");
}

/** The value of the output: JSON text (optionally fenced) is parsed; anything else is taken as it is. */
export function outputValue(output: unknown, keys: readonly string[]): unknown {
  if (typeof output !== "string") return output;
  const trimmed = output.trim();
  const body = FENCED.exec(trimmed)?.[1] ?? trimmed;
  try {
    return JSON.parse(body) as unknown;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new LabelError(
      "TA_INVALID_LABEL",
      `The LLM output is not valid JSON (${reason}); expected one JSON object (optionally ` +
        `in a \`\`\`json fence) with the keys ${keyList(keys)}. Received: ${preview(output)}`,
    );
  }
}

/** `objects[0].box.width`; `(top level)` for the output itself. */
function issuePath(path: readonly PropertyKey[]): string {
  let text = "";
  for (const part of path) text += typeof part === "number" ? `[${part}]` : text === "" ? String(part) : `.${String(part)}`;
  return text === "" ? "(top level)" : text;
}

/** Checks the output against the schema; a LabelError lists every problem as `path: message`. */
export function validateOutput(schema: z.ZodType, output: unknown, keys: readonly string[]): Record<string, unknown> {
  const value = outputValue(output, keys);
  const result = schema.safeParse(value);
  if (result.success) return result.data as Record<string, unknown>;
  const issues = result.error.issues;
  const lines = issues.map((issue) => `  - ${issuePath(issue.path)}: ${issue.message}`);
  throw new LabelError(
    "TA_INVALID_LABEL",
    `The LLM output does not fit the ontology schema (${issues.length} problem` +
      `${issues.length === 1 ? "" : "s"}); expected a JSON object with the keys ${keyList(keys)}:\n` +
      `${lines.join("\n")}\nReceived: ${previewOf(output)}`,
  );
}
