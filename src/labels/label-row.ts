import { cloneJson } from "./clone-json.js";
import type { LabelRowJson, LabelRowMetadataJson, WorkflowGraphNodeJson } from "../domain/label-row-json.js";
import { LabelError } from "../domain/errors.js";
import type { ClassificationInstance } from "./classification-instance.js";
import { readLabelRow } from "./codec/read-label-row.js";
import { writeLabelRow } from "./codec/write-label-row.js";
import { frameList, type Frames } from "./frames.js";
import type { LabelContent } from "./label-content.js";
import type { ObjectInstance } from "./object-instance.js";
import type { Classification } from "./ontology/classification.js";
import { Ontology } from "./ontology/ontology.js";
import type { OntologyObject } from "./ontology/ontology-object.js";

/** Options of {@link LabelRow.fromEncordDict}. */
export interface LabelRowFromDictOptions {
  /** The project's ontology: an {@link Ontology} or its structure JSON. */
  readonly ontology?: Ontology | Record<string, unknown> | null;
  /** The row's metadata in wire form (an element of the `labelrowmetadata` listing). */
  readonly metadata?: LabelRowMetadataJson;
}

/** Filters of {@link LabelRow.getObjectInstances}. */
export interface ObjectInstanceFilter {
  /** Only instances of this ontology object (or feature node hash). */
  readonly filterOntologyObject?: OntologyObject | string;
  /** Only instances on at least one of these frames. */
  readonly filterFrames?: Frames;
}

/** Filters of {@link LabelRow.getClassificationInstances}. */
export interface ClassificationInstanceFilter {
  readonly filterOntologyClassification?: Classification | string;
  readonly filterFrames?: Frames;
}

const fromSharedDict = Symbol("fromSharedDict");

const EMPTY_ONTOLOGY = Ontology.fromDict({ objects: [], classifications: [] });

function toOntology(ontology: LabelRowFromDictOptions["ontology"]): Ontology {
  if (ontology === undefined || ontology === null) return EMPTY_ONTOLOGY;
  return ontology instanceof Ontology ? ontology : Ontology.fromDict(ontology);
}

/**
 * A label row: the labels of one data item, read into object and classification instances of
 * the project's ontology. Mirrors the SDK's `LabelRowV2`; `toEncordDict()` writes what its
 * `to_encord_dict()` writes. What the ontology cannot read is kept and written back unchanged.
 */
export class LabelRow {
  readonly #top: LabelRowJson;
  #metadata: LabelRowMetadataJson | undefined;
  readonly #ontology: Ontology;
  readonly #content: LabelContent;
  #priority: number | null;
  #priorityChanged = false;
  /** The metadata is the caller's, shared: copied before a getter hands out part of it. */
  #metadataShared: boolean;

  private constructor(dict: LabelRowJson, ontology: Ontology, metadata: LabelRowMetadataJson | undefined, shared: boolean) {
    // The reader copies what it keeps of the labels; only the scalar fields are kept from here.
    // The row never changes what it keeps, and writes copies, so a shared dict stays as it came.
    const { data_units: _units, object_answers: _objects, classification_answers: _classifications, object_actions: _actions, ...top } = dict;
    this.#top = (shared ? top : cloneJson(top)) as LabelRowJson;
    this.#metadata = metadata;
    this.#metadataShared = shared;
    this.#ontology = ontology;
    this.#content = readLabelRow(dict, ontology, metadata, { copy: !shared });
    this.#priority = metadata?.priority ?? null;
  }

  /**
   * Reads a dict its holder never changes (the runner's prefetched rows) without copying it
   * first, as {@link labelRowFromSharedDict} does; not public API.
   */
  static [fromSharedDict](labelRowDict: LabelRowJson, options: LabelRowFromDictOptions): LabelRow {
    return new LabelRow(labelRowDict, toOntology(options.ontology), options.metadata, true);
  }

  /** The metadata, copied first if it is shared, for getters that hand out objects inside it. */
  #ownMetadata(): LabelRowMetadataJson | undefined {
    if (this.#metadataShared) {
      this.#metadata = cloneJson(this.#metadata);
      this.#metadataShared = false;
    }
    return this.#metadata;
  }

  /** Reads a label-row dict with its ontology (and, optionally, its metadata). The dict is not kept or changed. */
  static fromEncordDict(labelRowDict: LabelRowJson, options: LabelRowFromDictOptions = {}): LabelRow {
    if (typeof labelRowDict !== "object" || labelRowDict === null || Array.isArray(labelRowDict)) {
      throw new LabelError(
        "TA_INVALID_LABEL",
        `A label row dict must be an object (Encord's label-row JSON); got ${labelRowDict === null ? "null" : typeof labelRowDict}.`,
      );
    }
    return new LabelRow(labelRowDict, toOntology(options.ontology), options.metadata === undefined ? undefined : cloneJson(options.metadata), false);
  }

  /** The row as Encord's label-row JSON, ready to save: a new object each call. */
  toEncordDict(): LabelRowJson {
    return writeLabelRow(this.#top, this.#content, this.#metadata);
  }

  get ontology(): Ontology {
    return this.#ontology;
  }

  // Priority -------------------------------------------------------------------------------

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
      throw new LabelError("TA_INVALID_LABEL", `Priority ${JSON.stringify(priority)} is not accepted; a priority is a number from 0 to 1.`);
    }
    this.#priority = priority;
    this.#priorityChanged = true;
  }

  // Metadata -------------------------------------------------------------------------------

  get dataHash(): string {
    return this.#top.data_hash ?? this.#metadata?.data_hash;
  }
  get dataTitle(): string {
    return this.#top.data_title ?? this.#metadata?.data_title;
  }
  /** Lowercase data type: `image`, `video`, `img_group`, `audio`, `plain_text`, `pdf`, … */
  get dataType(): string {
    return String(this.#top.data_type ?? this.#metadata?.data_type ?? "").toLowerCase();
  }
  get labelHash(): string | null {
    return this.#top.label_hash ?? this.#metadata?.label_hash ?? null;
  }
  get branchName(): string {
    return this.#top.branch_name ?? this.#metadata?.branch_name;
  }
  get labelStatus(): string {
    return this.#top.label_status ?? this.#metadata?.label_status;
  }
  get annotationTaskStatus(): string | null {
    return this.#top.annotation_task_status ?? this.#metadata?.annotation_task_status ?? null;
  }
  get datasetHash(): string {
    return this.#top.dataset_hash ?? this.#metadata?.dataset_hash;
  }
  get datasetTitle(): string {
    return this.#top.dataset_title ?? this.#metadata?.dataset_title;
  }
  get isShadowData(): boolean {
    return this.#metadata?.is_shadow_data ?? this.#top.is_shadow_data ?? false;
  }
  get backingItemUuid(): string | null {
    return this.#metadata?.backing_item_uuid ?? null;
  }
  get workflowGraphNode(): WorkflowGraphNodeJson | null {
    return this.#ownMetadata()?.workflow_graph_node ?? null;
  }
  get taskUuid(): string | null {
    return this.#metadata?.task_uuid ?? null;
  }
  get clientMetadata(): Record<string, unknown> | null {
    return this.#ownMetadata()?.client_metadata ?? null;
  }
  get fileType(): string | null {
    return this.#metadata?.file_type ?? null;
  }
  get width(): number | null {
    return this.#metadata?.width ?? this.#content.mediaSize(0)?.width ?? null;
  }
  get height(): number | null {
    return this.#metadata?.height ?? this.#content.mediaSize(0)?.height ?? null;
  }
  /** Frames of the media: images of a group, frames of a video; `null` when unknown. */
  get numberOfFrames(): number | null {
    return this.#metadata?.number_of_frames ?? this.#content.frameCount;
  }
  get framesPerSecond(): number | null {
    return this.#metadata?.frames_per_second ?? null;
  }
  get duration(): number | null {
    return this.#metadata?.duration ?? null;
  }
  /** The data units of the row (one per image of a group), without their labels. */
  get dataUnits(): {
    dataHash: string;
    title: string;
    frame: number;
    mimeType: string | null;
    width: number | null;
    height: number | null;
    dataLink: string | null;
  }[] {
    return this.#content.dataUnits.map((unit) => ({
      dataHash: unit.hash,
      title: typeof unit.dict["data_title"] === "string" || typeof unit.dict["data_title"] === "number" ? String(unit.dict["data_title"]) : "",
      frame: unit.frame,
      mimeType: typeof unit.dict["data_type"] === "string" ? unit.dict["data_type"] : null,
      width: typeof unit.dict["width"] === "number" ? unit.dict["width"] : null,
      height: typeof unit.dict["height"] === "number" ? unit.dict["height"] : null,
      dataLink: typeof unit.dict["data_link"] === "string" ? unit.dict["data_link"] : null,
    }));
  }

  // Objects --------------------------------------------------------------------------------

  /**
   * Adds an object instance (placed on frames with `setForFrames` first). With `force` (the
   * default, as in the SDK) an instance with the same hash is replaced.
   */
  addObjectInstance(instance: ObjectInstance, options: { force?: boolean } = {}): void {
    if (instance.isAssignedToLabelRow) {
      throw new LabelError(
        "TA_INVALID_LABEL",
        `Object ${instance.objectHash} already belongs to a label row; an instance belongs to one row at a time (remove it there first).`,
      );
    }
    const frames = instance.getAnnotationFrames();
    if (frames.length === 0) {
      throw new LabelError(
        "TA_INVALID_LABEL",
        `Object "${instance.ontologyItem.name}" (${instance.objectHash}) has no coordinates yet; call setForFrames before adding it.`,
      );
    }
    if (this.#ontology.findChildByHash(instance.featureHash, "object") === undefined) {
      throw new LabelError(
        "TA_INVALID_LABEL",
        `Object "${instance.ontologyItem.name}" is not part of this row's ontology; create instances from labelRow.ontology.`,
      );
    }
    const existing = this.#content.objects.get(instance.objectHash);
    if (existing !== undefined && options.force === false) {
      throw new LabelError("TA_INVALID_LABEL", `The row already has an object with hash ${instance.objectHash}; pass force: true to replace it.`);
    }
    // Checked before anything changes: a refused instance leaves the one it would replace in place.
    for (const frame of frames) {
      const data = instance.frameData(frame);
      if (data !== undefined) this.#content.checkObjectFrames(instance, [frame], data.coordinates);
    }
    if (existing !== undefined) this.#content.dropObject(existing);
    this.#content.adoptObject(instance);
  }

  /** Removes an object instance from the row. */
  removeObject(instance: ObjectInstance): void {
    if (this.#content.objects.get(instance.objectHash) !== instance) {
      throw new LabelError("TA_INVALID_LABEL", `Object ${instance.objectHash} is not part of this label row.`);
    }
    this.#content.dropObject(instance);
  }

  /** Object instances in the row, in the order they were added; optionally filtered. */
  getObjectInstances(filter: ObjectInstanceFilter = {}): ObjectInstance[] {
    const featureHash = filterHash(filter.filterOntologyObject);
    const frames = filter.filterFrames === undefined ? undefined : frameList(filter.filterFrames);
    const candidates =
      frames === undefined ? this.#content.objects.values() : new Set(frames.flatMap((frame) => [...(this.#content.objectsByFrame.get(frame) ?? [])]));
    return this.#content.ordered(candidates).filter((instance) => featureHash === undefined || instance.featureHash === featureHash);
  }

  // Classifications ------------------------------------------------------------------------

  /**
   * Adds a classification instance. A frame holds one instance of each classification (and an
   * item one instance of each global classification); with `force`, the other instances give
   * up the frames in question.
   */
  addClassificationInstance(instance: ClassificationInstance, options: { force?: boolean } = {}): void {
    if (instance.isAssignedToLabelRow) {
      throw new LabelError(
        "TA_INVALID_LABEL",
        `Classification ${instance.classificationHash} already belongs to a label row; an instance belongs to one row at a time.`,
      );
    }
    if (this.#ontology.findChildByHash(instance.featureHash, "classification") === undefined) {
      throw new LabelError(
        "TA_INVALID_LABEL",
        `Classification "${instance.ontologyItem.name}" is not part of this row's ontology; create instances from labelRow.ontology.`,
      );
    }
    const frames = instance.getAnnotationFrames();
    if (!instance.isGlobal && !instance.isRangeOnly && frames.length === 0) {
      throw new LabelError(
        "TA_INVALID_LABEL",
        `Classification "${instance.ontologyItem.name}" (${instance.classificationHash}) is on no frames; call setForFrames before adding it.`,
      );
    }
    if (!instance.isRangeOnly) this.#content.checkFramesExist(frames);
    const force = options.force === true;
    const existing = this.#content.classifications.get(instance.classificationHash);
    if (existing !== undefined && !force) {
      throw new LabelError(
        "TA_INVALID_LABEL",
        `The row already has a classification with hash ${instance.classificationHash}; pass force: true to replace it.`,
      );
    }
    const sameGlobal = instance.isGlobal
      ? [...this.#content.classifications.values()].filter((other) => other !== existing && other.featureHash === instance.featureHash)
      : [];
    const overlap = this.#content.classificationOverlap(instance, frames);
    if (!force && (sameGlobal.length > 0 || overlap.length > 0)) {
      throw new LabelError(
        "TA_INVALID_LABEL",
        sameGlobal.length > 0
          ? `The row already has an instance of global classification "${instance.ontologyItem.name}"; pass force: true to replace it.`
          : `Classification "${instance.ontologyItem.name}" is already on frame${overlap.length === 1 ? "" : "s"}` +
              ` ${overlap.join(", ")} through another instance; pass force: true to move those frames to this one.`,
      );
    }
    if (existing !== undefined) this.#content.dropClassification(existing);
    for (const other of sameGlobal) this.#content.dropClassification(other);
    for (const frame of overlap) {
      for (const other of [...(this.#content.classificationsByFrame.get(frame) ?? [])]) {
        if (other.featureHash === instance.featureHash) other.removeFromFrames(frame);
      }
    }
    this.#content.adoptClassification(instance);
  }

  /** Removes a classification instance from the row. */
  removeClassificationInstance(instance: ClassificationInstance): void {
    if (this.#content.classifications.get(instance.classificationHash) !== instance) {
      throw new LabelError("TA_INVALID_LABEL", `Classification ${instance.classificationHash} is not part of this label row.`);
    }
    this.#content.dropClassification(instance);
  }

  /** The SDK's name for {@link removeClassificationInstance}. */
  removeClassification(instance: ClassificationInstance): void {
    this.removeClassificationInstance(instance);
  }

  /** Classification instances in the row, in the order they were added; optionally filtered. */
  getClassificationInstances(filter: ClassificationInstanceFilter = {}): ClassificationInstance[] {
    const featureHash = filterHash(filter.filterOntologyClassification);
    const frames = filter.filterFrames === undefined ? undefined : frameList(filter.filterFrames);
    const candidates =
      frames === undefined
        ? this.#content.classifications.values()
        : new Set(frames.flatMap((frame) => [...(this.#content.classificationsByFrame.get(frame) ?? [])]));
    return this.#content.ordered(candidates).filter((instance) => featureHash === undefined || instance.featureHash === featureHash);
  }
}

function filterHash(filter: { featureNodeHash: string } | string | undefined): string | undefined {
  return filter === undefined ? undefined : typeof filter === "string" ? filter : filter.featureNodeHash;
}

/**
 * A label row read from a dict (and metadata) that its holder keeps and never changes, such as
 * the runner's prefetched rows, which every attempt of a task reads afresh: nothing is copied up
 * front, since the row only reads what it keeps and writes copies. Not for dicts a caller may
 * still change: {@link LabelRow.fromEncordDict} copies for them.
 */
export function labelRowFromSharedDict(labelRowDict: LabelRowJson, options: LabelRowFromDictOptions): LabelRow {
  return LabelRow[fromSharedDict](labelRowDict, options);
}
