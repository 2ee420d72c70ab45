/** Ontology behaviour through the public API: reading, writing, lookups and invalid structures. */
import { describe, expect, it } from "vitest";
import { Attribute, AttributeOption, Classification, LabelError, Ontology, OntologyObject } from "../../src/index.js";
import { allTypesStructure, HASH } from "./label-fixtures.js";

type Json = Record<string, unknown>;

function expectOntologyError(structure: unknown, message: RegExp): void {
  let thrown: unknown;
  try {
    Ontology.fromDict(structure);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(LabelError);
  expect((thrown as LabelError).code).toBe("TA_INVALID_ONTOLOGY");
  expect((thrown as LabelError).message).toMatch(message);
}

/** The all-types structure with one change made by `edit`. */
function edited(edit: (structure: { objects: Json[]; classifications: Json[] }) => void): Json {
  const structure = allTypesStructure();
  edit(structure as { objects: Json[]; classifications: Json[] });
  return structure;
}

describe("Ontology.fromDict / toDict", () => {
  it("gives back the SDK's to_dict() output", () => {
    const structure = allTypesStructure();
    expect(Ontology.fromDict(structure).toDict()).toEqual(structure);
  });

  it("does not change the structure it reads, and toDict() gives a fresh object each call", () => {
    const structure = allTypesStructure();
    const before = structuredClone(structure);
    const ontology = Ontology.fromDict(structure);
    expect(structure).toEqual(before);
    const first = ontology.toDict();
    (first["objects"] as Json[]).pop();
    expect(ontology.toDict()).toEqual(before);
  });

  it("adds the SDK's defaults: required, archived, dynamic and skeleton_templates", () => {
    const ontology = Ontology.fromDict({
      objects: [
        {
          id: "1",
          name: "Car",
          color: "#fff",
          shape: "bounding_box",
          featureNodeHash: "car00001",
          attributes: [{ id: "1.1", name: "Colour", type: "text", featureNodeHash: "colour01" }],
        },
      ],
      classifications: [
        {
          id: "2",
          featureNodeHash: "cls00001",
          attributes: [
            {
              id: "2.1",
              name: "Weather",
              type: "radio",
              featureNodeHash: "weather1",
              options: [{ id: "2.1.1", label: "Sunny", value: "sunny", featureNodeHash: "sunny001" }],
            },
          ],
        },
      ],
    });
    expect(ontology.toDict()).toEqual({
      objects: [
        {
          id: "1",
          name: "Car",
          color: "#fff",
          shape: "bounding_box",
          featureNodeHash: "car00001",
          required: false,
          archived: false,
          attributes: [{ id: "1.1", name: "Colour", type: "text", featureNodeHash: "colour01", required: false, archived: false, dynamic: false }],
        },
      ],
      classifications: [
        {
          id: "2",
          featureNodeHash: "cls00001",
          attributes: [
            {
              id: "2.1",
              name: "Weather",
              type: "radio",
              featureNodeHash: "weather1",
              required: false,
              archived: false,
              dynamic: false,
              options: [{ id: "2.1.1", label: "Sunny", value: "sunny", featureNodeHash: "sunny001", archived: false }],
            },
          ],
        },
      ],
      skeleton_templates: [],
    });
  });

  it("exposes objects, classifications, attributes and options with their fields", () => {
    const ontology = Ontology.fromDict(allTypesStructure());
    expect(ontology.objects.map((object) => object.name)).toContain("Deeply Nested Polygon");
    const polygon = ontology.objects.find((object) => object.featureNodeHash === HASH.deeplyNestedPolygon) as OntologyObject;
    expect(polygon.shape).toBe("polygon");
    const radio = polygon.attributes[2] as Attribute;
    expect(radio).toMatchObject({ name: "Radio level 1 ", type: "radio", featureNodeHash: HASH.deepRadio, dynamic: false });
    expect(radio.options.map((option) => [option.label, option.value, option.featureNodeHash])).toEqual([
      ["1 option 1", "1_option_1", HASH.deepOption1],
      ["1 option 2", "1_option_2", HASH.deepOption2],
    ]);
    // A radio option's nested attributes.
    expect(radio.options[1]?.attributes.map((attribute) => [attribute.name, attribute.type])).toEqual([["Mood", "checklist"]]);
    const global = ontology.classifications.find((classification) => classification.featureNodeHash === HASH.global) as Classification;
    expect(global.isGlobal).toBe(true);
    expect(global.attributes[0]?.featureNodeHash).toBe(HASH.globalAttribute);
  });
});

describe("ontology.getChildByHash", () => {
  const ontology = Ontology.fromDict(allTypesStructure());

  it("finds objects, classifications, attributes and options themselves", () => {
    const object = ontology.getChildByHash(HASH.box);
    expect(object).toBeInstanceOf(OntologyObject);
    expect(object).toBe(ontology.objects[0]);

    const classification = ontology.getChildByHash(HASH.radioClassification);
    expect(classification).toBeInstanceOf(Classification);
    expect(classification).toBe(ontology.classifications[0]);

    const attribute = ontology.getChildByHash(HASH.radioClassificationAttribute);
    expect(attribute).toBeInstanceOf(Attribute);
    expect(attribute).toBe(ontology.classifications[0]?.attributes[0]);

    const option = ontology.getChildByHash(HASH.clOption2);
    expect(option).toBeInstanceOf(AttributeOption);
    expect((option as AttributeOption).label).toBe("cl 1 option 2");

    // An attribute nested under a radio option.
    const nested = ontology.getChildByHash(HASH.clNestedText);
    expect(nested).toMatchObject({ kind: "attribute", name: "cl 1 2 text", type: "text" });
  });

  it("narrows to one kind of node", () => {
    expect(ontology.getChildByHash(HASH.box, "object").shape).toBe("bounding_box");
    expect(ontology.getChildByHash(HASH.global, "classification").level).toBe("global");
    expect(ontology.getChildByHash(HASH.mood, "attribute").type).toBe("checklist");
    expect(ontology.getChildByHash(HASH.angry, "option").value).toBe("angry");
    expect(() => ontology.getChildByHash(HASH.box, "classification")).toThrow(LabelError);
    expect(() => ontology.getChildByHash(HASH.box, "classification")).toThrow(/no classification with feature node hash "MjI2NzEy"/);
    expect(() => ontology.getChildByHash(HASH.angry, "attribute")).toThrow(/no attribute with feature node hash "MTE5MjQ3"/);
  });

  it("returns the first match, depth first, when the ontology reuses a hash", () => {
    // "First name" (OTkxMjU1) is a dynamic attribute of Keypoint and a static one of Nested Box.
    const keypoint = ontology.getChildByHash(HASH.keypoint, "object");
    const nestedBox = ontology.getChildByHash(HASH.nestedBox, "object");
    const firstName = ontology.getChildByHash(HASH.firstName, "attribute");
    expect(firstName).toBe(keypoint.attributes[0]);
    expect(firstName).not.toBe(nestedBox.attributes[0]);
    expect(firstName.dynamic).toBe(true);
    // The same hash looked up inside each object gives that object's own attribute.
    expect(nestedBox.getChildByHash(HASH.firstName)).toBe(nestedBox.attributes[0]);
    expect((nestedBox.getChildByHash(HASH.firstName) as Attribute).dynamic).toBe(false);
    // The audio objects share "transcriptFeatureHash": the first audio object's wins.
    expect(ontology.getChildByHash("transcriptFeatureHash")).toBe(ontology.getChildByHash(HASH.audio1, "object").attributes[0]);
  });

  it("throws a LabelError naming an unknown hash", () => {
    expect(() => ontology.getChildByHash("nope1234")).toThrow(LabelError);
    expect(() => ontology.getChildByHash("nope1234")).toThrow(/no node with feature node hash "nope1234"/);
  });
});

describe("ontology.getChildByTitle", () => {
  const ontology = Ontology.fromDict(allTypesStructure());

  it("finds nodes by object name, classification name, attribute name and option label", () => {
    expect(ontology.getChildByTitle("Box")).toBe(ontology.getChildByHash(HASH.box));
    expect(ontology.getChildByTitle("Text classification", "classification")).toBe(ontology.getChildByHash(HASH.textClassification));
    expect(ontology.getChildByTitle("Text classification", "attribute")).toBe(ontology.getChildByHash(HASH.textClassificationAttribute));
    expect(ontology.getChildByTitle("Global Answer 1")).toMatchObject({ kind: "option", featureNodeHash: "3vLjF0q1" });
    // First match, depth first: Keypoint's Mood, not Nested Box's.
    expect(ontology.getChildByTitle("Mood", "attribute")).toBe(ontology.getChildByHash(HASH.keypoint, "object").attributes[1]);
  });

  it("throws a LabelError naming the unknown title and listing the titles there are", () => {
    expect(() => ontology.getChildByTitle("Bus")).toThrow(LabelError);
    expect(() => ontology.getChildByTitle("Bus")).toThrow(/no node titled "Bus"; it has .*"Box".*"Deeply Nested Polygon"/);
    expect(() => ontology.getChildByTitle("Box", "classification")).toThrow(
      new RegExp(
        'no classification titled "Box"; it has "Radio classification 1", ' +
          '"Text classification", "Checklist classification", "Text ' +
          'classification 2" or "Global classification"',
      ),
    );
  });
});

describe("invalid ontology structures", () => {
  it("refuses a structure that is not an object, or lists that are not lists", () => {
    expectOntologyError([], /Ontology structure must be an object; got a list/);
    expectOntologyError(null, /Ontology structure must be an object; got null/);
    expectOntologyError({ objects: {} }, /Ontology structure\.objects must be a list; got an object/);
    expectOntologyError({ objects: ["box"] }, /Ontology objects\[0\] must be an object; got string "box"/);
  });

  it("refuses an unknown object shape, naming its path and the accepted shapes", () => {
    expectOntologyError(
      edited((s) => {
        (s.objects[1] as Json)["shape"] = "circle";
      }),
      /objects\[1\]\.shape is string "circle"; accepted shapes: bounding_box, .*polygon/,
    );
  });

  it("refuses an unknown attribute type, naming its path and the accepted types", () => {
    expectOntologyError(
      edited((s) => {
        const attributes = (s.objects[3] as Json)["attributes"] as Json[];
        (attributes[1] as Json)["type"] = "slider";
      }),
      /objects\[3\]\.attributes\[1\]\.type is string "slider"; accepted attribute types: radio, checklist, text, numeric/,
    );
  });

  it("names the path of a bad attribute nested under a radio option", () => {
    expectOntologyError(
      edited((s) => {
        const radio = ((s.objects[5] as Json)["attributes"] as Json[])[2] as Json;
        const option = (radio["options"] as Json[])[1] as Json;
        delete ((option["options"] as Json[])[0] as Json)["featureNodeHash"];
      }),
      /objects\[5\]\.attributes\[2\]\.options\[1\]\.options\[0\]\.featureNodeHash must be a string; got nothing/,
    );
  });

  it("refuses an object, classification or option without a featureNodeHash", () => {
    expectOntologyError(
      edited((s) => {
        delete (s.objects[0] as Json)["featureNodeHash"];
      }),
      /objects\[0\]\.featureNodeHash must be a string; got nothing/,
    );
    expectOntologyError(
      edited((s) => {
        (s.classifications[2] as Json)["featureNodeHash"] = 12;
      }),
      /classifications\[2\]\.featureNodeHash must be a string; got number 12/,
    );
    expectOntologyError(
      edited((s) => {
        const checklist = ((s.classifications[2] as Json)["attributes"] as Json[])[0] as Json;
        delete ((checklist["options"] as Json[])[1] as Json)["featureNodeHash"];
      }),
      /classifications\[2\]\.attributes\[0\]\.options\[1\]\.featureNodeHash must be a string/,
    );
  });

  it("refuses a classification without attributes", () => {
    expectOntologyError(
      edited((s) => {
        (s.classifications[1] as Json)["attributes"] = [];
      }),
      /classifications\[1\] has no attributes; a classification needs at least one/,
    );
    expectOntologyError(
      edited((s) => {
        delete (s.classifications[0] as Json)["attributes"];
      }),
      /classifications\[0\] has no attributes/,
    );
  });

  it("refuses flags that are not booleans", () => {
    expectOntologyError(
      edited((s) => {
        (s.objects[0] as Json)["required"] = "yes";
      }),
      /objects\[0\]\.required must be true or false; got string "yes"/,
    );
  });
});
