import type { Logger } from "pino";
import { describe, expectTypeOf, test } from "vitest";
import {
  defineDependency,
  labelRow,
  Runner,
  storageItem,
  type AgentStage,
  type AgentTask,
  type Dependency,
  type ExecuteOptions,
  type HandlerContext,
  type HandlerResult,
  type LabelRow,
  type Project,
  type RunReport,
  type StageHandler,
  type StorageItem,
} from "../../src/index.js";

// No backend: no project is ever loaded.
// These tests are checked by `tsc` (test/ is part of tsconfig.json); at run time they only build handlers.
describe("handler types", () => {
  // A fresh runner per registration: nothing here executes, the handlers only have to type-check.
  const newRunner = () => new Runner({ projectHash: "00000000-0000-4000-8000-000000000000" });

  test("the context always has task, stage, project, signal and logger", () => {
    newRunner().stage("Pre-label", (context) => {
      expectTypeOf(context.task).toEqualTypeOf<AgentTask>();
      expectTypeOf(context.stage).toEqualTypeOf<AgentStage>();
      expectTypeOf(context.project).toEqualTypeOf<Project>();
      expectTypeOf(context.signal).toEqualTypeOf<AbortSignal>();
      expectTypeOf(context.logger).toEqualTypeOf<Logger>();
      expectTypeOf(context.task.uuid).toBeString();
      expectTypeOf(context.stage.pathways[0]!.destinationUuid).toBeString();
      // @ts-expect-error: no dependency was declared, so there is no labelRow
      void context.labelRow;
      // @ts-expect-error: tasks have no "title"
      void context.task.title;
      return null;
    });
  });

  test("built-in dependencies give a LabelRow and a StorageItem", () => {
    newRunner().stage("Pre-label", { deps: { labelRow, storageItem } }, ({ labelRow, storageItem }) => {
      expectTypeOf(labelRow).toEqualTypeOf<LabelRow>();
      expectTypeOf(storageItem).toEqualTypeOf<StorageItem>();
      expectTypeOf<Parameters<typeof labelRow.setPriority>>().toEqualTypeOf<[priority: number]>();
      expectTypeOf(storageItem.width).toEqualTypeOf<number | null>();
      // @ts-expect-error: a label row has no "pathway"
      void labelRow.pathway;
      // @ts-expect-error: storage items say "name", not "title"
      void storageItem.title;
      return { pathway: "annotate", labelRow };
    });
  });

  test("a user dependency's value is typed, also from an async resolve and through other dependencies", () => {
    const model = defineDependency({ resolve: () => ({ predict: (input: string) => input.length }) });
    const remote = defineDependency({ resolve: async () => ({ version: 2 as const }) });
    const size = defineDependency({
      deps: { storageItem, model },
      resolve: ({ storageItem, model }) => {
        expectTypeOf(storageItem).toEqualTypeOf<StorageItem>();
        expectTypeOf(model.predict).returns.toBeNumber();
        return { width: storageItem.width ?? 0, score: model.predict(storageItem.name) };
      },
      dispose: (value) => {
        expectTypeOf(value).toEqualTypeOf<{ width: number; score: number }>();
      },
    });
    expectTypeOf(remote).toEqualTypeOf<Dependency<{ version: 2 }>>();
    newRunner().stage("Pre-label", { deps: { model, remote, size } }, (context) => {
      const { model, remote, size, task } = context;
      expectTypeOf(model.predict).toEqualTypeOf<(input: string) => number>();
      expectTypeOf(remote).toEqualTypeOf<{ version: 2 }>();
      expectTypeOf(remote).not.toEqualTypeOf<Promise<{ version: 2 }>>();
      expectTypeOf(size).toEqualTypeOf<{ width: number; score: number }>();
      expectTypeOf(task).toEqualTypeOf<AgentTask>();
      // @ts-expect-error: "remote" resolves to { version }, not a promise
      void remote.then;
      // @ts-expect-error: no dependency is called "sizes"
      void context.sizes;
      return null;
    });
  });

  test("HandlerContext names the same shape", () => {
    type Context = HandlerContext<{ labelRow: Dependency<LabelRow> }>;
    expectTypeOf<Context["labelRow"]>().toEqualTypeOf<LabelRow>();
    expectTypeOf<Context["task"]>().toEqualTypeOf<AgentTask>();
    expectTypeOf<Context>().not.toHaveProperty("storageItem");
  });

  test("handlers may return a pathway, nothing, or a decision, sync or async; other values are type errors", () => {
    const runner = newRunner();
    const handler = runner.stage("Pre-label", async () => ({ pathway: "annotate", labelRowPriority: 0 }));
    expectTypeOf(handler).toEqualTypeOf<StageHandler>();
    expectTypeOf<string>().toExtend<HandlerResult>();
    expectTypeOf<null>().toExtend<HandlerResult>();
    expectTypeOf<undefined>().toExtend<HandlerResult>();
    expectTypeOf<{ pathway: string; labelRow: LabelRow; labelRowPriority: number }>().toExtend<HandlerResult>();
    expectTypeOf<number>().not.toExtend<HandlerResult>();
    expectTypeOf<{ pathway: number }>().not.toExtend<HandlerResult>();
    // Never called: these registrations would (rightly) throw at run time.
    const wrong = () => {
      // @ts-expect-error: a handler may not return a number
      runner.stage("Pre-label", { overwrite: true }, () => 42);
      // @ts-expect-error: "labelRowPriority" is a number
      runner.stage("Pre-label", { overwrite: true }, () => ({ pathway: "annotate", labelRowPriority: "high" }));
      // @ts-expect-error: unknown stage option
      runner.stage("Pre-label", { retries: 3 }, () => null);
    };
    expectTypeOf(wrong).toBeFunction();
  });

  test("execute() resolves to a RunReport and checks its options", () => {
    const runner = newRunner();
    expectTypeOf<ReturnType<Runner["execute"]>>().toEqualTypeOf<Promise<RunReport>>();
    expectTypeOf<Parameters<Runner["execute"]>>().toEqualTypeOf<[options?: ExecuteOptions]>();
    expectTypeOf<ExecuteOptions["refreshEvery"]>().toEqualTypeOf<number | undefined>();
    expectTypeOf<ExecuteOptions["signal"]>().toEqualTypeOf<AbortSignal | undefined>();
    // @ts-expect-error: unknown execute option
    expectTypeOf((options: ExecuteOptions) => runner.execute(options)).toBeCallableWith({ retries: 3 });
  });
});
