// The background loop that finishes orders nobody drives any more: those whose runner crashed
// (its lease ran out) and those whose step is due for a retry. It runs once at start (recovery
// after a crash) and then every interval. Without the card it cannot charge, so orders not yet
// paid are compensated; paid and shipped ones are carried forward.
import { randomUUID } from "node:crypto";
import type { Logger, Clock } from "@shopmesh/kit";
import type { OrderStore } from "../store/order-store.js";
import type { SagaRunner } from "./runner.js";

export interface RecoveryDeps {
  readonly store: OrderStore;
  readonly runner: SagaRunner;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly intervalMs: number;
  readonly leaseMs: number;
  /** Orders looked at per pass. */
  readonly batchSize?: number;
}

export interface Recovery {
  /** Stops the loop and waits for a running pass to end. */
  stop(): Promise<void>;
}

export function startRecovery(deps: RecoveryDeps): Recovery {
  const { store, runner, logger, clock } = deps;
  const batchSize = deps.batchSize ?? 50;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let pass: Promise<void> | undefined;

  const runPass = async (): Promise<void> => {
    const candidates = await store.findRecoverable(new Date(clock()), batchSize);
    for (const candidate of candidates) {
      if (stopped) return;
      const owner = `recovery-${randomUUID()}`;
      const now = clock();
      const order = await store.acquireLease(candidate.id, owner, new Date(now), new Date(now + deps.leaseMs));
      if (order === undefined) continue; // someone else took it, or it moved on
      logger.info(
        { order_id: order.id, state: order.state, cancel_requested: order.cancelRequested, attempt: order.attempts },
        "recovering order",
      );
      try {
        const result = await runner.run(order, owner, { mode: "background" });
        logger.info({ order_id: order.id, state: result.order.state, ended: result.ended }, "recovery run ended");
      } catch (err) {
        // The store went away mid-run: the lease runs out and a later pass continues.
        logger.warn({ order_id: order.id, err: err instanceof Error ? err.message : String(err) }, "recovery run failed");
      }
    }
  };

  const tick = (): void => {
    if (stopped) return;
    pass = runPass()
      .catch((err: unknown) => logger.warn({ err: err instanceof Error ? err.message : String(err) }, "recovery pass failed"))
      .finally(() => {
        pass = undefined;
        if (!stopped) timer = setTimeout(tick, deps.intervalMs);
      });
  };
  tick();

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await pass;
    },
  };
}
