/** A stand-in for stdout/stderr that keeps what is written, as the runner and the CLI write it. */
export class OutputCollector {
  text = "";
  readonly isTTY = false;
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
  once(): this {
    return this;
  }
}
