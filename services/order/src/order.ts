// An order as the service knows it: its record, the states of its saga and the progress the saga
// makes. The store keeps it, the saga moves it on, the handlers show it; each imports it from here.
import { createHash } from "node:crypto";
import type { Amount } from "@shopmesh/domain";

export const sagaStates = ["PENDING", "RESERVED", "PAID", "SHIPPED", "CONFIRMED", "CANCELLED"] as const;
export type SagaState = (typeof sagaStates)[number];

/**
 * The id of `userId`'s order for `requestId`: "ord_" and 32 hex digits of a SHA-256 of the two. A
 * request id makes at most one order per user, so the order of a request is found by `_id`, the
 * only key FerretDB on SQLite looks up without reading the whole collection.
 */
export function orderIdFor(userId: string, requestId: string): string {
  return `ord_${createHash("sha256")
    .update(JSON.stringify([userId, requestId]))
    .digest("hex")
    .slice(0, 32)}`;
}

/** CONFIRMED and CANCELLED: nothing more happens to the order. */
export function isFinal(state: SagaState): boolean {
  return state === "CONFIRMED" || state === "CANCELLED";
}

/** States a customer may still cancel in. */
export const cancellableStates: readonly SagaState[] = ["PENDING", "RESERVED", "PAID"];

/** What the saga needs to know about an order to decide its next step. */
export interface SagaProgress {
  readonly state: SagaState;
  /** Compensate and end CANCELLED (set by a failed step, CancelOrder or recovery). */
  readonly cancelRequested: boolean;
  /** Why; becomes the order's `cancel_reason` once CANCELLED. */
  readonly cancelReason: string;
  /** Compensation: the payment was refunded, or is known to need no refund. */
  readonly refunded: boolean;
  /** Compensation: the reservation was released, or is known not to be held. */
  readonly released: boolean;
  /** After SHIPPED: the reservation was committed. */
  readonly committed: boolean;
  /** After SHIPPED: the customer's cart was emptied. */
  readonly cartEmptied: boolean;
}

/** The fields a transition changes; persisted at once, conditionally on state and lease. */
export interface ProgressChanges {
  readonly state?: SagaState;
  readonly cancelRequested?: true;
  readonly cancelReason?: string;
  readonly refunded?: true;
  readonly released?: true;
  readonly committed?: true;
  readonly cartEmptied?: true;
  readonly paymentId?: string;
  readonly shipmentId?: string;
  readonly trackingId?: string;
}

export interface OrderLineRecord {
  readonly productId: string;
  readonly sku: string;
  readonly name: string;
  readonly quantity: number;
  readonly unitPriceMinor: number;
  readonly lineTotalMinor: number;
}

export interface AddressRecord {
  readonly recipientName: string;
  readonly streetLines: readonly string[];
  readonly city: string;
  readonly postalCode: string;
  readonly regionCode: string;
}

/**
 * An order as the service keeps it. Money is whole minor units of `currency` (cents for USD), as
 * safe integers; the card is never part of it.
 */
export interface OrderRecord extends SagaProgress {
  readonly id: string;
  readonly userId: string;
  readonly requestId: string;
  readonly lines: readonly OrderLineRecord[];
  readonly currency: string;
  readonly subtotalMinor: number;
  readonly shippingMinor: number;
  readonly totalMinor: number;
  readonly address: AddressRecord;
  readonly paymentId: string;
  readonly shipmentId: string;
  readonly trackingId: string;
  readonly createTime: Date;
  /** When the state last changed. */
  readonly updateTime: Date;
  /** The runner driving the order, or null. */
  readonly leaseOwner: string | null;
  /** Until when `leaseOwner` holds the order; after a failed step, when to retry it. */
  readonly leaseUntil: Date;
  /** Failed attempts since the last progress (for backoff). */
  readonly attempts: number;
}

/** `minor` (one of the order's amounts) as an Amount in the order's currency. */
export function orderAmount(order: Pick<OrderRecord, "currency">, minor: number): Amount {
  return { currencyCode: order.currency, minor: BigInt(minor) };
}
