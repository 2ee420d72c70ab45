import { readFile } from "node:fs/promises";
import dicomParser, { type DataSet, type Element } from "dicom-parser";
import { MediaError } from "../../domain/errors.js";
import type { RawFrame, RawPixels } from "../medical/raw-frame.js";
import { compressedSyntaxes, decodeCompressedFrame } from "./codecs.js";
import { tags, uncompressedSyntaxes } from "./dicom-tags.js";

/** A parsed DICOM file whose frames are decoded on demand. */
export interface DicomImage {
  readonly width: number;
  readonly height: number;
  /** Frames in the file: 1 for a slice, NumberOfFrames for a multi-frame file. */
  readonly frameCount: number;
  rawFrame(frame: number): Promise<RawFrame>;
}

const greyscale = new Set(["MONOCHROME1", "MONOCHROME2"]);
// What the codecs hand back as RGB whatever the file called its colour model.
const compressedColour = new Set(["RGB", "YBR_FULL", "YBR_FULL_422", "YBR_RCT", "YBR_ICT"]);

/** Every transfer syntax task-agents reads, for error messages. */
export function supportedSyntaxes(): string {
  return [...uncompressedSyntaxes.entries(), ...compressedSyntaxes.entries()].map(([uid, s]) => `${s.name} (${uid})`).join(", ");
}

function decodeError(subject: string, problem: string, cause?: unknown): MediaError {
  return new MediaError("TA_MEDIA_DECODE", `Cannot read ${subject} as DICOM: ${problem}.`, true, cause === undefined ? undefined : { cause });
}

/** Parses a DICOM Part 10 file (the `DICM` preamble) without decoding its pixels yet. */
export async function openDicom(path: string, subject: string): Promise<DicomImage> {
  const bytes = await readFile(path);
  return parseDicomImage(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), subject);
}

/** The data set of a DICOM file's bytes; `untilPixels` stops before the pixel data (for headers only). */
export function parseDataSet(bytes: Uint8Array, subject: string, untilPixels = false): DataSet {
  try {
    return dicomParser.parseDicom(bytes, untilPixels ? { untilTag: tags.pixelData } : {});
  } catch (error) {
    // dicom-parser throws strings as well as Errors.
    const reason = error instanceof Error ? error.message : typeof error === "string" ? error : String((error as { exception?: unknown }).exception ?? error);
    const problem = /buffer overrun/i.test(reason)
      ? "the file ends before the data its header announces (a truncated file?)"
      : reason.replace(/^dicomParser[.:]\w+: /, "").replace(/\.$/, "");
    throw decodeError(subject, `${problem}. Accepted: DICOM Part 10 files ("DICM" after a 128-byte preamble)`, error);
  }
}

export function parseDicomImage(bytes: Uint8Array, subject: string): DicomImage {
  const data = parseDataSet(bytes, subject);
  const syntaxUid = data.string(tags.transferSyntax) ?? "1.2.840.10008.1.2";
  const uncompressed = uncompressedSyntaxes.get(syntaxUid);
  const compressed = compressedSyntaxes.get(syntaxUid);
  if (!uncompressed && !compressed) {
    throw decodeError(subject, `its transfer syntax ${syntaxUid} is not supported. Supported: ${supportedSyntaxes()}`);
  }
  const pixelElement = data.elements[tags.pixelData];
  if (!pixelElement) throw decodeError(subject, "it holds no pixel data (tag 7FE0,0010); only DICOM images can be read as frames");
  const layout = pixelLayout(data, subject, compressed !== undefined);
  const frameCount = Math.max(1, data.intString(tags.numberOfFrames) ?? 1);
  const base = {
    rescaleSlope: data.floatString(tags.rescaleSlope) ?? 1,
    rescaleIntercept: data.floatString(tags.rescaleIntercept) ?? 0,
    window: fileWindow(data),
    inverted: layout.photometric === "MONOCHROME1",
  };
  return {
    width: layout.columns,
    height: layout.rows,
    frameCount,
    async rawFrame(frame) {
      if (frame >= frameCount) {
        throw new MediaError(
          "TA_UNSUPPORTED_FRAME",
          `${subject} has ${frameCount} frame${frameCount === 1 ? "" : "s"} (0–${frameCount - 1}); frame ${frame} does not exist.`,
          true,
        );
      }
      const decoded = compressed
        ? await compressedFrame(data, pixelElement, frame, frameCount, layout, subject, compressed)
        : uncompressedFrame(data, pixelElement, frame, layout, subject, uncompressed!.bigEndian);
      return { width: layout.columns, height: layout.rows, ...decoded, ...base };
    },
  };
}

interface PixelLayout {
  readonly rows: number;
  readonly columns: number;
  readonly samplesPerPixel: 1 | 3;
  readonly bitsAllocated: number;
  readonly bitsStored: number;
  readonly signed: boolean;
  readonly photometric: string;
  readonly planar: boolean;
}

function pixelLayout(data: DataSet, subject: string, compressed: boolean): PixelLayout {
  const rows = data.uint16(tags.rows);
  const columns = data.uint16(tags.columns);
  if (!rows || !columns) throw decodeError(subject, "it has no image size (Rows and Columns are missing or 0)");
  const samplesPerPixel = data.uint16(tags.samplesPerPixel) ?? 1;
  const photometric = (data.string(tags.photometricInterpretation) ?? "MONOCHROME2").trim().toUpperCase();
  const bitsAllocated = data.uint16(tags.bitsAllocated) ?? 16;
  const bitsStored = data.uint16(tags.bitsStored) ?? bitsAllocated;
  const colourOk =
    samplesPerPixel === 3 &&
    (compressed ? compressedColour.has(photometric) : photometric === "RGB" || photometric === "YBR_FULL") &&
    (compressed || bitsAllocated === 8);
  const greyOk = samplesPerPixel === 1 && greyscale.has(photometric) && (compressed || bitsAllocated === 8 || bitsAllocated === 16);
  if (!colourOk && !greyOk) {
    throw decodeError(
      subject,
      `its pixels (${photometric}, ${samplesPerPixel} sample${samplesPerPixel === 1 ? "" : "s"}` +
        ` of ${bitsAllocated} bits) are not a kind task-agents reads. Supported: MONOCHROME1 ` +
        `and MONOCHROME2 of 8 or 16 bits, RGB of 8 bits (YBR_FULL too when uncompressed)`,
    );
  }
  return {
    rows,
    columns,
    samplesPerPixel,
    bitsAllocated,
    bitsStored,
    signed: data.uint16(tags.pixelRepresentation) === 1,
    photometric,
    planar: data.uint16(tags.planarConfiguration) === 1,
  };
}

function fileWindow(data: DataSet): RawFrame["window"] {
  const center = data.floatString(tags.windowCenter, 0);
  const width = data.floatString(tags.windowWidth, 0);
  return center !== undefined && width !== undefined && Number.isFinite(center) && Number.isFinite(width) && width > 0 ? { center, width } : null;
}

type Decoded = Pick<RawFrame, "data" | "channels">;

function uncompressedFrame(data: DataSet, element: Element, frame: number, layout: PixelLayout, subject: string, bigEndian: boolean): Decoded {
  const bytesPerSample = layout.bitsAllocated / 8;
  const frameBytes = layout.rows * layout.columns * layout.samplesPerPixel * bytesPerSample;
  const start = element.dataOffset + frame * frameBytes;
  const available = data.byteArray.length - start;
  if (available < frameBytes) {
    throw decodeError(
      subject,
      `its pixel data is cut short: frame ${frame} needs ${frameBytes} bytes, the file has ${Math.max(0, available)} (a truncated file?)`,
    );
  }
  // A copy, so the samples are aligned for their typed array and outlive the file's bytes.
  const bytes = Uint8Array.prototype.slice.call(data.byteArray, start, start + frameBytes);
  if (layout.samplesPerPixel === 3)
    return { data: layout.planar ? interleave(bytes) : layout.photometric === "YBR_FULL" ? ybrToRgb(bytes) : bytes, channels: 3 };
  if (bytesPerSample === 1) return { data: layout.signed ? new Int8Array(bytes.buffer) : bytes, channels: 1 };
  if (bigEndian) swapPairs(bytes);
  return { data: sixteenBit(bytes, layout), channels: 1 };
}

async function compressedFrame(
  data: DataSet,
  element: Element,
  frame: number,
  frameCount: number,
  layout: PixelLayout,
  subject: string,
  syntax: NonNullable<ReturnType<typeof compressedSyntaxes.get>>,
): Promise<Decoded> {
  let encoded: Uint8Array;
  let decoded;
  try {
    encoded = encodedFrame(data, element, frame, frameCount);
    decoded = await decodeCompressedFrame(syntax, encoded);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw decodeError(subject, `frame ${frame} does not decode as ${syntax.name} (${reason.replace(/\.$/, "")}); the file may be damaged`, error);
  }
  const { info, bytes } = decoded;
  if (info.width !== layout.columns || info.height !== layout.rows) {
    throw decodeError(subject, `frame ${frame} decodes to ${info.width}×${info.height} pixels but the file says ${layout.columns}×${layout.rows}`);
  }
  if (info.componentCount === 3) return { data: bytes.subarray(0, layout.rows * layout.columns * 3), channels: 3 };
  if (info.bitsPerSample <= 8) return { data: layout.signed ? new Int8Array(bytes.buffer, 0, layout.rows * layout.columns) : bytes, channels: 1 };
  return { data: sixteenBit(bytes, layout), channels: 1 };
}

/** The encoded bytes of one frame: a frame's fragments, found by the offset table when there is one. */
function encodedFrame(data: DataSet, element: Element, frame: number, frameCount: number): Uint8Array {
  const fragments = element.fragments ?? [];
  if (frameCount === 1) return dicomParser.readEncapsulatedPixelDataFromFragments(data, element, 0, fragments.length);
  if ((element.basicOffsetTable ?? []).length > 0) return dicomParser.readEncapsulatedImageFrame(data, element, frame);
  if (fragments.length === frameCount) return dicomParser.readEncapsulatedPixelDataFromFragments(data, element, frame, 1);
  return dicomParser.readEncapsulatedImageFrame(data, element, frame, dicomParser.createJPEGBasicOffsetTable(data, element));
}

/** 16-bit samples as Int16Array or Uint16Array, with bits above BitsStored cleared or sign-extended. */
function sixteenBit(bytes: Uint8Array, layout: PixelLayout): RawPixels {
  const count = layout.rows * layout.columns;
  if (layout.signed) {
    const values = new Int16Array(bytes.buffer, bytes.byteOffset, count);
    const shift = 16 - layout.bitsStored;
    if (shift > 0) for (let i = 0; i < count; i++) values[i] = (values[i]! << (shift + 16)) >> (shift + 16);
    return values;
  }
  const values = new Uint16Array(bytes.buffer, bytes.byteOffset, count);
  if (layout.bitsStored < 16) {
    const mask = (1 << layout.bitsStored) - 1;
    for (let i = 0; i < count; i++) values[i] = values[i]! & mask;
  }
  return values;
}

function swapPairs(bytes: Uint8Array): void {
  for (let i = 0; i + 1 < bytes.length; i += 2) {
    const first = bytes[i]!;
    bytes[i] = bytes[i + 1]!;
    bytes[i + 1] = first;
  }
}

/** RRR…GGG…BBB… (PlanarConfiguration 1) to RGBRGB…. */
function interleave(bytes: Uint8Array): Uint8Array {
  const pixels = bytes.length / 3;
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < pixels; i++) {
    out[i * 3] = bytes[i]!;
    out[i * 3 + 1] = bytes[pixels + i]!;
    out[i * 3 + 2] = bytes[2 * pixels + i]!;
  }
  return out;
}

/** Full-range YCbCr (ITU-R BT.601, as DICOM defines YBR_FULL) to RGB. */
function ybrToRgb(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  const clamp = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));
  for (let i = 0; i < bytes.length; i += 3) {
    const y = bytes[i]!;
    const cb = bytes[i + 1]! - 128;
    const cr = bytes[i + 2]! - 128;
    out[i] = clamp(y + 1.402 * cr);
    out[i + 1] = clamp(y - 0.344136 * cb - 0.714136 * cr);
    out[i + 2] = clamp(y + 1.772 * cb);
  }
  return out;
}
