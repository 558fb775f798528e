// The saga executor: performs an order's next step, persists the transition (the store applies it
// only in the expected state and under the runner's lease) and goes on until the order is final, a
// step must be retried later, or another runner took the order over. The steps after shipping are
// persisted with the confirmation. The final transition records the order's event
// (OrderConfirmed, OrderCancelled) in the same write, then hands it to the relay.
import type { PaymentCard } from "@shopmesh/gen/shop/payment/v1/payment_pb.js";
import { currentTraceHeaders } from "@shopmesh/events";
import type { Logger, Clock } from "@shopmesh/kit";
import type { OrderRecord, ProgressChanges } from "../order.js";
import { noSagaMetrics, type SagaMetrics } from "../saga-metrics.js";
import { finalOrderEvent, type OrderEvent } from "../order-events.js";
import type { EventOf, OrderStore } from "../store/order-store.js";
import type { SagaActions } from "./actions.js";
import type { CrashHooks } from "./crash-points.js";
import { stepSpan } from "./step-span.js";
import { describe, localSteps, nextStep, retryDelayMs, transition, type RunMode, type Step, type StepOutcome } from "./state-machine.js";

export interface SagaRunnerDeps {
  readonly store: OrderStore;
  readonly actions: SagaActions;
  readonly logger: Logger;
  /** Epoch milliseconds. */
  readonly clock: Clock;
  readonly leaseMs: number;
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  readonly crash: CrashHooks;
  /** Gets each event as soon as it is recorded (the outbox relay publishes it). */
  readonly onEvent: (event: OrderEvent) => void;
  /** Where each step's time goes (its call, its write); none when absent. */
  readonly metrics?: SagaMetrics;
}

export interface RunOptions {
  readonly mode: RunMode;
  /** Held in memory only, for the charge step of the PlaceOrder call that recorded the order. */
  readonly card?: PaymentCard;
  /** Forwarded on downstream calls when the run serves a request. */
  readonly requestId?: string;
}

export interface RunResult {
  /** The order as last persisted (or read, after the lease was lost). */
  readonly order: OrderRecord;
  /** final: CONFIRMED or CANCELLED; postponed: a step is to be retried later; lease-lost: another runner has it. */
  readonly ended: "final" | "postponed" | "lease-lost";
  /** The step outcome that made this run compensate, if one did. */
  readonly cause?: StepOutcome;
}

export interface SagaRunner {
  /** Drives `order`, whose lease `owner` holds, as far as it can. Store outages throw (UNAVAILABLE). */
  run(order: OrderRecord, owner: string, options: RunOptions): Promise<RunResult>;
  /** Resolves once every run started so far has ended. */
  idle(): Promise<void>;
}

/**
 * Steps whose outcome is written with the next step's instead of on its own: past the point of no
 * return each is safe to repeat (inventory commits by the order id; an empty cart stays empty),
 * and the confirmation right after them writes anyway, so a crash before it (or a retry postponed
 * meanwhile) costs a repeated call, and an order two writes fewer. Between two writes the lease
 * is not renewed: two calls at most, which ORDER_LEASE_MS > 2 × DOWNSTREAM_TIMEOUT_MS covers.
 */
const carriedSteps: ReadonlySet<Step> = new Set(["commit", "emptyCart"]);

export function createSagaRunner(deps: SagaRunnerDeps): SagaRunner {
  const { store, actions, logger, clock, crash } = deps;
  const metrics = deps.metrics ?? noSagaMetrics;
  const running = new Set<Promise<unknown>>();

  const perform = (step: Step, order: OrderRecord, options: RunOptions): Promise<StepOutcome> => {
    const { requestId } = options;
    switch (step) {
      case "reserve":
        return actions.reserve(order, requestId);
      case "charge":
        if (options.card === undefined) throw new Error("charge step without a card");
        return actions.charge(order, options.card, requestId);
      case "ship":
        return actions.ship(order, requestId);
      case "commit":
        return actions.commit(order, requestId);
      case "emptyCart":
        return actions.emptyCart(order, requestId);
      case "refund":
        return actions.refund(order, requestId);
      case "release":
        return actions.release(order, requestId);
      case "confirm":
      case "abandon":
      case "cancel":
        return Promise.resolve({ kind: "ok" });
    }
  };

  const drive = async (initial: OrderRecord, owner: string, options: RunOptions): Promise<RunResult> => {
    let order = initial;
    let cause: StepOutcome | undefined;
    /** What carried steps changed that is not written yet (`order` shows it already, `written` not). */
    let carried: ProgressChanges = {};
    let written = initial;
    const log = logger.child({ order_id: order.id, ...(options.requestId ? { request_id: options.requestId } : {}) });
    for (;;) {
      const step = nextStep(order, { canCharge: options.card !== undefined });
      // Final: the lease is left to run out, since no runner takes a final order's lease.
      if (step === undefined) return { order, ended: "final", ...(cause ? { cause } : {}) };
      // Each step that calls out is a span of its own (its calls are its children); local ones are not.
      const outcome = localSteps.has(step)
        ? await perform(step, order, options)
        : await metrics.time(step, "call", () => stepSpan(step, order.id, () => perform(step, order, options)));
      if (outcome.kind === "ok" && !localSteps.has(step)) crash.beforePersist(step);
      if (outcome.kind !== "ok")
        log.warn({ step, state: order.state, outcome: outcome.kind, detail: describe(outcome) }, "saga step failed");
      if (outcome.kind === "rejected" && (step === "commit" || step === "emptyCart")) {
        log.error({ step, detail: describe(outcome) }, "a step after shipping was refused for good; the order is confirmed without it");
      }
      const next = transition(order, step, outcome, options.mode);
      if (next.kind === "retry-later") {
        const delay = retryDelayMs(order.attempts, deps.retryBaseMs, deps.retryMaxMs);
        log.warn({ step, state: order.state, retry_in_ms: delay, attempt: order.attempts + 1 }, "saga step postponed");
        await store.postpone(order.id, owner, new Date(clock() + delay), order.attempts + 1);
        return { order: written, ended: "postponed", ...(cause ? { cause } : {}) };
      }
      if (next.changes.cancelRequested && cause === undefined && !order.cancelRequested) cause = outcome;
      if (carriedSteps.has(step) && next.changes.state === undefined) {
        carried = { ...carried, ...next.changes };
        order = { ...order, ...next.changes };
        continue;
      }
      const changes = { ...carried, ...next.changes };
      carried = {};
      const now = clock();
      // Of the tries the store makes, the last one's event is the one recorded.
      let event: OrderEvent | undefined;
      const eventOf: EventOf = (changed) => (event = finalOrderEvent(changed, now, currentTraceHeaders()));
      const advanced = await metrics.time(step, "store", () =>
        store.advance(order.id, order.state, owner, changes, new Date(now), new Date(now + deps.leaseMs), eventOf),
      );
      if (advanced === undefined) {
        log.warn({ step, state: order.state }, "lost the order's lease; another runner continues it");
        const current = (await store.get(order.id)) ?? written;
        return { order: current, ended: "lease-lost", ...(cause ? { cause } : {}) };
      }
      if (next.changes.state !== undefined) {
        crash.afterPersist(next.changes.state);
        if (next.changes.state === "CANCELLED") log.info({ reason: advanced.cancelReason }, "order cancelled");
      }
      if (event !== undefined) deps.onEvent(event);
      order = advanced;
      written = advanced;
    }
  };

  return {
    run(order, owner, options) {
      const run = drive(order, owner, options);
      running.add(run);
      void run.then(
        () => running.delete(run),
        () => running.delete(run),
      );
      return run;
    },
    async idle() {
      await Promise.allSettled([...running]);
    },
  };
}
