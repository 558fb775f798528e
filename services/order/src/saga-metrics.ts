// How long placing an order takes, part by part, on the service's /metrics: each saga step split
// into its downstream call and the store write that records its outcome, the steps before the
// saga (the request-id lookup, pricing the cart, recording the order), and how long an order's
// event waits in the outbox. Where an order's time goes, read from outside while it runs.
import type { MetricsRegistry } from "@shopmesh/kit";
import { Histogram } from "prom-client";

/** Which side of a step the time was spent on: a call to another service, or the order store. */
export type StepPart = "call" | "store";

export interface SagaMetrics {
  /** Runs `work`, counting its time under `step` and `part`. */
  time<T>(step: string, part: StepPart, work: () => Promise<T>): Promise<T>;
  /** An event was published `seconds` after the write that recorded it began. */
  published(seconds: number): void;
}

/** Seconds, fine below 100 ms, where a step's time is when nothing queues. */
const buckets = [0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 1, 2, 5, 10];

export const noSagaMetrics: SagaMetrics = { time: (_step, _part, work) => work(), published: () => undefined };

/** The metrics on `metrics`' registry; none when the service serves no /metrics. */
export function createSagaMetrics(metrics: MetricsRegistry | undefined): SagaMetrics {
  if (metrics === undefined) return noSagaMetrics;
  const steps = new Histogram({
    name: "order_saga_step_seconds",
    help: "Time of each part of placing an order: a saga step's downstream call or its store write, and the steps before the saga",
    labelNames: ["step", "part"] as const,
    buckets,
    registers: [metrics.registry],
  });
  const outbox = new Histogram({
    name: "order_outbox_publish_delay_seconds",
    help: "From the start of the write that recorded an order's event (its final state) to the broker's acknowledgement of it",
    buckets,
    registers: [metrics.registry],
  });
  return {
    async time(step, part, work) {
      const began = performance.now();
      try {
        return await work();
      } finally {
        steps.observe({ step, part }, (performance.now() - began) / 1000);
      }
    },
    published: (seconds) => outbox.observe(seconds),
  };
}
