import { basename } from "node:path";
import { pathToFileURL } from "node:url";
import { DataInputError } from "../../domain/errors.js";
import type { NewDataItem } from "./data-items.js";
import type { DicomHeader } from "./dicom-header.js";
import { dicomSeriesKind } from "./media-types.js";

/** A DICOM file that can be a slice of a series. */
export type SeriesSlice = NewDataItem & { readonly media: { readonly dicom: DicomHeader & { readonly seriesUid: string } } };

/** A single-frame DICOM file that names its series: what a folder's series are built from. */
export function isSeriesSlice(item: NewDataItem): item is SeriesSlice {
  const dicom = item.media.dicom;
  return dicom !== undefined && dicom.seriesUid !== null && dicom.frameCount === 1;
}

/**
 * The series among one folder's slices: slices sharing a SeriesInstanceUID become one
 * `dicomSeries` item with the slices as children in frame order ({@link compareSlices}). A series
 * of one slice stays a plain DICOM file, as a single `.dcm` always has.
 */
export function groupSeries(folder: string, slices: readonly SeriesSlice[]): NewDataItem[] {
  const bySeries = new Map<string, SeriesSlice[]>();
  for (const slice of slices) {
    const list = bySeries.get(slice.media.dicom.seriesUid) ?? [];
    list.push(slice);
    bySeries.set(slice.media.dicom.seriesUid, list);
  }
  const items: NewDataItem[] = [];
  // The folder's name alone is the title unless the folder holds several series.
  const seriesCount = [...bySeries.values()].filter((members) => members.length > 1).length;
  for (const [seriesUid, members] of bySeries) {
    if (members.length === 1) {
      items.push(members[0]!);
      continue;
    }
    const title = seriesCount === 1 ? basename(folder) : `${basename(folder)} (${seriesUid})`;
    items.push(seriesItem(folder, seriesUid, title, members));
  }
  return items;
}

function seriesItem(folder: string, seriesUid: string, title: string, members: SeriesSlice[]): NewDataItem {
  const first = members[0]!.media;
  const other = members.find((m) => m.media.width !== first.width || m.media.height !== first.height);
  if (other) {
    throw new DataInputError(
      "TA_UNSUPPORTED_MEDIA",
      `DICOM series ${seriesUid} in ${JSON.stringify(folder)} mixes slice sizes: ` +
        `${JSON.stringify(members[0]!.title)} is ${first.width}×${first.height}, ` +
        `${JSON.stringify(other.title)} is ${other.media.width}×${other.media.height}. A series is added ` +
        `as one volume, so its slices must share one size; move the odd files to a folder of their own.`,
      folder,
    );
  }
  const children = [...members].sort(compareSlices(sliceNormal(members)));
  const fileSize = members.every((m) => m.media.fileSize !== null) ? members.reduce((sum, m) => sum + m.media.fileSize!, 0) : null;
  return {
    title,
    // The folder and the series together name the item: a folder may hold several series.
    url: `${pathToFileURL(folder).href}#series=${encodeURIComponent(seriesUid)}`,
    media: {
      kind: dicomSeriesKind,
      mimeType: first.mimeType,
      fileSize,
      width: first.width,
      height: first.height,
      fps: null,
      duration: null,
      frameCount: children.length,
    },
    clientMetadata: {},
    children,
  };
}

/**
 * The direction slices are stacked along: the cross product of ImageOrientationPatient's row and
 * column directions, from the first slice that has them; without any, the patient z axis.
 */
function sliceNormal(slices: readonly SeriesSlice[]): readonly [number, number, number] {
  const orientation = slices.find((s) => s.media.dicom.orientation !== null)?.media.dicom.orientation;
  if (!orientation) return [0, 0, 1];
  const [rx, ry, rz, cx, cy, cz] = orientation as [number, number, number, number, number, number];
  return [ry * cz - rz * cy, rz * cx - rx * cz, rx * cy - ry * cx];
}

/**
 * Frame order: InstanceNumber ascending (slices without one after those with one), then position
 * along the slice normal ascending (slices without ImagePositionPatient last), then file name, so
 * the order never depends on how the folder was listed.
 */
export function compareSlices(normal: readonly [number, number, number]): (a: SeriesSlice, b: SeriesSlice) => number {
  const along = (s: SeriesSlice) => {
    const p = s.media.dicom.position;
    return p === null ? null : p[0] * normal[0] + p[1] * normal[1] + p[2] * normal[2];
  };
  return (a, b) =>
    compareMissingLast(a.media.dicom.instanceNumber, b.media.dicom.instanceNumber) ||
    compareMissingLast(along(a), along(b)) ||
    (a.title < b.title ? -1 : a.title > b.title ? 1 : 0);
}

function compareMissingLast(a: number | null, b: number | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  return a - b;
}
