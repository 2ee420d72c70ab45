import { isPlainObject } from "../../../shared/plain-object.js";

/**
 * A copy of `value` with every `null`/`undefined` object field removed, at any depth: v2 bodies
 * omit null fields as the SDK's pydantic `exclude_none=True` does (§2.2). Array elements are kept
 * (pydantic keeps `None` inside lists too); class instances other than plain objects are kept as is.
 */
export function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (field !== null && field !== undefined) out[key] = withoutNulls(field);
  }
  return out;
}
