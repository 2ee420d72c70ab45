/** Storage item types, with Encord's wire spelling. */
export type StorageItemType =
  "image" | "video" | "audio" | "plainText" | "pdf" | "dicomFile" | "nifti" | "imageGroup" | "imageSequence" | "dicomSeries" | "group" | "scene";

/** A file in storage that backs a data unit (Encord's StorageItem, camelCase). */
export interface StorageItem {
  readonly uuid: string;
  readonly itemType: StorageItemType;
  readonly name: string;
  readonly description: string;
  readonly clientMetadata: Record<string, unknown>;
  readonly mimeType: string | null;
  readonly fileSize: number | null;
  readonly width: number | null;
  readonly height: number | null;
  readonly fps: number | null;
  readonly duration: number | null;
  readonly frameCount: number | null;
  /** Where the file lives: a `file://` URL for local files, else the URL it was added with. */
  readonly url: string | null;
  /** A URL the file can be downloaded from. Never log it: on Encord it carries a signature. */
  readonly signedUrl: string | null;
  readonly createdAt: Date;
  readonly lastEditedAt: Date;
  /**
   * The folder holding the item (Encord's `parent`), which Encord's folder-scoped endpoints need;
   * absent or null where the backend has no folders.
   */
  readonly parentFolderUuid?: string | null;
}
