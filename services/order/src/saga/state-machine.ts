// The order saga as pure functions: which step comes next for an order, and what an outcome of
// that step changes. The executor performs steps and persists changes; nothing here does I/O.
//
//   forward:       PENDING --reserve--> RESERVED --charge--> PAID --ship--> SHIPPED
//                  SHIPPED --commit, emptyCart, confirm--> CONFIRMED        (never compensated)
//   compensation:  (cancelRequested, before SHIPPED) refund --> release --> cancel --> CANCELLED
//
// A failure before SHIPPED, a customer's cancellation or a run without the card (recovery)
// sets `cancelRequested`; from then on the steps already done are undone in reverse. The refund
// step voids by the order id (CancelShipment for a PAID order, then VoidCharge): a Charge or
// CreateShipment that failed with an unknown outcome (a deadline, a broken connection) may still
// land, and meets the void instead of taking effect.
import type { ProgressChanges, SagaProgress } from "../order.js";

export type Step =
  | "reserve"
  | "charge"
  | "ship"
  | "commit"
  | "emptyCart"
  | "confirm"
  /** The card is gone (a run after a crash): give up the order before payment. */
  | "abandon"
  | "refund"
  | "release"
  | "cancel";

/** Steps that call no other service: their only effect is the change they persist. */
export const localSteps: ReadonlySet<Step> = new Set(["confirm", "abandon", "cancel"]);

export interface StepContext {
  /** Whether this run holds the card, which only the PlaceOrder call that recorded the order has. */
  readonly canCharge: boolean;
}

/** The next step for `order`, or undefined when it is final. */
export function nextStep(order: SagaProgress, ctx: StepContext): Step | undefined {
  switch (order.state) {
    case "CONFIRMED":
    case "CANCELLED":
      return undefined;
    case "SHIPPED":
      // The point of no return: a late cancellation request is ignored.
      if (!order.committed) return "commit";
      if (!order.cartEmptied) return "emptyCart";
      return "confirm";
    case "PENDING":
    case "RESERVED":
    case "PAID":
      if (!order.cancelRequested) {
        if (order.state === "PAID") return "ship";
        if (!ctx.canCharge) return "abandon";
        return order.state === "PENDING" ? "reserve" : "charge";
      }
      // Compensation, in reverse order of the forward steps. A PENDING order was never charged
      // (charging starts from RESERVED, persisted first); a RESERVED one may have been, with
      // the outcome lost.
      if (order.state !== "PENDING" && !order.refunded) return "refund";
      if (!order.released) return "release";
      return "cancel";
  }
}

/** What a step's downstream call(s) ended with. */
export type StepOutcome =
  | { readonly kind: "ok"; readonly paymentId?: string; readonly shipmentId?: string; readonly trackingId?: string }
  /** reserve: some SKUs are short; nothing was reserved. */
  | { readonly kind: "short"; readonly description: string; readonly violations: readonly StockViolation[] }
  /** charge: the card was declined; nothing was charged. */
  | { readonly kind: "declined"; readonly paymentId: string; readonly reason: string }
  /** The service could not be reached or did not answer: whether the call took effect is unknown. */
  | { readonly kind: "unavailable"; readonly service: string; readonly message: string; readonly error?: unknown }
  /** The service refused the call for good; retrying it will not help. */
  | { readonly kind: "rejected"; readonly service: string; readonly message: string; readonly error?: unknown };

export interface StockViolation {
  readonly type: string;
  readonly subject: string;
  readonly description: string;
}

/** Who runs the saga: the PlaceOrder call (gives up on an outage), or recovery (retries). */
export type RunMode = "interactive" | "background";

export type Transition =
  | { readonly kind: "persist"; readonly changes: ProgressChanges }
  /** Nothing changes: try the same step again later (with backoff). */
  | { readonly kind: "retry-later"; readonly why: string };

export const maxCancelReasonLength = 200;
export const abandonReason = "interrupted before payment";

/** The transition `outcome` of `step` causes for `order`, run in `mode`. */
export function transition(order: SagaProgress, step: Step, outcome: StepOutcome, mode: RunMode): Transition {
  const persist = (changes: ProgressChanges): Transition => ({ kind: "persist", changes });
  const retryLater = (): Transition => ({ kind: "retry-later", why: describe(outcome) });
  // A failure before SHIPPED: the PlaceOrder call compensates now and answers; recovery cannot
  // answer anyone, so an outage only postpones its step.
  const failForward = (what: string): Transition => {
    if (outcome.kind === "unavailable" && mode === "background") return retryLater();
    const reason = outcome.kind === "rejected" ? `${what}: ${outcome.message}` : describe(outcome);
    return persist(requestCancel(order, reason));
  };

  switch (step) {
    case "reserve":
      switch (outcome.kind) {
        case "ok":
          return persist({ state: "RESERVED" });
        case "short":
          // All or nothing: nothing is held, so there is nothing to release.
          return persist({ ...requestCancel(order, `out of stock: ${outcome.description}`), released: true });
        default:
          return failForward("stock reservation failed");
      }
    case "charge":
      switch (outcome.kind) {
        case "ok":
          return persist({ state: "PAID", paymentId: outcome.paymentId ?? "" });
        case "declined":
          return persist({ ...requestCancel(order, `payment declined: ${outcome.reason}`), paymentId: outcome.paymentId, refunded: true });
        default:
          return failForward("payment failed");
      }
    case "ship":
      if (outcome.kind === "ok") {
        return persist({ state: "SHIPPED", shipmentId: outcome.shipmentId ?? "", trackingId: outcome.trackingId ?? "" });
      }
      return failForward("shipment failed");
    // Past the point of no return: retried until they succeed. A refusal (e.g. the reservation
    // expired meanwhile) cannot be fixed by retrying; the executor logs it and moves on.
    case "commit":
      return outcome.kind === "unavailable" ? retryLater() : persist({ committed: true });
    case "emptyCart":
      return outcome.kind === "unavailable" ? retryLater() : persist({ cartEmptied: true });
    case "confirm":
      return persist({ state: "CONFIRMED" });
    case "abandon":
      return persist(requestCancel(order, abandonReason));
    // Compensations are idempotent and retried until they succeed.
    case "refund":
      return outcome.kind === "ok" ? persist({ refunded: true }) : retryLater();
    case "release":
      return outcome.kind === "ok" ? persist({ released: true }) : retryLater();
    case "cancel":
      return persist({ state: "CANCELLED" });
  }
}

/** Asks for compensation; a reason given earlier (the first) is kept. */
function requestCancel(order: SagaProgress, reason: string): ProgressChanges {
  if (order.cancelRequested) return {};
  return { cancelRequested: true, cancelReason: truncate(reason, maxCancelReasonLength) };
}

export function describe(outcome: StepOutcome): string {
  switch (outcome.kind) {
    case "ok":
      return "ok";
    case "short":
      return outcome.description;
    case "declined":
      return outcome.reason;
    case "unavailable":
      return `${outcome.service} service unavailable: ${outcome.message}`;
    case "rejected":
      return `${outcome.service} service refused: ${outcome.message}`;
  }
}

/** At most `max` code points. */
export function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join("")}…`;
}

/** Delay before retry number `attempt` (0-based) of a failed step: exponential, capped. */
export function retryDelayMs(attempt: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
}
