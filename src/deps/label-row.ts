import { BackendError } from "../domain/errors.js";
import { LabelRow } from "../labels/label-row.js";
import { makeDependency, prefetchedKey, type PrefetchedTaskData, type TaskContext } from "./define-dependency.js";
import { projectOntology } from "./project-ontology.js";

/**
 * The task's label row, fetched (and initialised) in bulk for the whole batch. Every attempt
 * gets a fresh copy, so edits of a failed attempt are gone. Return it in
 * `{ pathway, labelRow }` to save it (and its priority) with the batch.
 */
export const labelRow = makeDependency<LabelRow>({
  deps: {},
  prefetch: ["labelRowMetadata", "labelRow"],
  label: "labelRow",
  resolve: (context: never) => {
    const ctx = context as TaskContext & { [prefetchedKey]: PrefetchedTaskData };
    const data = ctx[prefetchedKey];
    if (!data.labelRow) {
      throw new BackendError("TA_STORE_ERROR", `No label row was found for task ${ctx.task.uuid} (data ${ctx.task.dataHash}).`);
    }
    return LabelRow.fromEncordDict(data.labelRow, { metadata: data.metadata, ontology: projectOntology(ctx.project.ontology) });
  },
});
