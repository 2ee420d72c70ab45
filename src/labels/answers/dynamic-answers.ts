import { cloneJson } from "../clone-json.js";
import { LabelError } from "../../domain/errors.js";
import { framesToRanges, rangesToFrames } from "../frames.js";
import { walkAttributes, type Attribute } from "../ontology/attribute.js";
import { isJsonObject, type JsonObject } from "../ontology/wire.js";
import { shortHash } from "../short-hash.js";
import { answerFromWire, answerKey, answerToWire, checkAnswer, sameAnswer, type AnswerValue } from "./answer-codec.js";
import { resolveAttribute, type AttributeOwner } from "./attribute-lookup.js";

interface FrameAnswer {
  value: AnswerValue;
  manualAnnotation: boolean;
  trackHash: string;
  shouldPropagate: boolean;
  extra: JsonObject;
}

/** The answer of a dynamic attribute over a set of frames. */
export interface DynamicAnswer {
  readonly attribute: Attribute;
  readonly value: AnswerValue;
  readonly frames: number[];
  readonly ranges: [number, number][];
  readonly manualAnnotation: boolean;
  readonly trackHash: string;
}

const KNOWN_ACTION_KEYS = new Set(["name", "value", "featureHash", "answers", "manualAnnotation", "dynamic", "range", "shouldPropagate", "trackHash"]);

/**
 * Answers of an object's dynamic attributes, one per frame. Frames that share attribute, answer
 * and track are written as one `object_actions` entry with their frame ranges.
 */
export class DynamicAnswers {
  readonly #owner: AttributeOwner;
  readonly #answers = new Map<Attribute, Map<number, FrameAnswer>>();
  readonly #unread: JsonObject[] = [];

  constructor(owner: AttributeOwner) {
    this.#owner = owner;
  }

  /** The owner's dynamic attribute meant by `attribute`. */
  attribute(attribute: Attribute | string): Attribute {
    return resolveAttribute(this.#owner, attribute);
  }

  set(attribute: Attribute, answer: unknown, frames: readonly number[], options: { overwrite: boolean; manualAnnotation: boolean }): void {
    const value = checkAnswer(attribute, answer);
    const byFrame = this.#answers.get(attribute) ?? new Map<number, FrameAnswer>();
    if (!options.overwrite) {
      const taken = frames.filter((frame) => byFrame.has(frame));
      if (taken.length > 0) {
        throw new LabelError(
          "TA_INVALID_LABEL",
          `Attribute "${attribute.name}" is already answered on frame${taken.length === 1 ? "" : "s"} ${taken.join(", ")}; pass overwrite: true to replace it.`,
        );
      }
    }
    // Frames given the same answer join its track, as they would in the editor.
    const sameTrack = [...byFrame.values()].find((existing) => sameAnswer(existing.value, value) && existing.manualAnnotation === options.manualAnnotation);
    const trackHash = sameTrack?.trackHash ?? shortHash();
    for (const frame of frames) byFrame.set(frame, { value, manualAnnotation: options.manualAnnotation, trackHash, shouldPropagate: false, extra: {} });
    this.#answers.set(attribute, byFrame);
  }

  /** Answers of one attribute grouped into tracks, each with its frames. */
  get(attribute: Attribute): DynamicAnswer[] {
    return this.#groups(attribute).map(({ answer, frames }) => ({
      attribute,
      value: answer.value,
      frames,
      ranges: framesToRanges(frames),
      manualAnnotation: answer.manualAnnotation,
      trackHash: answer.trackHash,
    }));
  }

  delete(attribute: Attribute, filter: { filterAnswer?: unknown; filterFrame?: number }): void {
    const byFrame = this.#answers.get(attribute);
    if (byFrame === undefined) return;
    const answer = filter.filterAnswer === undefined ? undefined : checkAnswer(attribute, filter.filterAnswer);
    for (const [frame, stored] of [...byFrame]) {
      if (filter.filterFrame !== undefined && frame !== filter.filterFrame) continue;
      if (answer !== undefined && !sameAnswer(stored.value, answer)) continue;
      byFrame.delete(frame);
    }
    if (byFrame.size === 0) this.#answers.delete(attribute);
  }

  /** Drops the answers of frames the object no longer has. */
  removeFrames(frames: readonly number[]): void {
    for (const [attribute, byFrame] of this.#answers) {
      for (const frame of frames) byFrame.delete(frame);
      if (byFrame.size === 0) this.#answers.delete(attribute);
    }
  }

  /** Reads an `object_actions[h].actions` list. */
  readWire(actions: unknown): void {
    if (!Array.isArray(actions)) return;
    const all = [...walkAttributes(this.#owner.attributes)];
    for (const action of actions as unknown[]) {
      if (!isJsonObject(action)) continue;
      const attribute = all.find((candidate) => candidate.featureNodeHash === action["featureHash"]);
      const value = attribute === undefined ? null : answerFromWire(attribute, action["answers"]);
      let frames: number[] | null = null;
      try {
        frames = rangesToFrames(action["range"], "object_actions range");
      } catch {
        frames = null;
      }
      if (attribute === undefined || value === null || frames === null) {
        this.#unread.push(cloneJson(action));
        continue;
      }
      if (value === undefined) continue;
      const extra = cloneJson(Object.fromEntries(Object.entries(action).filter(([key]) => !KNOWN_ACTION_KEYS.has(key))));
      const byFrame = this.#answers.get(attribute) ?? new Map<number, FrameAnswer>();
      const trackHash = typeof action["trackHash"] === "string" ? action["trackHash"] : shortHash();
      for (const frame of frames) {
        const earlier = byFrame.get(frame);
        // The web app writes a dynamic checklist as one entry per option with overlapping ranges.
        if (earlier !== undefined && attribute.type === "checklist") {
          earlier.value = [...new Set([...(earlier.value as readonly AnswerValue[]), ...(value as readonly AnswerValue[])])] as AnswerValue;
        } else {
          byFrame.set(frame, {
            value,
            manualAnnotation: action["manualAnnotation"] !== false,
            trackHash,
            shouldPropagate: action["shouldPropagate"] === true,
            extra,
          });
        }
      }
      this.#answers.set(attribute, byFrame);
    }
  }

  /** The wire `actions` list. */
  toWire(): JsonObject[] {
    const out: JsonObject[] = [];
    for (const attribute of walkAttributes(this.#owner.attributes)) {
      for (const { answer, frames } of this.#groups(attribute)) {
        out.push({
          name: attribute.name,
          value: attribute.value,
          featureHash: attribute.featureNodeHash,
          answers: answerToWire(attribute, answer.value),
          manualAnnotation: answer.manualAnnotation,
          dynamic: true,
          range: framesToRanges(frames),
          shouldPropagate: answer.shouldPropagate,
          trackHash: answer.trackHash,
          ...cloneJson(answer.extra),
        });
      }
    }
    return [...out, ...this.#unread.map((entry) => cloneJson(entry))];
  }

  get isEmpty(): boolean {
    return this.#answers.size === 0 && this.#unread.length === 0;
  }

  #groups(attribute: Attribute): { answer: FrameAnswer; frames: number[] }[] {
    const byFrame = this.#answers.get(attribute);
    if (byFrame === undefined) return [];
    const groups = new Map<string, { answer: FrameAnswer; frames: number[] }>();
    for (const frame of [...byFrame.keys()].sort((a, b) => a - b)) {
      const answer = byFrame.get(frame) as FrameAnswer;
      const key = `${answer.trackHash}\u0000${answerKey(answer.value)}\u0000${answer.manualAnnotation}`;
      const group = groups.get(key);
      if (group === undefined) groups.set(key, { answer, frames: [frame] });
      else group.frames.push(frame);
    }
    return [...groups.values()];
  }
}
