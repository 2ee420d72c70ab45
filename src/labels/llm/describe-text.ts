/** Wording shared by the schema descriptions the LLM reads. */
import type { AttributeOption } from "../ontology/attribute.js";

/** `"cl_1_option_1" (cl 1 option 1), "sad"`: the values to give, each with its label when that says more. */
export function optionList(options: readonly AttributeOption[], values: readonly string[]): string {
  return options.map((option, i) => (option.label === values[i] ? JSON.stringify(values[i]) : `${JSON.stringify(values[i])} (${option.label})`)).join(", ");
}
