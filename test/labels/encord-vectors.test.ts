/**
 * Every label-row and ontology vector the Python SDK produced (test/fixtures/encord, copied from
 * the shared fixtures) replayed through the public API.
 */
import { describe, expect, it } from "vitest";
import { Classification, LabelRow, Ontology, type LabelRowJson, type LabelRowMetadataJson } from "../../src/index.js";
import { compareJson, loadVectors } from "../support/encord-vectors.js";
import { replayOperations, type Operation } from "../support/label-ops.js";

interface Reserialisation {
  stable: boolean;
  stable_ignoring_list_order: boolean;
  expected_after_reload?: unknown;
  nondeterministic_paths_after_reload?: string[];
}

interface RoundTripVector {
  case: string;
  ontology: Record<string, unknown>;
  label_row_metadata: LabelRowMetadataJson | null;
  input: LabelRowJson;
  expected: LabelRowJson;
  sdk_test_comparison: { mode: string };
  exclude_paths: { regex?: string; path?: string; pattern?: string }[] | string[];
  nondeterministic_paths: string[];
  reserialisation_check: Reserialisation;
}

interface OpsVector {
  case: string;
  ontology: Record<string, unknown>;
  label_row_metadata: LabelRowMetadataJson | null;
  start: LabelRowJson;
  operations: Operation[];
  expected: LabelRowJson;
  nondeterministic_paths: string[];
  reserialisation_check: Reserialisation;
}

interface OntologyVector {
  case: string;
  kind: "ontology_structure" | "classification";
  input: Record<string, unknown>;
  expected: Record<string, unknown>;
}

function excludePatterns(vector: RoundTripVector): string[] {
  return (vector.exclude_paths as unknown[]).map((entry) =>
    typeof entry === "string"
      ? entry
      : String((entry as Record<string, unknown>)["regex"] ?? (entry as Record<string, unknown>)["pattern"] ?? (entry as Record<string, unknown>)["path"]),
  );
}

function read(dict: unknown, ontology: Record<string, unknown>, metadata: LabelRowMetadataJson | null): LabelRow {
  return LabelRow.fromEncordDict(dict as LabelRowJson, { ontology, ...(metadata === null ? {} : { metadata }) });
}

/** Feeds the SDK's output back in: it must give what the SDK gave on its second hop. */
function expectReserialisation(
  expected: unknown,
  vector: {
    ontology: Record<string, unknown>;
    label_row_metadata: LabelRowMetadataJson | null;
    reserialisation_check: Reserialisation;
    nondeterministic_paths: string[];
  },
): void {
  const again = read(expected, vector.ontology, vector.label_row_metadata).toEncordDict();
  const check = vector.reserialisation_check;
  const reference = check.expected_after_reload ?? expected;
  const nondeterministic = check.nondeterministic_paths_after_reload ?? vector.nondeterministic_paths;
  expect(compareJson(again, reference, { nondeterministicPaths: nondeterministic })).toEqual([]);
}

describe("round-trip vectors (labels dict → LabelRow → toEncordDict)", () => {
  for (const { file, vector } of loadVectors<RoundTripVector>("labels/roundtrip")) {
    it(`${vector.case} (${file})`, () => {
      const row = read(vector.input, vector.ontology, vector.label_row_metadata);
      const rules = {
        allListsOrdered: vector.sdk_test_comparison.mode === "python_equality",
        nondeterministicPaths: vector.nondeterministic_paths,
      };
      expect(compareJson(row.toEncordDict(), vector.expected, rules)).toEqual([]);
      expectReserialisation(vector.expected, vector);
    });

    it(`${vector.case}: the SDK test's own comparison (with its excluded paths) holds`, () => {
      const output = read(vector.input, vector.ontology, vector.label_row_metadata).toEncordDict();
      expect(
        compareJson(output, vector.input, { excludePaths: excludePatterns(vector), allListsOrdered: vector.sdk_test_comparison.mode === "python_equality" })
          .length,
      ).toBe(
        compareJson(vector.expected, vector.input, {
          excludePaths: excludePatterns(vector),
          allListsOrdered: vector.sdk_test_comparison.mode === "python_equality",
        }).length,
      );
    });
  }
});

describe("operation vectors (start row + public operations → toEncordDict)", () => {
  for (const { file, vector } of loadVectors<OpsVector>("labels/ops")) {
    it(`${vector.case} (${file})`, () => {
      const row = read(vector.start, vector.ontology, vector.label_row_metadata);
      replayOperations(row, vector.operations);
      expect(compareJson(row.toEncordDict(), vector.expected, { nondeterministicPaths: vector.nondeterministic_paths })).toEqual([]);
      expectReserialisation(vector.expected, vector);
    });
  }
});

describe("ontology vectors (fromDict → toDict)", () => {
  for (const { file, vector } of loadVectors<OntologyVector>("ontology")) {
    it(`${vector.case} (${file})`, () => {
      const once = vector.kind === "classification" ? Classification.fromDict(vector.input).toDict() : Ontology.fromDict(vector.input).toDict();
      expect(compareJson(once, vector.expected, { allListsOrdered: true })).toEqual([]);
      const twice = vector.kind === "classification" ? Classification.fromDict(once).toDict() : Ontology.fromDict(once).toDict();
      expect(compareJson(twice, vector.expected, { allListsOrdered: true })).toEqual([]);
    });
  }
});
