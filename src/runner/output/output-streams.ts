/** The two streams a run writes to: results (the report, JSON events) and everything else. */
export interface OutputStreams {
  readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean };
  readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean };
}

export function processStreams(): OutputStreams {
  return { stdout: process.stdout, stderr: process.stderr };
}
