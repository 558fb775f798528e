// The stored form of a shipment in the `shipments` collection, and the mappers to and from the
// service's ShipmentRecord. Field names are snake_case, as in the contract; the cost is integer
// cents with its currency spelled out.
import type { ShipmentRecord, ShipmentState } from "./shipment-store.js";

export interface ShipmentDocument {
  /** The shipment id. */
  _id: string;
  /** Unique (index "order_id_unique"): the idempotency key of CreateShipment. */
  order_id: string;
  /** Unique (index "tracking_id_unique"). */
  tracking_id: string;
  address: {
    recipient_name: string;
    street_lines: string[];
    city: string;
    postal_code: string;
    region_code: string;
  };
  items: { sku: string; quantity: number }[];
  cost: { currency_code: "USD"; cents: number };
  status: ShipmentState;
  create_time: Date;
}

/** The cancellation of an order's shipment, in `shipment_cancellations`; `_id` is the order id. */
export interface CancellationDocument {
  _id: string;
  time: Date;
}

export function shipmentToDocument(s: ShipmentRecord): ShipmentDocument {
  return {
    _id: s.id,
    order_id: s.orderId,
    tracking_id: s.trackingId,
    address: {
      recipient_name: s.address.recipientName,
      street_lines: [...s.address.streetLines],
      city: s.address.city,
      postal_code: s.address.postalCode,
      region_code: s.address.regionCode,
    },
    items: s.items.map((item) => ({ sku: item.sku, quantity: item.quantity })),
    cost: { currency_code: "USD", cents: s.costCents },
    status: s.state,
    create_time: s.createTime,
  };
}

/** The shipment of `d`, CANCELLED when its order's cancellation is recorded. */
export function shipmentFromDocument(d: ShipmentDocument, cancellation: CancellationDocument | null = null): ShipmentRecord {
  return {
    id: d._id,
    orderId: d.order_id,
    trackingId: d.tracking_id,
    address: {
      recipientName: d.address.recipient_name,
      streetLines: d.address.street_lines,
      city: d.address.city,
      postalCode: d.address.postal_code,
      regionCode: d.address.region_code,
    },
    items: d.items.map((item) => ({ sku: item.sku, quantity: item.quantity })),
    costCents: d.cost.cents,
    state: cancellation === null ? d.status : "CANCELLED",
    createTime: d.create_time,
  };
}
