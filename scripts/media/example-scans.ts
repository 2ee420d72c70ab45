/**
 * The scans and documents of the examples (examples/scans/), as known patterns a reader can be
 * checked against: a CT-like DICOM series with a bright sphere (the "lesion") in a body of water,
 * a NIfTI volume with a bright sphere in a dimmer head, and the three-page PDF of
 * {@link threePages}. scripts/make-scan-examples.ts writes them; tests and bench cases make more
 * slices of the same series.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { dicomFile, niftiFile, pdfFile, threePages } from "./medical-files.js";

/** Hounsfield units of the series' three materials. */
export const hu = { air: -1000, water: 0, lesion: 200 } as const;

/** The CT series: slice size, slice count, the body disc and the lesion sphere (in pixels; slices are `sliceSpacing` pixels apart). */
export const ctSeries = {
  width: 64,
  height: 64,
  slices: 8,
  body: { x: 32, y: 32, radius: 28 },
  lesion: { x: 40, y: 24, slice: 4, radius: 10 },
  sliceSpacing: 3,
  /** Stored value = HU − intercept. */
  rescale: { slope: 1, intercept: -1024 },
  /** Soft tissue: HU −160 … 240 shown as 0 … 255. */
  window: { center: 40, width: 400 },
  seriesUid: "1.2.826.0.1.3680043.2.1125.8.1900",
} as const;

/** The lesion's radius in pixels on slice `slice` (0 where the sphere does not reach). */
export function lesionRadius(slice: number): number {
  const { lesion, sliceSpacing } = ctSeries;
  const dz = (slice - lesion.slice) * sliceSpacing;
  return dz * dz > lesion.radius * lesion.radius ? 0 : Math.sqrt(lesion.radius * lesion.radius - dz * dz);
}

/** Hounsfield units of pixel (x, y) of slice `slice`. */
export function ctValue(x: number, y: number, slice: number): number {
  const { body, lesion } = ctSeries;
  const r = lesionRadius(slice);
  if (r > 0 && (x - lesion.x) ** 2 + (y - lesion.y) ** 2 <= r * r) return hu.lesion;
  return (x - body.x) ** 2 + (y - body.y) ** 2 <= body.radius ** 2 ? hu.water : hu.air;
}

/** Slice `slice` (0-based, InstanceNumber slice + 1) as a DICOM file; slices past the sphere show only water and air. */
export function ctSliceFile(slice: number): Uint8Array {
  const { width, height, rescale, window, seriesUid, sliceSpacing } = ctSeries;
  const pixels = new Int16Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) pixels[y * width + x] = ctValue(x, y, slice) - rescale.intercept;
  return dicomFile({
    width,
    height,
    pixels,
    signed: true,
    rescale,
    window,
    instanceNumber: slice + 1,
    position: [0, 0, slice * sliceSpacing],
    seriesUid,
    sopUid: `${seriesUid}.${slice + 1}`,
  });
}

/** The NIfTI volume: i × j × k voxels, a head ellipsoid and a bright sphere, int16, displayed with cal_min … cal_max. */
export const headVolume = {
  dims: [48, 48, 12] as const,
  head: { value: 300, x: 24, y: 24, z: 6, rx: 20, ry: 22, rz: 8 },
  sphere: { value: 900, x: 30, y: 18, z: 6, radius: 4 },
  cal: { min: 0, max: 1000 },
};

/** The stored value of voxel (i, j, k). */
export function headValue(i: number, j: number, k: number): number {
  const { head, sphere } = headVolume;
  if ((i - sphere.x) ** 2 + (j - sphere.y) ** 2 + (k - sphere.z) ** 2 <= sphere.radius ** 2) return sphere.value;
  return ((i - head.x) / head.rx) ** 2 + ((j - head.y) / head.ry) ** 2 + ((k - head.z) / head.rz) ** 2 <= 1 ? head.value : 0;
}

/** The volume as a gzipped NIfTI-1 file. */
export function headNiftiFile(): Uint8Array {
  const [ni, nj, nk] = headVolume.dims;
  const voxels = new Int16Array(ni * nj * nk);
  for (let k = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++) voxels[(k * nj + j) * ni + i] = headValue(i, j, k);
  return niftiFile({ dims: headVolume.dims, datatype: 4, bitpix: 16, voxels, calMin: headVolume.cal.min, calMax: headVolume.cal.max, gzip: true });
}

/** Writes the series (`ct-series/slice-NN.dcm`), `head.nii.gz` and `three-pages.pdf` into `dir`; returns the paths written. */
export function writeExampleScans(dir: string): string[] {
  const series = join(dir, "ct-series");
  mkdirSync(series, { recursive: true });
  const written: string[] = [];
  const write = (path: string, bytes: Uint8Array) => {
    writeFileSync(path, bytes);
    written.push(path);
  };
  for (let slice = 0; slice < ctSeries.slices; slice++) write(join(series, `slice-${String(slice + 1).padStart(2, "0")}.dcm`), ctSliceFile(slice));
  write(join(dir, "head.nii.gz"), headNiftiFile());
  write(join(dir, "three-pages.pdf"), pdfFile(threePages));
  return written;
}
