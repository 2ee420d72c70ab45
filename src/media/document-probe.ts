import { openNifti } from "./nifti/read-nifti.js";
import { openPdf } from "./pdf/render-pdf.js";

/** What a store records of a PDF or NIfTI file so its label row knows its frames. */
export interface DocumentFacts {
  /** NIfTI: a slice's size in voxels; PDF: null (pages may differ in size). */
  readonly width: number | null;
  readonly height: number | null;
  /** Pages of a PDF, slices of a NIfTI volume (along its third axis, as the frame helpers read them). */
  readonly frameCount: number;
}

/**
 * The frame count (and for NIfTI the slice size) of a local PDF or NIfTI file, as Encord reads
 * them on upload so labels can sit on page or slice N. Best effort, like the video probe: a file
 * that cannot be read (encrypted, truncated, an unknown datatype) gives null, and the agents that
 * decode it say what is wrong.
 */
export async function probeDocument(path: string, kind: "pdf" | "nifti"): Promise<DocumentFacts | null> {
  try {
    if (kind === "nifti") {
      const volume = await openNifti(path, JSON.stringify(path));
      return { width: volume.width, height: volume.height, frameCount: volume.frameCount };
    }
    const document = await openPdf(path, JSON.stringify(path));
    try {
      return { width: null, height: null, frameCount: document.pageCount };
    } finally {
      document.close();
    }
  } catch {
    return null;
  }
}
