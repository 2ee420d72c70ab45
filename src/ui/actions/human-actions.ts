import type { Stage } from "../../domain/workflow.js";

/** A button of the task page that does what `tasks proceed` does, with its key. */
export interface HumanAction {
  /** The pathway name the stage has: `submit`, `approve` or `reject`. */
  readonly pathway: string;
  readonly label: string;
  readonly key: string;
}

const byStageType: Readonly<Record<string, readonly HumanAction[]>> = {
  ANNOTATION: [{ pathway: "submit", label: "Submit", key: "s" }],
  REVIEW: [
    { pathway: "approve", label: "Approve", key: "a" },
    { pathway: "reject", label: "Reject", key: "r" },
  ],
};

/** What a person can do with a task in `stage`: nothing outside ANNOTATION and REVIEW stages. */
export function humanActionsOf(stage: Stage): readonly HumanAction[] {
  return (byStageType[stage.type] ?? []).filter((action) => stage.pathways.some((p) => p.name === action.pathway));
}
