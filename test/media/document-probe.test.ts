/**
 * `data add` of PDFs and NIfTI volumes records their page and slice counts (as Encord does on
 * upload), so label rows have a frame per page or slice and labels can sit on page N; a PDF that
 * cannot be read is still added (one frame, as before), and the agents that decode it say what is wrong.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { localBackend } from "../../src/index.js";
import { niftiFile, pdfFile, threePages } from "../../scripts/media/medical-files.js";
import { paths } from "../support/paths.js";
import { tempDir } from "../support/temp-dir.js";

test("a PDF's label row has a frame per page, a NIfTI's one per slice along its third axis; a damaged PDF is still added (one frame)", async () => {
  using dir = tempDir();
  const files = {
    "three.pdf": pdfFile(threePages),
    "volume.nii": niftiFile({ dims: [4, 3, 7], datatype: 2, bitpix: 8, voxels: new Uint8Array(4 * 3 * 7) }),
    "damaged.pdf": new TextEncoder().encode("%PDF-1.4\n1 0 obj\n<< /Type /Catalog"),
  };
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir.path, name), bytes);
  const store = localBackend({ storePath: join(dir.path, "store.db") });
  try {
    const hash = store.createProject(paths.demoSpec);
    await store.addData(hash, { paths: Object.keys(files).map((name) => join(dir.path, name)), actor: "tester" });
    const tasks = (await store.listProjectTasks(hash)).tasks;
    const metadata = await store.getLabelRowMetadata(
      hash,
      tasks.map((t) => t.dataHash),
    );
    const facts = Object.fromEntries(metadata.map((m) => [m.data_title, [m.number_of_frames, m.width, m.height]]));
    expect(facts).toEqual({ "three.pdf": [3, null, null], "volume.nii": [7, 4, 3], "damaged.pdf": [1, null, null] });
  } finally {
    await store.close();
  }
});
