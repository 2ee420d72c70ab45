import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { Backend } from "../backends/backend.js";
import { handlersInFlight } from "../runner/handlers-in-flight.js";
import type { StageReport } from "../runner/run-report.js";

/**
 * The Prometheus metrics of a process that handles tasks (`serve`, `queue work`), in a registry
 * of its own (never prom-client's global one, so two in one process do not collide). Counters
 * are fed from reports as work finishes; the handler gauge is read when scraped.
 */
export class TaskMetrics {
  readonly registry = new Registry();
  readonly #handled: Counter<"stage">;
  readonly #succeeded: Counter<"stage">;
  readonly #failed: Counter<"stage">;
  readonly #moved: Counter<"stage" | "pathway">;
  readonly #passes: Histogram<"stage" | "end">;
  readonly #notifications: Counter<"outcome">;
  readonly #requests: Counter<"endpoint" | "status">;
  readonly #backOffs: Counter;

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: "task_agents_" });
    this.#handled = new Counter({ name: "task_agents_tasks_handled_total", help: "Tasks handed to a handler, per stage", labelNames: ["stage"], registers });
    this.#succeeded = new Counter({
      name: "task_agents_tasks_succeeded_total",
      help: "Tasks whose handler returned without failing, per stage",
      labelNames: ["stage"],
      registers,
    });
    this.#failed = new Counter({
      name: "task_agents_tasks_failed_total",
      help: "Tasks that failed after every attempt or were abandoned, per stage",
      labelNames: ["stage"],
      registers,
    });
    this.#moved = new Counter({
      name: "task_agents_tasks_moved_total",
      help: "Tasks moved on, per stage and pathway",
      labelNames: ["stage", "pathway"],
      registers,
    });
    this.#passes = new Histogram({
      name: "task_agents_pass_duration_seconds",
      help: "Duration of passes over a stage, per stage and how the pass ended",
      labelNames: ["stage", "end"],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900],
      registers,
    });
    this.#notifications = new Counter({
      name: "task_agents_notifications_total",
      help: "Task-ready notifications received, per outcome",
      labelNames: ["outcome"],
      registers,
    });
    this.#requests = new Counter({
      name: "task_agents_backend_requests_total",
      help: "Requests to the backend's service (Encord), per endpoint and HTTP status",
      labelNames: ["endpoint", "status"],
      registers,
    });
    this.#backOffs = new Counter({
      name: "task_agents_backend_backoffs_total",
      help: "Throttling answers (HTTP 429/503) the backend backed off from",
      registers,
    });
    new Gauge({
      name: "task_agents_handlers_in_flight",
      help: "Handler attempts running now, abandoned ones included",
      registers,
      collect() {
        this.set(handlersInFlight());
      },
    });
  }

  /** Adds what one stage report counted (a pass, or a queue job's task). */
  recordStage(stage: StageReport, end: string): void {
    const labels = { stage: stage.title };
    this.#handled.inc(labels, stage.seen);
    this.#succeeded.inc(labels, stage.succeeded);
    this.#failed.inc(labels, stage.failed);
    for (const [pathway, count] of Object.entries(stage.moved)) this.#moved.inc({ stage: stage.title, pathway }, count);
    this.#passes.observe({ stage: stage.title, end }, stage.durationMs / 1000);
  }

  /** Adds one task a queue worker finished: `pathway` is the pathway's name when it moved. */
  recordTask(stage: string, outcome: "succeeded" | "failed" | "left", pathway: string | undefined): void {
    this.#handled.inc({ stage });
    // Both series exist from the first task on, so a dashboard shows 0 rather than nothing.
    this.#failed.inc({ stage }, outcome === "failed" ? 1 : 0);
    this.#succeeded.inc({ stage }, outcome === "failed" ? 0 : 1);
    if (pathway !== undefined) this.#moved.inc({ stage, pathway });
  }

  /** Counts one notification by how it was answered. */
  recordNotification(outcome: string): void {
    this.#notifications.inc({ outcome });
  }

  /** Counts the backend's requests and back-offs from now on; returns the function that stops. */
  watchBackend(backend: Backend): () => void {
    const stops = [
      backend.onRequest?.((event) => this.#requests.inc({ endpoint: event.endpoint, status: String(event.status) })),
      backend.onBackOff?.(() => this.#backOffs.inc()),
    ];
    return () => stops.forEach((stop) => stop?.());
  }

  /** The metrics in Prometheus' text format, and its content type. */
  async exposition(): Promise<{ body: string; contentType: string }> {
    return { body: await this.registry.metrics(), contentType: this.registry.contentType };
  }
}
