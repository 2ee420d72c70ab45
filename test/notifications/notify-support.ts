import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

/** One request a test receiver got, with its body exactly as sent. */
export interface ReceivedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly rawBody: Buffer;
}

/** A receiver on loopback that records every request and answers `status`. */
export interface TestReceiver extends AsyncDisposable {
  readonly url: string;
  readonly requests: ReceivedRequest[];
  status: number;
}

export async function startReceiver(path = "/hooks/encord"): Promise<TestReceiver> {
  const requests: ReceivedRequest[] = [];
  const receiver = { status: 200 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, rawBody: Buffer.concat(chunks) });
      res.writeHead(receiver.status, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${port}${path}`,
    requests,
    async [Symbol.asyncDispose]() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}

/** A loopback URL nothing listens on: a port that was free a moment ago. */
export async function unusedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/hook`;
}

/**
 * Checks a request's signature the way the protocol defines it, written here independently of
 * the sender: HMAC-SHA256 of "<timestamp>.<raw body>", lowercase hex, compared in constant time.
 */
export function hasValidSignature(request: ReceivedRequest, secret: string): boolean {
  const timestamp = request.headers["x-encord-timestamp"];
  const signature = request.headers["x-encord-signature"];
  if (typeof timestamp !== "string" || typeof signature !== "string") return false;
  const expected = createHmac("sha256", secret)
    .update(Buffer.concat([Buffer.from(`${timestamp}.`), request.rawBody]))
    .digest("hex");
  return signature.length === expected.length && timingSafeEqual(Buffer.from(signature), Buffer.from(expected));
}

/** The notified stage's settings as a spec writes them. */
export type NotifySettings = Record<string, unknown>;

/**
 * A spec file in `dir`: START → "Pre-label" (AGENT, with `notify` when given) → "Annotate" →
 * "Complete". Returns its path.
 */
export function writeNotifySpec(dir: string, notify: NotifySettings | undefined, extraStageFields: Record<string, unknown> = {}): string {
  const spec = {
    title: "Notified",
    workflow: {
      stages: [
        { title: "Start", type: "START", to: "Pre-label" },
        { title: "Pre-label", type: "AGENT", pathways: [{ name: "annotate", to: "Annotate" }], ...(notify === undefined ? {} : { notify }) },
        { title: "Annotate", type: "ANNOTATION", to: "Complete", ...extraStageFields },
        { title: "Complete", type: "DONE" },
      ],
    },
  };
  const path = join(dir, "notified.json");
  writeFileSync(path, JSON.stringify(spec));
  return path;
}
