import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const version = (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version;

test("the public surface is exactly what src/index.ts names", async () => {
  const api = await import("../src/index.js");
  expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
    [
      "Annotation",
      "Attribute",
      "AttributeOption",
      "AudioCoordinates",
      "BackendError",
      "BitmaskCoordinates",
      "BoundingBoxCoordinates",
      "Classification",
      "ClassificationInstance",
      "ConfigurationError",
      "Cuboid2DIsometricCoordinates",
      "Cuboid2DPerspectiveCoordinates",
      "CuboidCoordinates",
      "DataInputError",
      "EncordApiError",
      "HandlerReturnError",
      "HtmlCoordinates",
      "LabelError",
      "LabelRow",
      "MediaError",
      "NotFoundError",
      "NotificationRefusedError",
      "OBJECT_SHAPES",
      "ObjectAnnotation",
      "ObjectInstance",
      "Ontology",
      "OntologyDataModel",
      "OntologyObject",
      "PointCoordinate",
      "PolygonCoordinates",
      "PolylineCoordinates",
      "QueueRunner",
      "RgbImage",
      "RotatableBoundingBoxCoordinates",
      "Runner",
      "SkeletonCoordinates",
      "SkeletonTemplate",
      "SpecValidationError",
      "TaskAgentsError",
      "TextCoordinates",
      "asset",
      "audioRangeToSamples",
      "audioSamples",
      "decodeImage",
      "decodeRle",
      "defineDependency",
      "defineProject",
      "encodeRle",
      "encordBackend",
      "encordSettingsFromEnv",
      "isBackendError",
      "isConfigurationError",
      "isEncordApiError",
      "isLabelError",
      "isMediaError",
      "isNotificationRefusedError",
      "isTaskAgentsError",
      "labelRow",
      "loadProjectSpec",
      "localBackend",
      "objectCrops",
      "parseEncordNotification",
      "samplesToAudioRange",
      "signEncordNotification",
      "singleFrame",
      "storageItem",
      "toTaskSpec",
      "twinLabelRow",
      "validateProjectSpec",
      "verifyEncordNotification",
      "videoFrames",
      "videoSampler",
    ]
  `);
});

// These two run against the build that `npm test` makes first: they prove the package as users install it.
test('the built package resolves as "task-agents" and its bin prints the version', () => {
  const imported = execFileSync(process.execPath, ["--input-type=module", "-e", "const m = await import('task-agents'); console.log(typeof m.localBackend)"], {
    cwd: root,
    encoding: "utf8",
  });
  expect(imported.trim()).toBe("function");
  const printed = execFileSync(process.execPath, ["dist/cli/main.js", "--version"], { cwd: root, encoding: "utf8" });
  expect(printed.trim()).toBe(version);
});

test("errors are recognised across copies of the package by brand, not instanceof", async () => {
  const api = await import("../src/index.js");
  const error = new api.ConfigurationError("TA_INVALID_ARGUMENT", "bad");
  const lookalike = Object.assign(Object.create(null) as object, { [Symbol.for("task-agents.error")]: true });
  expect(api.isTaskAgentsError(error)).toBe(true);
  expect(api.isTaskAgentsError(lookalike)).toBe(true);
  expect(api.isTaskAgentsError(new Error("plain"))).toBe(false);
  expect(error.code).toBe("TA_INVALID_ARGUMENT");
});

test("importing the library does not load the command-line code (commander); the CLI does", () => {
  const loadedBy = (module: string): string[] =>
    JSON.parse(
      execFileSync(
        process.execPath,
        [
          "--input-type=module",
          "-e",
          `import { createRequire } from "node:module"; await import(${JSON.stringify(module)}` +
            `); console.log(JSON.stringify(Object.keys(createRequire(import.meta.url).cache).filter((k) ` +
            `=> /node_modules[\\\\/](commander|@commander-js)[\\\\/]/.test(k))));`,
        ],
        { cwd: root, encoding: "utf8" },
      ),
    ) as string[];
  expect(loadedBy("task-agents")).toEqual([]);
  expect(loadedBy("task-agents/bullmq")).toEqual([]);
  expect(loadedBy("./dist/cli/run-cli.js").length).toBeGreaterThan(0);
});

test("the published type declarations hold no @internal member (npm test builds dist/ first)", () => {
  const declarations = (file: string) => readFileSync(new URL(`../dist/${file}`, import.meta.url), "utf8");
  const runner = declarations("runner/runner.d.ts");
  for (const member of ["useBackend", "hasOwnBackend", "backendInUse", "streams"]) expect(runner, member).not.toMatch(new RegExp(`\\b${member}\\b`));
  const queueRunner = declarations("runner/queue-runner.d.ts");
  for (const member of ["useLogger", "handleForWorker", "hasOwnBackend", "useBackend"]) expect(queueRunner, member).not.toMatch(new RegExp(`\\b${member}\\b`));
  // Users receive these: they are named, not only reachable.
  expect(declarations("index.d.ts")).toMatch(/WorkerBatchResult/);
});
