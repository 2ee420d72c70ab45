import { LabelError } from "../../domain/errors.js";
import { quoteList } from "../../shared/suggest.js";
import { walkAttributes, type Attribute } from "../ontology/attribute.js";

/** What owns attributes: an ontology object or classification. */
export interface AttributeOwner {
  readonly kind: "object" | "classification";
  readonly name: string;
  readonly attributes: readonly Attribute[];
}

/**
 * The owner's own attribute meant by `attribute` (an Attribute or its feature node hash). Hashes
 * are looked up inside the owner's tree, first match depth first, as the SDK does: ontologies
 * reuse attribute hashes across objects.
 */
export function resolveAttribute(owner: AttributeOwner, attribute: Attribute | string): Attribute {
  const all = [...walkAttributes(owner.attributes)];
  if (typeof attribute !== "string" && all.includes(attribute)) return attribute;
  const hash = typeof attribute === "string" ? attribute : (attribute as Partial<Attribute>).featureNodeHash;
  const found = all.find((candidate) => candidate.featureNodeHash === hash);
  if (found === undefined) {
    const label = typeof attribute === "string" ? `with feature node hash ${JSON.stringify(attribute)}` : `"${String((attribute as Partial<Attribute>).name)}"`;
    throw new LabelError(
      "TA_INVALID_LABEL",
      `The ${owner.kind} "${owner.name}" has no attribute ${label}; its attributes are ${
        all.length === 0
          ? "none"
          : quoteList(
              all.map((a) => a.name),
              "and",
            )
      }.`,
    );
  }
  return found;
}
