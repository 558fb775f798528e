// CancelOrder: record the customer's cancellation, then compensate at once if nobody drives the
// order; if a saga is running, it notices the request at its next step and this call waits for it.
import { randomUUID } from "node:crypto";
import type { Logger, Clock } from "@shopmesh/kit";
import { orderAlreadyShipped, orderNotFound, unavailable } from "./errors.js";
import type { CallContext } from "./call-context.js";
import type { SagaRunner } from "./saga/runner.js";
import type { OrderRecord } from "./order.js";
import type { OrderStore } from "./store/order-store.js";
import { sleep } from "./wait.js";

export const defaultCancelReason = "cancelled by customer";

export interface CancellationDeps {
  readonly store: OrderStore;
  readonly runner: SagaRunner;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly leaseMs: number;
  /** How long the call waits for a running saga to stop. */
  readonly waitMs: number;
  readonly pollIntervalMs?: number;
}

export function createCancellation(deps: CancellationDeps) {
  const { store, runner, clock } = deps;

  return {
    async cancelOrder(userId: string, orderId: string, reason: string, call: CallContext): Promise<OrderRecord> {
      let order = await store.getForUser(userId, orderId);
      if (order === undefined) throw orderNotFound(orderId);
      if (order.state === "CANCELLED") return order;
      if (order.state === "SHIPPED" || order.state === "CONFIRMED") throw orderAlreadyShipped(order);

      order = await store.requestCancel(userId, orderId, reason === "" ? defaultCancelReason : reason);
      const deadline = clock() + deps.waitMs;
      for (;;) {
        if (order === undefined) throw orderNotFound(orderId);
        if (order.state === "CANCELLED") return order;
        if (order.state === "SHIPPED" || order.state === "CONFIRMED") throw orderAlreadyShipped(order);
        const owner = `cancel-${randomUUID()}`;
        const now = clock();
        // A postponed retry does not make the customer wait: take the order if nobody runs it.
        const leased = await store.acquireLease(orderId, owner, new Date(now), new Date(now + deps.leaseMs), { evenIfBackingOff: true });
        if (leased !== undefined) {
          const result = await runner.run(leased, owner, { mode: "background", requestId: call.rpcRequestId });
          if (result.ended === "postponed") {
            throw unavailable(
              `the cancellation of order ${orderId} is recorded, but a service it needs is unavailable; ` +
                "it completes in the background (retrying CancelOrder is safe)",
            );
          }
          order = result.order;
          continue;
        }
        if (clock() >= deadline) {
          throw unavailable(`order ${orderId} is still being worked on; its cancellation is recorded and completes in the background`);
        }
        await sleep(deps.pollIntervalMs ?? 50, call.signal);
        order = await store.getForUser(userId, orderId);
      }
    },
  };
}

export type Cancellation = ReturnType<typeof createCancellation>;
