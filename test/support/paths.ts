import { fileURLToPath } from "node:url";

/** Absolute paths of files the tests use. */
export const paths = {
  demoSpec: fileURLToPath(new URL("../../examples/demo-project.yaml", import.meta.url)),
  demoData: fileURLToPath(new URL("../../examples/data", import.meta.url)),
  /** Images with coloured blobs and a 48-frame clip (scripts/make-example-media.mjs makes them). */
  mediaData: fileURLToPath(new URL("../../examples/media", import.meta.url)),
  mediaSpec: fileURLToPath(new URL("../../examples/media-project.yaml", import.meta.url)),
  twinSpec: fileURLToPath(new URL("../../examples/twin-project.yaml", import.meta.url)),
  demoManifest: fileURLToPath(new URL("../../examples/demo-manifest.jsonl", import.meta.url)),
  /** Encord label and ontology vectors made by the Python SDK (copied from the shared fixtures; see their README). */
  encordFixtures: fileURLToPath(new URL("../fixtures/encord", import.meta.url)),
} as const;
