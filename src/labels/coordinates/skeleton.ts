import { invalid, requireArray, requireRecord, requireString, requireUnit, show } from "./validate.js";
import { wirePointList } from "./point-shapes.js";

export const SKELETON_VISIBILITIES = ["visible", "invisible", "occluded", "selfOccluded"] as const;
export type SkeletonVisibility = (typeof SKELETON_VISIBILITIES)[number];

/**
 * One skeleton node. `name`, `color`, `value` and `featureHash` repeat the skeleton template's node;
 * the SDK writes whichever are set and omits the rest.
 */
export interface SkeletonPoint {
  readonly x: number;
  readonly y: number;
  readonly name: string;
  readonly color?: string;
  readonly value?: string;
  readonly featureHash?: string;
  readonly visibility?: SkeletonVisibility;
}

/** Options of {@link SkeletonCoordinates}; `name` is the ontology object's name (not written on the wire). */
export interface SkeletonOptions {
  readonly values: readonly SkeletonPoint[];
  readonly name?: string;
}

export class SkeletonCoordinates {
  readonly shape = "skeleton";
  readonly values: readonly SkeletonPoint[];
  declare readonly name?: string;

  constructor(options: SkeletonOptions) {
    const o = requireRecord(options, "Skeleton coordinates", "give {values: [{x, y, name, ...}, ...]}");
    const points = requireArray(o.values, "Skeleton values", "a skeleton is a list of nodes {x, y, name, color, value, featureHash}");
    this.values = Object.freeze(points.map((p, i) => readSkeletonPoint(p, `Skeleton point ${i}`)));
    if (o.name !== undefined) this.name = requireString(o.name, "Skeleton name");
    Object.freeze(this);
  }

  toFrameFields(): Record<string, unknown> {
    const skeleton: Record<string, Record<string, unknown>> = {};
    this.values.forEach((p, i) => {
      const node: Record<string, unknown> = { x: p.x, y: p.y, name: p.name };
      if (p.color !== undefined) node.color = p.color;
      if (p.value !== undefined) node.value = p.value;
      if (p.featureHash !== undefined) node.featureHash = p.featureHash;
      if (p.visibility !== undefined) node.visibility = p.visibility;
      skeleton[String(i)] = node;
    });
    return { skeleton };
  }
}

function optionalString(value: unknown, what: string): string | undefined {
  return value === undefined || value === null ? undefined : requireString(value, what);
}

function readSkeletonPoint(value: unknown, what: string): SkeletonPoint {
  const p = requireRecord(value, what, "a skeleton node is {x, y, name, color, value, featureHash, visibility?}");
  const visibility = p.visibility;
  if (visibility !== undefined && !(SKELETON_VISIBILITIES as readonly unknown[]).includes(visibility)) {
    throw invalid(`${what} visibility ${show(visibility)} is not accepted; use one of ${SKELETON_VISIBILITIES.join(", ")}.`);
  }
  const point: Record<string, unknown> = {
    x: requireUnit(p.x, `${what} x`),
    y: requireUnit(p.y, `${what} y`),
    name: requireString(p.name, `${what} name`),
  };
  const color = optionalString(p.color, `${what} color`);
  const nodeValue = optionalString(p.value, `${what} value`);
  const featureHash = optionalString(p.featureHash, `${what} featureHash`);
  if (color !== undefined) point.color = color;
  if (nodeValue !== undefined) point.value = nodeValue;
  if (featureHash !== undefined) point.featureHash = featureHash;
  if (visibility !== undefined) point.visibility = visibility;
  return Object.freeze(point as unknown as SkeletonPoint);
}

/**
 * Older rows mark visibility with boolean keys named after the values. The SDK checks them in this
 * order and lets a true one win over a `visibility` string; on output only `visibility` remains.
 */
const LEGACY_VISIBILITY_ORDER: readonly SkeletonVisibility[] = ["invisible", "occluded", "selfOccluded", "visible"];

export function skeletonFromWire(entry: Record<string, unknown>, where: string): SkeletonCoordinates {
  const nodes = wirePointList(entry.skeleton, `${where} skeleton`).map((node, i) => {
    const n = requireRecord(node, `${where} skeleton node ${i}`, "a skeleton node is {x, y, name, ...}");
    const legacy = LEGACY_VISIBILITY_ORDER.find((key) => n[key] === true);
    const { visible: _v, invisible: _i, occluded: _o, selfOccluded: _s, ...rest } = n;
    return (legacy === undefined ? rest : { ...rest, visibility: legacy }) as unknown as SkeletonPoint;
  });
  const name = typeof entry.name === "string" ? entry.name : undefined;
  return new SkeletonCoordinates(name === undefined ? { values: nodes } : { values: nodes, name });
}
