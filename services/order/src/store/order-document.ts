// The `orders` document: how an order record is stored, and the mapping both ways.
import { copyAddress, type AddressCopy } from "@shopmesh/domain";
import { sagaStates, type OrderRecord, type SagaState } from "../order.js";

/**
 * The stored document: the record with its id as `_id`. Dates are BSON dates. Amounts are whole
 * minor units of `currency`; their keys say "Cents" because every order so far was in USD, where
 * the two are the same, and documents already stored keep reading as they were written.
 */
export interface OrderDocument {
  _id: string;
  userId: string;
  requestId: string;
  state: SagaState;
  lines: {
    productId: string;
    sku: string;
    name: string;
    quantity: number;
    unitPriceCents: number;
    lineTotalCents: number;
  }[];
  currency: string;
  subtotalCents: number;
  shippingCents: number;
  totalCents: number;
  address: AddressCopy;
  paymentId: string;
  shipmentId: string;
  trackingId: string;
  cancelRequested: boolean;
  cancelReason: string;
  refunded: boolean;
  released: boolean;
  committed: boolean;
  cartEmptied: boolean;
  createTime: Date;
  updateTime: Date;
  leaseOwner: string | null;
  leaseUntil: Date;
  attempts: number;
  /**
   * The sequence number of the last order-log entry folded into this document (see order-log.ts);
   * absent in documents stored before the log existed, which count as 0.
   */
  seq?: number;
  /**
   * The event recorded with the order's final state and not yet published (which entry of the
   * log holds it); null or absent when there is none. The outbox relay looks for these.
   */
  outbox?: { eventId: string; seq: number } | null;
  /**
   * The place of the user's list (user-orders.ts) that lists this order; absent only in documents
   * stored before the lists existed, until the store's next start lists them.
   */
  listed?: number;
}

/** The document of a new order, before any log entry. */
export function toDocument(order: OrderRecord): OrderDocument {
  return {
    _id: order.id,
    userId: order.userId,
    requestId: order.requestId,
    state: order.state,
    lines: order.lines.map((l) => ({
      productId: l.productId,
      sku: l.sku,
      name: l.name,
      quantity: l.quantity,
      unitPriceCents: l.unitPriceMinor,
      lineTotalCents: l.lineTotalMinor,
    })),
    currency: order.currency,
    subtotalCents: order.subtotalMinor,
    shippingCents: order.shippingMinor,
    totalCents: order.totalMinor,
    address: copyAddress(order.address),
    paymentId: order.paymentId,
    shipmentId: order.shipmentId,
    trackingId: order.trackingId,
    cancelRequested: order.cancelRequested,
    cancelReason: order.cancelReason,
    refunded: order.refunded,
    released: order.released,
    committed: order.committed,
    cartEmptied: order.cartEmptied,
    createTime: order.createTime,
    updateTime: order.updateTime,
    leaseOwner: order.leaseOwner,
    leaseUntil: order.leaseUntil,
    attempts: order.attempts,
    seq: 0,
  };
}

export function fromDocument(doc: OrderDocument): OrderRecord {
  if (!(sagaStates as readonly string[]).includes(doc.state)) throw new Error(`order ${doc._id} has an unknown state ${String(doc.state)}`);
  return {
    id: doc._id,
    userId: doc.userId,
    requestId: doc.requestId,
    state: doc.state,
    lines: doc.lines.map((l) => ({
      productId: l.productId,
      sku: l.sku,
      name: l.name,
      quantity: l.quantity,
      unitPriceMinor: l.unitPriceCents,
      lineTotalMinor: l.lineTotalCents,
    })),
    currency: doc.currency,
    subtotalMinor: doc.subtotalCents,
    shippingMinor: doc.shippingCents,
    totalMinor: doc.totalCents,
    address: copyAddress(doc.address),
    paymentId: doc.paymentId,
    shipmentId: doc.shipmentId,
    trackingId: doc.trackingId,
    cancelRequested: doc.cancelRequested,
    cancelReason: doc.cancelReason,
    refunded: doc.refunded,
    released: doc.released,
    committed: doc.committed,
    cartEmptied: doc.cartEmptied,
    createTime: doc.createTime,
    updateTime: doc.updateTime,
    leaseOwner: doc.leaseOwner,
    leaseUntil: doc.leaseUntil,
    attempts: doc.attempts,
  };
}
