import { requireObject, requireString, type JsonObject } from "./wire.js";

/**
 * A skeleton template (the points and edges of a skeleton object). Kept as it came: agents read
 * its points by name, and the model never rewrites it.
 */
export class SkeletonTemplate {
  readonly kind = "skeleton_template";
  private constructor(
    readonly name: string,
    readonly featureNodeHash: string | null,
    private readonly dict: JsonObject,
  ) {}

  static fromDict(input: unknown, path: string): SkeletonTemplate {
    const wrapper = requireObject(input, path);
    const template = requireObject(wrapper["template"], `${path}.template`);
    const hash = template["feature_node_hash"];
    return new SkeletonTemplate(requireString(template, "name", `${path}.template`), typeof hash === "string" ? hash : null, structuredClone(template));
  }

  /** The template's points, keyed by their position in the skeleton. */
  get points(): Record<string, unknown> {
    const skeleton = this.dict["skeleton"];
    return typeof skeleton === "object" && skeleton !== null ? structuredClone(skeleton as Record<string, unknown>) : {};
  }

  toDict(): JsonObject {
    return { template: structuredClone(this.dict) };
  }
}
