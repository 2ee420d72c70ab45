import type { CodecFrameInfo, CornerstoneDecoder } from "cornerstone-codec-shapes";

/** A compressed transfer syntax task-agents decodes, and the codec that reads it. */
interface CompressedSyntax {
  readonly name: string;
  readonly codec: "jpeg" | "jpegLs" | "jpeg2000";
}

/** Compressed transfer syntaxes by UID; each has a WebAssembly codec (no native build). */
export const compressedSyntaxes: ReadonlyMap<string, CompressedSyntax> = new Map([
  ["1.2.840.10008.1.2.4.50", { name: "JPEG Baseline (8-bit)", codec: "jpeg" }],
  ["1.2.840.10008.1.2.4.80", { name: "JPEG-LS Lossless", codec: "jpegLs" }],
  ["1.2.840.10008.1.2.4.81", { name: "JPEG-LS Near-Lossless", codec: "jpegLs" }],
  ["1.2.840.10008.1.2.4.90", { name: "JPEG 2000 Lossless", codec: "jpeg2000" }],
  ["1.2.840.10008.1.2.4.91", { name: "JPEG 2000", codec: "jpeg2000" }],
] as const);

type DecoderClass = new () => CornerstoneDecoder;

// Each codec's WebAssembly module is compiled on first use only (tens of milliseconds each), so
// agents that never see compressed DICOM never pay for it.
const loaded = new Map<CompressedSyntax["codec"], Promise<DecoderClass>>();

function decoderClass(codec: CompressedSyntax["codec"]): Promise<DecoderClass> {
  let pending = loaded.get(codec);
  if (!pending) {
    // OpenJPEG prints progress lines to stdout, which would break a run's --json output.
    const quiet = { print: () => undefined, printErr: () => undefined };
    pending = (async () => {
      if (codec === "jpeg") return (await (await import("@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs")).default(quiet)).JPEGDecoder;
      if (codec === "jpegLs") return (await (await import("@cornerstonejs/codec-charls/decodewasmjs")).default(quiet)).JpegLSDecoder;
      return (await (await import("@cornerstonejs/codec-openjpeg/decodewasmjs")).default(quiet)).J2KDecoder;
    })();
    loaded.set(codec, pending);
  }
  return pending;
}

/** Decoded samples: bytes in native order, `bitsPerSample` wide, `componentCount` interleaved. */
export interface DecodedFrame {
  readonly info: CodecFrameInfo;
  readonly bytes: Uint8Array;
}

/**
 * Decodes one compressed frame. The result is copied out of the codec's WebAssembly memory, so
 * it stays valid after the decoder is freed.
 * @throws Error with the codec's reason when the bytes do not decode.
 */
export async function decodeCompressedFrame(syntax: CompressedSyntax, encoded: Uint8Array): Promise<DecodedFrame> {
  const Decoder = await decoderClass(syntax.codec);
  const decoder = new Decoder();
  try {
    decoder.getEncodedBuffer(encoded.length).set(encoded);
    decoder.decode();
    const info = decoder.getFrameInfo();
    return { info: { ...info }, bytes: decoder.getDecodedBuffer().slice() };
  } finally {
    decoder.delete();
  }
}
