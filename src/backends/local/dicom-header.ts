import { readFile } from "node:fs/promises";
import dicomParser, { type DataSet } from "dicom-parser";
import { tags } from "../../media/dicom/dicom-tags.js";

/** What `data add` reads from a DICOM file's header: its size and where it sits in its series. */
export interface DicomHeader {
  readonly width: number | null;
  readonly height: number | null;
  readonly frameCount: number;
  readonly seriesUid: string | null;
  readonly instanceNumber: number | null;
  /** ImagePositionPatient (x, y, z in mm), when the file has all three. */
  readonly position: readonly [number, number, number] | null;
  /** ImageOrientationPatient: row direction then column direction, when the file has all six. */
  readonly orientation: readonly number[] | null;
}

/**
 * The header of a DICOM file, from the bytes already read to sniff it (or the whole file when the
 * header runs past them). Undefined when it does not parse: the file is still added as a DICOM
 * file, and decoding it says what is wrong, as for any other damaged media.
 */
export async function readDicomHeader(path: string, head: Uint8Array, fileSize: number): Promise<DicomHeader | undefined> {
  let data = parseHeader(head);
  if (!data && head.length < fileSize) data = parseHeader(new Uint8Array(await readFile(path)));
  if (!data) return undefined;
  const numbers = (tag: string, count: number): number[] | null => {
    const values = Array.from({ length: count }, (_, i) => data.floatString(tag, i));
    return values.every((v): v is number => v !== undefined && Number.isFinite(v)) ? values : null;
  };
  const position = numbers(tags.imagePositionPatient, 3);
  return {
    width: data.uint16(tags.columns) || null,
    height: data.uint16(tags.rows) || null,
    frameCount: Math.max(1, data.intString(tags.numberOfFrames) ?? 1),
    seriesUid: data.string(tags.seriesInstanceUid)?.trim() || null,
    instanceNumber: data.intString(tags.instanceNumber) ?? null,
    position: position ? [position[0]!, position[1]!, position[2]!] : null,
    orientation: numbers(tags.imageOrientationPatient, 6),
  };
}

function parseHeader(bytes: Uint8Array): DataSet | undefined {
  try {
    // Stops before the pixel data, so a header read from the first bytes of a large file parses.
    return dicomParser.parseDicom(bytes, { untilTag: tags.pixelData });
  } catch {
    return undefined;
  }
}
