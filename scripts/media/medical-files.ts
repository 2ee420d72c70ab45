/**
 * Writers of small DICOM, NIfTI and PDF files with known contents, for tests, benchmarks and
 * the examples: written from the formats' specifications, not through the libraries that read
 * them, so decoding them checks the readers against an independent source.
 */
import { gzipSync } from "node:zlib";

// ---------------------------------------------------------------- DICOM (Part 10, Explicit VR LE)

export const explicitLittleEndian = "1.2.840.10008.1.2.1";
const ctImageStorage = "1.2.840.10008.5.1.4.1.1.2";

export interface DicomSpec {
  readonly width: number;
  readonly height: number;
  /** Every frame's samples, concatenated; ignored when `encodedFrames` is given. */
  readonly pixels?: Uint8Array | Int16Array | Uint16Array;
  readonly frames?: number;
  readonly bitsAllocated?: 8 | 16;
  readonly bitsStored?: number;
  readonly signed?: boolean;
  readonly photometric?: string;
  readonly samplesPerPixel?: 1 | 3;
  readonly rescale?: { slope: number; intercept: number };
  readonly window?: { center: number; width: number };
  readonly instanceNumber?: number;
  readonly position?: readonly [number, number, number];
  readonly orientation?: readonly number[];
  readonly seriesUid?: string;
  readonly sopUid?: string;
  readonly transferSyntax?: string;
  /** Compressed frames, written encapsulated (one fragment each, empty offset table). */
  readonly encodedFrames?: readonly Uint8Array[];
}

const longLengthVrs = new Set(["OB", "OW", "OF", "SQ", "UT", "UN"]);

function element(group: number, elementNumber: number, vr: string, value: Uint8Array): Uint8Array {
  const padded = value.length % 2 === 0 ? value : concat([value, new Uint8Array([vr === "UI" || vr === "OB" ? 0 : 0x20])]);
  const long = longLengthVrs.has(vr);
  const head = new DataView(new ArrayBuffer(long ? 12 : 8));
  head.setUint16(0, group, true);
  head.setUint16(2, elementNumber, true);
  head.setUint8(4, vr.charCodeAt(0));
  head.setUint8(5, vr.charCodeAt(1));
  if (long) head.setUint32(8, padded.length, true);
  else head.setUint16(6, padded.length, true);
  return concat([new Uint8Array(head.buffer), padded]);
}

const text = (value: string) => new TextEncoder().encode(value);
const us = (value: number) => new Uint8Array(new Uint16Array([value]).buffer);
const ul = (value: number) => new Uint8Array(new Uint32Array([value]).buffer);

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function item(tagElement: number, value: Uint8Array): Uint8Array {
  const head = new DataView(new ArrayBuffer(8));
  head.setUint16(0, 0xfffe, true);
  head.setUint16(2, tagElement, true);
  head.setUint32(4, value.length, true);
  return concat([new Uint8Array(head.buffer), value]);
}

function encapsulated(frames: readonly Uint8Array[]): Uint8Array {
  const head = new DataView(new ArrayBuffer(12));
  head.setUint16(0, 0x7fe0, true);
  head.setUint16(2, 0x0010, true);
  head.setUint8(4, "O".charCodeAt(0));
  head.setUint8(5, "B".charCodeAt(0));
  head.setUint32(8, 0xffffffff, true);
  const fragments = frames.map((f) => item(0xe000, f.length % 2 === 0 ? f : concat([f, new Uint8Array([0])])));
  return concat([new Uint8Array(head.buffer), item(0xe000, new Uint8Array(0)), ...fragments, item(0xe0dd, new Uint8Array(0))]);
}

/** A DICOM Part 10 file: 128-byte preamble, "DICM", file meta, then the image's data set. */
export function dicomFile(spec: DicomSpec): Uint8Array {
  const sop = spec.sopUid ?? `1.2.826.0.1.3680043.2.1125.9.${spec.instanceNumber ?? 1}`;
  const syntax = spec.transferSyntax ?? explicitLittleEndian;
  const meta = [
    element(0x0002, 0x0001, "OB", new Uint8Array([0, 1])),
    element(0x0002, 0x0002, "UI", text(ctImageStorage)),
    element(0x0002, 0x0003, "UI", text(sop)),
    element(0x0002, 0x0010, "UI", text(syntax)),
  ];
  const metaBytes = concat(meta);
  const bitsAllocated = spec.bitsAllocated ?? 16;
  const bitsStored = spec.bitsStored ?? bitsAllocated;
  const frames = spec.frames ?? 1;
  const samples = spec.samplesPerPixel ?? 1;
  const ds = (values: readonly number[]) => text(values.map((v) => String(v)).join("\\"));
  const body = [
    element(0x0008, 0x0016, "UI", text(ctImageStorage)),
    element(0x0008, 0x0018, "UI", text(sop)),
    element(0x0020, 0x000d, "UI", text("1.2.826.0.1.3680043.2.1125.7")),
    element(0x0020, 0x000e, "UI", text(spec.seriesUid ?? "1.2.826.0.1.3680043.2.1125.8")),
    ...(spec.instanceNumber !== undefined ? [element(0x0020, 0x0013, "IS", text(String(spec.instanceNumber)))] : []),
    ...(spec.position ? [element(0x0020, 0x0032, "DS", ds(spec.position))] : []),
    ...(spec.position || spec.orientation ? [element(0x0020, 0x0037, "DS", ds(spec.orientation ?? [1, 0, 0, 0, 1, 0]))] : []),
    element(0x0028, 0x0002, "US", us(samples)),
    element(0x0028, 0x0004, "CS", text(spec.photometric ?? (samples === 3 ? "RGB" : "MONOCHROME2"))),
    ...(samples === 3 ? [element(0x0028, 0x0006, "US", us(0))] : []),
    ...(frames > 1 ? [element(0x0028, 0x0008, "IS", text(String(frames)))] : []),
    element(0x0028, 0x0010, "US", us(spec.height)),
    element(0x0028, 0x0011, "US", us(spec.width)),
    element(0x0028, 0x0100, "US", us(bitsAllocated)),
    element(0x0028, 0x0101, "US", us(bitsStored)),
    element(0x0028, 0x0102, "US", us(bitsStored - 1)),
    element(0x0028, 0x0103, "US", us(spec.signed ? 1 : 0)),
    ...(spec.window ? [element(0x0028, 0x1050, "DS", ds([spec.window.center])), element(0x0028, 0x1051, "DS", ds([spec.window.width]))] : []),
    ...(spec.rescale ? [element(0x0028, 0x1052, "DS", ds([spec.rescale.intercept])), element(0x0028, 0x1053, "DS", ds([spec.rescale.slope]))] : []),
    spec.encodedFrames
      ? encapsulated(spec.encodedFrames)
      : element(0x7fe0, 0x0010, bitsAllocated === 8 ? "OB" : "OW", new Uint8Array(spec.pixels!.buffer, spec.pixels!.byteOffset, spec.pixels!.byteLength)),
  ];
  return concat([new Uint8Array(128), text("DICM"), element(0x0002, 0x0000, "UL", ul(metaBytes.length)), metaBytes, ...body]);
}

/** The test pattern of slice `slice`: value = x × 10 + y × 100 + slice × 1000 − 1024 (a signed ramp, CT-like). */
export function rampSlice(width: number, height: number, slice: number): Int16Array {
  const values = new Int16Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) values[y * width + x] = x * 10 + y * 100 + slice * 1000 - 1024;
  return values;
}

// ---------------------------------------------------------------- NIfTI-1 (single file)

export interface NiftiSpec {
  readonly dims: readonly number[];
  /** NIfTI datatype code (2 uint8, 4 int16, 16 float32, …). */
  readonly datatype: number;
  readonly bitpix: number;
  /** Voxels in file order (i fastest, then j, then k). */
  readonly voxels: Uint8Array | Int16Array | Float32Array | Uint16Array;
  readonly slope?: number;
  readonly intercept?: number;
  readonly calMin?: number;
  readonly calMax?: number;
  readonly gzip?: boolean;
}

/** A `.nii` (or `.nii.gz`) file: the 348-byte NIfTI-1 header, 4 bytes of no extension, the voxels. */
export function niftiFile(spec: NiftiSpec): Uint8Array {
  const header = new DataView(new ArrayBuffer(352));
  header.setInt32(0, 348, true);
  const dims = [spec.dims.length, ...spec.dims, 1, 1, 1, 1, 1, 1, 1].slice(0, 8);
  dims.forEach((d, i) => header.setInt16(40 + i * 2, d, true));
  header.setInt16(70, spec.datatype, true);
  header.setInt16(72, spec.bitpix, true);
  for (let i = 0; i < 8; i++) header.setFloat32(76 + i * 4, 1, true);
  header.setFloat32(108, 352, true);
  header.setFloat32(112, spec.slope ?? 0, true);
  header.setFloat32(116, spec.intercept ?? 0, true);
  header.setFloat32(124, spec.calMax ?? 0, true);
  header.setFloat32(128, spec.calMin ?? 0, true);
  new Uint8Array(header.buffer).set(text("n+1\0"), 344);
  const file = concat([new Uint8Array(header.buffer), new Uint8Array(spec.voxels.buffer, spec.voxels.byteOffset, spec.voxels.byteLength)]);
  return spec.gzip ? new Uint8Array(gzipSync(file)) : file;
}

// ---------------------------------------------------------------- PDF

/** A page: its size in points and one filled rectangle (PDF coordinates, origin bottom-left). */
export interface PdfPageSpec {
  readonly width: number;
  readonly height: number;
  readonly rect: { x: number; y: number; width: number; height: number; rgb: readonly [number, number, number] };
}

/** A PDF written object by object, each page white with one coloured rectangle. */
export function pdfFile(pages: readonly PdfPageSpec[]): Uint8Array {
  const objects: string[] = [];
  const pageIds = pages.map((_, i) => 3 + i * 2);
  objects[1] = "<< /Type /Catalog /Pages 2 0 R >>";
  objects[2] = `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(" ")}] /Count ${pages.length} >>`;
  pages.forEach((page, i) => {
    const { x, y, width, height, rgb } = page.rect;
    const stream = `${rgb.map((c) => (c / 255).toFixed(4)).join(" ")} rg ${x} ${y} ${width} ${height} re f`;
    objects[pageIds[i]!] = `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${page.width} ${page.height}] /Contents ${pageIds[i]! + 1} 0 R /Resources << >> >>`;
    objects[pageIds[i]! + 1] = `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`;
  });
  let out = "%PDF-1.4\n";
  const offsets: number[] = [];
  for (let id = 1; id < objects.length; id++) {
    offsets[id] = out.length;
    out += `${id} 0 obj\n${objects[id]}\nendobj\n`;
  }
  const xref = out.length;
  out += `xref\n0 ${objects.length}\n0000000000 65535 f \n`;
  for (let id = 1; id < objects.length; id++) out += `${String(offsets[id]).padStart(10, "0")} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return text(out);
}

/** The three pages the tests and examples use: 200×100 pt, a red, a green, a blue rectangle. */
export const threePages: readonly PdfPageSpec[] = [
  { width: 200, height: 100, rect: { x: 20, y: 20, width: 60, height: 40, rgb: [255, 0, 0] } },
  { width: 200, height: 100, rect: { x: 100, y: 50, width: 80, height: 30, rgb: [0, 255, 0] } },
  { width: 200, height: 100, rect: { x: 10, y: 10, width: 30, height: 80, rgb: [0, 0, 255] } },
];
