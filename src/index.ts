/**
 * task-agents: run task agents on the agent stages of annotation workflows.
 * Every public name is listed here; anything not exported from this file is internal.
 */

// Runner
export { Runner } from "./runner/runner.js";
export type { ExecuteOptions, OutputMode, RunnerOptions, RunStageOptions } from "./runner/options.js";
export type { HandlerContext, HandlerDecision, HandlerResult, StageHandler, StageOptions } from "./runner/handler.js";
export type { RunEnd, RunReport, StageReport, TaskFailure } from "./runner/run-report.js";

// QueueRunner
export { QueueRunner } from "./runner/queue-runner.js";
export type { QueueAgentStage, QueueHandler, QueueRunnerOptions, WorkerBatchResult } from "./runner/queue-runner.js";
export { toTaskSpec } from "./runner/task-spec.js";
export type { TaskCompletionResult, TaskSpecJson } from "./runner/task-spec.js";

// Typed projects: modules written by `task-agents codegen`
export { defineProject } from "./codegen/define-project.js";
export type { PathwayOf, StageRefOf, TypedProject, TypedProjectOption } from "./codegen/define-project.js";
export type { AgentStageRef, PathwayRef, PathwayShape, ProjectShape, StageShape } from "./codegen/project-shape.js";
export type {
  AnswerOf,
  AttributeRef,
  AttributeShape,
  ClassificationRef,
  ClassificationShape,
  ObjectRef,
  OntologyObjectShape,
  OntologyRef,
  OntologyRefs,
  OntologyShape,
  OptionRef,
  OptionShape,
  TypedAttribute,
  TypedClassification,
  TypedClassificationInstance,
  TypedObjectInstance,
  TypedOntologyObject,
  TypedOption,
} from "./labels/ontology/typed-ontology.js";

// Dependencies
export { defineDependency } from "./deps/define-dependency.js";
export type { Dependency, DependencyDefinition, DependencyMap, ResolvedDependencies, TaskContext } from "./deps/define-dependency.js";
export { labelRow } from "./deps/label-row.js";
export { storageItem } from "./deps/storage-item.js";
export { asset } from "./deps/asset.js";
export { singleFrame, videoFrames, videoSampler } from "./deps/frames.js";
export type {
  DisplayWindow,
  FrameIterable,
  RawFrame,
  RawFrameOptions,
  RawPixels,
  SingleFrameOptions,
  VideoFrame,
  VideoFramesOptions,
  VideoSampler,
} from "./deps/frames.js";
export { objectCrops } from "./deps/object-crops.js";
export type { ObjectCrop, ObjectCropsOptions } from "./deps/object-crops.js";
export { twinLabelRow } from "./deps/twin-label-row.js";
export type { Twin, TwinLabelRowOptions } from "./deps/twin-label-row.js";
export { audioSamples } from "./deps/audio-samples.js";
export type { AudioChunk, AudioInfo, AudioSamples, AudioSamplesOptions, SampleRange } from "./deps/audio-samples.js";

// Media: pixels and the encodings model APIs take
export { RgbImage } from "./media/rgb-image.js";
export type { AnthropicImageContent, EncodeOptions, ImageFormat, OpenAIImageContent, PixelRect } from "./media/rgb-image.js";
export { decodeImage } from "./media/decode-image.js";
export { audioRangeToSamples, samplesToAudioRange } from "./media/audio-range.js";

// Labels and ontologies
export * from "./labels/index.js";

// Backends
export type {
  BackOff,
  Backend,
  BackendKind,
  BatchCommit,
  ClaimRelease,
  ClaimTasksOptions,
  CommitResult,
  InitialiseLabelsArgs,
  LabelSave,
  ListTasksOptions,
  PriorityUpdate,
  ReadStageOptions,
  RefusedMove,
  StageReader,
  StorageItemPatch,
  StoreBusyWait,
  TaskMove,
  TaskPage,
} from "./backends/backend.js";
export { localBackend } from "./backends/local/local-backend.js";
export { encordBackend } from "./backends/encord/encord-backend.js";
export type { EncordBackend, EncordBackendOptions } from "./backends/encord/encord-backend.js";
export { encordSettingsFromEnv } from "./backends/encord/settings.js";
export type { EncordCredentials, EncordSettings } from "./backends/encord/settings.js";
export type { DataSource, LocalBackend, LocalBackendOptions } from "./backends/local/local-backend.js";
export { validateProjectSpec, loadProjectSpec } from "./backends/local/project-spec.js";
export type { ProjectSpec, StageSpec } from "./backends/local/project-spec.js";

// Domain types
export type { AgentTask, TaskStatus, WorkflowTask } from "./domain/task.js";
export type { AgentStage, OntologyStructureJson, Pathway, Project, Stage, StageType } from "./domain/workflow.js";
export type { StorageItem, StorageItemType } from "./domain/storage-item.js";
export type { LabelRowJson, LabelRowMetadataJson, LabelRowMetadataIncludeArgs } from "./domain/label-row-json.js";

// Errors
export {
  BackendError,
  ConfigurationError,
  DataInputError,
  LabelError,
  MediaError,
  NotFoundError,
  SpecValidationError,
  TaskAgentsError,
  isBackendError,
  isConfigurationError,
  isLabelError,
  isMediaError,
  isTaskAgentsError,
} from "./domain/errors.js";
export type { ErrorCode } from "./domain/errors.js";
export { EncordApiError, isEncordApiError, type EncordApiErrorContext, type EncordErrorCode } from "./backends/encord/http/errors.js";
export { HandlerReturnError } from "./runner/handler-result.js";

// Encord task-ready notifications (the Hono receiver app is in "task-agents/notifications")
export {
  verifyEncordNotification,
  parseEncordNotification,
  signEncordNotification,
  NotificationRefusedError,
  isNotificationRefusedError,
} from "./notifications/public.js";
export type { EncordStageNotification, NotificationHeaders, NotificationRefusal, VerifyNotificationOptions } from "./notifications/public.js";
