/**
 * Type-level test of typed ontology access, checked by `tsc` like typed-runner.ts: references of
 * a generated module, the runtime nodes `ontology.getChild()` gives for them, and answers typed
 * by attribute kind. Nothing here is run.
 */
import { expectTypeOf } from "vitest";
import type { AttributeOption, LabelRow, OntologyObject, TypedOption } from "../../src/index.js";
import project from "./typed-project.js";

const { objects, classifications } = project.ontology;

export function references(): void {
  expectTypeOf(objects.Cat.featureNodeHash).toEqualTypeOf<"catHash1">();
  expectTypeOf(objects.Cat.attributes.Colour.type).toEqualTypeOf<"radio">();
  expectTypeOf(objects.Cat.attributes.Colour.options["dark grey"].title).toEqualTypeOf<"dark grey">();
  expectTypeOf(objects.Cat.attributes.Colour.options.red.attributes.Shade.type).toEqualTypeOf<"text">();
  // Clashing titles get their hash in the key.
  expectTypeOf(objects["Box (boxOne)"].shape).toEqualTypeOf<"bounding_box">();
  expectTypeOf(objects["Box (boxTwo)"].shape).toEqualTypeOf<"polygon">();
  // A classification's options are its first attribute's.
  expectTypeOf(classifications.Size.options.thumbnail.featureNodeHash).toEqualTypeOf<"sizeThumb">();
  expectTypeOf(classifications["Weather today"].type).toEqualTypeOf<"checklist">();
  // @ts-expect-error: no object "Bird"
  void objects.Bird;
  // @ts-expect-error: "Box" clashes, so it is only there with its hash
  void objects.Box;
  // @ts-expect-error: no option "green"
  void objects.Cat.attributes.Colour.options.green;
}

export function answers(labelRow: LabelRow): void {
  const ontology = labelRow.ontology;
  const cat = ontology.getChild(objects.Cat);
  expectTypeOf(cat).toExtend<OntologyObject>();
  const colour = ontology.getChild(objects.Cat.attributes.Colour);
  const red = ontology.getChild(objects.Cat.attributes.Colour.options.red);
  const grey = ontology.getChild(objects.Cat.attributes.Colour.options["dark grey"]);
  const tags = ontology.getChild(objects.Cat.attributes.Tags);
  const sleepy = ontology.getChild(objects.Cat.attributes.Tags.options.sleepy);
  const note = ontology.getChild(objects.Cat.attributes.Note);
  const lives = ontology.getChild(objects.Cat.attributes.Lives);
  const shade = ontology.getChild(objects.Cat.attributes.Colour.options.red.attributes.Shade);
  expectTypeOf(red).toExtend<AttributeOption>();

  const instance = cat.createInstance();
  // radio → an option, checklist → options, text → string, numeric → number; nested attributes too.
  instance.setAnswer(red, { attribute: colour });
  instance.setAnswer(grey, { attribute: colour, overwrite: true });
  instance.setAnswer([sleepy], { attribute: tags });
  instance.setAnswer("fluffy", { attribute: note });
  instance.setAnswer(9, { attribute: lives });
  instance.setAnswer("crimson", { attribute: shade });
  expectTypeOf(instance.getAnswer(colour)).toEqualTypeOf<TypedOption<"catRed" | "catGrey"> | undefined>();
  expectTypeOf(instance.getAnswer(tags)).toEqualTypeOf<readonly TypedOption<"tagSleepy" | "tagHungry">[] | undefined>();
  expectTypeOf(instance.getAnswer(note)).toEqualTypeOf<string | undefined>();
  expectTypeOf(instance.getAnswer(lives)).toEqualTypeOf<number | undefined>();
  labelRow.addObjectInstance(instance);

  const dogColour = ontology.getChild(objects.Dog.attributes.Colour);
  const black = ontology.getChild(objects.Dog.attributes.Colour.options.black);
  // @ts-expect-error: "black" is an option of the Dog's Colour, not of the Cat's
  instance.setAnswer(black, { attribute: colour });
  // @ts-expect-error: the Dog's Colour is not an attribute of Cat
  instance.setAnswer(black, { attribute: dogColour });
  // @ts-expect-error: a radio attribute takes one option, not a list
  instance.setAnswer([red], { attribute: colour });
  // @ts-expect-error: a checklist takes a list
  instance.setAnswer(sleepy, { attribute: tags });
  // @ts-expect-error: a text attribute takes a string
  instance.setAnswer(3, { attribute: note });
  // @ts-expect-error: a numeric attribute takes a number
  instance.setAnswer("nine", { attribute: lives });
  // @ts-expect-error: an option from getChildByTitle is not known to belong to this attribute
  instance.setAnswer(ontology.getChildByTitle("red", "option"), { attribute: colour });

  const size = ontology.getChild(classifications.Size).createInstance();
  const thumbnail = ontology.getChild(classifications.Size.options.thumbnail);
  size.setAnswer(thumbnail);
  expectTypeOf(size.getAnswer()).toEqualTypeOf<TypedOption<"sizeThumb" | "sizeRegular"> | undefined>();
  if (size.getAnswer() === thumbnail) labelRow.addClassificationInstance(size);
  // @ts-expect-error: "red" is no option of "Size"
  size.setAnswer(red);
  const weather = ontology.getChild(classifications["Weather today"]).createInstance();
  weather.setAnswer([ontology.getChild(classifications["Weather today"].options.sun)]);
  // @ts-expect-error: "Weather today" is a checklist
  weather.setAnswer(ontology.getChild(classifications["Weather today"].options.sun));
}
