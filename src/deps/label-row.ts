import { BackendError } from "../domain/errors.js";
import { labelRowFromSharedDict, type LabelRow } from "../labels/label-row.js";
import { makeDependency } from "./define-dependency.js";
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
  resolve: ({ context, prefetched }) => {
    if (!prefetched.labelRow) {
      throw new BackendError("TA_STORE_ERROR", `No label row was found for task ${context.task.uuid} (data ${context.task.dataHash}).`);
    }
    // The prefetched row is the runner's and is never changed, so it is read without a copy.
    return labelRowFromSharedDict(prefetched.labelRow, { metadata: prefetched.metadata, ontology: projectOntology(context.project.ontology) });
  },
});
