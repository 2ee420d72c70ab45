// The label-row cases: parse + serialise of a video label row of 1,000 frames with 20 objects on
// every frame, through LabelRow.fromEncordDict / toEncordDict, against a plain JSON.parse +
// JSON.stringify of the same text in the same run.
import { LabelRow, Ontology } from "../../dist/index.js";
import { median } from "./common.mjs";

const PER_FRAME = 20;

export const ontology = Ontology.fromDict({
  objects: [
    {
      id: "1",
      name: "Car",
      color: "#D33115",
      shape: "bounding_box",
      featureNodeHash: "Y2FyYm94",
      attributes: [
        { id: "1.1", name: "Plate", type: "text", featureNodeHash: "cGxhdGU=", required: false },
        {
          id: "1.2",
          name: "Moving",
          type: "radio",
          featureNodeHash: "bW92aW5n",
          required: false,
          dynamic: true,
          options: [
            { id: "1.2.1", label: "yes", value: "yes", featureNodeHash: "eWVzeWVz" },
            { id: "1.2.2", label: "no", value: "no", featureNodeHash: "bm9ub25v" },
          ],
        },
      ],
    },
    { id: "2", name: "Person", color: "#FCDC00", shape: "polygon", featureNodeHash: "cGVyc29u" },
  ],
  classifications: [
    {
      id: "3",
      featureNodeHash: "d2VhdGhlcg==",
      attributes: [
        {
          id: "3.1",
          name: "Weather",
          type: "radio",
          featureNodeHash: "d2VhdGhlcjE=",
          required: false,
          options: [{ id: "3.1.1", label: "sunny", value: "sunny", featureNodeHash: "c3Vubnk=" }],
        },
      ],
    },
  ],
});
const ontologyDict = ontology.toDict();
const car = ontologyDict.objects[0];
const person = ontologyDict.objects[1];

const stamp = "Tue, 17 Jan 2023 11:43:52 UTC";
const meta = {
  createdAt: stamp,
  createdBy: "bench@example.com",
  confidence: 1,
  manualAnnotation: true,
  lastEditedAt: stamp,
  lastEditedBy: "bench@example.com",
};

function frameObject(objectHash, i, frame) {
  const isCar = i % 2 === 0;
  const o = isCar ? car : person;
  const base = { name: o.name, color: o.color, shape: o.shape, value: o.name.toLowerCase(), ...meta, objectHash, featureHash: o.featureNodeHash };
  const x = ((i * 37 + frame) % 90) / 100;
  if (isCar) return { ...base, boundingBox: { h: 0.05, w: 0.08, x, y: 0.4 } };
  const ring = [
    [x, 0.1],
    [x + 0.05, 0.12],
    [x + 0.04, 0.2],
    [x, 0.18],
  ];
  return {
    ...base,
    polygon: Object.fromEntries(ring.map(([px, py], k) => [String(k), { x: px, y: py }])),
    polygons: [[ring.flat()]],
  };
}

/**
 * A video label row of `frames` frames with 20 objects on each, tracked (the same 20 objects throughout, with dynamic
 * answers and a frame classification) or not (20 new objects per frame).
 */
export function videoRow(tracked, frames) {
  const FRAMES = frames;
  const labels = {};
  const objectAnswers = {};
  const objectActions = {};
  const hashOf = (i, frame) => (tracked ? `obj${String(i).padStart(5, "0")}` : `o${String(frame * PER_FRAME + i).padStart(7, "0")}`);
  for (let frame = 0; frame < FRAMES; frame++) {
    const objects = [];
    for (let i = 0; i < PER_FRAME; i++) {
      const hash = hashOf(i, frame);
      objects.push(frameObject(hash, i, frame));
      if (!(hash in objectAnswers)) {
        objectAnswers[hash] = {
          classifications: i % 2 === 0 ? [{ name: "Plate", value: "plate", answers: `AB-${i}`, featureHash: "cGxhdGU=", manualAnnotation: true }] : [],
          objectHash: hash,
        };
      }
    }
    const classifications =
      tracked && frame < FRAMES / 2 ? [{ name: "Weather", value: "weather", ...meta, featureHash: "d2VhdGhlcg==", classificationHash: "weather1" }] : [];
    labels[String(frame)] = { objects, classifications };
  }
  if (tracked) {
    for (let i = 0; i < PER_FRAME; i += 2) {
      const hash = hashOf(i, 0);
      objectActions[hash] = {
        actions: [
          {
            name: "Moving",
            value: "moving",
            featureHash: "bW92aW5n",
            answers: [{ name: "yes", value: "yes", featureHash: "eWVzeWVz" }],
            manualAnnotation: true,
            dynamic: true,
            range: [[0, FRAMES / 2 - 1]],
            shouldPropagate: false,
            trackHash: `t${i}`,
          },
          {
            name: "Moving",
            value: "moving",
            featureHash: "bW92aW5n",
            answers: [{ name: "no", value: "no", featureHash: "bm9ub25v" }],
            manualAnnotation: true,
            dynamic: true,
            range: [[FRAMES / 2, FRAMES - 1]],
            shouldPropagate: false,
            trackHash: `u${i}`,
          },
        ],
        objectHash: hash,
      };
    }
  }
  const classificationAnswers = tracked
    ? {
        weather1: {
          classifications: [
            {
              name: "Weather",
              value: "weather",
              answers: [{ name: "sunny", value: "sunny", featureHash: "c3Vubnk=" }],
              featureHash: "d2VhdGhlcjE=",
              manualAnnotation: true,
            },
          ],
          classificationHash: "weather1",
          featureHash: "d2VhdGhlcg==",
          spaces: {},
        },
      }
    : {};
  return {
    label_hash: "5b8e7c3a-0000-4000-8000-000000000001",
    branch_name: "main",
    created_at: stamp,
    last_edited_at: stamp,
    data_hash: "5b8e7c3a-0000-4000-8000-000000000002",
    dataset_hash: "5b8e7c3a-0000-4000-8000-000000000003",
    dataset_title: "bench",
    data_title: "clip.mp4",
    data_type: "video",
    annotation_task_status: "QUEUED",
    is_shadow_data: false,
    object_answers: objectAnswers,
    classification_answers: classificationAnswers,
    object_actions: objectActions,
    label_status: "LABELLED",
    data_units: {
      "5b8e7c3a-0000-4000-8000-000000000002": {
        data_hash: "5b8e7c3a-0000-4000-8000-000000000002",
        data_title: "clip.mp4",
        data_link: "videos/clip.mp4",
        data_type: "video/mp4",
        data_sequence: 0,
        width: 1920,
        height: 1080,
        labels,
        data_duration: FRAMES / 25,
        data_fps: 25,
      },
    },
    spaces: {},
  };
}

/**
 * Median times (ms) over `repeats` runs, interleaved, of the model round trip and of the plain
 * JSON round trip of `row`, after checking the model gives its frames back and warming both.
 */
export function measureRow(row, frames, repeats) {
  const text = JSON.stringify(row);
  const model = () => JSON.stringify(LabelRow.fromEncordDict(JSON.parse(text), { ontology }).toEncordDict());
  const plain = () => JSON.stringify(JSON.parse(text));
  // Sanity: the model must give the row back (the generator writes it the SDK's way).
  const check = JSON.parse(model());
  const back = Object.keys(check.data_units[row.data_hash].labels).length;
  if (back !== frames) throw new Error(`${back} frames came back, expected ${frames}`);
  for (let i = 0; i < 3; i++) {
    plain();
    model();
  }
  const samples = { model: [], plain: [] };
  for (let i = 0; i < repeats; i++) {
    for (const [k, fn] of [
      ["plain", plain],
      ["model", model],
    ]) {
      globalThis.gc?.();
      const started = performance.now();
      fn();
      samples[k].push(performance.now() - started);
    }
  }
  return { modelMs: median(samples.model), plainMs: median(samples.plain), megabytes: text.length / 1e6 };
}

/** A labels case: `tracked` picks the row (see videoRow). */
export function labelCase(tracked) {
  return async function run({ smoke }) {
    const frames = smoke ? 20 : 1000;
    const repeats = smoke ? 1 : 9;
    const { modelMs, plainMs, megabytes } = measureRow(videoRow(tracked, frames), frames, repeats);
    return {
      value: modelMs,
      baseline: "JSON.parse + JSON.stringify of the same text",
      baselineValue: plainMs,
      ratio: modelMs / plainMs,
      details: { "row size (MB)": +megabytes.toFixed(2), frames, "objects per frame": PER_FRAME, repeats },
    };
  };
}
