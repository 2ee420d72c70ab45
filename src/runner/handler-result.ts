import { ConfigurationError, TaskAgentsError } from "../domain/errors.js";
import { requirePathway } from "../domain/workflow-lookup.js";
import { isPlainObject } from "../shared/plain-object.js";
import { quoteValue } from "../shared/suggest.js";
import type { AgentStage, Pathway } from "../domain/workflow.js";
import type { LabelRow } from "../labels/label-row.js";

/** What the runner does with a task once its handler returned. */
export interface TaskDecision {
  /** Undefined: the task stays in the stage. */
  readonly pathway?: Pathway;
  readonly labelRow?: LabelRow;
  readonly priority?: number;
}

/** A handler returned something that is not a pathway, nothing, or `{ pathway, labelRow, labelRowPriority }`. */
export class HandlerReturnError extends TaskAgentsError {
  override name = "HandlerReturnError";
}

const decisionKeys = new Set(["pathway", "labelRow", "labelRowPriority"]);

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (value instanceof Date) return "a Date";
  if (typeof value === "object" && !isPlainObject(value)) {
    return `an instance of ${(value as { constructor?: { name?: string } }).constructor?.name ?? "a class"}`;
  }
  if (typeof value === "object") return `an object with keys ${JSON.stringify(Object.keys(value))}`;
  if (typeof value === "function") return "a function";
  if (typeof value === "symbol" || typeof value === "bigint") return `${typeof value} ${value.toString()}`;
  if (typeof value === "string") return `string ${quoteValue(value)}`;
  // JSON.stringify writes NaN and Infinity as null.
  if (typeof value === "number") return `number ${String(value)}`;
  return `${typeof value} ${JSON.stringify(value)}`;
}

function isLabelRow(value: unknown): value is LabelRow {
  return typeof value === "object" && value !== null && typeof (value as { toEncordDict?: unknown }).toEncordDict === "function";
}

/**
 * Turns a handler's return value into a decision. A malformed value is a {@link HandlerReturnError}
 * (a task failure); an unknown pathway or a priority the stage was not registered to set is a
 * {@link ConfigurationError}, which stops the run.
 */
export function interpretResult(result: unknown, stage: AgentStage, canSetPriority: boolean): TaskDecision {
  const accepted = `return a pathway name or UUID, null/undefined to leave the task, or { pathway?, labelRow?, labelRowPriority? }`;
  if (result === null || result === undefined) return {};
  if (typeof result === "string") return { pathway: requirePathway(stage, result) };
  if (!isPlainObject(result)) {
    throw new HandlerReturnError("TA_HANDLER_RETURN", `The handler of stage ${JSON.stringify(stage.title)} returned ${describe(result)}; ${accepted}.`);
  }
  const unknown = Object.keys(result).filter((k) => !decisionKeys.has(k));
  if (unknown.length > 0) {
    throw new HandlerReturnError(
      "TA_HANDLER_RETURN",
      `The handler of stage ${JSON.stringify(stage.title)} returned unknown key` +
        `${unknown.length === 1 ? "" : "s"} ${unknown.map((k) => JSON.stringify(k)).join(", ")}; ${accepted}.`,
    );
  }
  const { pathway, labelRow, labelRowPriority } = result;
  if (pathway !== undefined && pathway !== null && typeof pathway !== "string") {
    throw new HandlerReturnError(
      "TA_HANDLER_RETURN",
      `The handler of stage ${JSON.stringify(stage.title)} returned pathway ${describe(pathway)}; a pathway is a name or UUID string.`,
    );
  }
  if (labelRow !== undefined && labelRow !== null && !isLabelRow(labelRow)) {
    throw new HandlerReturnError(
      "TA_HANDLER_RETURN",
      `The handler of stage ${JSON.stringify(stage.title)} returned labelRow ${describe(labelRow)}; return the labelRow the handler was given.`,
    );
  }
  let priority: number | undefined;
  if (labelRowPriority !== undefined && labelRowPriority !== null) {
    if (typeof labelRowPriority !== "number" || !Number.isFinite(labelRowPriority) || labelRowPriority < 0 || labelRowPriority > 1) {
      throw new HandlerReturnError(
        "TA_HANDLER_RETURN",
        `The handler of stage ${JSON.stringify(stage.title)} returned labelRowPriority ${describe(labelRowPriority)}; a priority is a number from 0 to 1.`,
      );
    }
    if (!canSetPriority) {
      throw new ConfigurationError(
        "TA_INVALID_ARGUMENT",
        `The handler of stage ${JSON.stringify(stage.title)} returned labelRowPriority without a labelRow ` +
          `dependency. Register it with { willSetPriority: true } (or deps: { labelRow }) to set priorities.`,
      );
    }
    priority = labelRowPriority;
  } else if (isLabelRow(labelRow) && labelRow.isPriorityChanged && labelRow.priority !== null) {
    priority = labelRow.priority;
  }
  return {
    ...(typeof pathway === "string" ? { pathway: requirePathway(stage, pathway) } : {}),
    ...(isLabelRow(labelRow) ? { labelRow } : {}),
    ...(priority === undefined ? {} : { priority }),
  };
}
