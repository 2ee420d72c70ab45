import { LRUCache } from "lru-cache";
import type { UiContext } from "../context.js";
import { renderFrameImage, type FrameImage } from "./frame-image.js";
import type { MediaItem } from "./media-item.js";

/** Encoded frames kept per dashboard: enough for a few dozen full-HD frames. @defaultValue 64 MiB */
const defaultMaxBytes = 64 * 1024 * 1024;

/** Renders a frame; replaceable so a test can count decodes. */
export type FrameRenderer = (item: MediaItem, frame: number, signal?: AbortSignal) => Promise<FrameImage>;

/**
 * Decoded frames, most recently used kept, bounded in bytes. The task page asks for a frame to
 * learn its size and the browser then fetches the same frame's image: both are served by one
 * decode, and concurrent requests for one frame wait for the same decode rather than starting
 * their own (a video frame costs an ffmpeg run). A failed decode is not kept.
 */
export class FrameCache {
  readonly #cache: LRUCache<string, FrameImage, { item: MediaItem; frame: number }>;

  constructor(render: FrameRenderer = renderFrameImage, maxBytes = defaultMaxBytes) {
    this.#cache = new LRUCache({
      maxSize: maxBytes,
      sizeCalculation: (image) => Math.max(1, image.bytes.byteLength),
      fetchMethod: (_key, _stale, { context, signal }) => render(context.item, context.frame, signal),
    });
  }

  /** Frame `frame` of the item: from the cache, or decoded now. */
  async get(item: MediaItem, frame: number): Promise<FrameImage> {
    // Data hashes are unique in a store and an item's file never changes, so this key never goes stale.
    const image = await this.#cache.fetch(`${item.dataHash}\u0000${frame}`, { context: { item, frame } });
    if (image === undefined) throw new Error(`Frame ${frame} of ${JSON.stringify(item.dataTitle)} was not decoded.`);
    return image;
  }
}

const caches = new WeakMap<UiContext, FrameCache>();

/** The dashboard's one frame cache, shared by the task page and the media route of the same app. */
export function frameCacheOf(context: UiContext): FrameCache {
  let cache = caches.get(context);
  if (cache === undefined) {
    cache = new FrameCache();
    caches.set(context, cache);
  }
  return cache;
}
