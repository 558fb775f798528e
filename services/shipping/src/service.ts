// shop.shipping.v1.ShippingService handlers: validate, quote, store, map to messages. A shipment
// and its cancellation are records inserted once under the order id; a shipment reads CANCELLED
// once its order has a cancellation, whichever was recorded first.
import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import { PreconditionFailureSchema, ResourceInfoSchema } from "@shopmesh/gen/google/rpc/error_details_pb.js";
import { ShipmentSchema, type ShippingService } from "@shopmesh/gen/shop/shipping/v1/shipping_pb.js";
import { invalidArgument, type Clock, type Logger } from "@shopmesh/kit";
import { addressViolations, characterCount, copyAddress, sameAddress, type AddressFields, type FieldViolation } from "@shopmesh/domain";
import { lineItemsViolations, sameItems, totalUnits, type LineItemFields } from "./line-items.js";
import { usdFromCents } from "./money.js";
import { quoteShipping } from "./quote.js";
import { shipmentIdFor } from "./shipment-id.js";
import { shipmentMessage } from "./shipment-message.js";
import type { ShipmentRecord, ShipmentStore } from "./store/shipment-store.js";
import { newTrackingId } from "./tracking-id.js";

export interface ShippingServiceDeps {
  readonly store: ShipmentStore;
  readonly logger: Logger;
  /** The time a shipment is created; the wall clock unless a test needs another. */
  readonly clock?: Clock;
  readonly newTrackingId?: () => string;
}

const maxIdLength = 64;
/** A clash of random 52-bit tracking ids is rare; three in a row is a bug. */
const maxIdAttempts = 3;

export function createShippingService(deps: ShippingServiceDeps): ServiceImpl<typeof ShippingService> {
  const clock = deps.clock ?? Date.now;
  const trackingId = deps.newTrackingId ?? newTrackingId;

  return {
    async getQuote(req) {
      const { address, items } = validShipping(req.address, req.items, false, []);
      const quote = quoteShipping(address.regionCode, totalUnits(items));
      return { cost: usdFromCents(quote.costCents), estimatedDays: quote.estimatedDays };
    },

    async createShipment(req) {
      const { address, items } = validShipping(req.address, req.items, true, idViolations("order_id", req.orderId));
      const quote = quoteShipping(address.regionCode, totalUnits(items));
      for (let attempt = 1; attempt <= maxIdAttempts; attempt++) {
        const shipment: ShipmentRecord = {
          id: shipmentIdFor(req.orderId),
          orderId: req.orderId,
          trackingId: trackingId(),
          address: copyAddress(address),
          items: items.map((item) => ({ sku: item.sku, quantity: item.quantity })),
          costCents: quote.costCents,
          state: "CREATED",
          // Stored with millisecond precision: keep only that, so a replay answers identically.
          createTime: new Date(clock()),
        };
        const outcome = await deps.store.insert(shipment);
        switch (outcome.kind) {
          case "inserted": {
            // Read after the insert: a cancellation recorded before it (or racing it) is seen
            // here; one recorded later sees this shipment and cancels it.
            const stored = await deps.store.findByOrderId(req.orderId);
            if (stored?.state === "CANCELLED") throw shipmentCancelled(req.orderId);
            return { shipment: shipmentMessage(shipment) };
          }
          case "order-has-shipment":
            if (outcome.existing.state === "CANCELLED") throw shipmentCancelled(req.orderId);
            assertSameShipment(outcome.existing, address, items);
            return { shipment: shipmentMessage(outcome.existing) };
          case "id-taken":
            deps.logger.warn({ order_id: req.orderId, attempt }, "tracking id already taken; retrying with a new one");
            break;
        }
      }
      throw new Error(`no free tracking id after ${maxIdAttempts} attempts`);
    },

    async cancelShipment(req) {
      throwIfAny(idViolations("order_id", req.orderId));
      // Recorded first: a CreateShipment of this order that records its shipment from now on sees it.
      await deps.store.recordCancellation(req.orderId, new Date(clock()));
      const shipment = await deps.store.findByOrderId(req.orderId);
      return shipment === undefined ? {} : { shipment: shipmentMessage(shipment) };
    },

    async getShipment(req) {
      const { lookup } = req;
      if (lookup.case === undefined) throw invalidArgument([{ field: "lookup", description: "must set shipment_id or order_id" }]);
      if (lookup.case === "shipmentId") {
        throwIfAny(idViolations("shipment_id", lookup.value));
        const shipment = await deps.store.findById(lookup.value);
        if (shipment === undefined) throw notFound(`shipment ${lookup.value} not found`, lookup.value);
        return { shipment: shipmentMessage(shipment) };
      }
      throwIfAny(idViolations("order_id", lookup.value));
      const shipment = await deps.store.findByOrderId(lookup.value);
      if (shipment === undefined) throw notFound(`order ${lookup.value} has no shipment`, `order/${lookup.value}`);
      return { shipment: shipmentMessage(shipment) };
    },
  };
}

/**
 * The address and items of a quote or shipment, or INVALID_ARGUMENT naming every bad field,
 * after `leadingViolations` (those of the request's fields that come before them).
 */
function validShipping(
  address: AddressFields | undefined,
  items: readonly LineItemFields[],
  distinctSkus: boolean,
  leadingViolations: readonly FieldViolation[],
): { address: AddressFields; items: readonly LineItemFields[] } {
  const violations = [...leadingViolations, ...addressViolations(address, "address"), ...lineItemsViolations(items, { distinctSkus })];
  throwIfAny(violations);
  // addressViolations reports a missing address, so here it is set.
  return { address: address as AddressFields, items };
}

/** An opaque id: 1..64 characters. */
function idViolations(field: string, id: string): FieldViolation[] {
  if (id === "") return [{ field, description: "is required" }];
  if (characterCount(id) > maxIdLength) return [{ field, description: `must be at most ${maxIdLength} characters` }];
  return [];
}

function throwIfAny(violations: readonly FieldViolation[]): void {
  if (violations.length > 0) throw invalidArgument(violations);
}

/** A replay must ask for the shipment that exists: same address, same set of items. */
function assertSameShipment(existing: ShipmentRecord, address: AddressFields, items: readonly LineItemFields[]): void {
  const differences = [
    ...(sameAddress(existing.address, address) ? [] : ["address"]),
    ...(sameItems(existing.items, items) ? [] : ["items"]),
  ];
  if (differences.length === 0) return;
  const description = `order ${existing.orderId} already has shipment ${existing.id} with a different ${differences.join(" and ")}`;
  throw new ConnectError(description, Code.FailedPrecondition, undefined, [
    {
      desc: PreconditionFailureSchema,
      value: { violations: [{ type: "SHIPMENT", subject: `order/${existing.orderId}`, description }] },
    },
  ]);
}

/** CreateShipment of an order whose shipment was cancelled (CancelShipment), before or while it ran. */
function shipmentCancelled(orderId: string): ConnectError {
  const description = `the shipment of order ${orderId} was cancelled`;
  return new ConnectError(description, Code.FailedPrecondition, undefined, [
    { desc: PreconditionFailureSchema, value: { violations: [{ type: "CANCELLED", subject: `order/${orderId}`, description }] } },
  ]);
}

function notFound(message: string, resourceName: string): ConnectError {
  return new ConnectError(message, Code.NotFound, undefined, [
    { desc: ResourceInfoSchema, value: { resourceType: ShipmentSchema.typeName, resourceName, description: message } },
  ]);
}
