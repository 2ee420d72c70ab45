import { readFile } from "node:fs/promises";
import { promisify } from "node:util";
import { gunzip } from "node:zlib";
import * as nifti from "nifti-reader-js";
import { MediaError } from "../../domain/errors.js";
import type { RawFrame, RawPixels } from "../medical/raw-frame.js";

const gunzipAsync = promisify(gunzip);

/** A NIfTI volume read whole; its slices along the third axis are the frames. */
export interface NiftiVolume {
  /** Voxels along the first axis (i): the width of a slice. */
  readonly width: number;
  /** Voxels along the second axis (j): the height of a slice. */
  readonly height: number;
  /** Voxels along the third axis (k): the number of slices, 1 for a 2-D image. */
  readonly frameCount: number;
  rawFrame(frame: number): RawFrame;
}

type Sample = { name: string; bytes: number; view: (buffer: ArrayBuffer) => RawPixels };

/** NIfTI datatype codes task-agents reads (one scalar per voxel). */
const samples: ReadonlyMap<number, Sample> = new Map([
  [2, { name: "uint8", bytes: 1, view: (b) => new Uint8Array(b) }],
  [4, { name: "int16", bytes: 2, view: (b) => new Int16Array(b) }],
  [8, { name: "int32", bytes: 4, view: (b) => new Int32Array(b) }],
  [16, { name: "float32", bytes: 4, view: (b) => new Float32Array(b) }],
  [64, { name: "float64", bytes: 8, view: (b) => new Float64Array(b) }],
  [256, { name: "int8", bytes: 1, view: (b) => new Int8Array(b) }],
  [512, { name: "uint16", bytes: 2, view: (b) => new Uint16Array(b) }],
  [768, { name: "uint32", bytes: 4, view: (b) => new Uint32Array(b) }],
]);

const otherTypes: Readonly<Record<number, string>> = {
  32: "complex64",
  128: "RGB24",
  1024: "int64",
  1280: "uint64",
  1536: "float128",
  1792: "complex128",
  2048: "complex256",
  2304: "RGBA32",
};

function decodeError(subject: string, problem: string, cause?: unknown): MediaError {
  return new MediaError("TA_MEDIA_DECODE", `Cannot read ${subject} as NIfTI: ${problem}.`, true, cause === undefined ? undefined : { cause });
}

/** Reads a `.nii` or `.nii.gz` file (NIfTI-1 or NIfTI-2, one file with header and voxels). */
export async function openNifti(path: string, subject: string): Promise<NiftiVolume> {
  const file = await readFile(path);
  let bytes: Uint8Array = file;
  if (file[0] === 0x1f && file[1] === 0x8b) {
    try {
      bytes = await gunzipAsync(file);
    } catch (error) {
      throw decodeError(subject, `it is gzip-compressed but does not decompress (${(error as Error).message}); the file may be truncated`, error);
    }
  }
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return parseNifti(buffer, subject);
}

export function parseNifti(buffer: ArrayBuffer, subject: string): NiftiVolume {
  if (!nifti.isNIFTI(buffer)) {
    throw decodeError(subject, 'it has no NIfTI header ("n+1" or "n+2" magic). Accepted: single-file NIfTI-1 and NIfTI-2 volumes, .nii or .nii.gz');
  }
  const header = nifti.readHeader(buffer);
  const sample = samples.get(header.datatypeCode);
  if (!sample) {
    const known = otherTypes[header.datatypeCode];
    throw decodeError(
      subject,
      `its datatype ${header.datatypeCode}${known ? ` (${known})` : ""} is not supported. Supported: ${[...samples.values()].map((s) => s.name).join(", ")}`,
    );
  }
  const dims = header.dims;
  const width = dims[1] ?? 0;
  const height = (dims[0] ?? 0) >= 2 ? (dims[2] ?? 1) : 1;
  const frameCount = (dims[0] ?? 0) >= 3 ? (dims[3] ?? 1) : 1;
  if (width < 1 || height < 1 || frameCount < 1)
    throw decodeError(subject, `its dimensions ${JSON.stringify(dims.slice(1, (dims[0] ?? 0) + 1))} are not a volume`);
  const sliceBytes = width * height * sample.bytes;
  const image = nifti.readImage(header, buffer);
  // A 4-D volume's frames are the slices of its first time point, as a viewer shows them first.
  if (image.byteLength < sliceBytes * frameCount) {
    throw decodeError(
      subject,
      `its voxel data is cut short: ${frameCount} slices of ${width}×${height} ${sample.name} ` +
        `need ${sliceBytes * frameCount} bytes, the file has ${image.byteLength} (a truncated file?)`,
    );
  }
  // NIfTI: a slope of 0 means "not scaled".
  const scaled = Number.isFinite(header.scl_slope) && header.scl_slope !== 0;
  const slope = scaled ? header.scl_slope : 1;
  const intercept = scaled && Number.isFinite(header.scl_inter) ? header.scl_inter : 0;
  const window = header.cal_max > header.cal_min ? { center: (header.cal_max + header.cal_min) / 2, width: header.cal_max - header.cal_min } : null;
  return {
    width,
    height,
    frameCount,
    rawFrame(frame) {
      if (frame >= frameCount) {
        throw new MediaError(
          "TA_UNSUPPORTED_FRAME",
          `${subject} has ${frameCount} slice${frameCount === 1 ? "" : "s"} (frames 0–${frameCount - 1}); frame ${frame} does not exist.`,
          true,
        );
      }
      const slice = image.slice(frame * sliceBytes, (frame + 1) * sliceBytes);
      if (!header.littleEndian && sample.bytes > 1) swapEach(new Uint8Array(slice), sample.bytes);
      return { width, height, data: sample.view(slice), channels: 1, rescaleSlope: slope, rescaleIntercept: intercept, window, inverted: false };
    },
  };
}

function swapEach(bytes: Uint8Array, size: number): void {
  for (let i = 0; i < bytes.length; i += size) bytes.subarray(i, i + size).reverse();
}
