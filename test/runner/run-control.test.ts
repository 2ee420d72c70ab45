import { expect, test } from "vitest";
import { ConfigurationError } from "../../src/index.js";
import { RunControl } from "../../src/runner/run-control.js";

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
