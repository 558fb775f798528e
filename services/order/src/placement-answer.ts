// What PlaceOrder answers: the order once the saga ran to an end (CONFIRMED, or SHIPPED with its
// last steps pending), or the error its cancellation stands for; for a request id already used,
// the order of the first call once that one has settled; and, when the answer is due before
// either, the order as it stands, which the client follows with GetOrder.
import { Code, ConnectError } from "@connectrpc/connect";
import { fieldViolations, invalidArgument, type Clock } from "@shopmesh/kit";
import type { CallContext } from "./call-context.js";
import { orderWasCancelled, preconditionFailed, unavailable } from "./errors.js";
import { isFinal, type OrderRecord } from "./order.js";
import type { RunResult } from "./saga/runner.js";
import type { StepOutcome } from "./saga/state-machine.js";
import type { OrderStore } from "./store/order-store.js";
import { pollUntil } from "./wait.js";

export interface PlacementAnswerDeps {
  readonly store: OrderStore;
  readonly clock: Clock;
  /** How long a call waits for the order another call with its request id is placing. */
  readonly waitMs: number;
  readonly pollIntervalMs?: number;
}

export function createPlacementAnswers(deps: PlacementAnswerDeps) {
  const { store, clock } = deps;

  /** The order now, not final yet (or a cancellation, as for a settled one). */
  const asItStands = async (orderId: string): Promise<OrderRecord> => {
    const order = await store.get(orderId);
    if (order === undefined) throw new Error(`order ${orderId} vanished while being placed`);
    if (order.state === "CANCELLED") throw orderWasCancelled(order);
    return order;
  };

  /**
   * The answer for an order placed by an earlier (or concurrent) call with the same request id:
   * once it settled, or as it stands at `answerBy` (epoch milliseconds).
   */
  const ofExisting = async (orderId: string, call: CallContext, answerBy: number): Promise<OrderRecord> => {
    const waitUntil = Math.min(clock() + deps.waitMs, answerBy);
    const settled = await pollUntil(
      async () => {
        const order = await store.get(orderId);
        if (order === undefined) return undefined;
        // SHIPPED counts once nobody is finishing it right now (its last steps wait for a retry).
        const beingFinished = order.leaseOwner !== null && order.leaseUntil.getTime() > clock();
        return isFinal(order.state) || (order.state === "SHIPPED" && !beingFinished) ? order : undefined;
      },
      { timeoutMs: waitUntil - clock(), intervalMs: deps.pollIntervalMs ?? 50, signal: call.signal, clock },
    );
    if (settled === undefined && clock() >= answerBy) return asItStands(orderId);
    if (settled === undefined) {
      throw unavailable(`order ${orderId} of this request id is still being placed; retry later with the same request id`);
    }
    if (settled.state === "CANCELLED") throw orderWasCancelled(settled);
    return settled;
  };

  /** The client's answer for a run of the saga this call started. */
  const ofRun = async (result: RunResult, call: CallContext, answerBy: number): Promise<OrderRecord> => {
    const { order, cause } = result;
    if (result.ended === "lease-lost") return ofExisting(order.id, call, answerBy);
    switch (order.state) {
      case "CONFIRMED":
      case "SHIPPED":
        return order;
      case "CANCELLED":
        throw failureOf(order, cause);
      default:
        // Compensation is waiting for a service that is down; recovery finishes it.
        throw unavailable(
          `${cause ? describeCause(cause) : "the order could not be completed"}; order ${order.id} will be cancelled ` +
            "once its compensation completes; retry with a new request id",
        );
    }
  };

  return { asItStands, ofExisting, ofRun };
}

/** The error PlaceOrder answers with for an order its own run cancelled. */
function failureOf(order: OrderRecord, cause: StepOutcome | undefined): ConnectError | Error {
  switch (cause?.kind) {
    case undefined:
    case "ok":
      // Cancelled by the customer while the saga ran.
      return orderWasCancelled(order);
    case "short":
      return preconditionFailed(`not enough stock: ${cause.description}`, cause.violations);
    case "declined":
      return preconditionFailed(`payment declined: ${cause.reason}`, [
        { type: "PAYMENT", subject: `order/${order.id}`, description: cause.reason },
      ]);
    case "unavailable":
      return unavailable(`${describeCause(cause)}; order ${order.id} was cancelled; retry with a new request id`, cause.error);
    case "rejected": {
      // The payment service judged the card by rules ours missed: the client's to fix.
      if (cause.error instanceof ConnectError && cause.error.code === Code.InvalidArgument) {
        const onCard = fieldViolations(cause.error).filter((fv) => fv.field.startsWith("card"));
        if (onCard.length > 0) return invalidArgument(onCard.map((fv) => ({ field: fv.field, description: fv.description })));
      }
      return new Error(`order ${order.id} cancelled: ${order.cancelReason}`, { cause: cause.error });
    }
  }
}

function describeCause(cause: StepOutcome): string {
  return cause.kind === "unavailable" ? `the ${cause.service} service is unavailable` : `the order failed (${cause.kind})`;
}
