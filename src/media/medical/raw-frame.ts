import { ConfigurationError } from "../../domain/errors.js";

/** The typed arrays stored values come in, by the file's own sample type. */
export type RawPixels = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array;

/** A display window over rescaled values: `center ± width / 2` maps onto 0–255. */
export interface DisplayWindow {
  readonly center: number;
  readonly width: number;
}

/**
 * One slice or frame of a DICOM or NIfTI file as stored, before any windowing: what
 * `singleFrame({ frame, raw: true })` gives, for models that want the full range of values.
 */
export interface RawFrame {
  readonly width: number;
  readonly height: number;
  /** Stored values, row-major; `channels` values per pixel, interleaved. */
  readonly data: RawPixels;
  /** 1 for greyscale, 3 for colour (RGB, already 8-bit). */
  readonly channels: 1 | 3;
  /** The physical value (Hounsfield units for CT) is `stored × rescaleSlope + rescaleIntercept`. */
  readonly rescaleSlope: number;
  readonly rescaleIntercept: number;
  /** The window the file itself suggests (DICOM WindowCenter/Width, NIfTI cal_min/cal_max), if any. */
  readonly window: DisplayWindow | null;
  /** True for DICOM MONOCHROME1, where higher values are darker. */
  readonly inverted: boolean;
}

/** A window option as given by a caller, checked. */
export function checkWindow(window: unknown, where: string): DisplayWindow {
  const value = window as Partial<DisplayWindow> | null;
  if (typeof value !== "object" || value === null || !Number.isFinite(value.center) || !Number.isFinite(value.width) || (value.width as number) <= 0) {
    throw new ConfigurationError(
      "TA_INVALID_ARGUMENT",
      `${where}: window must be { center, width } with finite numbers and ` +
        `width > 0 (in rescaled units, e.g. { center: 40, width: 400 } for ` +
        `soft tissue on CT), got ${JSON.stringify(window) ?? String(window)}.`,
    );
  }
  return { center: value.center as number, width: value.width as number };
}
