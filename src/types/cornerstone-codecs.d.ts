// The Cornerstone codec packages ship no type definitions. These describe the part task-agents
// uses: each `…/decodewasmjs` entry is an Emscripten factory resolving to a module with one
// decoder class.
declare module "@cornerstonejs/codec-charls/decodewasmjs" {
  import type { CornerstoneCodecFactory } from "cornerstone-codec-shapes";
  const factory: CornerstoneCodecFactory<"JpegLSDecoder">;
  export default factory;
}
declare module "@cornerstonejs/codec-openjpeg/decodewasmjs" {
  import type { CornerstoneCodecFactory } from "cornerstone-codec-shapes";
  const factory: CornerstoneCodecFactory<"J2KDecoder">;
  export default factory;
}
declare module "@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs" {
  import type { CornerstoneCodecFactory } from "cornerstone-codec-shapes";
  const factory: CornerstoneCodecFactory<"JPEGDecoder">;
  export default factory;
}
declare module "cornerstone-codec-shapes" {
  export interface CodecFrameInfo {
    width: number;
    height: number;
    bitsPerSample: number;
    componentCount: number;
    isSigned?: boolean;
  }
  export interface CornerstoneDecoder {
    getEncodedBuffer(length: number): Uint8Array;
    decode(): void;
    getFrameInfo(): CodecFrameInfo;
    getDecodedBuffer(): Uint8Array;
    delete(): void;
  }
  /** Emscripten module settings; `print` and `printErr` receive what the codec would write to stdout and stderr. */
  export interface EmscriptenSettings {
    print?: (text: string) => void;
    printErr?: (text: string) => void;
  }
  export type CornerstoneCodecFactory<Name extends string> = (settings?: EmscriptenSettings) => Promise<Record<Name, new () => CornerstoneDecoder>>;
}
