import type { LabelRowJson, LabelRowMetadataJson } from "../domain/label-row-json.js";
import { ConfigurationError } from "../domain/errors.js";

/** Options of {@link LabelRow.fromEncordDict}. */
export interface LabelRowFromDictOptions {
  /** The row's metadata in wire form (an element of the `labelrowmetadata` listing). */
  readonly metadata?: LabelRowMetadataJson;
  /** The project's ontology structure. The object model that reads it comes with the labels issue. */
  readonly ontology?: unknown;
}

/**
 * A label row: its metadata and its labels in Encord's label-row JSON. What the model does not
 * interpret is kept as it came, so saving never loses anything. Each task attempt gets its own
 * deep copy, so edits of a failed attempt never reach the store.
 */
export class LabelRow {
  readonly #dict: LabelRowJson;
  readonly #metadata: LabelRowMetadataJson | undefined;
  #priority: number | null;
  #priorityChanged = false;

  private constructor(dict: LabelRowJson, metadata: LabelRowMetadataJson | undefined) {
    this.#dict = dict;
    this.#metadata = metadata;
    this.#priority = metadata?.priority ?? null;
  }

  /** Reads a label-row dict (and, optionally, its metadata). The dict is copied, not kept. */
  static fromEncordDict(labelRowDict: LabelRowJson, options: LabelRowFromDictOptions = {}): LabelRow {
    return new LabelRow(structuredClone(labelRowDict), options.metadata === undefined ? undefined : structuredClone(options.metadata));
  }

  /** The row as Encord's label-row JSON, ready to save. A copy: changing it changes nothing here. */
  toEncordDict(): LabelRowJson {
    return structuredClone(this.#dict);
  }

  /** The task's priority, 0..1; `null` when unknown (finished tasks have none). */
  get priority(): number | null {
    return this.#priority;
  }

  /** True once {@link setPriority} was called. */
  get isPriorityChanged(): boolean {
    return this.#priorityChanged;
  }

  /** Sets the task's priority (0..1); stored when the handler returns this row. */
  setPriority(priority: number): void {
    if (typeof priority !== "number" || !Number.isFinite(priority) || priority < 0 || priority > 1) {
      throw new ConfigurationError("TA_INVALID_ARGUMENT", `Priority ${JSON.stringify(priority)} is not accepted; a priority is a number from 0 to 1.`);
    }
    this.#priority = priority;
    this.#priorityChanged = true;
  }

  get dataHash(): string {
    return this.#dict.data_hash;
  }
  get dataTitle(): string {
    return this.#dict.data_title;
  }
  /** Lowercase data type: `image`, `video`, `img_group`, `audio`, `plain_text`, `pdf`, … */
  get dataType(): string {
    return this.#dict.data_type;
  }
  get labelHash(): string | null {
    return this.#dict.label_hash;
  }
  get branchName(): string {
    return this.#dict.branch_name;
  }
  get labelStatus(): string {
    return this.#dict.label_status;
  }
  get datasetHash(): string {
    return this.#dict.dataset_hash;
  }
  get backingItemUuid(): string | null {
    return this.#metadata?.backing_item_uuid ?? null;
  }
  get workflowGraphNode(): { uuid: string; title: string } | null {
    return this.#metadata?.workflow_graph_node ?? null;
  }
  get taskUuid(): string | null {
    return this.#metadata?.task_uuid ?? null;
  }
  get clientMetadata(): Record<string, unknown> | null {
    return this.#metadata?.client_metadata ?? null;
  }
  get width(): number | null {
    return this.#metadata?.width ?? null;
  }
  get height(): number | null {
    return this.#metadata?.height ?? null;
  }
  /** The row's labels in wire form, for reading and editing until the object model lands. */
  get labels(): LabelRowJson {
    return this.#dict;
  }
}
