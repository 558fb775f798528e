// PlaceOrder: turn the caller's cart into a priced PENDING order, then run the saga with the
// card (held in memory only) and answer with the outcome, or, when the saga outlasts the answer
// deadline, with the order as it stands (the saga goes on; the client follows it with GetOrder).
// The request id makes it idempotent per caller: a repeated or concurrent call waits for the
// order of the first and answers with it.
import { randomUUID } from "node:crypto";
import type { Address } from "@shopmesh/gen/shop/common/v1/common_pb.js";
import type { PaymentCard } from "@shopmesh/gen/shop/payment/v1/payment_pb.js";
import type { Logger, Clock } from "@shopmesh/kit";
import { answerDeadline } from "./answer-deadline.js";
import { tooManyPlacements } from "./errors.js";
import type { CallContext } from "./call-context.js";
import { createCartPricing } from "./cart-pricing.js";
import type { Downstream } from "./downstream.js";
import { orderIdFor, type OrderRecord } from "./order.js";
import { toAddressRecord } from "./order-message.js";
import { createPlacementAnswers } from "./placement-answer.js";
import type { PricedOrder } from "./pricing.js";
import { noSagaMetrics, type SagaMetrics } from "./saga-metrics.js";
import type { CrashHooks } from "./saga/crash-points.js";
import type { SagaRunner } from "./saga/runner.js";
import type { OrderStore } from "./store/order-store.js";

export interface PlacementDeps {
  readonly store: OrderStore;
  readonly downstream: Downstream;
  readonly runner: SagaRunner;
  readonly crash: CrashHooks;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly leaseMs: number;
  /** How long a call waits for the order another call with its request id is placing. */
  readonly waitMs: number;
  /** The longest a call runs before it answers with the order as it stands (PLACE_ORDER_REPLY_MS). */
  readonly replyMs: number;
  /** The most orders placed at once, each from its first read to its saga's end (PLACE_ORDER_MAX_IN_FLIGHT). */
  readonly maxInFlight: number;
  readonly pollIntervalMs?: number;
  /** Where the time before the saga goes (lookup, pricing, recording); none when absent. */
  readonly metrics?: SagaMetrics;
}

export interface PlaceOrderInput {
  readonly requestId: string;
  readonly address: Address;
  readonly card: PaymentCard;
}

/** What RESOURCE_EXHAUSTED suggests a client waits before it tries again. */
const retryAfterMs = 1_000;

export function createPlacement(deps: PlacementDeps) {
  const { store, runner, clock } = deps;
  const priceCart = createCartPricing(deps.downstream);
  const answers = createPlacementAnswers(deps);
  const metrics = deps.metrics ?? noSagaMetrics;

  /** A new PENDING order of `priced`, leased to `owner`, the call that records it. */
  const pendingOrder = (userId: string, input: PlaceOrderInput, priced: PricedOrder, owner: string): OrderRecord => {
    const now = clock();
    return {
      id: orderIdFor(userId, input.requestId),
      userId,
      requestId: input.requestId,
      state: "PENDING",
      ...priced,
      address: toAddressRecord(input.address),
      paymentId: "",
      shipmentId: "",
      trackingId: "",
      cancelRequested: false,
      cancelReason: "",
      refunded: false,
      released: false,
      committed: false,
      cartEmptied: false,
      createTime: new Date(now),
      updateTime: new Date(now),
      leaseOwner: owner,
      leaseUntil: new Date(now + deps.leaseMs),
      attempts: 0,
    };
  };

  /**
   * Orders being placed now (and calls waiting for an order of their request id). An order counts
   * until its saga ends, even after its call answered: the work a call starts is what the limit
   * bounds, so an overloaded shop refuses the next order at once instead of every order getting
   * slower until all of them miss their deadlines.
   */
  let placing = 0;

  /** Places the order; the caller holds a place among those in flight, given back by `done`. */
  const place = async (userId: string, input: PlaceOrderInput, call: CallContext, done: () => void): Promise<OrderRecord> => {
    let handedToRun = false;
    try {
      const answerBy = answerDeadline(clock(), call.deadline, deps.replyMs);
      // The request id was used before: that order is the answer.
      const existing = await metrics.time("lookup", "store", () => store.findByRequest(userId, input.requestId));
      if (existing !== undefined) return await answers.ofExisting(existing.id, call, answerBy);

      // Price the cart now and record the order PENDING; of concurrent calls with one request
      // id, the store's unique index lets one record it and the others answer with its order.
      const owner = `place-${randomUUID()}`;
      let priced: PricedOrder;
      try {
        priced = await metrics.time("price", "call", () => priceCart(userId, input.address, call));
      } catch (err) {
        // A repeat of a request placed before order ids were made of request ids (its cart is
        // emptied by now): that order is the answer, not the cart's state.
        const older = await store.findRecordedBeforeIds(userId, input.requestId);
        if (older === undefined) throw err;
        return await answers.ofExisting(older.id, call, answerBy);
      }
      const order = pendingOrder(userId, input, priced, owner);
      const recorded = await metrics.time("record", "store", () => store.insert(order));
      if (recorded.kind === "duplicate") return await answers.ofExisting(recorded.existing.id, call, answerBy);
      deps.crash.afterPersist("PENDING");

      // Run the saga and answer with its end, or with the order as it stands once the answer is
      // due. It is not tied to the client's signal: once recorded, the order is driven to an end
      // even if the client goes away.
      const run = runner.run(order, owner, { mode: "interactive", card: input.card, requestId: call.rpcRequestId });
      handedToRun = true;
      void run.then(done, done);
      const result = await settledBy(run, answerBy - clock());
      if (result === undefined) {
        void run.catch((err: unknown) =>
          deps.logger.warn(
            { order_id: order.id, err: err instanceof Error ? err.message : String(err) },
            "saga run failed after the answer",
          ),
        );
        return answers.asItStands(order.id);
      }
      return answers.ofRun(result, call, answerBy);
    } finally {
      if (!handedToRun) done();
    }
  };

  return {
    placeOrder(userId: string, input: PlaceOrderInput, call: CallContext): Promise<OrderRecord> {
      if (placing >= deps.maxInFlight) return Promise.reject(tooManyPlacements(deps.maxInFlight, retryAfterMs));
      placing++;
      return place(userId, input, call, () => placing--);
    },
  };
}

export type Placement = ReturnType<typeof createPlacement>;

/** What `work` resolves to within `ms`, or undefined if it is still running then (it goes on; its rejection is the caller's). */
async function settledBy<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const due = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), Math.max(0, ms));
  });
  try {
    return await Promise.race([work, due]);
  } finally {
    clearTimeout(timer);
  }
}
