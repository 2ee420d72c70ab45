/**
 * Reading helpers for ontology JSON. The ontology comes from a server or a spec file, so every
 * field is checked and a bad one is named with its path in the structure.
 */
import { LabelError } from "../../domain/errors.js";

export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function requireObject(value: unknown, path: string): JsonObject {
  if (!isJsonObject(value)) {
    throw new LabelError("TA_INVALID_ONTOLOGY", `Ontology ${path} must be an object; got ${describe(value)}.`);
  }
  return value;
}

export function requireString(dict: JsonObject, key: string, path: string): string {
  const value = dict[key];
  if (typeof value !== "string") {
    throw new LabelError("TA_INVALID_ONTOLOGY", `Ontology ${path}.${key} must be a string; got ${describe(value)}.`);
  }
  return value;
}

export function optionalBoolean(dict: JsonObject, key: string, path: string): boolean {
  const value = dict[key];
  if (value === undefined || value === null) return false;
  if (typeof value !== "boolean") {
    throw new LabelError("TA_INVALID_ONTOLOGY", `Ontology ${path}.${key} must be true or false; got ${describe(value)}.`);
  }
  return value;
}

export function optionalArray(dict: JsonObject, key: string, path: string): readonly unknown[] {
  const value = dict[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    throw new LabelError("TA_INVALID_ONTOLOGY", `Ontology ${path}.${key} must be a list; got ${describe(value)}.`);
  }
  return value;
}

export function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** The `value` Encord derives from a display name: lower case, each space an underscore. */
export function lowerSnake(name: string): string {
  return name.toLowerCase().replaceAll(" ", "_");
}
