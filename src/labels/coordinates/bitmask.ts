import { decodeRle, encodeRle, rleLength } from "./bitmask-rle.js";
import { invalid, lenient, requireInteger, requireRecord, requireString } from "./validate.js";

/** The wire form of a bitmask: the whole frame, RLE-encoded row by row. */
export interface BitmaskOptions {
  readonly rleString: string;
  readonly width: number;
  readonly height: number;
  readonly top?: number;
  readonly left?: number;
}

const SIZE = "a bitmask's width and height are the frame's size in pixels, positive integers";
const OFFSET = "top and left are pixel offsets, 0 for a full-frame mask";

/**
 * A full-frame mask. Build it with {@link BitmaskCoordinates.fromArray} from pixels, or
 * {@link BitmaskCoordinates.fromRle} from an encoded string; width × height must be the media size
 * (see {@link BitmaskCoordinates.checkFitsMedia}).
 */
export class BitmaskCoordinates {
  readonly shape = "bitmask";
  readonly top: number;
  readonly left: number;
  readonly width: number;
  readonly height: number;
  readonly rleString: string;

  constructor(options: BitmaskOptions) {
    const o = requireRecord(options, "Bitmask coordinates", "give {rleString, width, height} or use BitmaskCoordinates.fromArray");
    // Size and offsets are integers even on the wire: they index pixels.
    const width = requireInteger(o.width, "Bitmask width", 1, SIZE);
    const height = requireInteger(o.height, "Bitmask height", 1, SIZE);
    this.top = o.top === undefined ? 0 : requireInteger(o.top, "Bitmask top", 0, OFFSET);
    this.left = o.left === undefined ? 0 : requireInteger(o.left, "Bitmask left", 0, OFFSET);
    this.rleString = requireString(o.rleString, "Bitmask rleString");
    if (!lenient()) {
      const covered = rleLength(this.rleString);
      if (covered !== width * height) {
        throw invalid(
          `Bitmask rleString covers ${covered} pixels but the mask is ${width}×${height} (${width * height}); the runs must cover every pixel once.`,
        );
      }
    }
    this.width = width;
    this.height = height;
    Object.freeze(this);
  }

  /** From pixels, row-major (index = y × width + x); non-zero / `true` entries are set. */
  static fromArray(mask: Uint8Array | ArrayLike<number | boolean>, size: { readonly width: number; readonly height: number }): BitmaskCoordinates {
    const s = requireRecord(size, "Bitmask size", "give {width, height} in pixels");
    const width = requireInteger(s.width, "Bitmask width", 1, SIZE);
    const height = requireInteger(s.height, "Bitmask height", 1, SIZE);
    if (mask === null || typeof mask !== "object" || typeof mask.length !== "number") {
      throw invalid("Bitmask mask is not an array; give a Uint8Array or a list of 0/1 or booleans, row by row.");
    }
    if (mask.length !== width * height) {
      throw invalid(
        `Bitmask mask has ${mask.length} values but width × height is ${width}×${height} = ${width * height}; give one value per pixel, row by row.`,
      );
    }
    return new BitmaskCoordinates({ rleString: encodeRle(mask), width, height });
  }

  static fromRle(options: BitmaskOptions): BitmaskCoordinates {
    return new BitmaskCoordinates(options);
  }

  /** The pixels, 0/1, row-major (index = y × width + x). */
  toArray(): Uint8Array {
    return decodeRle(this.rleString, this.width * this.height);
  }

  /** Throws unless the mask is exactly the media's size: Encord masks cover the whole frame. */
  checkFitsMedia(width: number, height: number): void {
    if (width !== this.width || height !== this.height) {
      throw invalid(`Bitmask is ${this.width}×${this.height} but the image is ${width}×${height}; a bitmask covers the whole frame.`);
    }
  }

  toFrameFields(): Record<string, unknown> {
    return { bitmask: { top: this.top, left: this.left, width: this.width, height: this.height, rleString: this.rleString } };
  }
}
