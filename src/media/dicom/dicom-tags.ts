/** The DICOM tags task-agents reads, in dicom-parser's `xGGGGEEEE` spelling. */
export const tags = {
  transferSyntax: "x00020010",
  sopInstanceUid: "x00080018",
  seriesInstanceUid: "x0020000e",
  instanceNumber: "x00200013",
  imagePositionPatient: "x00200032",
  imageOrientationPatient: "x00200037",
  samplesPerPixel: "x00280002",
  photometricInterpretation: "x00280004",
  planarConfiguration: "x00280006",
  numberOfFrames: "x00280008",
  rows: "x00280010",
  columns: "x00280011",
  bitsAllocated: "x00280100",
  bitsStored: "x00280101",
  pixelRepresentation: "x00280103",
  windowCenter: "x00281050",
  windowWidth: "x00281051",
  rescaleIntercept: "x00281052",
  rescaleSlope: "x00281053",
  pixelData: "x7fe00010",
} as const;

/** Uncompressed transfer syntaxes by UID. */
export const uncompressedSyntaxes: ReadonlyMap<string, { name: string; bigEndian: boolean }> = new Map([
  ["1.2.840.10008.1.2", { name: "Implicit VR Little Endian", bigEndian: false }],
  ["1.2.840.10008.1.2.1", { name: "Explicit VR Little Endian", bigEndian: false }],
  ["1.2.840.10008.1.2.2", { name: "Explicit VR Big Endian", bigEndian: true }],
]);
