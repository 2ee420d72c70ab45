import type { LabelRowJson } from "../domain/label-row-json.js";
import type { OntologyStructureJson } from "../domain/workflow.js";
import type { AttributeOption } from "../labels/ontology/attribute.js";
import { LabelRow } from "../labels/label-row.js";
import { Ontology } from "../labels/ontology/ontology.js";

function describeAnswer(answer: unknown): string {
  if (Array.isArray(answer)) return (answer as AttributeOption[]).map((option) => option.label).join("+") || "(none)";
  if (typeof answer === "object" && answer !== null) return (answer as AttributeOption).label;
  return String(answer);
}

/**
 * One line per ontology object (instances saved) and per classification (answers saved), read
 * through the label model: what an agent run left in the label rows.
 */
export function summariseLabels(ontologyStructure: OntologyStructureJson, rows: Iterable<string>): string {
  const ontology = Ontology.fromDict(ontologyStructure);
  const objects = new Map<string, number>();
  const answers = new Map<string, Map<string, number>>();
  for (const text of rows) {
    const row = LabelRow.fromEncordDict(JSON.parse(text) as LabelRowJson, { ontology });
    for (const instance of row.getObjectInstances()) objects.set(instance.ontologyItem.name, (objects.get(instance.ontologyItem.name) ?? 0) + 1);
    for (const instance of row.getClassificationInstances()) {
      const counts = answers.get(instance.ontologyItem.name) ?? new Map<string, number>();
      const answer = describeAnswer(instance.getAnswer());
      counts.set(answer, (counts.get(answer) ?? 0) + 1);
      answers.set(instance.ontologyItem.name, counts);
    }
  }
  const lines = [
    ...[...objects].map(([name, count]) => `  ${name}: ${count} object${count === 1 ? "" : "s"}`),
    ...[...answers].map(([name, counts]) => `  ${name}: ${[...counts].map(([answer, count]) => `${answer} ${count}`).join(", ")}`),
  ];
  return lines.length === 0 ? "  (no labels)\n" : `${lines.join("\n")}\n`;
}
