// The order service's expected errors, with the details the contract promises
// (google.rpc.PreconditionFailure for FAILED_PRECONDITION, ResourceInfo for NOT_FOUND, RetryInfo
// for RESOURCE_EXHAUSTED).
import { Code, ConnectError } from "@connectrpc/connect";
import { PreconditionFailureSchema, ResourceInfoSchema, RetryInfoSchema } from "@shopmesh/gen/google/rpc/error_details_pb.js";
import type { OrderRecord } from "./order.js";

export interface PreconditionViolation {
  readonly type: string;
  readonly subject: string;
  readonly description: string;
}

export function preconditionFailed(message: string, violations: readonly PreconditionViolation[]): ConnectError {
  return new ConnectError(message, Code.FailedPrecondition, undefined, [
    { desc: PreconditionFailureSchema, value: { violations: violations.map((v) => ({ ...v })) } },
  ]);
}

export function orderNotFound(orderId: string): ConnectError {
  return new ConnectError(`order ${orderId} not found`, Code.NotFound, undefined, [
    {
      desc: ResourceInfoSchema,
      value: { resourceType: "shop.order.v1.Order", resourceName: `order/${orderId}`, description: "no such order of the caller" },
    },
  ]);
}

/** PlaceOrder with the request id of an order that was cancelled. */
export function orderWasCancelled(order: OrderRecord): ConnectError {
  return preconditionFailed(`order ${order.id} of request ${order.requestId} was cancelled: ${order.cancelReason}`, [
    { type: "CANCELLED", subject: `order/${order.id}`, description: order.cancelReason },
  ]);
}

/** CancelOrder on an order past the point of no return. */
export function orderAlreadyShipped(order: OrderRecord): ConnectError {
  const description = `order is ${order.state}`;
  return preconditionFailed(`order ${order.id} is ${order.state} and can no longer be cancelled`, [
    { type: "STATE", subject: `order/${order.id}`, description },
  ]);
}

/** PlaceOrder while this process already places as many orders as it may; nothing was recorded. */
export function tooManyPlacements(maxInFlight: number, retryAfterMs: number): ConnectError {
  return new ConnectError(
    `${maxInFlight} orders are being placed here already; this call recorded nothing: retry later with the same request id`,
    Code.ResourceExhausted,
    undefined,
    [
      {
        desc: RetryInfoSchema,
        value: { retryDelay: { seconds: BigInt(Math.floor(retryAfterMs / 1000)), nanos: (retryAfterMs % 1000) * 1_000_000 } },
      },
    ],
  );
}

export function unavailable(message: string, cause?: unknown): ConnectError {
  return new ConnectError(message, Code.Unavailable, undefined, undefined, cause);
}
