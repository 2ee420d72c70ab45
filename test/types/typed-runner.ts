/**
 * Type-level test of typed runners, checked by `tsc` (npm run typecheck covers test/): every
 * line here must compile, and every `@ts-expect-error` line must fail to; an expected error that
 * does not happen fails the typecheck too. Nothing here is run: the functions are never called.
 */
import { labelRow, QueueRunner, Runner, type HandlerResult } from "../../src/index.js";
import project from "./typed-project.js";

const projectHash = "00000000-0000-4000-8000-000000000000";

export function stagesAndPathways(): void {
  const runner = new Runner({ project, projectHash });

  // A title or the UUID of an AGENT stage; each handler returns its own stage's pathways.
  runner.stage("Pre-label", () => "annotate");
  // An async handler returning only bare strings needs `as const`: TypeScript widens them to string otherwise.
  runner.stage("Pre-label", { overwrite: true }, async () => "skip" as const);
  runner.stage("Pre-label", { overwrite: true }, () => "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b");
  runner.stage("Triage", () => "to review");
  runner.stage("0b2c7e3a-5d1f-4c8e-9a6b-2f4d8e1c3a5b", { overwrite: true }, () => "discard");
  // Nothing (the task stays) and the struct form.
  runner.stage("Pre-label", { overwrite: true }, () => null);
  runner.stage("Pre-label", { overwrite: true }, () => undefined);
  runner.stage("Pre-label", { overwrite: true }, () => {});
  runner.stage("Pre-label", { overwrite: true, deps: { labelRow } }, ({ labelRow }) => ({ pathway: "skip", labelRow }));
  runner.stage("Pre-label", { overwrite: true, deps: { labelRow } }, async ({ labelRow }) =>
    labelRow.width === 0 ? { pathway: null } : { pathway: "annotate", labelRowPriority: 0.5 },
  );
  runner.stage("Pre-label", { overwrite: true, onFailure: "skip" }, () => "annotate");
  runner.stage("Triage", { overwrite: true, onFailure: "discard" }, () => "to review");

  // @ts-expect-error: "Annotate" is no stage of this project
  runner.stage("Annotate", () => null);
  // @ts-expect-error: a typo of a stage title
  runner.stage("Pre-lable", () => null);
  // @ts-expect-error: "Review" is a REVIEW stage, not an AGENT stage
  runner.stage("Review", () => null);
  // @ts-expect-error: "submit" is no pathway of "Pre-label"
  runner.stage("Pre-label", { overwrite: true }, () => "submit");
  // @ts-expect-error: "discard" is a pathway of "Triage", not of "Pre-label"
  runner.stage("Pre-label", { overwrite: true }, () => "discard");
  // @ts-expect-error: "annotate" is a pathway of "Pre-label", not of "Triage" (named by UUID)
  runner.stage("0b2c7e3a-5d1f-4c8e-9a6b-2f4d8e1c3a5b", { overwrite: true }, () => "annotate");
  // @ts-expect-error: the struct form checks the pathway too
  runner.stage("Triage", { overwrite: true }, () => ({ pathway: "skip" }));
  // @ts-expect-error: onFailure names a pathway of another stage
  runner.stage("Triage", { overwrite: true, onFailure: "skip" }, () => null);
  // @ts-expect-error: a handler typed for any string may return any pathway, so it does not fit
  runner.stage("Triage", { overwrite: true }, (): HandlerResult => "anything");
}

export function queueRunner(): void {
  const queue = new QueueRunner({ project, projectHash });
  queue.stage("Triage", () => "discard");
  queue.stage("Pre-label", { onFailure: "skip" }, async () => ({ pathway: "annotate" }));
  // @ts-expect-error: "Complete" is a DONE stage
  queue.stage("Complete", () => null);
  // @ts-expect-error: "to review" belongs to "Triage"
  queue.stage("Pre-label", { overwrite: true }, () => "to review");
  // @ts-expect-error: a spec file's module names no project, so projectHash is needed; with neither the option is missing
  new QueueRunner({});
}

export function untypedRunnersStayAsTheyWere(): void {
  // Without a project, any stage and any pathway compile, as before.
  const runner = new Runner({ projectHash });
  runner.stage("Whatever", () => "any pathway");
  runner.stage("Other", { onFailure: "any" }, () => ({ pathway: "x" }));
  const queue = new QueueRunner({ projectHash });
  queue.stage("Whatever", () => "any pathway");
  // A typed runner is still a Runner for APIs that take one.
  const typed: Runner = new Runner({ project });
  void typed;
}
