/**
 * Where a label row keeps its labels, by its (lowercase) data type (docs/encord-protocol.md §7.3):
 * - `single`: each data unit is one frame with `{ objects, classifications }` (images, image groups);
 * - `perFrame`: a data unit's `labels` maps frame numbers to `{ objects, classifications }` (video, DICOM, …);
 * - `range`: labels live in the answer maps with ranges (audio, plain text, HTML).
 */
export type DataLayout = "single" | "perFrame" | "range";

const SINGLE = new Set(["image", "img_group", "group"]);
const RANGE = new Set(["audio", "plain_text"]);

export function dataLayoutOf(dataType: string): DataLayout {
  const type = dataType.toLowerCase();
  if (SINGLE.has(type)) return "single";
  if (RANGE.has(type)) return "range";
  return "perFrame";
}
