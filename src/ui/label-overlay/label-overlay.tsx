import type { Child } from "hono/jsx";
import { bitmaskDataUrl } from "./bitmask-image.js";
import type { MediaSize, OverlayShape, PixelPoint } from "./overlay-shapes.js";

/** Props of {@link LabelOverlay}. */
export interface LabelOverlayProps {
  /** The frame's size in pixels: the drawing's coordinate system. */
  readonly size: MediaSize;
  /** The frame image's URL; absent for media without pixels (the labels are drawn on a blank frame). */
  readonly mediaUrl?: string;
  readonly shapes: readonly OverlayShape[];
  /** Data URLs of the bitmasks' images, by object hash (see {@link bitmaskImages}). */
  readonly bitmasks: ReadonlyMap<string, string>;
}

/** Coordinates written with two decimals at most: exact enough for pixels, short in markup. */
const n = (value: number): string => String(Math.round(value * 100) / 100);

const points = (list: readonly PixelPoint[]): string => list.map((p) => `${n(p.x)},${n(p.y)}`).join(" ");

function ringPath(ring: readonly PixelPoint[]): string {
  return ring.map((p, i) => `${i === 0 ? "M" : "L"}${n(p.x)} ${n(p.y)}`).join(" ") + " Z";
}

/** Where a shape's title goes: just above its top-left-most point. */
function anchorOf(shape: OverlayShape): PixelPoint {
  const all: PixelPoint[] = [];
  switch (shape.kind) {
    case "box":
      return { x: shape.x, y: shape.y };
    case "polygon":
      all.push(...shape.polygons.flat(2));
      break;
    case "polyline":
      all.push(...shape.points);
      break;
    case "point":
      return shape.point;
    case "skeleton":
      all.push(...shape.nodes);
      break;
    case "bitmask":
      return { x: shape.x, y: shape.y };
    case "cuboid":
      all.push(...shape.front, ...shape.back);
      break;
    default: {
      const unknown: never = shape;
      throw new Error(`Unknown overlay shape ${JSON.stringify(unknown)}`);
    }
  }
  return { x: Math.min(...all.map((p) => p.x)), y: Math.min(...all.map((p) => p.y)) };
}

// Strokes keep their on-screen width whatever the image is scaled to.
const stroke = { "stroke-width": 2, "vector-effect": "non-scaling-stroke", "stroke-linejoin": "round" } as const;

function ShapeBody({ shape, bitmasks }: { shape: OverlayShape; bitmasks: ReadonlyMap<string, string> }): Child {
  const { color } = shape;
  switch (shape.kind) {
    case "box": {
      const centre = `${n(shape.x + shape.width / 2)} ${n(shape.y + shape.height / 2)}`;
      return (
        <rect
          x={n(shape.x)}
          y={n(shape.y)}
          width={n(shape.width)}
          height={n(shape.height)}
          fill="none"
          stroke={color}
          {...stroke}
          transform={shape.rotationDegrees === 0 ? undefined : `rotate(${n(shape.rotationDegrees)} ${centre})`}
        />
      );
    }
    case "polygon":
      // One path per polygon: its holes are further subpaths, cut out by the even-odd rule.
      return (
        <>
          {shape.polygons.map((rings) => (
            <path d={rings.map(ringPath).join(" ")} fill={color} fill-opacity="0.25" fill-rule="evenodd" stroke={color} {...stroke} />
          ))}
        </>
      );
    case "polyline":
      return <polyline points={points(shape.points)} fill="none" stroke={color} {...stroke} />;
    case "point":
      return <circle cx={n(shape.point.x)} cy={n(shape.point.y)} r="4" fill={color} stroke="#ffffff" stroke-width="1" vector-effect="non-scaling-stroke" />;
    case "skeleton":
      return (
        <>
          {shape.edges.map(([a, b]) => {
            const from = shape.nodes[a]!;
            const to = shape.nodes[b]!;
            return <line x1={n(from.x)} y1={n(from.y)} x2={n(to.x)} y2={n(to.y)} stroke={color} {...stroke} />;
          })}
          {shape.nodes.map((node) =>
            node.hidden ? null : (
              <circle cx={n(node.x)} cy={n(node.y)} r="3" fill={color} stroke="#ffffff" stroke-width="1" vector-effect="non-scaling-stroke">
                <title>{node.name}</title>
              </circle>
            ),
          )}
        </>
      );
    case "bitmask": {
      const href = bitmasks.get(shape.objectHash);
      return href === undefined ? null : (
        <image
          href={href}
          x={n(shape.x)}
          y={n(shape.y)}
          width={n(shape.mask.width)}
          height={n(shape.mask.height)}
          preserveAspectRatio="none"
          image-rendering="pixelated"
        />
      );
    }
    case "cuboid":
      return (
        <>
          <polygon points={points(shape.back)} fill="none" stroke={color} stroke-dasharray="4 3" {...stroke} />
          {shape.front.map((p, i) => {
            const q = shape.back[i]!;
            return <line x1={n(p.x)} y1={n(p.y)} x2={n(q.x)} y2={n(q.y)} stroke={color} {...stroke} />;
          })}
          <polygon points={points(shape.front)} fill={color} fill-opacity="0.15" stroke={color} {...stroke} />
        </>
      );
    default: {
      const unknown: never = shape;
      throw new Error(`Unknown overlay shape ${JSON.stringify(unknown)}`);
    }
  }
}

/** Frames narrower than this are shown enlarged, by a whole factor so their pixels stay square blocks. */
const smallFrameWidth = 640;

/** How many screen pixels a frame pixel takes at most: 1, or 2–4 for small frames. */
export function displayScale(size: MediaSize): number {
  return size.width >= smallFrameWidth ? 1 : Math.max(1, Math.min(4, Math.floor(smallFrameWidth / size.width)));
}

/**
 * A frame with its labels drawn over it, as one SVG in the frame's own pixels: the image, then
 * each object in a group the page's class toggles address (`data-feature`), with its title.
 * Scaled by CSS, the drawing stays on the image since both share the one coordinate system.
 */
export function LabelOverlay({ size, mediaUrl, shapes, bitmasks }: LabelOverlayProps) {
  const scale = displayScale(size);
  // Titles stay readable on screen: about 12 screen pixels whatever the frame's size and scale.
  const fontSize = Math.max(12 / scale, Math.round(Math.min(size.width, size.height) / 40));
  return (
    <svg
      class="label-overlay"
      xmlns="http://www.w3.org/2000/svg"
      viewBox={`0 0 ${size.width} ${size.height}`}
      width={String(size.width * scale)}
      height={String(size.height * scale)}
      data-width={String(size.width)}
      data-height={String(size.height)}
      data-scale={String(scale)}
    >
      {mediaUrl === undefined ? (
        <rect x="0" y="0" width={String(size.width)} height={String(size.height)} fill="#e9ecef" />
      ) : (
        <image class="frame" href={mediaUrl} x="0" y="0" width={String(size.width)} height={String(size.height)} preserveAspectRatio="none" />
      )}
      {shapes.map((shape) => {
        const anchor = anchorOf(shape);
        return (
          <g class={`label ${shape.kind}`} data-feature={shape.featureHash} data-object={shape.objectHash}>
            <title>{`${shape.title} (${shape.objectHash})`}</title>
            <ShapeBody shape={shape} bitmasks={bitmasks} />
            <text
              x={n(anchor.x)}
              y={n(Math.max(fontSize, anchor.y - 4 / scale))}
              fill={shape.color}
              font-size={n(fontSize)}
              stroke="#ffffff"
              stroke-width="3"
              vector-effect="non-scaling-stroke"
              paint-order="stroke"
            >
              {shape.title}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

/** The data URLs of the bitmasks among `shapes`, by object hash: encoded before the page renders. */
export async function bitmaskImages(shapes: readonly OverlayShape[]): Promise<Map<string, string>> {
  const images = new Map<string, string>();
  for (const shape of shapes) {
    if (shape.kind === "bitmask") images.set(shape.objectHash, await bitmaskDataUrl(shape.mask, shape.color));
  }
  return images;
}
