import type sharpModule from "sharp";

let loading: Promise<typeof sharpModule> | undefined;

/**
 * sharp, loaded on first use: it brings libvips (tens of MB of resident memory), which agents
 * that never touch pixels should not pay for.
 */
export function loadSharp(): Promise<typeof sharpModule> {
  loading ??= import("sharp").then((loaded) => loaded.default);
  return loading;
}
