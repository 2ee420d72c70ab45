// Makes the scans-and-documents examples' files into examples/scans/: an 8-slice CT-like DICOM
// series, a NIfTI volume and a 3-page PDF, each a known pattern (scripts/media/example-scans.ts).
// Run: npx tsx scripts/make-scan-examples.ts
import { fileURLToPath } from "node:url";
import { writeExampleScans } from "./media/example-scans.js";

const written = writeExampleScans(fileURLToPath(new URL("../examples/scans/", import.meta.url)));
process.stdout.write(`${written.length} files written\n`);
