import { expect, test } from "vitest";
import { ConfigurationError } from "../../src/index.js";
import { RunControl, untilAborted } from "../../src/runner/run-control.js";

// RunControl is the one place a run's stop state lives (docs/architecture.md, "Stopping").
const control = (onStop: (reason: string) => void = () => undefined, external?: AbortSignal) =>
  new RunControl({ gracePeriodMs: 60_000, onStop, ...(external ? { external } : {}) });

test("the first stop cause wins; later requests change neither the cause nor the reason reported", () => {
  const reasons: string[] = [];
  const run = control((reason) => reasons.push(reason));
  expect(run.stopCause).toBeUndefined();
  run.requestStop("signal");
  run.requestStop("second signal");
  run.abandonNow("forced");
  expect(run.stopCause).toEqual({ kind: "requested", reason: "signal" });
  expect(reasons).toEqual(["signal"]);
  expect(run.stopping).toBe(true);
  expect(run.abortSignal.aborted).toBe(true);
  run.dispose();
});

test("the first configuration error is kept as the run's error, also when the run was already stopping", () => {
  const run = control();
  run.requestStop("signal");
  const first = new ConfigurationError("TA_UNKNOWN_PATHWAY", "first");
  run.stopAtConfigurationError(first);
  run.stopAtConfigurationError(new ConfigurationError("TA_UNKNOWN_PATHWAY", "second"));
  expect(run.configurationError).toBe(first);
  expect(run.stopCause).toEqual({ kind: "requested", reason: "signal" });
  run.dispose();
});

test("a configuration error stops the run and is its cause", () => {
  const reasons: string[] = [];
  const run = control((reason) => reasons.push(reason));
  const error = new ConfigurationError("TA_UNKNOWN_PATHWAY", "bad pathway");
  run.stopAtConfigurationError(error);
  expect(run.stopping).toBe(true);
  expect(run.stopCause).toEqual({ kind: "configuration-error", error });
  expect(reasons).toEqual(["configuration error"]);
  // Stopping is not aborting: handlers in flight keep their grace period.
  expect(run.abortSignal.aborted).toBe(false);
  run.dispose();
});

test("an external signal that already fired stops the run at once, with cause signal", () => {
  const run = control(undefined, AbortSignal.abort());
  expect(run.stopCause).toEqual({ kind: "requested", reason: "signal" });
  run.dispose();
});

test("untilAborted: every wait on a signal is rejected with its reason when it fires; waits settled before are not", async () => {
  const abort = new AbortController();
  const settled = await untilAborted(Promise.resolve("done"), abort.signal);
  const failed = await untilAborted(Promise.reject(new Error("handler failed")), abort.signal).catch((error: unknown) => error);
  const never = new Promise<never>(() => undefined);
  const pending = Array.from({ length: 20 }, () => untilAborted(never, abort.signal).catch((error: unknown) => error));
  const reason = new Error("run aborted");
  abort.abort(reason);
  expect(settled).toBe("done");
  expect((failed as Error).message).toBe("handler failed");
  for (const outcome of await Promise.all(pending)) expect(outcome).toBe(reason);
  // A wait that starts after the signal fired is rejected at once.
  await expect(untilAborted(never, abort.signal)).rejects.toBe(reason);
});

test("untilAborted keeps one abort listener on a signal however many waits there are", async () => {
  const abort = new AbortController();
  let added = 0;
  const add = abort.signal.addEventListener.bind(abort.signal);
  abort.signal.addEventListener = ((...args: Parameters<AbortSignal["addEventListener"]>) => {
    added++;
    add(...args);
  }) as AbortSignal["addEventListener"];
  for (let i = 0; i < 50; i++) await untilAborted(Promise.resolve(i), abort.signal);
  expect(added).toBe(1);
});
