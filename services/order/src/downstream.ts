// Clients of the services the order saga coordinates, each call with a deadline, and the headers
// that make a call act for the order's user.
import { Code, ConnectError } from "@connectrpc/connect";
import { CartService } from "@shopmesh/gen/shop/cart/v1/cart_pb.js";
import { CatalogService } from "@shopmesh/gen/shop/catalog/v1/catalog_pb.js";
import { InventoryService } from "@shopmesh/gen/shop/inventory/v1/inventory_pb.js";
import { PaymentService } from "@shopmesh/gen/shop/payment/v1/payment_pb.js";
import { ShippingService } from "@shopmesh/gen/shop/shipping/v1/shipping_pb.js";
import { createGrpcClient, identityHeader, requestIdHeader, type GrpcClient } from "@shopmesh/kit";
import type { OrderConfig } from "./config.js";

export interface Downstream {
  readonly cart: GrpcClient<typeof CartService>;
  readonly catalog: GrpcClient<typeof CatalogService>;
  readonly inventory: GrpcClient<typeof InventoryService>;
  readonly payment: GrpcClient<typeof PaymentService>;
  readonly shipping: GrpcClient<typeof ShippingService>;
  close(): void;
}

export function createDownstream(config: OrderConfig["downstream"]): Downstream {
  const options = { defaultTimeoutMs: config.timeoutMs };
  const clients = {
    cart: createGrpcClient(CartService, config.cart, options),
    catalog: createGrpcClient(CatalogService, config.catalog, options),
    inventory: createGrpcClient(InventoryService, config.inventory, options),
    payment: createGrpcClient(PaymentService, config.payment, options),
    shipping: createGrpcClient(ShippingService, config.shipping, options),
  };
  return {
    ...clients,
    close: () => {
      for (const client of Object.values(clients)) client.close();
    },
  };
}

/**
 * Headers of a call made for `userId`: the identity (also in recovery, where no request brought
 * one) and the request id when there is one, so logs across services line up.
 */
export function userHeaders(userId: string, requestId?: string): Headers {
  const headers = new Headers({ [identityHeader]: userId });
  if (requestId !== undefined && requestId !== "") headers.set(requestIdHeader, requestId);
  return headers;
}

/** Headers of an internal call (no user), with the request id when there is one. */
export function internalHeaders(requestId?: string): Headers {
  const headers = new Headers();
  if (requestId !== undefined && requestId !== "") headers.set(requestIdHeader, requestId);
  return headers;
}

// Codes with which a service refused a call for good: the call had no effect, and repeating it
// unchanged would fail the same way. Any other failure (UNAVAILABLE, DEADLINE_EXCEEDED, INTERNAL,
// …) leaves open whether it took effect.
const definiteCodes: ReadonlySet<Code> = new Set([
  Code.InvalidArgument,
  Code.NotFound,
  Code.AlreadyExists,
  Code.PermissionDenied,
  Code.FailedPrecondition,
  Code.OutOfRange,
  Code.Unimplemented,
  Code.Unauthenticated,
]);

export function isDefiniteFailure(err: ConnectError): boolean {
  return definiteCodes.has(err.code);
}

/** What a failed downstream call tells the client of PlaceOrder when it happens before an order exists. */
export function upstreamFailure(service: string, err: unknown): Error {
  const e = ConnectError.from(err);
  if (isDefiniteFailure(e)) {
    // A contract mismatch between services, not something the client can fix: INTERNAL, with
    // the cause in the log only.
    return new Error(`${service} service refused a call: ${e.code} ${e.rawMessage}`, { cause: e });
  }
  return new ConnectError(`${service} service is unavailable; try again shortly`, Code.Unavailable, undefined, undefined, e);
}
