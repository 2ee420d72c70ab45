import { createRequire } from "node:module";

// Both src/shared and dist/shared sit two levels below the package root.
const manifest = createRequire(import.meta.url)("../../package.json") as { name: string; version: string };

/** This package's name and version, read from its package.json. */
export const packageInfo = { name: manifest.name, version: manifest.version } as const;
